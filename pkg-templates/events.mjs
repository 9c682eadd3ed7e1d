// Particle's event streams in JavaScript idioms: particle-api-js's emitter (`event`, `error`, `disconnect`,
// `reconnect`, `reconnect-success`, `reconnect-error`, `end`, and `abort()`) that is also an async iterator
// of the events. The options, the URL and every decision of the stream (SSE framing, back-off, `retry:`,
// the opens window, stopping) are wasm's (src/js/events.rs, a session per stream); this file does the I/O
// steps (open, read, wait) in a loop that asks its session after each, and turns its answers into events.

import { wait } from './common.mjs';

// The event payload as particle-api-js gives it: the JSON data (`{data, ttl, published_at, coreid}`) with
// `name`; data that is not a JSON object comes as `{name, data}` rather than being dropped.
function payload(name, data) {
  let e;
  try {
    e = JSON.parse(data);
  } catch {}
  if (e === null || typeof e !== 'object' || Array.isArray(e)) e = { data };
  e.name = name;
  return e;
}

// `fetch(url, {headers, signal})`: resolves `[200, reader]`, `[status, parsed body]` for another status,
// or `[-2, message]` for a failure. Never rejects.
async function open(fetch, url, headers, signal) {
  try {
    const res = await fetch(url, { headers, signal, redirect: 'manual' });
    const status = res.status;
    if (status === 200) {
      const body = res.body;
      if (body && typeof body.getReader === 'function') return [200, body.getReader()];
      return [-2, 'the response has no readable body'];
    }
    if (typeof status !== 'number' || status < 100) return [-2, 'unexpected answer'];
    let value = null;
    try {
      value = await res.text();
      value = JSON.parse(value);
    } catch {}
    return [status, value];
  } catch (err) {
    try {
      return [-2, String(err?.message ?? err)];
    } catch {
      return [-2, 'fetch failed'];
    }
  }
}

// The next chunk (bytes), `null` at the end or on a failure, `0` when none came within `ms` (the reader is
// then cancelled).
function read(reader, ms) {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      resolve(0);
      try { reader.cancel().catch(() => {}); } catch {}
    }, ms);
    const end = (v) => {
      clearTimeout(t);
      resolve(v);
    };
    try {
      reader.read().then((r) => end(r.done || !ArrayBuffer.isView(r.value) ? null : r.value), () => end(null));
    } catch {
      end(null);
    }
  });
}

// The questions the loop asks its session (`Particle.__eventStep(handle + what, n, v)`, see src/js/events.rs).
const WAIT = 0;
const OPENED = 1;
const FEED = 2;
const ENDED = 3;
const FREE = 4;

// The stream: `opened()` once the first open succeeded, then `report(kind, value)` for each event, until
// `signal` fires or the session says stop. Rejects when the first open is refused.
async function run(step, [, url, fetch, silenceMs, testWait, Authorization], signal, opened, report) {
  const headers = { Authorization, Accept: 'text/event-stream' };
  const hook = typeof testWait === 'function' ? testWait : undefined;
  let first = true;
  for (;;) {
    const ms = step(WAIT);
    if (ms > 0) await wait(ms, signal, hook);
    if (signal.aborted) return;
    if (!first) report('reconnect');
    const [status, got] = await open(fetch, url, headers, signal);
    if (signal.aborted) return;
    const failure = step(OPENED, status, got);
    if (failure === undefined) {
      if (first) opened();
      else report('reconnect-success');
      first = false;
      // Streaming: a UTF-8 sequence split between chunks waits for the rest; a BOM opening the body is
      // dropped, invalid bytes read as U+FFFD (as the format says).
      const text = new TextDecoder();
      let chunk;
      while ((chunk = await read(got, silenceMs))) {
        const events = step(FEED, 0, text.decode(chunk, { stream: true }));
        // The last event id goes with the next open (an empty `id:` clears it).
        if (events[0]) headers['Last-Event-ID'] = events[0];
        else delete headers['Last-Event-ID'];
        for (let i = 1; i < events.length; i += 2) report('event', payload(events[i], events[i + 1]));
      }
      if (signal.aborted) return;
      report('disconnect');
    } else {
      if (first) throw failure;
      report('reconnect-error', failure);
    }
    const next = step(ENDED);
    if (next < 0) {
      report('error', failure);
      report('end');
      return;
    }
    await wait(next, signal, hook);
  }
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
      // Throws a CloudError for wrong options, before anything is sent.
      const setup = this.__eventStream(options);
      const report = (kind, value) => {
        if (!signal.aborted) stream._report(kind, value);
      };
      const step = (what, n, v) => Particle.__eventStep(setup[0] + what, n, v);
      run(step, setup, signal, () => signal.aborted || resolve(stream), report)
        .then(undefined, (err) => {
          stream._ctl.abort();
          reject(err);
        })
        .finally(() => step(FREE));
    });
  };
}
