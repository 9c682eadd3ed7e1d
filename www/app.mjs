// The demo page: one card per cloud, each with a settings form, a Connect button and a table of devices.
// Secrets are read from the form when a card connects and handed to the client; they are never logged,
// stored or put in a URL.
import { Arduino, Particle, CThings, IoTConnect, CloudError, init } from 'iot-cloud-wasm';

/** IoTConnect solutions can hold thousands of devices: the table shows the first few. */
const IOTCONNECT_ROWS = 20;

/** A trimmed form value, or undefined when the field is empty (so the client uses its default). */
const optional = (form, name) => form.elements[name].value.trim() || undefined;
const required = (form, name) => form.elements[name].value.trim();

/**
 * Per vendor: what "connect" means. Each resolves `{ total, rows, note?, failed? }`, where a row is
 * `{ id, name, shownId, status, tone }` and tone is `online`, `offline` or `neutral`.
 */
const VENDORS = {
  arduino: {
    noun: ['thing', 'things'],
    async connect(form) {
      const arduino = new Arduino({
        baseUrl: optional(form, 'baseUrl'),
        clientId: required(form, 'clientId'),
        clientSecret: required(form, 'clientSecret'),
        organization: optional(form, 'organization'),
      });
      const things = await arduino.things.list({});
      return {
        total: things.length,
        rows: things.map((t) => ({
          id: t.id,
          name: t.name,
          status: t.device_id ? plural(t.properties_count ?? 0, 'property', 'properties') : 'no device',
          tone: t.device_id ? 'neutral' : 'offline',
        })),
      };
    },
  },

  particle: {
    noun: ['device', 'devices'],
    async connect(form) {
      const particle = new Particle({
        baseUrl: optional(form, 'baseUrl'),
        clientId: optional(form, 'clientId'),
        clientSecret: optional(form, 'clientSecret'),
      });
      // The token from login becomes the client's default auth for the calls that follow.
      await particle.login({ username: required(form, 'username'), password: form.elements.password.value });
      const { body: devices } = await particle.listDevices({});
      listen(particle);
      return {
        total: devices.length,
        rows: devices.map((d) => ({
          id: d.id,
          name: d.name,
          status: d.online ? 'online' : 'offline',
          tone: d.online ? 'online' : 'offline',
        })),
      };
    },
  },

  cthings: {
    noun: ['device', 'devices'],
    async connect(form) {
      const ids = [...new Set(form.elements.devices.value.split(/[\s,;]+/).filter(Boolean))];
      if (ids.length === 0) throw new Error('Enter at least one device id.');
      const cthings = new CThings({
        authUrl: optional(form, 'authUrl'),
        baseUrl: optional(form, 'baseUrl'),
        clientId: required(form, 'clientId'),
        clientSecret: required(form, 'clientSecret'),
      });
      // The client fetches one token and shares it between the parallel calls.
      const results = await Promise.allSettled(ids.map((id) => cthings.devices.get(id)));
      const rows = results.map((r, i) => {
        if (r.status === 'rejected') {
          return { id: ids[i], name: '—', status: describeError(r.reason), tone: 'error' };
        }
        const d = r.value;
        const online = Boolean(d.connection?.status);
        return { id: d.id, name: d.name, status: online ? 'online' : 'offline', tone: online ? 'online' : 'offline' };
      });
      const failed = results.filter((r) => r.status === 'rejected');
      if (failed.length === results.length) throw failed[0].reason;
      return {
        total: results.length - failed.length,
        rows,
        failed: failed.length
          ? `${failed.length} of ${ids.length} devices could not be read: ${describeError(failed[0].reason)}`
          : undefined,
      };
    },
  },

  iotconnect: {
    noun: ['device', 'devices'],
    async connect(form) {
      const iotc = new IoTConnect({
        discoveryUrl: optional(form, 'discoveryUrl'),
        solutionKey: required(form, 'solutionKey'),
        environment: required(form, 'environment'),
        platform: form.elements.platform.value,
        username: required(form, 'username'),
        password: form.elements.password.value,
      });
      // Discovery, basic token and login happen on the first call; the iterator reads every page.
      const devices = [];
      for await (const d of iotc.devices.iterate({ pageSize: 100, sortBy: 'uniqueId asc' })) devices.push(d);
      const shown = devices.slice(0, IOTCONNECT_ROWS);
      // The panel below the table: the first connected device's latest telemetry and its commands.
      iotcPanel.open(iotc, shown, shown.find((d) => d.isConnected) ?? shown[0]);
      return {
        total: devices.length,
        rows: shown.map((d) => ({
          id: d.guid,
          name: d.displayName,
          shownId: d.uniqueId,
          status: d.isConnected ? 'connected' : d.isActive === false ? 'inactive' : 'disconnected',
          tone: d.isConnected ? 'online' : 'offline',
        })),
        note: devices.length > shown.length ? `first ${shown.length} shown` : undefined,
      };
    },
  },
};

// ---------------------------------------------------------------------------------------------------------
// IoTConnect's device panel: a device's latest telemetry (`iotc.telemetry.latest`), the commands of its
// template (`iotc.templates.commands`) and a form that sends one (`iotc.commands.send`).

const iotcPanel = {
  client: undefined,
  devices: new Map(),
  device: undefined,
  commands: new Map(), // template guid → its commands (a promise)

  get box() {
    return cards.get('iotconnect').querySelector('.device-panel');
  },

  /** Shows `device` of the devices listed by `client`; none: the panel hides. */
  open(client, devices, device) {
    Object.assign(this, { client, devices: new Map(devices.map((d) => [d.guid, d])), commands: new Map() });
    this.box.hidden = !device;
    if (device) this.show(device);
  },

  close() {
    this.client = undefined;
    this.box.hidden = true;
  },

  async show(device) {
    const { box, client } = this;
    this.device = device;
    box.querySelector('.device-name').textContent = `${device.displayName} (${device.uniqueId})`;
    this.mark();
    this.status('');
    const select = box.querySelector('select[name="command"]');
    select.replaceChildren();
    if (!this.commands.has(device.templateGuid)) this.commands.set(device.templateGuid, client.templates.commands(device.templateGuid));
    try {
      const [, commands] = await Promise.all([this.telemetry(), this.commands.get(device.templateGuid)]);
      if (this.device !== device) return;
      this.mark();
      select.replaceChildren(...commands.map((c) => Object.assign(document.createElement('option'), {
        value: c.guid, textContent: `${c.name} (${c.command})${c.requiredParam ? ', takes a parameter' : ''}`,
      })));
    } catch (err) {
      if (this.device === device) this.status(describeError(err), true);
    }
  },

  /** Marks the shown device's row of the table. */
  mark() {
    for (const tr of cards.get('iotconnect').querySelectorAll('tbody tr[data-device-id]')) {
      tr.setAttribute('aria-selected', String(tr.dataset.deviceId === this.device?.guid));
    }
  },

  /** Reads and shows the device's latest values. */
  async telemetry() {
    const device = this.device;
    const rows = await this.client.telemetry.latest(device.guid);
    if (this.device !== device) return;
    this.box.querySelector('.telemetry tbody').replaceChildren(...rows.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.attribute = r.attributeName;
      const value = typeof r.attributeValue === 'number' ? String(r.attributeValue) : JSON.stringify(r.attributeValue);
      for (const text of [r.attributeName, `${value}${r.unit ? ` ${r.unit}` : ''}`, r.deviceUpdatedDate ?? '']) {
        tr.append(Object.assign(document.createElement('td'), { textContent: text }));
      }
      return tr;
    }));
  },

  async send(form) {
    const { client, device } = this;
    const select = form.elements.command;
    const commandGuid = select.value;
    if (!client || !device || !commandGuid) return;
    const parameterValue = form.elements.parameterValue.value.trim();
    const button = form.querySelector('button');
    button.disabled = true;
    this.status('Sending…');
    try {
      const sent = await client.commands.send(device.guid, { commandGuid, parameterValue });
      const name = select.selectedOptions[0]?.textContent.split(' (')[0] ?? 'command';
      const what = parameterValue ? `${name} "${parameterValue}"` : name;
      const ack = sent?.isAck === undefined ? 'sent' : sent.isAck ? 'acknowledged' : 'queued: the device is offline';
      this.status(`${what} to ${device.uniqueId}: ${ack}`);
      await this.telemetry();
    } catch (err) {
      this.status(describeError(err), true);
    } finally {
      button.disabled = false;
    }
  },

  status(text, error = false) {
    const p = this.box.querySelector('.command-status');
    p.textContent = text;
    p.dataset.state = error ? 'error' : 'ok';
  },
};

// ---------------------------------------------------------------------------------------------------------
// Particle's live event log: the stream of the user's devices, newest event first.

/** Events kept in the log. */
const EVENT_ROWS = 20;
let stream;

async function listen(particle) {
  const box = cards.get('particle').querySelector('.events');
  const log = box.querySelector('ol');
  const note = box.querySelector('.events-status');
  stream?.abort();
  stream = undefined;
  log.replaceChildren();
  box.hidden = false;
  note.textContent = 'Opening the event stream…';
  try {
    const opened = await particle.getEventStream({ deviceId: 'mine' });
    stream = opened;
    note.textContent = 'Listening for events of your devices.';
    opened.on('event', (e) => {
      const li = document.createElement('li');
      const name = document.createElement('code');
      name.textContent = e.name;
      const data = document.createElement('span');
      data.textContent = ` ${e.data ?? ''}`;
      const meta = document.createElement('small');
      meta.textContent = ` ${e.coreid ?? ''} ${e.published_at ?? ''}`;
      li.append(name, data, meta);
      log.prepend(li);
      while (log.children.length > EVENT_ROWS) log.lastElementChild.remove();
    });
    opened.on('reconnect', () => { note.textContent = 'Reconnecting…'; });
    opened.on('reconnect-success', () => { note.textContent = 'Listening for events of your devices.'; });
    opened.on('error', (err) => { note.textContent = `Event stream: ${describeError(err)}`; });
    opened.on('end', () => { if (stream === opened) note.textContent = 'The event stream ended.'; });
  } catch (err) {
    note.textContent = `Event stream: ${describeError(err)}`;
  }
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/** A readable one-liner for any rejection: CloudErrors as "code status message". */
function describeError(err) {
  if (err instanceof CloudError) {
    return [err.code, err.status, err.message].filter((part) => part !== undefined && part !== '').join(' ');
  }
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------------------
// Cards

const cards = new Map(
  [...document.querySelectorAll('.card[data-vendor]')].map((card) => [card.dataset.vendor, card]),
);

function setState(card, state) {
  card.dataset.state = state;
  card.setAttribute('aria-busy', String(state === 'loading'));
  card.querySelector('.state').textContent = { idle: 'idle', loading: 'connecting…', ok: 'connected', error: 'error' }[state];
  card.querySelector('button[type="submit"]').disabled = state === 'loading';
}

function showError(card, message) {
  const box = card.querySelector('.error');
  box.textContent = message ?? '';
  box.hidden = !message;
}

function renderRows(card, rows) {
  const wrap = card.querySelector('.table-wrap');
  const body = wrap.querySelector('tbody');
  body.replaceChildren(...rows.map((row) => {
    const tr = document.createElement('tr');
    tr.dataset.deviceId = row.id;
    const name = document.createElement('td');
    name.textContent = row.name;
    const id = document.createElement('td');
    id.className = 'id';
    const code = document.createElement('code');
    code.textContent = row.shownId ?? row.id;
    if (row.shownId) code.title = row.id;
    id.append(code);
    const status = document.createElement('td');
    const pill = document.createElement('span');
    pill.className = `pill is-${row.tone}`;
    pill.textContent = row.status;
    status.append(pill);
    tr.append(name, id, status);
    return tr;
  }));
  wrap.hidden = rows.length === 0;
  wrap.scrollTop = 0;
}

async function connect(vendor) {
  const card = cards.get(vendor);
  const { noun, connect: run } = VENDORS[vendor];
  const form = card.querySelector('form');
  const status = card.querySelector('.status');
  if (card.dataset.state === 'loading') return;
  if (!form.reportValidity()) return;

  setState(card, 'loading');
  showError(card, null);
  if (vendor === 'iotconnect') iotcPanel.close();
  status.textContent = 'Connecting…';
  const started = performance.now();
  try {
    const result = await run(form);
    const ms = Math.round(performance.now() - started);
    renderRows(card, result.rows);
    status.textContent = [plural(result.total, noun[0], noun[1]), `${ms} ms`, result.note].filter(Boolean).join(' · ');
    showError(card, result.failed);
    setState(card, result.failed ? 'error' : 'ok');
  } catch (err) {
    const ms = Math.round(performance.now() - started);
    renderRows(card, []);
    status.textContent = `Failed after ${ms} ms.`;
    showError(card, describeError(err));
    setState(card, 'error');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Start-up: prefill the forms from the simulator, load the wasm, then enable the buttons.

/** Fills the forms with the simulator's base URLs and demo credentials, when the page is served by it. */
async function prefill() {
  let settings;
  try {
    const res = await fetch('/__sim/demo', { cache: 'no-store' });
    if (!res.ok) return false;
    settings = await res.json();
  } catch {
    return false;
  }
  for (const [vendor, card] of cards) {
    const values = settings[vendor];
    if (!values) continue;
    const form = card.querySelector('form');
    for (const [name, value] of Object.entries(values)) {
      const field = form.elements[name];
      if (name === 'devices') form.elements.devices.value = value.join('\n');
      else if (name === 'organization') field.placeholder = `e.g. ${value} (the simulator's organization)`;
      else if (field) field.value = value;
    }
  }
  return true;
}

const allButton = document.getElementById('connect-all');
const packageStatus = document.getElementById('package-status');

for (const [vendor, card] of cards) {
  card.querySelector('form').addEventListener('submit', (event) => {
    event.preventDefault();
    connect(vendor);
  });
}

// IoTConnect: a click on a device shows its telemetry; the panel's form sends a command.
cards.get('iotconnect').querySelector('tbody').addEventListener('click', (event) => {
  const device = iotcPanel.devices.get(event.target.closest('tr[data-device-id]')?.dataset.deviceId);
  if (device && iotcPanel.client) iotcPanel.show(device);
});
cards.get('iotconnect').querySelector('form.command').addEventListener('submit', (event) => {
  event.preventDefault();
  iotcPanel.send(event.currentTarget);
});

allButton.addEventListener('click', async () => {
  allButton.disabled = true;
  try {
    await Promise.all([...cards.keys()].map((vendor) => connect(vendor)));
  } finally {
    allButton.disabled = false;
  }
});

/** Loads the wasm ahead of the first call; resolves a line for the header. */
async function loadPackage() {
  const started = performance.now();
  try {
    await init();
    return { ok: true, text: `WebAssembly module loaded in ${Math.round(performance.now() - started)} ms` };
  } catch (err) {
    return { ok: false, text: `The package failed to load: ${describeError(err)}` };
  }
}

const [simulated, loaded] = await Promise.all([prefill(), loadPackage()]);
const lines = [loaded.text, simulated
  ? `Simulator: ${location.host}`
  : 'No simulator here: enter the settings of a real cloud.'];
packageStatus.replaceChildren(...lines.map((text) => Object.assign(document.createElement('span'), { textContent: text })));
packageStatus.dataset.state = loaded.ok ? 'ok' : 'error';
allButton.disabled = false;
for (const card of cards.values()) card.querySelector('button[type="submit"]').disabled = false;
document.body.dataset.ready = 'true';
