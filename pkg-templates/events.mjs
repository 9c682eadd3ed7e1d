// Particle's event streams in JavaScript idioms: particle-api-js's emitter (`event`, `error`, `disconnect`,
// `reconnect`, `reconnect-success`, `reconnect-error`, `end`, and `abort()`) that is also an async iterator
// of the events. The stream itself (opens, SSE framing, reconnects, back-off) runs in wasm
// (src/js/events.rs); this file only turns its reports into events.

const decoder = new TextDecoder();

// The event payload as particle-api-js gives it: the JSON data (`{data, ttl, published_at, coreid}`) with
// `name`; data that is not a JSON object comes as `{name, data}` rather than being dropped.
function payload(name, data) {
  const text = decoder.decode(data);
  let e;
  try {
    e = JSON.parse(text);
  } catch {}
  if (e === null || typeof e !== 'object' || Array.isArray(e)) e = { data: text };
  e.name = decoder.decode(name);
  return e;
}

// Events that come before anything listens to them wait here (at most this many), so that none are lost
// between `await getEventStream()` and `stream.on('event', …)` or `for await`.
const MAX_EARLY = 10000;

export class EventStream {
  constructor() {
    this._listeners = new Map();
    this._ctl = new AbortController();
    this._early = [];
    this._iterators = new Set();
    this._flushing = false;
  }

  on(kind, listener) {
    const list = this._listeners.get(kind) ?? [];
    this._listeners.set(kind, [...list, listener]);
    if (kind === 'event') this._flush();
    return this;
  }

  addListener(kind, listener) {
    return this.on(kind, listener);
  }

  once(kind, listener) {
    const once = (...args) => {
      this.off(kind, once);
      listener.apply(this, args);
    };
    once.listener = listener;
    return this.on(kind, once);
  }

  off(kind, listener) {
    const list = (this._listeners.get(kind) ?? []).filter((l) => l !== listener && l.listener !== listener);
    this._listeners.set(kind, list);
    return this;
  }

  removeListener(kind, listener) {
    return this.off(kind, listener);
  }

  removeAllListeners(kind) {
    if (kind === undefined) this._listeners.clear();
    else this._listeners.delete(kind);
    return this;
  }

  listenerCount(kind) {
    return (this._listeners.get(kind) ?? []).length;
  }

  /** Calls the listeners of `kind`; one that throws is reported as an `error` (as particle-api-js does). */
  emit(kind, ...args) {
    const list = this._listeners.get(kind) ?? [];
    for (const listener of list) {
      try {
        listener.apply(this, args);
      } catch (err) {
        if (kind !== 'error') this.emit('error', err);
      }
    }
    return list.length > 0;
  }

  /** Closes the stream: no more events, reconnects or listeners; iterators finish. */
  abort() {
    this._ctl.abort();
    this.removeAllListeners();
    this._early = [];
    for (const it of this._iterators) it._end();
  }

  [Symbol.asyncIterator]() {
    const stream = this;
    const queue = [];
    let wake;
    let done = false;
    let failure;
    const it = {
      _push(e) {
        queue.push(e);
        wake?.();
      },
      _fail(err) {
        failure = err;
        wake?.();
      },
      _end() {
        done = true;
        stream._iterators.delete(it);
        wake?.();
      },
      async next() {
        for (;;) {
          if (queue.length) return { value: queue.shift(), done: false };
          if (failure) {
            const err = failure;
            failure = undefined;
            it._end();
            throw err;
          }
          if (done) return { value: undefined, done: true };
          await new Promise((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      return() {
        stream.abort();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return it;
      },
    };
    if (this._ctl.signal.aborted) done = true;
    else this._iterators.add(it);
    this._flush();
    return it;
  }

  _consumed() {
    return this.listenerCount('event') > 0 || this._iterators.size > 0;
  }

  // A report of the wasm side, in order: held back while events wait for their first consumer.
  _report(kind, value) {
    const consumed = this._consumed();
    if (!consumed && kind !== 'event') return this._send(kind, value);
    if (!consumed || this._early.length) {
      if (consumed || this._early.length < MAX_EARLY) this._early.push([kind, value]);
      return this._flush();
    }
    this._send(kind, value);
  }

  _flush() {
    if (this._flushing || !this._early.length || !this._consumed()) return;
    this._flushing = true;
    queueMicrotask(() => {
      this._flushing = false;
      const early = this._early;
      this._early = [];
      for (const [kind, value] of early) this._send(kind, value);
    });
  }

  _send(kind, value) {
    for (const it of this._iterators) {
      if (kind === 'event') it._push(value);
      else if (kind === 'error') it._fail(value);
      else if (kind === 'end') it._end();
    }
    if (kind === 'error' && !this.listenerCount('error')) return;
    if (value === undefined) this.emit(kind);
    else this.emit(kind, value);
  }
}

/**
 * `particle.getEventStream({deviceId, product, org, name, auth, silenceMs})`: resolves the EventStream once
 * the first open succeeded (rejects when the options are wrong or that open fails).
 */
export function eventStreams(Particle) {
  Particle.prototype.getEventStream = function (options) {
    const stream = new EventStream();
    const signal = stream._ctl.signal;
    return new Promise((resolve, reject) => {
      const report = (kind, a, b) => {
        if (signal.aborted) return;
        if (kind === 'open') resolve(stream);
        else stream._report(kind, kind === 'event' ? payload(a, b) : a);
      };
      this.__eventStream(options, report, signal).then(undefined, (err) => {
        stream._ctl.abort();
        reject(err);
      });
    });
  };
}
