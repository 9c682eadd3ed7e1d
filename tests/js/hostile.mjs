// Helpers of the hardening tests: hostile JavaScript values (throwing getters, revoked proxies, throwing
// traps), a watch on the process for uncaught errors, wasm memory figures from the glue's `__externrefs()` and `__memoryBytes()`, a
// fetch that answers canned responses, and a second loopback server that records what reaches it.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { INSTALLED, CloudError, sleep } from './support.mjs';

// ---------------------------------------------------------------------------------------------------------
// Hostile values. Each call returns a fresh value.

/** A Proxy over `target` (an object by default) that has been revoked: any operation on it throws. */
export function revoked(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A Proxy whose every trap throws (get, has, ownKeys, getPrototypeOf, …). */
export function trapProxy(target = {}) {
  const boom = (trap) => () => { throw new Error(`${trap} trap throws`); };
  const traps = ['get', 'set', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'defineProperty',
    'deleteProperty', 'isExtensible', 'preventExtensions', 'setPrototypeOf', 'apply', 'construct'];
  return new Proxy(target, Object.fromEntries(traps.map((t) => [t, boom(t)])));
}

/** `{...base}` where each key of `keys` is a getter that throws. */
export function throwingGetters(base, ...keys) {
  const o = { ...base };
  for (const key of keys) {
    Object.defineProperty(o, key, { enumerable: true, get() { throw new Error(`getter ${key} throws`); } });
  }
  return o;
}

/** `['x', …]` whose element 0 is a getter that throws. */
export function throwingElements(length = 1) {
  const a = Array.from({ length }, () => 'x');
  Object.defineProperty(a, 0, { get() { throw new Error('element getter throws'); } });
  return a;
}

/** An object whose conversions (toString, valueOf, toJSON, Symbol.toPrimitive) all throw. */
export function throwingConversions() {
  const boom = () => { throw new Error('conversion throws'); };
  return { toString: boom, valueOf: boom, toJSON: boom, [Symbol.toPrimitive]: boom };
}

/**
 * An AbortSignal look-alike that passes a constructor's check (a boolean `aborted`, `addEventListener`)
 * and throws from `aborted` once `arm()` was called.
 */
export function throwingSignal() {
  const target = new EventTarget();
  let armed = false;
  const signal = {
    get aborted() {
      if (armed) throw new Error('aborted getter throws');
      return false;
    },
    reason: undefined,
    addEventListener: (...args) => target.addEventListener(...args),
    removeEventListener: (...args) => target.removeEventListener(...args),
    throwIfAborted() {},
  };
  return { signal, arm: () => { armed = true; } };
}

/** Calls `fn` and returns a promise of its outcome: a synchronous throw becomes a rejection. */
export function attempt(fn) {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Calls `fn` and reports `{threw, value | error}` without awaiting anything. */
export function callSync(fn) {
  try {
    return { threw: false, value: fn() };
  } catch (error) {
    return { threw: true, error };
  }
}

/** A short description of a thrown or rejected value, for failure summaries. */
export function describeError(err) {
  if (err instanceof CloudError) return `CloudError(${err.code}): ${err.message}`;
  if (err instanceof Error) return `${err.constructor?.name ?? 'Error'}: ${err.message}`;
  try {
    return `non-Error ${typeof err}: ${String(err)}`;
  } catch {
    return `non-Error ${typeof err}`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The process: no uncaught exception, no unhandled rejection.

/**
 * Records every `uncaughtException` and `unhandledRejection` until `stop()`. With a listener in place an
 * error thrown from a microtask does not end the process, so the test can report it.
 */
export function watchProcess() {
  const events = [];
  const onException = (err) => events.push(`uncaughtException: ${describeError(err)}`);
  const onRejection = (err) => events.push(`unhandledRejection: ${describeError(err)}`);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    events,
    async check() {
      await sleep(20); // lets pending microtasks and `unhandledRejection` (reported after a tick) surface
      assert.deepEqual(events.slice(0, 10), [], `${events.length} uncaught errors`);
    },
    stop() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// wasm figures.

const glueFile = path.join(INSTALLED.esm, 'node', 'iot_cloud_wasm.js');
const req = createRequire(import.meta.url);
const glue = req(glueFile);

/**
 * `{externrefs, memoryBytes}` from the glue module's test hooks `__externrefs()` and `__memoryBytes()`: the
 * live slots of the externref table and the size of wasm memory. The glue is the module instance the
 * package's entry uses.
 */
export function wasmStats() {
  const entry = req.cache[req.resolve(path.join(INSTALLED.esm, 'index.cjs'))];
  assert.ok(entry?.children.some((m) => m.exports === glue), 'the glue module loaded here is the instance the package uses');
  assert.equal(typeof glue.__externrefs, 'function',
    `the wasm-bindgen glue (${path.relative(process.cwd(), glueFile)}) exports no __externrefs(): the leak and `
    + 'memory checks need it');
  return { externrefs: glue.__externrefs(), memoryBytes: glue.__memoryBytes() };
}

/** Whether the glue has the `__externrefs()` and `__memoryBytes()` hooks. */
export const hasStats = () => typeof glue.__externrefs === 'function';

v8.setFlagsFromString('--expose-gc');
const gcFunction = vm.runInNewContext('gc');

/** A full garbage collection, then a few turns of the event loop for FinalizationRegistry callbacks. */
export async function collectGarbage() {
  for (let i = 0; i < 3; i++) {
    gcFunction();
    await new Promise((resolve) => setImmediate(resolve));
    await sleep(5);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Canned answers through the `fetch` option.

export const JSON_HEADERS = { 'content-type': 'application/json' };

/** A token answer every vendor's client accepts. */
export const tokenBody = (token = 'canned-token') => JSON.stringify({
  access_token: token, expires_in: 3600, token_type: 'Bearer', refresh_token: `${token}-refresh`,
});

/** A base URL that is never contacted: the tests pass their own `fetch`. Port 9 (discard) is closed here. */
export const NOWHERE = 'http://127.0.0.1:9';

/**
 * The login steps of the four vendors answered at once (tokens, IoTConnect discovery and basic token), so
 * that a canned `fetch` only has to decide about the API call. Returns a Response, or null for an API call.
 */
export function cannedLogin(url) {
  const u = String(url);
  if (u.includes('/iot/v1/clients/token') || u.endsWith('/oauth/token') || u.endsWith('/cthings-auth/token')
    || u.endsWith('/Auth/login') || u.endsWith('/Auth/refresh-token')) {
    return new Response(tokenBody(), { status: 200, headers: JSON_HEADERS });
  }
  if (u.includes('/api/uisdk/solutionkey/')) {
    const data = { authBaseUrl: `${NOWHERE}/iotconnect/auth/api/v2.1`, deviceBaseUrl: `${NOWHERE}/iotconnect/device/api/v2.1` };
    return new Response(JSON.stringify({ data, message: 'Success', status: 200 }), { status: 200, headers: JSON_HEADERS });
  }
  if (u.endsWith('/Auth/basic-token')) {
    return new Response(JSON.stringify({ data: 'canned-basic', status: 200 }), { status: 200, headers: JSON_HEADERS });
  }
  return null;
}

/** Options for a client of each vendor that talks only to `fetch`. */
export function cannedOptions(fetch, extra = {}) {
  return {
    arduino: { clientId: 'canned-id', clientSecret: 'canned-secret', baseUrl: `${NOWHERE}/arduino`, fetch, ...extra },
    particle: { auth: 'canned-token', baseUrl: `${NOWHERE}/particle`, fetch, ...extra },
    cthings: {
      clientId: 'canned-id', clientSecret: 'canned-secret', authUrl: `${NOWHERE}/cthings-auth`,
      baseUrl: `${NOWHERE}/cthings`, fetch, ...extra,
    },
    iotconnect: {
      solutionKey: 'canned-key', environment: 'poc', platform: 'aws', username: 'canned-user',
      password: 'canned-password', discoveryUrl: `${NOWHERE}/iotconnect-discovery`, fetch, ...extra,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// A second loopback server: another origin, which must never receive anything.

/**
 * Starts a node:http server on 127.0.0.1 (any free port) that records every request and answers as a cloud
 * would (a token for token paths, `[]` otherwise), so that a client that followed a redirect to it would
 * succeed and be seen doing so. Returns `{url, requests, close()}`.
 */
export async function startRecorder() {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: { ...req.headers }, body: Buffer.concat(chunks).toString('utf8') });
      const body = /basic-token/i.test(req.url) ? '{"data":"stolen"}'
        : /token|login/i.test(req.url) ? tokenBody('stolen-token') : '[]';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    requests,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// A fetch that can be shut: calls that should never reach the network are seen and refused.

export const REAL_FETCH = globalThis.fetch;

/**
 * `{fetch, open, blocked}`: while `open` is true, `fetch` is the platform's own; while false, it records
 * the request in `blocked` and rejects at once.
 */
export function gate() {
  const g = {
    open: true,
    blocked: [],
    fetch(url, init) {
      if (g.open) return REAL_FETCH(url, init);
      g.blocked.push(`${init?.method ?? 'GET'} ${url}`);
      return Promise.reject(new TypeError('refused by the test: this call should not have reached fetch'));
    },
  };
  return g;
}

/** Replaces the global fetch with `fn` until the returned function is called. */
export function replaceGlobalFetch(fn) {
  globalThis.fetch = fn;
  return () => { globalThis.fetch = REAL_FETCH; };
}
