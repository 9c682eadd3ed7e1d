// Fuzz: for a bounded time, every public method and constructor gets random values of every JavaScript type
// — as whole arguments and as the values of each known option key — while a user `fetch` (and the global one,
// which IotApi and clients without `fetch` use) answers random canned responses, throws or rejects. Every
// call must return or resolve, or throw or reject a CloudError; never another error, never a wasm trap, no
// uncaught error; and afterwards fresh clients still work against the simulator.
//
//   FUZZ_MS=20000 (default) bounds the run; FUZZ_SEED=<n> repeats its inputs (the seed is printed). The
//   network's answers come from a second stream seeded alike, drawn in the order the requests arrive.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useSimulator, CREDENTIALS, IDS, Arduino, Particle, CThings, IoTConnect, CloudError, IotApi, within, sleep,
} from './support.mjs';
import {
  revoked, trapProxy, throwingGetters, throwingElements, throwingConversions, describeError, watchProcess,
  replaceGlobalFetch, cannedOptions, tokenBody, NOWHERE, JSON_HEADERS,
} from './hostile.mjs';

const sim = useSimulator();
const FUZZ_MS = Number(process.env.FUZZ_MS ?? 20_000);
const SEED = (process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 32)) >>> 0;

// ---------------------------------------------------------------------------------------------------------
// A small seeded PRNG (mulberry32) and helpers.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
// Two streams: the inputs (reproducible from the seed) and the network's answers (whose order depends on
// timing, so that it cannot shift the inputs).
const inputs = mulberry32(SEED);
const network = mulberry32(SEED ^ 0x9e3779b9);
let rng = inputs;
const chance = (p) => rng() < p;
const int = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = (list) => list[Math.floor(rng() * list.length)];
/** Runs `fn` drawing from the network stream. */
function fromNetwork(fn) {
  const saved = rng;
  rng = network;
  try {
    return fn();
  } finally {
    rng = saved;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Random values: gen() → [value, description].

const LONG = { 65536: 'x'.repeat(65_536), 65537: 'x'.repeat(65_537), 1e6: 'y'.repeat(1e6) };
const STRINGS = [
  ['', "''"], [' ', "' '"], ['\t\n\r ', 'whitespace'], ['abc', "'abc'"], ['d-1', "'d-1'"],
  [IDS.arduino.things.weatherStation, 'a thing id'], [IDS.particle.online, 'a particle id'], [IDS.cthings.devices[0], 'a cthings id'],
  ['sim-dev-001', "'sim-dev-001'"], ['ü€😀', 'unicode'], ['\u0000', 'NUL'], ['\u007f\u0085\u2028', 'control chars'],
  ['abc\r\nX-Injected: 1', 'CRLF'], ['../x', "'../x'"], ['a/b', "'a/b'"], ['a?b#c', "'a?b#c'"], ['%zz%', "'%zz%'"],
  ['\ud800', 'lone surrogate'], ['\udfff\ud800x', 'reversed surrogates'], [LONG[65536], '65,536 chars'],
  [LONG[65537], '65,537 chars'], [LONG[1e6], '1e6 chars'], ['http://127.0.0.1:9', 'a loopback URL'],
  ['https://', "'https://'"], ['javascript:alert(1)', 'a javascript: URL'], ['true', "'true'"], ['1', "'1'"],
  ['aws', "'aws'"], ['az', "'az'"], ['poc', "'poc'"], ['__proto__', "'__proto__'"], ['constructor', "'constructor'"],
  ['uniqueId asc', "'uniqueId asc'"], ['on', "'on'"], ['k:v', "'k:v'"],
];
const NUMBERS = [0, -0, 1, -1, 1.5, 3, 10, 11, 100, 1000, 1001, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 31 - 1, 2 ** 32,
  2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e308, 5e-324, -1e-300];
const BIGINTS = [0n, 1n, -1n, 2n ** 64n, 10n ** 40n];

function randomString() {
  if (chance(0.7)) return pick(STRINGS);
  const n = int(0, 24);
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rng();
    s += r < 0.6 ? String.fromCharCode(int(0x20, 0x7e)) : r < 0.75 ? String.fromCharCode(int(0, 0x1f))
      : r < 0.9 ? String.fromCodePoint(int(0x80, 0x10ffff)) : String.fromCharCode(int(0xd800, 0xdfff));
  }
  return [s, `random string(${n})`];
}

class Thing { constructor() { this.id = 'd-1'; } get name() { return 'thing'; } }

function randomObject(depth) {
  const kind = int(0, 27);
  switch (kind) {
    case 0: return [{}, '{}'];
    case 1: return [Object.create(null), 'Object.create(null)'];
    case 2: {
      const o = {};
      const n = int(1, 4);
      // No `then`: a fetch answering a thenable that never settles would hang its call, by the user's doing.
      for (let i = 0; i < n; i++) o[pick([...OPTION_KEYS, 'x', 'data', 'length', '0'])] = gen(depth + 1)[0];
      return [o, 'a random object'];
    }
    case 3: return [throwingGetters({}, ...OPTION_KEYS), 'an object whose getters throw'];
    case 4: return [revoked(), 'a revoked proxy'];
    case 5: return [trapProxy(), 'a proxy whose traps throw'];
    case 6: return [new Date(), 'a Date'];
    case 7: return [new Date(NaN), 'an invalid Date'];
    case 8: return [new Map([['a', 1]]), 'a Map'];
    case 9: return [new Set(['a']), 'a Set'];
    case 10: return [new Uint8Array([1, 2, 3]), 'a Uint8Array'];
    case 11: return [new ArrayBuffer(8), 'an ArrayBuffer'];
    case 12: return [new Float64Array(2), 'a Float64Array'];
    case 13: return [new Thing(), 'a class instance'];
    case 14: return [new Error('e'), 'an Error'];
    case 15: return [Promise.resolve('d-1'), 'a Promise'];
    case 16: return [/x/g, 'a RegExp'];
    case 17: return [throwingConversions(), 'an object whose conversions throw'];
    case 18: return [new String('d-1'), 'a String object'];
    case 19: return [new Number(1), 'a Number object'];
    case 20: return [new Boolean(false), 'a Boolean object'];
    case 21: return [new AbortController().signal, 'an AbortSignal'];
    case 22: return [AbortSignal.abort(), 'an aborted AbortSignal'];
    case 23: return [new URL('http://127.0.0.1:9/x'), 'a URL'];
    case 24: return [new WeakMap(), 'a WeakMap'];
    case 25: return [Object.freeze({ deviceId: 'd-1', name: 'f' }), 'a frozen object'];
    case 26: return [{ toJSON: () => { throw new Error('toJSON throws'); }, valueOf: () => 1 }, 'an object whose toJSON throws'];
    default: return [{ [Symbol.toPrimitive]: () => ({}) }, 'an object whose toPrimitive returns an object'];
  }
}

function randomArray(depth) {
  switch (int(0, 7)) {
    case 0: return [[], '[]'];
    case 1: return [throwingElements(int(1, 3)), 'an array whose element getter throws'];
    case 2: return [revoked([]), 'a revoked array proxy'];
    case 3: return [trapProxy([]), 'an array proxy whose traps throw'];
    case 4: {
      const a = [];
      a.length = 1e6;
      return [a, 'a sparse array of length 1e6'];
    }
    case 5: return [[, 'x', , 'y'], 'a sparse array']; // eslint-disable-line no-sparse-arrays
    case 6: return [Object.freeze(['a', 'k:v']), 'a frozen array of strings'];
    default: {
      const n = int(1, 4);
      return [Array.from({ length: n }, () => gen(depth + 1)[0]), `an array of ${n} random values`];
    }
  }
}

function randomFunction() {
  switch (int(0, 7)) {
    case 0: return [() => {}, 'a function returning undefined'];
    case 1: return [() => { throw new Error('function throws'); }, 'a throwing function'];
    case 2: return [async () => {}, 'an async function'];
    case 3: return [class {}, 'a class'];
    case 4: return [revoked(() => {}), 'a revoked function proxy'];
    case 5: return [fuzzFetch, 'the fuzz fetch'];
    case 6: return [() => Promise.reject(revoked()), 'a function rejecting with a revoked proxy'];
    default: return [function named() { return 42; }.bind(null), 'a bound function returning 42'];
  }
}

/** A random value of any type. */
function gen(depth = 0) {
  const r = rng();
  if (r < 0.06) return [undefined, 'undefined'];
  if (r < 0.10) return [null, 'null'];
  if (r < 0.14) return chance(0.5) ? [true, 'true'] : [false, 'false'];
  if (r < 0.26) {
    const n = chance(0.8) ? pick(NUMBERS) : (rng() - 0.5) * 10 ** int(0, 12);
    return [n, `number ${Object.is(n, -0) ? '-0' : n}`];
  }
  if (r < 0.29) {
    const b = pick(BIGINTS);
    return [b, `bigint ${b}`];
  }
  if (r < 0.52) return randomString();
  if (r < 0.55) return pick([[Symbol('s'), 'a symbol'], [Symbol.iterator, 'Symbol.iterator'], [Symbol.for('x'), 'a registered symbol']]);
  if (r < 0.62) return randomFunction();
  if (r < 0.75) return depth > 2 ? [[], '[]'] : randomArray(depth);
  return depth > 2 ? [{}, '{}'] : randomObject(depth);
}

const OPTION_KEYS = ['clientId', 'clientSecret', 'accessToken', 'baseUrl', 'authUrl', 'discoveryUrl', 'organization',
  'timeoutMs', 'signal', 'fetch', 'maxAttempts', 'auth', 'solutionKey', 'environment', 'platform', 'username', 'password',
  'acrossUserIds', 'deviceId', 'ids', 'showDeleted', 'showProperties', 'tags', 'xOrganization', 'name', 'argument',
  'tokenDuration', 'uniqueId', 'templateGuid', 'entityGuid', 'status', 'searchText', 'pageSize', 'sortBy'];

/**
 * Options for a call: usually `base` with some known keys set to random values (sometimes as throwing
 * getters), sometimes a random value instead of an object. Returns [value, description, fuzzedKeys].
 */
function genOptions(base, keys) {
  if (chance(0.12)) {
    const [v, d] = gen();
    return [v, d, null];
  }
  const o = chance(0.85) ? { ...base } : {};
  const fuzzed = {};
  const parts = [];
  for (const key of keys) {
    if (!chance(0.25)) continue;
    if (chance(0.1)) {
      Object.defineProperty(o, key, { enumerable: true, get() { throw new Error(`getter ${key} throws`); } });
      parts.push(`${key}: getter throws`);
      fuzzed[key] = 'getter';
    } else {
      const [v, d] = gen();
      o[key] = v;
      parts.push(`${key}: ${d}`);
      fuzzed[key] = v;
    }
  }
  if (chance(0.05)) {
    o[pick(['unknown', 'then', '__proto__x'])] = gen()[0];
    parts.push('an unknown key');
  }
  return [o, `{${parts.join(', ')}}`, fuzzed];
}

// ---------------------------------------------------------------------------------------------------------
// The random network: canned answers, throws and rejections.

const HTML = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>';
const STATUSES = [200, 200, 200, 200, 201, 204, 301, 302, 303, 307, 308, 400, 401, 403, 404, 408, 409, 412, 429, 500, 502, 503];
const RETRY_AFTER = ['0', '1', '-1', 'abc', '1.5', '', '120', '99999999999', 'Wed, 21 Oct 2015 07:28:00 GMT'];
const LOCATIONS = ['/x', '/arduino/iot/v2/things', `${NOWHERE}/elsewhere`, 'http://127.0.0.2:9/z', 'https://example.invalid/',
  'javascript:alert(1)', '', '//example.invalid/x', 'http://[::1]:9/', '%%%', '?a=1', 'http://user:pass@127.0.0.1:9/'];

/** A body the caller might expect from `url`, or something else. */
function randomBody(url) {
  const u = String(url);
  const r = rng();
  if (r < 0.45) {
    if (/token|Auth\/login|refresh/.test(u)) return tokenBody(chance(0.8) ? 'fuzz-token' : pick(['', 'a\r\nb', 'ü', ' ']));
    if (u.includes('/api/uisdk/')) {
      const base = pick([`${NOWHERE}/iotconnect`, 'ftp://x', '', 'http://127.0.0.1:9']);
      return JSON.stringify({ data: { authBaseUrl: `${base}/auth`, deviceBaseUrl: `${base}/device` }, status: 200 });
    }
    if (u.includes('basic-token')) return JSON.stringify({ data: pick(['basic', '', 42, null]) });
    if (u.includes('/v3/device/')) return JSON.stringify({ code: pick([200, 404, 99999, '200', null]), data: { id: 'd-1' }, message: null });
    if (u.includes('/Device')) return JSON.stringify({ data: pick([[], [{ guid: 'g' }], [{}], {}, null]), status: 200, count: pick([-1, 0, 1, 'x']) });
    return pick(['[]', '[{"id":"d-1"}]', '{"id":"d-1","result":1,"return_value":1}', '{"ok":false,"error":"nope"}']);
  }
  if (r < 0.6) return JSON.stringify(jsonValue(0));
  if (r < 0.7) return HTML;
  if (r < 0.8) return '';
  if (r < 0.9) return pick(['[{"id":', '{"access_token":"a', 'null', 'true', '"x"', '{"data":']);
  return randomString()[0].replace(/[\ud800-\udfff]/g, '?');
}

function jsonValue(depth) {
  const r = rng();
  if (r < 0.2) return pick([null, true, false, 0, -1, 1.5, 1e300]);
  if (r < 0.4) return pick(['', 'x', 'd-1', '\u0000']);
  if (r < 0.7 && depth < 3) return Array.from({ length: int(0, 3) }, () => jsonValue(depth + 1));
  if (depth < 3) return Object.fromEntries(Array.from({ length: int(0, 3) }, () => [pick(['id', 'data', 'code', 'access_token', 'expires_in', 'error']), jsonValue(depth + 1)]));
  return 0;
}

const throwable = () => pick([new Error('fetch failed'), new TypeError('fetch failed'), 'a string', undefined, revoked(), 42,
  new DOMException('aborted', 'AbortError')]);

/** Honours `signal`: rejects with its reason when it fires (or already fired). */
function delayed(response, signal, ms) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => { signal?.removeEventListener?.('abort', onAbort); resolve(response); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    signal?.addEventListener?.('abort', onAbort, { once: true });
  });
}

/** Never hangs: every answer comes within ~15 ms. */
function fuzzFetch(url, init) {
  return fromNetwork(() => fuzzAnswer(url, init));
}

function fuzzAnswer(url, init) {
  const r = rng();
  if (r < 0.03) throw throwable();
  if (r < 0.05) return gen()[0];
  if (r < 0.10) return Promise.reject(throwable());
  if (r < 0.14) {
    return Promise.resolve(pick([
      { get status() { throw new Error('status throws'); } },
      { status: 200, headers: { get() { throw new Error('get throws'); } }, text: async () => '[]' },
      { status: 200, headers: new Headers(), text() { throw new Error('text throws'); } },
      { status: 200, headers: new Headers(), text: () => 42 },
      { status: 'abc', headers: new Headers(), text: async () => '[]' },
      { status: 99999, headers: new Headers(), text: async () => '[]' },
      revoked(),
      null,
    ]));
  }
  const status = chance(0.9) ? pick(STATUSES) : int(200, 599);
  const headers = new Headers();
  if (chance(0.7)) headers.set('content-type', pick(['application/json', 'text/plain', 'text/html', 'application/vnd.goa.error+json']));
  if (chance(0.2)) headers.set('retry-after', pick(RETRY_AFTER));
  if (status >= 300 && status < 400 && chance(0.8)) headers.set('location', pick(LOCATIONS));
  const body = [204, 205, 304].includes(status) ? null : randomBody(url);
  const response = new Response(body, { status, headers });
  return chance(0.5) ? Promise.resolve(response) : delayed(response, init?.signal, int(0, 15));
}

/** For the stable clients (short timeouts): sometimes an answer that only ends when the signal fires. */
function fuzzFetchHanging(url, init) {
  if (fromNetwork(() => chance(0.05)) && init?.signal) {
    const { signal } = init;
    return new Promise((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
  return fuzzFetch(url, init);
}

// ---------------------------------------------------------------------------------------------------------
// Operations

const THINGS_KEYS = ['acrossUserIds', 'deviceId', 'ids', 'showDeleted', 'showProperties', 'tags'];
const CTOR_COMMON = ['timeoutMs', 'signal', 'fetch', 'maxAttempts'];
const CONSTRUCTORS = [
  ['Arduino', Arduino, 'arduino', ['clientId', 'clientSecret', 'accessToken', 'baseUrl', 'organization', ...CTOR_COMMON]],
  ['Particle', Particle, 'particle', ['baseUrl', 'clientId', 'clientSecret', 'auth', ...CTOR_COMMON]],
  ['CThings', CThings, 'cthings', ['clientId', 'clientSecret', 'accessToken', 'authUrl', 'baseUrl', ...CTOR_COMMON]],
  ['IoTConnect', IoTConnect, 'iotconnect',
    ['solutionKey', 'environment', 'platform', 'username', 'password', 'accessToken', 'discoveryUrl', ...CTOR_COMMON]],
];

/** Calls of every method of the four clients with random arguments: [description, () => result]. */
function methodCall(c) {
  const deviceId = pick(['d-1', IDS.particle.online]);
  const specs = [
    ['arduino.things.list', (o) => c.arduino.things.list(o), {}, [...THINGS_KEYS, 'organization']],
    ['arduino.properties.list', (o, id) => c.arduino.properties.list(id, o), {}, ['showDeleted', 'organization'], true],
    ['particle.login', (o) => c.particle.login(o), { username: 'u', password: 'p' }, ['username', 'password', 'tokenDuration']],
    ['particle.listDevices', (o) => c.particle.listDevices(o), {}, ['auth']],
    ['particle.getDevice', (o) => c.particle.getDevice(o), { deviceId }, ['deviceId', 'auth']],
    ['particle.getVariable', (o) => c.particle.getVariable(o), { deviceId, name: 'v' }, ['deviceId', 'name', 'auth']],
    ['particle.callFunction', (o) => c.particle.callFunction(o), { deviceId, name: 'f', argument: 'on' }, ['deviceId', 'name', 'argument', 'auth']],
    ['iotc.devices.list', (o) => c.iotc.devices.list(o), {}, ['uniqueId', 'templateGuid', 'entityGuid', 'status', 'searchText', 'pageSize', 'sortBy']],
  ];
  const r = rng();
  if (r < 0.6) {
    const [name, call, base, keys, withId] = pick(specs);
    const [o, d] = genOptions(base, keys);
    const [id, idd] = chance(0.7) ? ['t-1', "'t-1'"] : gen();
    return [`${name}(${withId ? `${idd}, ` : ''}${d})`, () => call(o, id)];
  }
  const [v, d] = gen();
  return pick([
    [`cthings.devices.get(${d})`, () => c.cthings.devices.get(chance(0.5) ? IDS.cthings.devices[0] : v)],
    [`cthings.devices.getEnvelope(${d})`, () => c.cthings.devices.getEnvelope(chance(0.5) ? IDS.cthings.devices[0] : v)],
    [`iotc.login(${d})`, () => c.iotc.login(v)],
    [`iotc.endpoints(${d})`, () => c.iotc.endpoints(v)],
    [`particle.setDefaultAuth(${d})`, () => c.particle.setDefaultAuth(v)],
    [`arduino.properties.list(${d})`, () => c.arduino.properties.list(v)],
    ['toJSON and JSON.stringify of every client', () => {
      for (const k of ['arduino', 'particle', 'cthings', 'iotc']) JSON.stringify(c[k]);
      return c.arduino.toJSON();
    }],
  ]);
}

/** A random apiClient for IotApi: a good one, one with random settings, or any value. */
function genApiClient() {
  const r = rng();
  if (r < 0.3) {
    const good = new IotApi.ApiClient(`${NOWHERE}/arduino`);
    good.authentications.oauth2.accessToken = 'fuzz-token';
    good.timeout = int(1, 50);
    return [good, 'a good apiClient'];
  }
  if (r < 0.8) {
    const o = { basePath: `${NOWHERE}/arduino`, authentications: { oauth2: { accessToken: 'fuzz-token' } }, timeout: 30 };
    const parts = [];
    for (const key of ['basePath', 'authentications', 'timeout']) {
      if (chance(0.4)) {
        const [v, d] = gen();
        o[key] = v;
        parts.push(`${key}: ${d}`);
      }
    }
    if (chance(0.3)) {
      const [v, d] = gen();
      o.authentications = { oauth2: { accessToken: v } };
      parts.push(`accessToken: ${d}`);
    }
    return [o, `apiClient {${parts.join(', ')}}`];
  }
  return gen();
}

function iotApiCall() {
  const [apiClient, d] = genApiClient();
  if (chance(0.5)) {
    const [o, od] = genOptions({}, [...THINGS_KEYS, 'xOrganization']);
    return [`new ThingsV2Api(${d}).thingsV2List(${od})`, () => new IotApi.ThingsV2Api(apiClient).thingsV2List(o)];
  }
  const [o, od] = genOptions({}, ['showDeleted', 'xOrganization']);
  const [id, idd] = chance(0.6) ? ['t-1', "'t-1'"] : gen();
  return [`new PropertiesV2Api(${d}).propertiesV2List(${idd}, ${od})`, () => {
    const api = new IotApi.PropertiesV2Api(apiClient);
    void api.apiClient;
    return api.propertiesV2List(id, o);
  }];
}

/**
 * A constructor with random options; when it builds a client whose calls stay short (maxAttempts not
 * above 3), one random call on it too.
 */
function constructorCall() {
  const [name, Class, key, keys] = pick(CONSTRUCTORS);
  const base = { ...cannedOptions(fuzzFetch, { maxAttempts: 1, timeoutMs: 50 })[key] };
  const [o, d, fuzzed] = genOptions(base, keys);
  const shortCalls = fuzzed !== null && !(typeof fuzzed.maxAttempts === 'number' && fuzzed.maxAttempts > 3);
  return [`new ${name}(${d})`, () => {
    const client = new Class(o);
    JSON.stringify(client);
    if (!shortCalls) return client;
    const method = {
      Arduino: () => client.things.list({}),
      Particle: () => client.listDevices({ auth: 'fuzz-token' }),
      CThings: () => client.devices.get(IDS.cthings.devices[0]),
      IoTConnect: () => (chance(0.5) ? client.devices.list({}) : client.login()),
    }[name];
    return method();
  }];
}

// ---------------------------------------------------------------------------------------------------------
// The run

test(`fuzz: random values into every method and constructor for ${FUZZ_MS} ms`, { timeout: FUZZ_MS + 120_000 }, async () => {
  console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} repeats the inputs), ${FUZZ_MS} ms`);
  const watch = watchProcess();
  const restore = replaceGlobalFetch(fuzzFetch);
  const failures = new Map();
  const errorTypes = {};
  let calls = 0;
  let settledLate = 0;
  const fail = (what, problem) => {
    const key = problem.replace(/\d+/g, 'N').slice(0, 160);
    const f = failures.get(key) ?? { count: 0, example: `${what}: ${problem}` };
    f.count++;
    failures.set(key, f);
  };
  const checkError = (what, err, how) => {
    const type = err instanceof CloudError ? `CloudError(${err.code})` : describeError(err).split(':')[0];
    errorTypes[type] = (errorTypes[type] ?? 0) + 1;
    if (!(err instanceof CloudError)) fail(what, `${how} ${describeError(err)}`);
    else if (typeof err.code !== 'string' || !err.code) fail(what, `${how} a CloudError without a code`);
  };
  try {
    const stable = () => {
      const o = cannedOptions(fuzzFetchHanging, { maxAttempts: 1, timeoutMs: int(1, 40) });
      return {
        arduino: new Arduino(o.arduino), particle: new Particle(o.particle), cthings: new CThings(o.cthings),
        iotc: new IoTConnect(o.iotconnect),
      };
    };
    let clients = stable();
    const inflight = new Set();
    const deadline = Date.now() + FUZZ_MS;
    while (Date.now() < deadline) {
      if (chance(0.02)) clients = stable();
      for (let i = 0; i < 100; i++) {
        const r = rng();
        const [what, run] = r < 0.6 ? methodCall(clients) : r < 0.8 ? iotApiCall() : constructorCall();
        calls++;
        let result;
        try {
          result = run();
        } catch (err) {
          checkError(what, err, 'threw');
          continue;
        }
        if (result instanceof Promise) {
          const entry = { what };
          inflight.add(entry);
          result.then(() => {}, (err) => checkError(what, err, 'rejected')).finally(() => inflight.delete(entry));
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
      // Calls that wait (timeouts, a Retry-After) stay in flight while new ones start, up to a bound.
      while (inflight.size > 1000 && Date.now() < deadline) await sleep(5);
    }
    const drainUntil = Date.now() + 15_000;
    while (inflight.size && Date.now() < drainUntil) await sleep(20);
    settledLate = inflight.size;
    for (const entry of [...inflight].slice(0, 5)) fail(entry.what, 'did not settle within 15 s after the run');
    console.log(`fuzz: ${calls} calls; outcomes: ${JSON.stringify(errorTypes)}`);
    restore();
    const lines = [...failures.values()].sort((a, b) => b.count - a.count)
      .map((f) => `${f.count}× ${f.example}`).slice(0, 30);
    assert.equal(failures.size, 0, `seed ${SEED}: ${failures.size} kinds of wrong outcome${settledLate ? ` (${settledLate} calls never settled)` : ''}:\n  ${lines.join('\n  ')}`);
    await watch.check();

    // Fresh clients against the simulator.
    await within(20_000, (async () => {
      assert.equal((await sim.arduino().things.list({})).length, 3);
      const particle = sim.particle();
      await particle.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
      assert.equal((await particle.getDevice({ deviceId: IDS.particle.online })).body.id, IDS.particle.online);
      assert.equal((await sim.cthings().devices.get(IDS.cthings.devices[0])).id, IDS.cthings.devices[0]);
      assert.equal((await sim.iotconnect().devices.list({ pageSize: 1000 })).data.length, 250);
      const apiClient = new IotApi.ApiClient(sim.arduinoBase);
      apiClient.authentications.oauth2.accessToken = await sim.arduinoToken();
      assert.equal((await new IotApi.ThingsV2Api(apiClient).thingsV2List({})).length, 3);
    })(), 'normal calls after the fuzz run');
    await watch.check();
  } finally {
    restore();
    watch.stop();
  }
});
