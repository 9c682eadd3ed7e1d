// A stand-in for the package's cross-vendor API, `connect(vendor, options)` → Cloud, written in JavaScript
// over the vendor clients until the package exports its own (the demo page imports this module only when the
// package has no `connect`). It follows the interface the package's will have; the mapping per vendor is
// the comment above each method.
import { Arduino, Particle, CThings, IoTConnect, CloudError } from 'iot-cloud-wasm';

/** What each cloud can do; `rateLimit`: requests per second the client is held to by default. */
export const CAPABILITIES = {
  arduino: { devices: true, pages: false, readings: true, history: true, command: 'property', events: 'poll', rateLimit: 10 },
  particle: { devices: true, pages: false, readings: true, history: true, command: 'function', events: 'stream', rateLimit: 33 },
  cthings: { devices: true, pages: false, readings: true, history: false, command: false, events: 'poll', rateLimit: 10 },
  iotconnect: { devices: true, pages: true, readings: true, history: true, command: 'command', events: 'poll', rateLimit: 10 },
};
const CLASSES = { arduino: Arduino, particle: Particle, cthings: CThings, iotconnect: IoTConnect };

const date = (v) => (v ? new Date(v) : null);
/** The per-call options every vendor call takes. */
const call = (opts) => ({ signal: opts?.signal, timeoutMs: opts?.timeoutMs });
const invalid = (message) => new CloudError(message, { code: 'invalid_argument', status: 0 });
/** `signal` firing aborts `controller` too. */
function link(signal, controller) {
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener('abort', () => controller.abort(), { once: true });
}
const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

/** The vendor's device record as a Device. */
const DEVICE = {
  arduino: (thing, device) => ({
    id: thing.id,
    name: thing.name,
    online: { ONLINE: true, OFFLINE: false }[device?.device_status] ?? null,
    lastSeen: date(device?.last_activity_at),
    raw: thing,
  }),
  particle: (d) => ({ id: d.id, name: d.name, online: Boolean(d.online), lastSeen: date(d.last_heard), raw: d }),
  cthings: (d) => ({
    id: d.id, name: d.name, online: d.connection ? Boolean(d.connection.status) : null,
    lastSeen: date(d.connection?.lastConnected), raw: d,
  }),
  iotconnect: (d) => ({
    id: d.guid, name: d.displayName, online: Boolean(d.isConnected), lastSeen: date(d.lastActivityDate), raw: d,
  }),
};

/**
 * `options`: the vendor client's own options (plus `rateLimit`, and for cThings `deviceIds`, the devices to
 * read, as its API has no list), or `{ client }`, a client made beforehand (a Particle client after login).
 */
export function connect(vendor, options = {}) {
  const Class = CLASSES[vendor];
  if (!Class) throw invalid(`connect: unknown vendor "${vendor}"`);
  const { client, rateLimit, deviceIds = [], ...rest } = options;
  return new Cloud(vendor, client ?? new Class({ maxRequestsPerSecond: rateLimit ?? CAPABILITIES[vendor].rateLimit, ...rest }), deviceIds);
}

class Cloud {
  #raw = new Map(); // device id → the vendor's record (IoTConnect's uniqueId and templateGuid, Particle's variables)
  #properties = new Map(); // Arduino thing id → its properties (a promise), to find one by name
  #seen = []; // Particle: events seen on this Cloud's streams, for history()
  #ids;

  constructor(vendor, client, deviceIds) {
    this.vendor = vendor;
    this.client = client;
    this.#ids = [...deviceIds];
  }

  capabilities() {
    return { ...CAPABILITIES[this.vendor] };
  }

  #unsupported(method) {
    return Promise.reject(new CloudError(`${this.vendor} does not support ${method}()`, { vendor: this.vendor, code: 'unsupported', status: 0 }));
  }

  // Arduino: things (device = thing), online and last seen from the device attached to each; Particle:
  // listDevices; cThings: devices.get of each id given to connect(); IoTConnect: one page of GET /Device.
  async devices(opts = {}) {
    const { page = 1, pageSize = 100 } = opts;
    const c = this.client;
    const o = call(opts);
    let list;
    if (this.vendor === 'iotconnect') {
      list = (await c.devices.list({ pageNumber: page, pageSize, ...o })).data.map(DEVICE.iotconnect);
    } else if (page > 1) {
      return [];
    } else if (this.vendor === 'arduino') {
      const [things, devices] = await Promise.all([c.things.list(o), c.devices.list(o)]);
      const byId = new Map(devices.map((d) => [d.id, d]));
      list = things.map((t) => DEVICE.arduino(t, byId.get(t.device_id)));
    } else if (this.vendor === 'particle') {
      list = (await c.listDevices(o)).body.map(DEVICE.particle);
    } else {
      list = (await Promise.all(this.#ids.map((id) => c.devices.get(id, o)))).map(DEVICE.cthings);
    }
    for (const d of list) this.#raw.set(d.id, d.raw);
    return list.map((d) => ({ vendor: this.vendor, ...d }));
  }

  async *iterateDevices(opts = {}) {
    const pageSize = opts.pageSize ?? 100;
    for (let page = 1; ; page++) {
      const list = await this.devices({ ...opts, page, pageSize });
      yield* list;
      if (!CAPABILITIES[this.vendor].pages || list.length < pageSize) return;
    }
  }

  /** The vendor's record of a device: the one devices() saw, else read. */
  async #record(id, o) {
    if (!this.#raw.has(id)) {
      const c = this.client;
      const read = {
        arduino: () => c.things.show(id, o),
        particle: async () => (await c.getDevice({ deviceId: id, ...o })).body,
        cthings: () => c.devices.get(id, o),
        iotconnect: () => c.devices.get(id, o),
      }[this.vendor];
      this.#raw.set(id, await read());
    }
    return this.#raw.get(id);
  }

  /** An Arduino property of thing `id` by name. */
  async #property(id, name, o) {
    if (!this.#properties.has(id)) this.#properties.set(id, this.client.properties.list(id, o));
    let props;
    try {
      props = await this.#properties.get(id);
    } catch (err) {
      this.#properties.delete(id);
      throw err;
    }
    const p = props.find((x) => x.name === name);
    if (!p) throw invalid(`arduino: thing ${id} has no property "${name}"`);
    return p;
  }

  // Arduino: the thing's properties (last_value); Particle: each variable of the device, read now;
  // IoTConnect: the latest telemetry; cThings: the device's connection, signal strength, data interval.
  async readings(id, opts) {
    const c = this.client;
    const o = call(opts);
    switch (this.vendor) {
      case 'arduino': {
        const props = await c.properties.list(id, o);
        this.#properties.set(id, Promise.resolve(props));
        return props.map((p) => ({ name: p.name, value: p.last_value, type: p.type, updatedAt: date(p.value_updated_at) }));
      }
      case 'particle': {
        const variables = (await this.#record(id, o)).variables ?? {};
        return Promise.all(Object.entries(variables).map(async ([name, type]) => {
          const { body } = await c.getVariable({ deviceId: id, name, ...o });
          return { name, value: body.result, type, updatedAt: new Date() };
        }));
      }
      case 'iotconnect':
        return (await c.telemetry.latest(id, o)).map((r) => ({
          name: r.attributeName, value: r.attributeValue, type: r.dataType ?? typeof r.attributeValue,
          updatedAt: date(r.deviceUpdatedDate),
        }));
      default: {
        const d = await c.devices.get(id, o);
        this.#raw.set(id, d);
        const at = date(d.connection?.lastConnected);
        return [
          ['connected', d.connection?.status, 'boolean'],
          ['signalStrength', d.connection?.signalStrength, 'number'],
          ['dataInterval', d.dataInterval, 'number'],
        ].filter(([, v]) => v !== undefined).map(([name, value, type]) => ({ name, value, type, updatedAt: at }));
      }
    }
  }

  // Arduino: the property's time series; IoTConnect: the attribute history (by the device's uniqueId);
  // Particle: events named `name` this Cloud's streams have seen; cThings: unsupported.
  async history(id, name, opts = {}) {
    const { from, to } = opts;
    const o = call(opts);
    switch (this.vendor) {
      case 'arduino': {
        const p = await this.#property(id, name, o);
        const { data = [] } = await this.client.properties.timeseries(id, p.id, { from, to, ...o });
        return data.map((pt) => ({ time: new Date(pt.time), value: pt.value }));
      }
      case 'iotconnect': {
        const { uniqueId } = await this.#record(id, o);
        const rows = await this.client.telemetry.history(uniqueId, { from, to, ...o });
        return rows.filter((r) => r[name] !== undefined).map((r) => ({ time: new Date(r.time), value: r[name] }));
      }
      case 'particle': {
        const [start, end] = [new Date(from).getTime(), new Date(to).getTime()];
        return this.#seen.filter((e) => e.deviceId === id && e.name === name && e.time >= start && e.time <= end)
          .map((e) => ({ time: e.time, value: e.value }));
      }
      default:
        return this.#unsupported('history');
    }
  }

  // Particle: callFunction (its return_value); Arduino: publish the property named `name`; IoTConnect: send
  // the template's command named `name`; cThings: unsupported.
  async command(id, name, arg, opts) {
    const c = this.client;
    const o = call(opts);
    switch (this.vendor) {
      case 'particle':
        return (await c.callFunction({ deviceId: id, name, argument: arg == null ? '' : String(arg), ...o })).body.return_value;
      case 'arduino': {
        const p = await this.#property(id, name, o);
        return c.properties.publish(id, p.id, { value: arg }, o);
      }
      case 'iotconnect': {
        const { templateGuid } = await this.#record(id, o);
        const command = (await c.templates.commands(templateGuid, o)).find((x) => x.command === name);
        if (!command) throw invalid(`iotconnect: device ${id} has no command "${name}"`);
        const parameter = arg == null || arg === '' ? {} : { parameterValue: String(arg) };
        return c.commands.send(id, { commandGuid: command.guid, ...parameter }, o);
      }
      default:
        return this.#unsupported('command');
    }
  }

  // Particle: its event stream (the device's, or all of the account's); the others: readings polled every
  // `intervalMs` (5 s by default), an event per value that changed since the poll before.
  events(deviceId, opts = {}) {
    const stop = new AbortController();
    link(opts.signal, stop);
    const [out, iterator] = channel(stop);
    if (this.vendor === 'particle') this.#stream(deviceId, stop.signal, out);
    else this.#poll(deviceId, opts.intervalMs ?? 5000, stop.signal, out);
    return iterator;
  }

  #stream(deviceId, signal, out) {
    this.client.getEventStream({ deviceId: deviceId ?? 'mine' }).then((stream) => {
      if (signal.aborted) return stream.abort();
      signal.addEventListener('abort', () => stream.abort(), { once: true });
      stream.on('event', (e) => {
        const event = { vendor: 'particle', deviceId: e.coreid, name: e.name, value: e.data, time: date(e.published_at) ?? new Date(), raw: e };
        this.#seen.push(event);
        if (this.#seen.length > 1000) this.#seen.shift();
        out.push(event);
      });
      stream.on('end', () => out.end());
    }, (err) => out.fail(err));
  }

  async #poll(deviceId, intervalMs, signal, out) {
    const last = new Map();
    try {
      while (!signal.aborted) {
        const ids = deviceId ? [deviceId] : (await this.devices({ signal })).map((d) => d.id);
        for (const id of ids) {
          for (const r of await this.readings(id, { signal })) {
            const key = `${id}\n${r.name}`;
            const value = JSON.stringify(r.value);
            if (last.has(key) && last.get(key) !== value) {
              out.push({ vendor: this.vendor, deviceId: id, name: r.name, value: r.value, time: r.updatedAt ?? new Date(), raw: r });
            }
            last.set(key, value);
          }
        }
        await sleep(intervalMs, signal);
      }
      out.end();
    } catch (err) {
      if (signal.aborted) out.end();
      else out.fail(err);
    }
  }
}

/**
 * `[feed, iterator]`: an async iterator of what `feed.push` gives it; `feed.end`, `return()` or `stop` firing
 * ends it, `feed.fail` rejects the next read.
 */
function channel(stop) {
  const items = [];
  let wake;
  let error;
  let ended = false;
  const end = () => {
    ended = true;
    wake?.();
  };
  stop.signal.addEventListener('abort', () => {
    items.length = 0;
    end();
  }, { once: true });
  const feed = {
    push(item) {
      if (ended) return;
      items.push(item);
      wake?.();
    },
    fail(err) {
      if (!ended) error = err;
      end();
    },
    end,
  };
  const iterator = {
    async next() {
      while (!items.length && !ended) await new Promise((resolve) => { wake = resolve; });
      if (items.length) return { value: items.shift(), done: false };
      if (error) {
        const err = error;
        error = undefined;
        throw err;
      }
      return { value: undefined, done: true };
    },
    async return() {
      stop.abort();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return [feed, iterator];
}
