// The demo page: one card per cloud. A card connects with `connect(vendor, options)` and lists the devices
// (page by page where the cloud pages); a device opens below the list with its readings polled live, a chart
// of one of them, a form for a command and a log of events. Every running action has a Cancel button (an
// AbortController whose signal goes with the calls). Secrets are read from the form when a card connects and
// handed to the client; they are never logged, stored or put in a URL.
import { CloudError, Particle, connect, init } from 'iot-cloud-wasm';

/** Devices per page where the cloud pages its list. */
const PAGE_SIZE = 10;
/** How often an open device's readings are read again, and how long one reading may take. */
const POLL_MS = 2000;
const POLL_TIMEOUT_MS = 15_000;
/** The window asked of `history()`, the points kept per reading and the events kept in the log. */
const HISTORY_MS = 3600_000;
const MAX_POINTS = 500;
const EVENT_ROWS = 50;

const NAMES = { arduino: 'Arduino IoT Cloud', particle: 'Particle', cthings: 'cThings', iotconnect: 'IoTConnect' };

// ---------------------------------------------------------------------------------------------------------
// Small helpers

/** An element with properties (`class`, `dataset`, any DOM property or attribute) and children. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

/** Sets a text in which `backquoted` parts are code. */
function setText(node, text) {
  node.replaceChildren(...String(text ?? '').split('`').map((part, i) => (i % 2 ? el('code', {}, part) : part)));
}

const optional = (form, name) => form.elements[name].value.trim() || undefined;
const required = (form, name) => form.elements[name].value.trim();
const plural = (n, [one, many]) => `${n} ${n === 1 ? one : many}`;
const isAbort = (err) => err?.code === 'aborted' || err?.name === 'AbortError';

/** `signal` firing aborts `controller` too. */
function link(signal, controller) {
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener('abort', () => controller.abort(), { once: true });
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

/** A time today as 14:05:09, another day as its date. */
function when(date) {
  if (!date || Number.isNaN(date.getTime())) return '';
  return date.toDateString() === new Date().toDateString()
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
    : date.toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' });
}

function show(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return String(Math.round(value * 1000) / 1000);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The number a reading's value is, or undefined when it is none (text, booleans, objects). */
function numeric(value) {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Errors that say what to do

const TITLES = {
  400: 'Bad request', 401: 'Not authorized', 403: 'Access denied', 404: 'Not found', 405: 'Method not allowed',
  408: 'The device did not answer', 409: 'Refused', 412: 'Refused', 429: 'Too many requests',
  500: 'The cloud failed', 502: 'Bad gateway', 503: 'Service unavailable', 504: 'Gateway timeout',
};
const LOGIN_HINTS = {
  arduino: 'check the client ID and secret',
  particle: 'check the username and password',
  cthings: 'check the client ID and secret',
  iotconnect: 'check the username and password',
};
/** Token and login requests of the four clouds. */
const LOGIN_PATH = /\/(oauth\/token|clients\/token|token|auth\/(login|basic-token|refresh-token))$/i;

/**
 * A fetch for a card's clients that remembers the last URL that could not be reached and the last answer
 * that was not a success, so that an error can name the URL.
 */
function tracker() {
  const net = {
    failed: undefined,
    refused: undefined,
    fetch: (url, options) => fetch(url, options).then((res) => {
      if (res.status >= 400) net.refused = { url: String(url), status: res.status };
      return res;
    }, (err) => {
      if (!options?.signal?.aborted) net.failed = String(url);
      throw err;
    }),
  };
  return net;
}

const originOf = (url) => {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
};
const isLoopback = (url) => /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(url);

/**
 * One line for a failure, `Title (status): the vendor's words — what to do`, the code and status shown once.
 * `ctx`: the card's vendor, its URL fields and its fetch tracker.
 */
function explain(err, ctx) {
  if (!(err instanceof CloudError)) return err instanceof Error ? err.message : String(err);
  const { status, code, message } = err;
  const { vendor, urls, net } = ctx;
  // The URL field a request went to (the longest that prefixes it), else the card's first.
  const baseOf = (url) => urls.filter((u) => url?.startsWith(u)).sort((a, b) => b.length - a.length)[0] ?? urls[0];
  switch (code) {
    case 'aborted':
      return 'Cancelled.';
    case 'unsupported':
      return `${NAMES[vendor]} does not support this.`;
    case 'network_error': {
      const url = originOf(net.failed ?? urls[0]);
      return isLoopback(url)
        ? `Cannot reach ${url} — is \`make demo\` still running?`
        : `Cannot reach ${url} — check the URL and the connection; the cloud must also accept requests from this page (CORS).`;
    }
    case 'timeout':
      return `No answer from ${originOf(net.failed ?? baseOf(net.refused?.url))} in time — the cloud may be down or slow; try again.`;
    case 'invalid_argument':
      return message;
    case 'invalid_response':
    case 'redirect_refused':
      return `${message} — check the base URL (${baseOf(net.refused?.url)}).`;
    default:
  }
  if (!status) return message || code;
  const path = (() => {
    try {
      return new URL(net.refused?.url).pathname;
    } catch {
      return '';
    }
  })();
  const login = status >= 400 && status <= 403 && LOGIN_PATH.test(path);
  const title = login ? 'Login refused' : TITLES[status] ?? `HTTP ${status}`;
  // The vendor's words, unless they only repeat the status.
  const same = (w) => !w || /^http_\d+$/.test(w) || [title, `HTTP ${status}`].some((t) => t.toLowerCase() === w.toLowerCase());
  const detail = [message, code].find((w) => !same(w));
  // Field errors some clouds add (IoTConnect: `error: [{param, message}]`) say what to change.
  const fields = Array.isArray(err.body?.error) ? err.body.error.map((e) => e?.message).filter(Boolean) : [];
  let hint;
  if (fields.length && !login) hint = fields.join('; ');
  else if (login && vendor === 'particle' && code === 'invalid_client') hint = 'check the OAuth client ID and secret';
  else if (login) hint = LOGIN_HINTS[vendor];
  else if (status < 500 && /\/uisdk\//i.test(path)) hint = 'check the solution key, the environment and the platform';
  // cThings' own envelope answering 404 on a device: the API is there, the device is not.
  else if (status === 404 && vendor === 'cthings' && typeof err.body === 'object' && /\/device\//i.test(path)) hint = 'check the device IDs';
  else if (status === 404 || status === 405) hint = `check the base URL (${baseOf(net.refused?.url)})`;
  else if (status === 403) hint = vendor === 'arduino' ? 'check the organization ID' : 'this account may lack access';
  else if (status === 408) hint = 'the device is offline; it answers once it is back';
  else if (status === 429) hint = err.retryAfter ? `try again in ${err.retryAfter} s` : 'try again in a moment';
  else if (status >= 500) hint = 'the cloud, or a gateway in front of it, failed; try again in a moment';
  return `${title} (${status})${detail ? `: ${detail}` : ''}${hint ? ` — ${hint}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------
// A running action: its label and a Cancel button, shown while it runs

class Activity {
  constructor(box) {
    this.box = box;
    this.text = box.querySelector('.activity-text');
    box.querySelector('.cancel').addEventListener('click', () => this.cancel());
  }

  /** Runs `fn(signal)`, aborted by Cancel or by `parent`; a new run cancels the one before. */
  async run(label, parent, fn) {
    this.cancel();
    const controller = new AbortController();
    link(parent, controller);
    this.current = controller;
    this.text.textContent = label;
    this.box.hidden = false;
    try {
      return await fn(controller.signal);
    } finally {
      if (this.current === controller) {
        this.current = undefined;
        this.box.hidden = true;
      }
    }
  }

  cancel() {
    this.current?.abort();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Per cloud: the options of `connect` from its form, and what its commands are

/** The input a value of an Arduino property type needs. */
const inputFor = (type) => (/BOOL|STATUS|SWITCH/.test(type) ? 'bool' : /INT|FLOAT|DOUBLE|NUMBER/.test(type) ? 'number' : 'text');

const VENDORS = {
  arduino: {
    noun: ['thing', 'things'],
    options: (form) => ({
      baseUrl: optional(form, 'baseUrl'),
      clientId: required(form, 'clientId'),
      clientSecret: required(form, 'clientSecret'),
      organization: optional(form, 'organization'),
    }),
    /** The thing's writable properties. */
    async targets(cloud, device, signal) {
      const properties = await cloud.client.properties.list(device.id, { signal });
      return properties.filter((p) => p.permission === 'READ_WRITE')
        .map((p) => ({ name: p.name, label: `${p.name} (${p.type})`, input: inputFor(p.type) }));
    },
  },

  particle: {
    noun: ['device', 'devices'],
    /** Particle logs in with a username and password: the Cloud is made over the logged-in client. */
    async options(form, signal, settings) {
      const client = new Particle({
        baseUrl: optional(form, 'baseUrl'),
        clientId: optional(form, 'clientId'),
        clientSecret: optional(form, 'clientSecret'),
        ...settings,
      });
      await client.login({ username: required(form, 'username'), password: form.elements.password.value, signal });
      return { client };
    },
    /** The functions the firmware registers. */
    targets: (cloud, device) => (device.raw?.functions ?? []).map((name) => ({ name, label: `${name}()`, input: 'text' })),
  },

  cthings: {
    noun: ['device', 'devices'],
    options: (form) => ({
      authUrl: optional(form, 'authUrl'),
      baseUrl: optional(form, 'baseUrl'),
      clientId: required(form, 'clientId'),
      clientSecret: required(form, 'clientSecret'),
      devices: [...new Set(form.elements.devices.value.split(/[\s,;]+/).filter(Boolean))],
    }),
    targets: () => [],
  },

  iotconnect: {
    noun: ['device', 'devices'],
    options: (form) => ({
      discoveryUrl: optional(form, 'discoveryUrl'),
      solutionKey: required(form, 'solutionKey'),
      environment: required(form, 'environment'),
      platform: form.elements.platform.value,
      username: required(form, 'username'),
      password: form.elements.password.value,
    }),
    /** The commands of the device's template. */
    async targets(cloud, device, signal) {
      const commands = await cloud.client.templates.commands(device.raw.templateGuid, { signal });
      return commands.map((c) => ({
        name: c.command,
        label: c.name && c.name.toLowerCase() !== c.command ? `${c.name} (${c.command})` : c.command,
        input: c.requiredParam ? 'text' : 'none',
      }));
    },
  },
};

const COMMAND_WORDS = {
  function: { title: 'Call a function', button: 'Call', none: 'This device registers no functions.' },
  command: { title: 'Send a command', button: 'Send', none: 'This device\'s template has no commands.' },
  property: { title: 'Write a property', button: 'Write', none: 'This thing has no writable properties.' },
};

// ---------------------------------------------------------------------------------------------------------
// The chart: an SVG drawn by hand, sized to its box, its colours from the stylesheet (light and dark)

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A round step (1, 2 or 5 × 10^n) that cuts `span` into about `count` parts. */
function niceStep(span, count) {
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  return mag * (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10);
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
  .map((s) => s * 1000);

/** Draws `points` ({time, value}, oldest first) of `name` into `node`, `width` pixels wide. */
function drawChart(node, points, name, width) {
  const height = 190;
  node.setAttribute('viewBox', `0 0 ${width} ${height}`);
  node.setAttribute('width', width);
  node.setAttribute('height', height);
  node.replaceChildren();
  if (points.length < 2) {
    node.setAttribute('aria-label', `Chart of ${name}: not enough values yet`);
    node.append(svg('text', { class: 'chart-empty', x: width / 2, y: height / 2, 'text-anchor': 'middle' },
      points.length ? 'One value so far — waiting for the next…' : 'Waiting for values…'));
    return;
  }
  const values = points.map((p) => p.value);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  // A flat or nearly flat series gets an axis of at least 0.4 % of its values (±1 around 0), not ticks
  // finer than its readings.
  const minSpan = Math.max(Math.abs(lo), Math.abs(hi)) * 0.004 || 2;
  if (hi - lo < minSpan) {
    const mid = (hi + lo) / 2;
    lo = mid - minSpan / 2;
    hi = mid + minSpan / 2;
  }
  const step = niceStep(hi - lo, 4);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const yTicks = [];
  for (let v = lo; v <= hi + step / 2; v += step) yTicks.push(Number(v.toFixed(digits)));
  const labels = yTicks.map((v) => v.toFixed(digits));

  const t0 = points[0].time.getTime();
  const t1 = points.at(-1).time.getTime();
  const m = { top: 10, right: 14, bottom: 26, left: 12 + 7 * Math.max(...labels.map((l) => l.length)) };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const x = (t) => m.left + ((t - t0) / (t1 - t0 || 1)) * w;
  const y = (v) => m.top + h - ((v - lo) / (hi - lo)) * h;

  const grid = svg('g', { class: 'chart-grid' });
  yTicks.forEach((v, i) => {
    grid.append(svg('line', { x1: m.left, x2: m.left + w, y1: y(v), y2: y(v) }));
    grid.append(svg('text', { class: 'chart-tick', x: m.left - 6, y: y(v), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, labels[i]));
  });
  const span = t1 - t0;
  const tStep = TIME_STEPS.find((s) => span / s <= Math.max(2, Math.floor(w / 90))) ?? 86400_000;
  const format = tStep < 60_000
    ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }
    : tStep < 86400_000 ? { hour: '2-digit', minute: '2-digit', hour12: false } : { day: 'numeric', month: 'short' };
  for (let t = Math.ceil(t0 / tStep) * tStep; t <= t1; t += tStep) {
    grid.append(svg('line', { class: 'chart-xtick', x1: x(t), x2: x(t), y1: m.top + h, y2: m.top + h + 4 }));
    const text = new Date(t).toLocaleString([], format);
    // A label at either end is moved inwards so that it stays whole inside the chart.
    const half = text.length * 3.4;
    const lx = Math.min(Math.max(x(t), half), width - half);
    grid.append(svg('text', { class: 'chart-tick', x: lx, y: m.top + h + 17, 'text-anchor': 'middle' }, text));
  }
  grid.append(svg('line', { class: 'chart-axis', x1: m.left, x2: m.left + w, y1: m.top + h, y2: m.top + h }));

  const coords = points.map((p) => [x(p.time.getTime()), y(p.value)].map((n) => n.toFixed(1)));
  const line = coords.map(([px, py], i) => `${i ? 'L' : 'M'}${px},${py}`).join('');
  const area = `${line}L${coords.at(-1)[0]},${m.top + h}L${coords[0][0]},${m.top + h}Z`;
  const dots = svg('g', { class: 'chart-points' });
  const shown = points.length <= 80 ? coords : [coords.at(-1)];
  for (const [cx, cy] of shown) dots.append(svg('circle', { cx, cy, r: 2.5 }));
  node.append(grid, svg('path', { class: 'chart-area', d: area }), svg('path', { class: 'chart-line', d: line }), dots);
  node.setAttribute('aria-label', `Chart of ${name}: ${points.length} values from ${when(points[0].time)} to ${when(points.at(-1).time)}, `
    + `between ${show(Math.min(...values))} and ${show(Math.max(...values))}`);
}

// ---------------------------------------------------------------------------------------------------------
// One device: readings polled live, a chart, a command form, an event log

class Detail {
  constructor(card, device) {
    this.card = card;
    this.cloud = card.cloud;
    this.caps = card.caps;
    this.device = device;
    this.life = new AbortController();
    link(card.session.signal, this.life);
    this.node = document.getElementById('device-detail').content.firstElementChild.cloneNode(true);
    this.node.dataset.deviceId = device.id;
    const $ = (s) => this.node.querySelector(s);
    this.$ = $;
    this.activity = new Activity(this.node.querySelector(':scope > .activity'));
    this.commandActivity = new Activity($('.command-block .activity'));
    this.series = new Map(); // reading name → [{time, value}], oldest first
    this.history = new Map(); // reading name → {count} or {error} once history() answered
    this.tiles = new Map(); // reading name → its tile
    this.events = 0;

    $('.detail-name').textContent = device.name;
    const tone = device.online === true ? 'online' : device.online === false ? 'offline' : 'neutral';
    $('.pill').className = `pill is-${tone}`;
    $('.pill').textContent = { online: 'online', offline: 'offline', neutral: 'status unknown' }[tone];
    $('.detail-id').textContent = device.id;
    $('.detail-seen').textContent = device.lastSeen ? `· last seen ${when(device.lastSeen)}` : '';
    $('.close').addEventListener('click', () => card.closeDetail());
    $('.chart-select').addEventListener('change', (e) => this.showChart(e.target.value));
    $('.command').addEventListener('submit', (e) => {
      e.preventDefault();
      this.send();
    });
    $('.command select').addEventListener('change', () => this.argInput());
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe($('.chart-box'));
    card.detailSlot.replaceChildren(this.node);

    this.live();
    this.commands();
    this.listen();
  }

  close() {
    this.life.abort();
    this.resize.disconnect();
    this.node.remove();
  }

  get ctx() {
    return this.card.ctx;
  }

  showError(text, retry) {
    const box = this.$('.detail-error');
    setText(box, text);
    if (retry) box.append(' ', el('button', { type: 'button', class: 'retry', onclick: retry }, 'Try again'));
    box.hidden = !text;
  }

  // Readings: read now, then every POLL_MS until the device is closed or a read fails.
  async live() {
    const token = {};
    this.polling = token;
    const note = this.$('.live-note');
    note.textContent = '';
    let first = true;
    while (!this.life.signal.aborted && this.polling === token) {
      const read = (signal) => this.cloud.readings(this.device.id, { signal, timeoutMs: POLL_TIMEOUT_MS });
      try {
        const list = first
          ? await this.activity.run(`Reading ${this.device.name}…`, this.life.signal, read)
          : await read(this.life.signal);
        if (this.polling !== token) return;
        this.showError('');
        this.update(list);
        note.textContent = `live · every ${POLL_MS / 1000} s`;
        if (first) this.chartInit();
        first = false;
      } catch (err) {
        if (this.life.signal.aborted || this.polling !== token) return;
        note.textContent = 'stopped';
        this.showError(first && isAbort(err) ? 'Reading was cancelled.' : explain(err, this.ctx), () => this.live());
        return;
      }
      await sleep(POLL_MS, this.life.signal);
    }
  }

  /** Shows the readings and adds their numeric values to the chart's series. */
  update(list) {
    this.$('.readings-empty').hidden = list.length > 0;
    this.$('.readings-empty').textContent = 'This device reports no readings.';
    const box = this.$('.readings');
    let added = false;
    for (const r of list) {
      let tile = this.tiles.get(r.name);
      if (!tile) {
        tile = el('div', { class: 'reading', dataset: { name: r.name } },
          el('span', { class: 'r-name' }, r.name), el('span', { class: 'r-value' }), el('span', { class: 'r-time' }));
        this.tiles.set(r.name, tile);
        box.append(tile);
      }
      const value = show(r.value);
      const valueNode = tile.querySelector('.r-value');
      if (valueNode.textContent && valueNode.textContent !== value) {
        tile.classList.remove('changed');
        void tile.offsetWidth; // restarts the highlight
        tile.classList.add('changed');
      }
      valueNode.textContent = value;
      tile.querySelector('.r-time').textContent = when(r.updatedAt);
      tile.title = `${r.name} (${r.type}) ${r.updatedAt ? `updated ${r.updatedAt.toLocaleString()}` : ''}`;

      const n = numeric(r.value);
      if (n === undefined) continue;
      const points = this.series.get(r.name) ?? [];
      if (!this.series.has(r.name)) {
        this.series.set(r.name, points);
        added = true;
      }
      const time = r.updatedAt ?? new Date();
      if (!points.length || time > points.at(-1).time) {
        points.push({ time, value: n });
        if (points.length > MAX_POINTS) points.shift();
        if (r.name === this.chartName) this.draw();
      }
    }
    if (added && this.chartName !== undefined) this.chartOptions();
  }

  // The chart: the first numeric reading, its history first where the cloud has one.
  chartInit() {
    this.chartOptions();
    const first = [...this.series.keys()][0];
    if (first === undefined) {
      this.$('.chart-source').textContent = 'No numeric readings to chart.';
      this.$('.chart-box').hidden = true;
      this.$('.chart-pick').hidden = true;
      return;
    }
    this.showChart(first);
  }

  chartOptions() {
    const select = this.$('.chart-select');
    const current = select.value || this.chartName;
    select.replaceChildren(...[...this.series.keys()].map((name) => el('option', { value: name }, name)));
    if (current) select.value = current;
    this.$('.chart-box').hidden = this.series.size === 0;
    this.$('.chart-pick').hidden = this.series.size === 0;
  }

  async showChart(name) {
    this.chartName = name;
    this.$('.chart-select').value = name;
    this.draw();
    this.source();
    if (!this.caps.history || this.history.has(name)) return;
    const to = new Date();
    const from = new Date(to.getTime() - HISTORY_MS);
    try {
      const points = await this.activity.run(`Loading the history of ${name}…`, this.life.signal,
        (signal) => this.cloud.history(this.device.id, name, { from, to, signal }));
      const series = this.series.get(name);
      const known = new Set(series.map((p) => p.time.getTime()));
      for (const p of points) {
        const n = numeric(p.value);
        if (n !== undefined && !known.has(p.time.getTime())) series.push({ time: p.time, value: n });
      }
      series.sort((a, b) => a.time - b.time);
      this.history.set(name, { count: points.length });
    } catch (err) {
      if (this.life.signal.aborted) return;
      this.history.set(name, { error: isAbort(err) ? 'cancelled' : explain(err, this.ctx) });
    }
    if (this.chartName === name) {
      this.draw();
      this.source();
    }
  }

  /** Where the chart's values come from. */
  source() {
    const name = this.chartName;
    const live = `each new value read (every ${POLL_MS / 1000} s)`;
    const h = this.history.get(name);
    let text;
    if (!this.caps.history) text = `History: not supported by ${NAMES[this.card.vendor]}. The chart shows ${live} since the device was opened.`;
    else if (!h) text = 'Loading the history…';
    else if (h.error) text = `History: ${h.error} The chart shows ${live}.`;
    else if (h.count) text = `\`history()\`: ${plural(h.count, ['value', 'values'])} of the last hour, then ${live}.`;
    else text = `\`history()\` has no values of the last hour; the chart shows ${live}.`;
    setText(this.$('.chart-source'), text);
  }

  draw() {
    const box = this.$('.chart-box');
    if (this.chartName === undefined || box.hidden) return;
    const width = Math.max(240, Math.floor(box.clientWidth));
    drawChart(this.$('.chart'), this.series.get(this.chartName) ?? [], this.chartName, width);
  }

  // Commands: what capabilities().command says the cloud has, the names from the device.
  async commands() {
    const kind = this.caps.command;
    const note = this.$('.command-note');
    const words = COMMAND_WORDS[kind];
    this.$('.command-title').textContent = words?.title ?? 'Commands';
    if (!kind) {
      note.textContent = `Not supported by ${NAMES[this.card.vendor]}: its API has no commands (capabilities().command is false).`;
      note.classList.add('unsupported');
      return;
    }
    let targets;
    try {
      targets = await this.commandActivity.run('Loading the commands…', this.life.signal,
        (signal) => VENDORS[this.card.vendor].targets(this.cloud, this.device, signal));
    } catch (err) {
      if (this.life.signal.aborted) return;
      note.textContent = isAbort(err) ? 'Loading the commands was cancelled.' : explain(err, this.ctx);
      note.classList.add('is-error');
      return;
    }
    this.targets = new Map(targets.map((t) => [t.name, t]));
    if (!targets.length) {
      note.textContent = words.none;
      return;
    }
    setText(note, '`cloud.command(deviceId, name, value)`');
    const form = this.$('.command');
    form.elements.name.replaceChildren(...targets.map((t) => el('option', { value: t.name }, t.label)));
    form.querySelector('button').textContent = words.button;
    form.hidden = false;
    this.argInput();
  }

  /** The value field the chosen command needs: text, a number, true/false or none. */
  argInput() {
    const form = this.$('.command');
    const target = this.targets.get(form.elements.name.value);
    const label = form.querySelector('.arg');
    const control = target.input === 'bool'
      ? el('select', { name: 'arg' }, el('option', { value: 'true' }, 'true'), el('option', { value: 'false' }, 'false'))
      : el('input', { name: 'arg', type: target.input === 'number' ? 'number' : 'text', step: 'any', spellcheck: false, placeholder: this.caps.command === 'function' ? 'argument' : 'e.g. on' });
    label.replaceChildren(this.caps.command === 'property' ? 'Value' : 'Argument', control);
    label.hidden = target.input === 'none';
  }

  async send() {
    const form = this.$('.command');
    const target = this.targets.get(form.elements.name.value);
    const status = this.$('.command-status');
    const raw = target.input === 'none' ? undefined : form.elements.arg.value.trim();
    let arg = raw;
    if (target.input === 'bool') arg = raw === 'true';
    if (target.input === 'number') {
      arg = Number(raw);
      if (raw === '' || !Number.isFinite(arg)) {
        status.textContent = 'Enter a number.';
        status.dataset.state = 'error';
        return;
      }
    }
    const button = form.querySelector('button');
    button.disabled = true;
    status.textContent = '';
    try {
      const result = await this.commandActivity.run(`Sending ${target.name}…`, this.life.signal,
        (signal) => this.cloud.command(this.device.id, target.name, arg, { signal }));
      status.dataset.state = 'ok';
      status.textContent = this.describe(target, raw, result);
      this.readNow();
    } catch (err) {
      if (this.life.signal.aborted) return;
      status.dataset.state = 'error';
      setText(status, isAbort(err) ? 'Cancelled — the command may still have reached the device.' : explain(err, this.ctx));
    } finally {
      button.disabled = false;
    }
  }

  describe(target, raw, result) {
    switch (this.caps.command) {
      case 'function':
        return `${target.name}(${JSON.stringify(raw ?? '')}) returned ${show(result)}`;
      case 'property':
        return `${target.name} = ${raw} written`;
      default: {
        const ack = result?.isAck === true ? 'acknowledged' : result?.isAck === false ? 'queued: the device is offline' : 'sent';
        return `${target.name}${raw ? ` "${raw}"` : ''} to ${this.device.name}: ${ack}`;
      }
    }
  }

  /** Reads the readings once more right away (after a command). */
  async readNow() {
    try {
      this.update(await this.cloud.readings(this.device.id, { signal: this.life.signal, timeoutMs: POLL_TIMEOUT_MS }));
    } catch {
      // the next poll shows what is wrong
    }
  }

  // Events: Particle's stream, elsewhere the readings that changed, until the device is closed.
  async listen() {
    const kind = this.caps.events;
    const status = this.$('.events-status');
    this.$('.events-kind').textContent = kind === 'stream' ? 'live stream' : kind === 'poll' ? `changed readings, polled every ${POLL_MS / 1000} s` : '';
    if (!kind) {
      status.textContent = `Not supported by ${NAMES[this.card.vendor]}.`;
      status.classList.add('unsupported');
      return;
    }
    status.textContent = kind === 'stream'
      ? 'No events yet: they show up here as the device publishes them.'
      : 'No events yet: a reading that changes shows up here.';
    try {
      for await (const e of this.cloud.events(this.device.id, { signal: this.life.signal, intervalMs: POLL_MS })) {
        this.events++;
        status.textContent = `${plural(this.events, ['event', 'events'])} since the device was opened.`;
        const log = this.$('.event-log');
        log.prepend(el('li', {}, el('time', { dateTime: e.time.toISOString() }, when(e.time)), ' ',
          el('code', {}, e.name), ' ', el('span', { class: 'ev-value' }, show(e.value))));
        while (log.children.length > EVENT_ROWS) log.lastElementChild.remove();
      }
      if (!this.life.signal.aborted) status.textContent = 'The events ended.';
    } catch (err) {
      if (this.life.signal.aborted) return;
      status.classList.add('is-error');
      setText(status, `Events stopped: ${explain(err, this.ctx)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// A card: settings, connect, the device list (paged where the cloud pages), the open device

class Card {
  constructor(section) {
    this.section = section;
    this.vendor = section.dataset.vendor;
    this.form = section.querySelector('form.credentials');
    this.settings = section.querySelector('details.settings');
    section.append(document.getElementById('cloud-view').content.cloneNode(true));
    const $ = (s) => section.querySelector(s);
    this.activity = new Activity(section.querySelector(':scope > .activity'));
    this.statusLine = $(':scope > .status');
    this.errorBox = $(':scope > .error');
    this.list = $('.devices');
    this.tbody = $('.device-table tbody');
    this.pager = $('.pager');
    this.detailSlot = $('.detail-slot');
    this.section.querySelector('.device-table caption').textContent = `${NAMES[this.vendor]} devices`;
    this.pager.setAttribute('aria-label', `${NAMES[this.vendor]} device pages`);
    this.net = tracker();

    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.connect();
    });
    this.tbody.addEventListener('click', (e) => {
      const id = e.target.closest('tr[data-device-id]')?.dataset.deviceId;
      const device = this.rows?.find((d) => d.id === id);
      if (device && this.detail?.device.id !== id) this.open(device);
    });
    // A click while a page loads counts from that page (the list still shows the one before).
    this.pager.querySelector('.prev').addEventListener('click', () => this.showPage((this.loading ?? this.page) - 1));
    this.pager.querySelector('.next').addEventListener('click', () => this.showPage((this.loading ?? this.page) + 1));
  }

  get ctx() {
    const urls = [...this.form.querySelectorAll('[data-url]')].map((i) => i.value.trim() || i.placeholder);
    return { vendor: this.vendor, urls, net: this.net };
  }

  setState(state) {
    this.section.dataset.state = state;
    this.section.setAttribute('aria-busy', String(state === 'loading'));
    this.section.querySelector('.state').textContent = { idle: 'idle', loading: 'connecting…', ok: 'connected', error: 'error' }[state];
    this.form.querySelector('button[type="submit"]').disabled = state === 'loading';
  }

  showError(text) {
    setText(this.errorBox, text);
    this.errorBox.hidden = !text;
  }

  async connect() {
    if (this.section.dataset.state === 'loading') return;
    if (!this.form.checkValidity()) {
      this.settings.open = true;
      this.form.reportValidity();
      return;
    }
    this.session?.abort();
    this.closeDetail();
    // The session: this connection's client and everything it runs, ended by the next connect. The client
    // takes its signal too, as a call's own signal does not stop a token request other calls may share:
    // cancelling the connect ends the session.
    const session = new AbortController();
    Object.assign(this, {
      session, cloud: undefined, rows: undefined, page: 1, loading: undefined, total: undefined, countFailed: false, net: tracker(),
    });
    this.setState('loading');
    this.showError('');
    this.statusLine.textContent = '';
    this.tbody.replaceChildren();
    this.list.hidden = true;
    const started = performance.now();
    try {
      const [cloud, rows] = await this.activity.run('Connecting…', session.signal, async (signal) => {
        signal.addEventListener('abort', () => session.abort(), { once: true });
        const client = { fetch: this.net.fetch, signal: session.signal };
        const options = await VENDORS[this.vendor].options(this.form, signal, client);
        const made = connect(this.vendor, options.client ? options : { ...options, ...client });
        const pages = made.capabilities().pages;
        return [made, await made.devices(pages ? { page: 1, pageSize: PAGE_SIZE, signal } : { signal })];
      });
      if (session !== this.session) return;
      this.cloud = cloud;
      this.caps = cloud.capabilities();
      this.took = Math.round(performance.now() - started);
      this.setState('ok');
      this.settings.open = false;
      this.render(rows);
      if (this.caps.pages) this.count(session.signal);
    } catch (err) {
      if (session !== this.session) return;
      this.list.hidden = true;
      if (isAbort(err)) {
        this.setState('idle');
        this.statusLine.textContent = 'Connecting was cancelled.';
      } else {
        this.setState('error');
        this.statusLine.textContent = `Failed after ${Math.round(performance.now() - started)} ms.`;
        this.showError(explain(err, this.ctx));
      }
    }
  }

  /** Counts a paged list's devices in the background (every page, 100 a request). */
  async count(signal) {
    let n = 0;
    try {
      for await (const _ of this.cloud.iterateDevices({ pageSize: 100, signal })) n++;
      this.total = n;
    } catch {
      if (signal.aborted) return;
      this.countFailed = true; // the list still pages, without a total
    }
    this.renderCounts();
  }

  async showPage(page) {
    if (page < 1) return;
    this.showError('');
    this.loading = page;
    try {
      const rows = await this.activity.run(`Loading page ${page}…`, this.session.signal,
        (signal) => this.cloud.devices({ page, pageSize: PAGE_SIZE, signal }));
      if (!rows.length && page > 1) {
        this.total ??= (page - 1) * PAGE_SIZE;
        this.renderCounts();
        return;
      }
      this.page = page;
      this.render(rows);
    } catch (err) {
      // Ended by the session, or by a later page (whose load goes on).
      if (this.session.signal.aborted || this.loading !== page) return;
      if (isAbort(err)) this.statusLine.textContent = `Loading page ${page} was cancelled.`;
      else this.showError(explain(err, this.ctx));
    } finally {
      if (this.loading === page) this.loading = undefined;
    }
  }

  render(rows) {
    this.rows = rows;
    this.tbody.replaceChildren(...rows.map((d) => {
      const tone = d.online === true ? 'online' : d.online === false ? 'offline' : 'neutral';
      return el('tr', { dataset: { deviceId: d.id }, 'aria-selected': String(this.detail?.device.id === d.id) },
        el('td', { class: 'device' },
          el('button', { type: 'button', class: 'device-link', title: `Open ${d.name}` }, d.name),
          el('code', { class: 'device-id' }, d.id)),
        el('td', { class: 'status-cell' },
          el('span', { class: `pill is-${tone}` }, { online: 'online', offline: 'offline', neutral: 'no status' }[tone]),
          d.lastSeen ? el('small', { class: 'seen' }, `seen ${when(d.lastSeen)}`) : undefined));
    }));
    if (!rows.length) {
      this.tbody.append(el('tr', { class: 'empty-row' }, el('td', { colSpan: 2 }, 'No devices.')));
    }
    this.list.hidden = false;
    this.renderCounts();
  }

  renderCounts() {
    const noun = VENDORS[this.vendor].noun;
    const rows = this.rows ?? [];
    if (!this.caps.pages) {
      this.pager.hidden = true;
      this.statusLine.textContent = `${plural(rows.length, noun)} · ${this.took} ms`;
      return;
    }
    const first = (this.page - 1) * PAGE_SIZE + 1;
    const last = first + rows.length - 1;
    const pages = this.total === undefined ? undefined : Math.max(1, Math.ceil(this.total / PAGE_SIZE));
    this.pager.hidden = false;
    this.pager.querySelector('.page-info').textContent = rows.length
      ? `${first}–${last} of ${this.total ?? '…'}${pages ? ` · page ${this.page} of ${pages}` : ''}`
      : `page ${this.page}`;
    this.pager.querySelector('.prev').disabled = this.page <= 1;
    this.pager.querySelector('.next').disabled = rows.length < PAGE_SIZE || (pages !== undefined && this.page >= pages);
    this.statusLine.textContent = this.total === undefined
      ? `${PAGE_SIZE} ${noun[1]} a page · ${this.countFailed ? 'not counted' : 'counting…'}`
      : `${plural(this.total, noun)} · ${PAGE_SIZE} a page · ${this.took} ms`;
  }

  open(device) {
    this.closeDetail();
    this.detail = new Detail(this, device);
    for (const tr of this.tbody.querySelectorAll('tr[data-device-id]')) {
      tr.setAttribute('aria-selected', String(tr.dataset.deviceId === device.id));
    }
  }

  closeDetail() {
    this.detail?.close();
    this.detail = undefined;
    for (const tr of this.tbody?.querySelectorAll('tr[aria-selected="true"]') ?? []) tr.setAttribute('aria-selected', 'false');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Start-up: prefill the forms from the simulator, load the wasm, then enable the buttons.

const cards = new Map([...document.querySelectorAll('.card[data-vendor]')].map((s) => [s.dataset.vendor, new Card(s)]));

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
    const { form } = card;
    for (const [name, value] of Object.entries(values)) {
      const field = form.elements[name];
      if (name === 'devices') form.elements.devices.value = value.join('\n');
      else if (name === 'organization') field.placeholder = `e.g. ${value} (the simulator's organization)`;
      else if (field) field.value = value;
    }
  }
  return true;
}

/** Loads the wasm ahead of the first call; resolves a line for the header. */
async function loadPackage() {
  const started = performance.now();
  try {
    await init();
    return { ok: true, text: `WebAssembly module loaded in ${Math.round(performance.now() - started)} ms` };
  } catch (err) {
    return { ok: false, text: `The package failed to load: ${err.message}` };
  }
}

const allButton = document.getElementById('connect-all');
allButton.addEventListener('click', async () => {
  allButton.disabled = true;
  try {
    await Promise.all([...cards.values()].map((card) => card.connect()));
  } finally {
    allButton.disabled = false;
  }
});

const [simulated, loaded] = await Promise.all([prefill(), loadPackage()]);
const packageStatus = document.getElementById('package-status');
const lines = [loaded.text, simulated ? `Simulator: ${location.host}` : 'No simulator here: enter the settings of a real cloud.'];
packageStatus.replaceChildren(...lines.map((text) => el('span', {}, text)));
packageStatus.dataset.state = loaded.ok ? 'ok' : 'error';
allButton.disabled = false;
for (const card of cards.values()) card.form.querySelector('button[type="submit"]').disabled = false;
document.body.dataset.ready = 'true';
