'use strict';
// Rate limits of the simulated clouds: a sliding-window limiter per vendor, off unless turned on (control API
// `/__sim/rate-limits`, `startSimulator({rateLimits})`, `cli.js --rate-limits`), and per-vendor counters of
// requests and 429s that are kept whether limits are on or not. See README.md, "Rate limits".
//
// A vendor's limit is one or more windows `{limit, windowMs}`: a request is refused with 429 when any window
// already holds `limit` accepted requests from the last `windowMs` milliseconds. Refused requests are not
// recorded in the windows (a client that keeps knocking is not locked out for ever), but they are counted.

const LIMITED_VENDORS = ['arduino', 'particle', 'cthings', 'iotconnect', 'iotconnect-discovery'];
const MAX_WINDOWS = 4;
const PEAK_WINDOW_MS = 1000;

const second = (limit) => [{ limit, windowMs: 1000 }];

/** Named sets of limits (vendor → windows). A vendor a preset does not name is not limited. */
const PRESETS = {
  // What the vendors document (../shared/vendors/*.md): Arduino 10 requests/s; Particle 10,000 requests per
  // 5 minutes per IP. cThings and IoTConnect document no limit.
  documented: { arduino: second(10), particle: [{ limit: 10_000, windowMs: 300_000 }] },
  // The same rates over one second, for runs of a few seconds: Arduino 10/s, Particle 33/s (10,000 / 300 s),
  // and 10/s for cThings and IoTConnect (a conservative rate; neither documents a limit).
  'per-second': { arduino: second(10), particle: second(33), cthings: second(10), iotconnect: second(10) },
  off: {},
};

/** The accepted requests of the last `windowMs` milliseconds, oldest first. */
class SlidingWindow {
  constructor(limit, windowMs) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.times = [];
    this.head = 0;
  }

  get count() {
    return this.times.length - this.head;
  }

  prune(now) {
    const edge = now - this.windowMs;
    while (this.head < this.times.length && this.times[this.head] <= edge) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  /** Milliseconds until one more request fits (0: it fits now). */
  wait(now) {
    this.prune(now);
    if (this.count < this.limit) return 0;
    return this.times[this.head + this.count - this.limit] + this.windowMs - now;
  }

  add(now) {
    this.times.push(now);
  }
}

function emptyCounters() {
  return { requests: 0, limited: 0, peakPerSecond: 0, firstAt: null, lastAt: null, peak: new SlidingWindow(Infinity, PEAK_WINDOW_MS) };
}

/**
 * Checks a limits object (vendor → null | {limit, windowMs} | [{limit, windowMs}, …]); returns an error
 * message or null.
 */
function validateLimits(limits) {
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) return 'limits must be an object';
  for (const [vendor, value] of Object.entries(limits)) {
    if (!LIMITED_VENDORS.includes(vendor)) return `unknown vendor ${vendor} in limits (one of ${LIMITED_VENDORS.join(', ')})`;
    if (value === null || value === false) continue;
    const windows = Array.isArray(value) ? value : [value];
    if (windows.length === 0 || windows.length > MAX_WINDOWS) return `limits.${vendor}: from 1 to ${MAX_WINDOWS} windows`;
    for (const w of windows) {
      if (typeof w !== 'object' || w === null || Array.isArray(w)) return `limits.${vendor}: a window is {limit, windowMs}`;
      for (const key of Object.keys(w)) if (key !== 'limit' && key !== 'windowMs') return `limits.${vendor}: unknown key ${key}`;
      if (!(Number.isInteger(w.limit) && w.limit >= 1 && w.limit <= 1_000_000)) {
        return `limits.${vendor}.limit must be a whole number from 1 to 1000000`;
      }
      if (!(Number.isInteger(w.windowMs) && w.windowMs >= 1 && w.windowMs <= 86_400_000)) {
        return `limits.${vendor}.windowMs must be a whole number of milliseconds from 1 to 86400000`;
      }
    }
  }
  return null;
}

/** Validates a preset name or a limits object; returns an error message or null. */
function validateSetting(setting) {
  if (setting === undefined || setting === null || setting === false) return null;
  if (typeof setting === 'string') return Object.hasOwn(PRESETS, setting) ? null : `unknown preset ${setting} (one of ${Object.keys(PRESETS).join(', ')})`;
  return validateLimits(setting);
}

class RateLimiter {
  /** `initial`: a preset name or a limits object, what `restore()` comes back to. */
  constructor(initial) {
    const problem = validateSetting(initial);
    if (problem) throw new Error(`rateLimits: ${problem}`);
    this.initial = initial;
    this.restore();
  }

  /** Back to the limits the simulator started with; windows emptied, counters zeroed (POST /__sim/reset). */
  restore() {
    this.limits = new Map();
    const { initial } = this;
    if (typeof initial === 'string') this.apply(PRESETS[initial]);
    else if (initial) this.apply(initial);
    this.resetStats();
  }

  resetStats() {
    this.since = Date.now();
    this.counters = new Map(LIMITED_VENDORS.map((v) => [v, emptyCounters()]));
    for (const windows of this.limits.values()) for (const w of windows) { w.times = []; w.head = 0; }
  }

  /** Sets the windows of the vendors `limits` names (null: no limit); an already checked object. */
  apply(limits) {
    for (const [vendor, value] of Object.entries(limits)) {
      if (value === null || value === false) this.limits.delete(vendor);
      else this.limits.set(vendor, (Array.isArray(value) ? value : [value]).map((w) => new SlidingWindow(w.limit, w.windowMs)));
    }
  }

  /**
   * Counts a request of `vendor` arriving at `now` and decides on it: null when it may go on, else
   * `{retryAfter (whole seconds, at least 1), waitMs, limit, windowMs}` of the window that refused it.
   */
  take(vendor, now = Date.now()) {
    const counters = this.counters.get(vendor);
    if (!counters) return null;
    counters.requests++;
    counters.firstAt ??= now;
    counters.lastAt = now;
    const windows = this.limits.get(vendor);
    let refusal = null;
    for (const w of windows ?? []) {
      const waitMs = w.wait(now);
      if (waitMs > 0 && (!refusal || waitMs > refusal.waitMs)) refusal = { waitMs, limit: w.limit, windowMs: w.windowMs };
    }
    if (refusal) {
      counters.limited++;
      return { ...refusal, retryAfter: Math.max(1, Math.ceil(refusal.waitMs / 1000)) };
    }
    for (const w of windows ?? []) w.add(now);
    counters.peak.prune(now);
    counters.peak.add(now);
    counters.peakPerSecond = Math.max(counters.peakPerSecond, counters.peak.count);
    return null;
  }

  /** What `GET /__sim/rate-limits` shows. */
  view(now = Date.now()) {
    const limits = {};
    for (const [vendor, windows] of this.limits) limits[vendor] = windows.map((w) => ({ limit: w.limit, windowMs: w.windowMs }));
    const vendors = {};
    for (const [vendor, c] of this.counters) {
      const windows = this.limits.get(vendor) ?? [];
      vendors[vendor] = {
        requests: c.requests,
        accepted: c.requests - c.limited,
        limited: c.limited,
        peakPerSecond: c.peakPerSecond,
        firstAt: c.firstAt === null ? null : new Date(c.firstAt).toISOString(),
        lastAt: c.lastAt === null ? null : new Date(c.lastAt).toISOString(),
        inWindow: windows.map((w) => { w.prune(now); return w.count; }),
      };
    }
    return { enabled: this.limits.size > 0, limits, since: new Date(this.since).toISOString(), vendors };
  }
}

/**
 * The control endpoints `/__sim/rate-limits…`; `op` is "METHOD path" (path without `/__sim/`). Returns
 * `[status, body]`, or null when `op` is not one of them.
 *   GET    rate-limits        limits and counters
 *   POST   rate-limits        {preset?, limits?, resetStats?}: a preset replaces every vendor's limits, then
 *                             `limits` changes the vendors it names; answers like GET
 *   DELETE rate-limits        every limit off (counters kept)
 *   POST   rate-limits/reset  counters zeroed and windows emptied
 */
function control(limiter, op, input) {
  switch (op) {
    case 'GET rate-limits':
      return [200, limiter.view()];
    case 'POST rate-limits': {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) return [400, { ok: false, error: 'expected a JSON object' }];
      for (const key of Object.keys(input)) {
        if (!['preset', 'limits', 'resetStats'].includes(key)) return [400, { ok: false, error: `unknown setting ${key}` }];
      }
      const { preset, limits, resetStats } = input;
      if (preset !== undefined && (typeof preset !== 'string' || !Object.hasOwn(PRESETS, preset))) {
        return [400, { ok: false, error: `preset must be one of ${Object.keys(PRESETS).join(', ')}` }];
      }
      const problem = limits === undefined ? null : validateLimits(limits);
      if (problem) return [400, { ok: false, error: problem }];
      if (resetStats !== undefined && typeof resetStats !== 'boolean') return [400, { ok: false, error: 'resetStats must be a boolean' }];
      if (preset !== undefined) {
        limiter.limits.clear();
        limiter.apply(PRESETS[preset]);
      }
      if (limits) limiter.apply(limits);
      if (resetStats) limiter.resetStats();
      return [200, { ok: true, ...limiter.view() }];
    }
    case 'DELETE rate-limits':
      limiter.limits.clear();
      return [200, { ok: true, ...limiter.view() }];
    case 'POST rate-limits/reset':
      limiter.resetStats();
      return [200, { ok: true, ...limiter.view() }];
    default:
      return null;
  }
}

module.exports = { RateLimiter, control, validateSetting, PRESETS, LIMITED_VENDORS };
