'use strict';
// Live data for dashboards: online Particle devices publish their drifting readings on the event streams every
// 1–2 s, and IoTConnect devices can report more often than once a minute. Off unless turned on (control API
// `/__sim/live`, `startSimulator({live})`, `cli.js --live`). See README.md, "Live data".
//
// The readings themselves drift whether this is on or not (fixtures.js): Arduino `last_value`, Particle
// variables, IoTConnect telemetry. An event carries the same value a variable read gives at that moment.

const data = require('./fixtures');
const particleApi = require('./particle-api');

const DEFAULTS = Object.freeze({
  particleEvents: false, // online Particle devices publish their numeric variables as events
  particleEventMs: [1000, 2000], // each device publishes once every min…max ms (a random pause in between)
  particleEventDevices: 20, // at most this many account devices publish (the first online ones), plus the product's
  iotconnectReportMs: 60_000, // how often IoTConnect devices report telemetry (latest, recent, history)
});

/** What `live: true` and `cli.js --live` turn on. */
const ON = Object.freeze({ particleEvents: true, iotconnectReportMs: 5000 });

const TICK_MS = 100;
const NUMERIC = new Set(['double', 'int32']);

/** Checks a patch of live settings; returns an error message or null. */
function validate(patch) {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return 'expected a JSON object';
  for (const key of Object.keys(patch)) if (!Object.hasOwn(DEFAULTS, key)) return `unknown setting ${key}`;
  const { particleEvents, particleEventMs, particleEventDevices, iotconnectReportMs } = patch;
  if (particleEvents !== undefined && typeof particleEvents !== 'boolean') return 'particleEvents must be a boolean';
  if (particleEventMs !== undefined) {
    const ok = Array.isArray(particleEventMs) && particleEventMs.length === 2
      && particleEventMs.every((n) => Number.isInteger(n) && n >= TICK_MS && n <= 3_600_000)
      && particleEventMs[0] <= particleEventMs[1];
    if (!ok) return `particleEventMs must be [min, max], whole milliseconds from ${TICK_MS} to 3600000, min ≤ max`;
  }
  if (particleEventDevices !== undefined && !(Number.isInteger(particleEventDevices) && particleEventDevices >= 0 && particleEventDevices <= 1000)) {
    return 'particleEventDevices must be a whole number from 0 to 1000';
  }
  if (iotconnectReportMs !== undefined && !(Number.isInteger(iotconnectReportMs) && iotconnectReportMs >= 1000 && iotconnectReportMs <= 3_600_000)) {
    return 'iotconnectReportMs must be a whole number of milliseconds from 1000 to 3600000';
  }
  return null;
}

/** `true` → ON, `false`/undefined → nothing, an object → itself; validated. */
function normalize(setting) {
  if (setting === undefined || setting === null || setting === false) return {};
  if (setting === true) return { ...ON };
  const problem = validate(setting);
  if (problem) throw new Error(`live: ${problem}`);
  return { ...setting };
}

/** The devices that publish now: the first online account devices, then the product's online devices. */
function publishers(sim, max) {
  const out = [];
  for (const d of particleApi.accountDevices(sim)) {
    if (out.length >= max) break;
    if (d.online) out.push({ device: d, product: null });
  }
  for (const d of sim.particleStore.productDevices) if (d.online) out.push({ device: d, product: d.product_id });
  return out;
}

class Live {
  /** `initial`: true, false or a settings object, what `restore()` comes back to. */
  constructor(sim, initial) {
    this.sim = sim;
    this.initial = normalize(initial);
    this.restore();
    this.timer = setInterval(() => this.tick(Date.now()), TICK_MS);
    this.timer.unref();
  }

  /** Back to the settings the simulator started with (POST /__sim/reset). */
  restore() {
    this.settings = { ...DEFAULTS, ...this.initial };
    this.schedule = new Map(); // device id → {nextAt, turn}
    this.published = 0;
  }

  set(patch) {
    Object.assign(this.settings, patch);
    if (patch.particleEvents === false) this.schedule.clear();
  }

  stop() {
    clearInterval(this.timer);
  }

  /** Publishes what is due: each publisher's next numeric variable, in turn. */
  tick(now) {
    const { settings, sim } = this;
    if (!settings.particleEvents) return;
    const [min, max] = settings.particleEventMs;
    for (const { device, product } of publishers(sim, settings.particleEventDevices)) {
      const names = Object.keys(device.variables).filter((n) => NUMERIC.has(device.variables[n]));
      if (!names.length) continue;
      let slot = this.schedule.get(device.id);
      if (!slot) {
        // A first event at a random point of the first period, so that devices do not publish together.
        slot = { nextAt: now + Math.floor(Math.random() * max), turn: 0 };
        this.schedule.set(device.id, slot);
      }
      if (now < slot.nextAt) continue;
      const name = names[slot.turn++ % names.length];
      const value = data.particle.variable(device, name, now);
      particleApi.emitEvent(sim, {
        name, data: String(value), ttl: 60, coreid: device.id, product, user: product === null, private: true,
        published_at: new Date(now).toISOString(),
      });
      this.published++;
      slot.nextAt = now + min + Math.floor(Math.random() * (max - min + 1));
    }
  }

  view() {
    return { ...this.settings, published: this.published };
  }
}

/**
 * The control endpoints `/__sim/live`; `op` is "METHOD path". Returns `[status, body]`, or null when `op` is
 * not one of them.
 *   GET  live   the settings and how many events were published
 *   POST live   a patch of the settings (or `true`/`false`: the `--live` settings / the defaults)
 */
function control(live, op, input) {
  switch (op) {
    case 'GET live':
      return [200, live.view()];
    case 'POST live': {
      let patch = input;
      if (input === true) patch = { ...ON };
      else if (input === false) patch = { ...DEFAULTS };
      const problem = validate(patch);
      if (problem) return [400, { ok: false, error: problem }];
      live.set(patch);
      return [200, { ok: true, ...live.view() }];
    }
    default:
      return null;
  }
}

module.exports = { Live, control, normalize, DEFAULTS, ON };
