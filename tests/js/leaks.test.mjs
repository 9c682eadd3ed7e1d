// No leak: 100,000 calls for each outcome (success, JSON error, text error, network error, timeout, abort)
// leave wasm memory and the externref table flat. The figures come from the glue module's test hook
// `__externrefs()` and `__memoryBytes()`. Answers are canned Responses from a user `fetch`, so the run is
// about the package, not the network. SOAK_CALLS overrides the number of calls per outcome.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Arduino, Particle, CThings, IoTConnect, CloudError, IDS, within } from './support.mjs';
import {
  wasmStats, collectGarbage, cannedLogin, cannedOptions, JSON_HEADERS, describeError, watchProcess,
} from './hostile.mjs';

const CALLS = Number(process.env.SOAK_CALLS ?? 100_000);
const WARM_UP = 1_000;
const CHUNK = 1_000;
const SLACK = { externrefs: 64, memoryBytes: 1024 * 1024 };
const T = { timeout: 180_000 };

// What each vendor's API answers, per outcome.
const SUCCESS = {
  arduino: () => new Response('[{"id":"t-1","name":"thing"}]', { status: 200, headers: JSON_HEADERS }),
  particle: () => new Response('[{"id":"d-1","name":"device","online":true}]', { status: 200, headers: JSON_HEADERS }),
  cthings: () => new Response('{"api":"cThings Cloud API","code":200,"data":{"id":"d-1"},"message":null}', { status: 200, headers: JSON_HEADERS }),
  iotconnect: () => new Response('{"data":[{"guid":"g-1","uniqueId":"u-1"}],"status":200,"count":1}', { status: 200, headers: JSON_HEADERS }),
};
const JSON_ERROR = {
  arduino: () => new Response('{"id":"x","code":"not_found","status":404,"detail":"thing not found"}', { status: 404, headers: { 'content-type': 'application/vnd.goa.error+json' } }),
  particle: () => new Response('{"ok":false,"error":"Not Found"}', { status: 404, headers: JSON_HEADERS }),
  cthings: () => new Response('{"api":"cThings Cloud API","code":404,"data":null,"message":"Device not found"}', { status: 404, headers: JSON_HEADERS }),
  iotconnect: () => new Response('{"data":null,"status":404,"message":"Not found","error":[]}', { status: 404, headers: JSON_HEADERS }),
};
const textError = () => new Response('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain' } });
const vendorOf = (url) => (url.includes('/arduino/') ? 'arduino' : url.includes('/particle/') ? 'particle'
  : url.includes('/cthings/') ? 'cthings' : 'iotconnect');

/** A user fetch: login steps answered at once, API calls by `api(url, init)`. */
const cannedFetch = (api) => (url, init) => {
  const login = cannedLogin(url);
  return login ? Promise.resolve(login) : api(String(url), init);
};

/** Clients of the four vendors on `fetch`, with their handler objects taken once. */
function clients(fetch, extra = {}) {
  const o = cannedOptions(fetch, { maxAttempts: 1, ...extra });
  const arduino = new Arduino(o.arduino);
  const particle = new Particle(o.particle);
  const cthings = new CThings(o.cthings);
  const iotc = new IoTConnect(o.iotconnect);
  const things = arduino.things;
  const devices = cthings.devices;
  const iotcDevices = iotc.devices;
  return [
    () => things.list({}),
    () => particle.listDevices({}),
    () => devices.get(IDS.cthings.devices[0]),
    () => iotcDevices.list({}),
  ];
}

/** `n` calls, CHUNK at a time, cycling through `calls`; returns the problems seen (at most 10 kept). */
async function run(calls, n, expect, problems) {
  for (let done = 0; done < n;) {
    const batch = [];
    for (let j = 0; j < CHUNK && done < n; j++, done++) {
      let p;
      try {
        p = calls[done % calls.length]();
      } catch (err) {
        p = Promise.reject(err);
      }
      batch.push(p.then((v) => expect(v, null), (e) => expect(undefined, e)).then((problem) => {
        problems.count += problem ? 1 : 0;
        if (problem && problems.list.length < 10) problems.list.push(problem);
      }));
    }
    await within(30_000, Promise.all(batch), `a chunk of ${batch.length} calls`);
  }
}

const resolves = (value, err) => (err ? `rejected: ${describeError(err)}` : value == null ? 'resolved to nothing' : null);
const rejectsWith = (check) => (value, err) => {
  if (!err) return 'resolved instead of rejecting';
  if (!(err instanceof CloudError)) return `not a CloudError: ${describeError(err)}`;
  return check(err);
};
const code = (...codes) => rejectsWith((e) => (codes.includes(e.code) ? null : `code ${e.code}: ${e.message}`));
const status = (s) => rejectsWith((e) => (e.status === s ? null : `status ${e.status} (${e.code}): ${e.message}`));

/**
 * Warm-up, figures, CALLS calls, figures. `makeRound()` gives `{calls, expect}` for one round; a new round
 * is made every `roundSize` calls (for the mid-flight abort, which needs fresh clients), else once.
 */
async function soak(name, makeRound, { roundSize = Infinity, between } = {}) {
  wasmStats(); // fails at once, with the reason, when the hook is missing
  const watch = watchProcess();
  try {
    const problems = { count: 0, list: [] };
    const rounds = async (n) => {
      for (let done = 0; done < n;) {
        const size = Math.min(roundSize, n - done);
        const round = makeRound();
        await Promise.all([run(round.calls, size, round.expect, problems), between?.(round)]);
        done += size;
      }
    };
    await rounds(WARM_UP);
    await collectGarbage();
    const before = wasmStats();
    const started = Date.now();
    await rounds(CALLS);
    const took = Date.now() - started;
    await collectGarbage();
    const after = wasmStats();
    console.log(`${name}: ${CALLS} calls in ${took} ms; externrefs ${before.externrefs} → ${after.externrefs}, `
      + `wasm memory ${before.memoryBytes} → ${after.memoryBytes} B`);
    assert.equal(problems.count, 0, `${problems.count} calls had the wrong outcome, e.g.\n  ${problems.list.join('\n  ')}`);
    assert.ok(after.externrefs - before.externrefs <= SLACK.externrefs,
      `${name}: the externref table grew by ${after.externrefs - before.externrefs} (allowed ${SLACK.externrefs})`);
    assert.ok(after.memoryBytes - before.memoryBytes <= SLACK.memoryBytes,
      `${name}: wasm memory grew by ${after.memoryBytes - before.memoryBytes} B (allowed ${SLACK.memoryBytes})`);
    await watch.check();
  } finally {
    watch.stop();
  }
}

test('the test hooks __externrefs() and __memoryBytes() are there and report numbers', () => {
  const stats = wasmStats();
  assert.ok(stats.memoryBytes > 0 && stats.memoryBytes % 65536 === 0, `memoryBytes ${stats.memoryBytes} is whole wasm pages`);
  assert.ok(Number.isInteger(stats.externrefs) && stats.externrefs >= 0, `externrefs ${stats.externrefs}`);
  console.log(`at start: externrefs ${stats.externrefs}, wasm memory ${stats.memoryBytes} B`);
});

test('success: 100,000 calls leave memory and externrefs flat', T, async () => {
  const calls = clients(cannedFetch((url) => Promise.resolve(SUCCESS[vendorOf(url)]())));
  await soak('success', () => ({ calls, expect: resolves }));
});

test('JSON error (404 with a JSON body): 100,000 calls leave memory and externrefs flat', T, async () => {
  const calls = clients(cannedFetch((url) => Promise.resolve(JSON_ERROR[vendorOf(url)]())));
  await soak('JSON error', () => ({ calls, expect: status(404) }));
});

test('text error (500 with a text/plain body): 100,000 calls leave memory and externrefs flat', T, async () => {
  const calls = clients(cannedFetch(() => Promise.resolve(textError())));
  await soak('text error', () => ({ calls, expect: status(500) }));
});

test('network error (fetch rejects): 100,000 calls leave memory and externrefs flat', T, async () => {
  const refused = () => Promise.reject(new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
  }));
  const calls = clients(cannedFetch(refused));
  await soak('network error', () => ({ calls, expect: code('network_error') }));
});

test('timeout (a fetch that only ends when its signal aborts): 100,000 calls leave memory and externrefs flat', T, async () => {
  const hang = (url, init) => new Promise((_, reject) => {
    const signal = init?.signal;
    if (!signal) return; // without a signal the call could never end: the test then times out
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  const calls = clients(cannedFetch(hang), { timeoutMs: 1 });
  await soak('timeout', () => ({ calls, expect: code('timeout') }));
});

test('abort (a signal aborted before the call, and one aborted mid-flight): 100,000 calls leave memory and externrefs flat', T, async () => {
  // Half the calls on clients whose signal is already aborted; half on clients whose signal fires while
  // the API requests are in flight (a new set of clients and a new controller every 1,000 calls).
  const hang = (url, init) => new Promise((_, reject) => {
    const signal = init?.signal;
    if (!signal) return;
    pending.count++;
    const stop = () => { pending.count--; reject(signal.reason); };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  const pending = { count: 0 };
  const early = clients(cannedFetch(hang), { signal: AbortSignal.abort() });
  let flip = false;
  await soak('abort', () => {
    flip = !flip;
    if (flip) return { calls: early, expect: code('aborted') };
    const controller = new AbortController();
    return { calls: clients(cannedFetch(hang), { signal: controller.signal }), expect: code('aborted'), controller };
  }, {
    roundSize: CHUNK,
    async between(round) {
      if (!round.controller) return;
      // Abort once every API request of the round is waiting in fetch (the token steps answer at once).
      for (let i = 0; i < 2000 && pending.count < CHUNK; i++) await new Promise((r) => setImmediate(r));
      round.controller.abort();
    },
  });
});
