// Hostile JavaScript values never unwind through wasm: throwing getters, revoked proxies, proxies whose traps
// throw, array elements that throw, a misbehaving user `fetch` and a signal whose `aborted` throws. Every
// method rejects with a CloudError (`invalid_argument` for bad user values), constructors throw one, nothing
// is sent, and the clients keep working — also after 100,000 such calls.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  useSimulator, CREDENTIALS, IDS, Arduino, Particle, CThings, IoTConnect, CloudError, IotApi, within,
  rejectsWith, INSTALLED,
} from './support.mjs';
import {
  revoked, trapProxy, throwingGetters, throwingElements, throwingConversions, throwingSignal, callSync,
  describeError, watchProcess, gate, replaceGlobalFetch, cannedLogin, cannedOptions, JSON_HEADERS,
} from './hostile.mjs';

const sim = useSimulator();
const T = { timeout: 120_000 };
const manifest = JSON.parse(fs.readFileSync(path.join(INSTALLED.esm, 'package.json'), 'utf8'));
const ESM_ENTRY = path.join(INSTALLED.esm, manifest.exports['.'].node.import);

const ARG = ['invalid_argument'];
/** A user fetch that misbehaves: the package may call that a bad value, a failed fetch or a bad answer. */
const FETCH_CODES = ['invalid_argument', 'network_error', 'invalid_response'];
/** A signal whose `aborted` getter throws: a bad value (or, at worst, taken as aborted). */
const SIGNAL_CODES = ['invalid_argument', 'aborted'];

const THINGS_KEYS = ['acrossUserIds', 'deviceId', 'ids', 'showDeleted', 'showProperties', 'tags'];
const CONSTRUCTOR_COMMON = ['timeoutMs', 'signal', 'fetch', 'maxAttempts'];

// ---------------------------------------------------------------------------------------------------------
// Cases: {name, run, mode, codes}. `mode` is 'async' (must return a promise that rejects), 'sync' (must
// throw) or 'either' (a constructor and a call in one: a throw from the constructor or a rejection).

/** Whole-value hostile arguments: [label, factory]. */
const WHOLE = [
  ['a revoked proxy', () => revoked()],
  ['a revoked array proxy', () => revoked([])],
  ['a proxy whose traps throw', () => trapProxy()],
  ['an array proxy whose traps throw', () => trapProxy([])],
];
const ARRAYS = [
  ['an array whose element getter throws', () => throwingElements()],
  ['a revoked array proxy', () => revoked([])],
  ['an array proxy whose traps throw', () => trapProxy([])],
];
const IDS_HOSTILE = [...WHOLE, ['an object whose conversions throw', () => throwingConversions()]];

/** Cases for a method taking an options object: the whole object, then each key as a throwing getter. */
function optionCases(name, call, base, keys, arrayKeys = []) {
  const cases = [];
  for (const [label, make] of WHOLE) cases.push({ name: `${name}(${label})`, run: () => call(make()) });
  for (const key of keys) {
    cases.push({ name: `${name}({${key}: getter throws})`, run: () => call(throwingGetters(base, key)) });
    cases.push({ name: `${name}({${key}: revoked proxy})`, run: () => call({ ...base, [key]: revoked() }) });
  }
  for (const key of arrayKeys) {
    for (const [label, make] of ARRAYS) {
      cases.push({ name: `${name}({${key}: ${label}})`, run: () => call({ ...base, [key]: make() }) });
    }
  }
  return cases;
}

function idCases(name, call) {
  return IDS_HOSTILE.map(([label, make]) => ({ name: `${name}(${label})`, run: () => call(make()) }));
}

function arduinoCases({ arduino }) {
  const thing = IDS.arduino.things.weatherStation;
  return [
    ...optionCases('arduino.things.list', (o) => arduino.things.list(o), {}, [...THINGS_KEYS, 'organization'], ['ids', 'tags']),
    ...optionCases('arduino.properties.list', (o) => arduino.properties.list(thing, o), {}, ['showDeleted', 'organization']),
    ...idCases('arduino.properties.list', (id) => arduino.properties.list(id, {})),
  ];
}

function particleCases({ particle }) {
  const deviceId = IDS.particle.online;
  const { username, password } = CREDENTIALS.particle;
  return [
    ...optionCases('particle.login', (o) => particle.login(o), { username, password }, ['username', 'password', 'tokenDuration']),
    ...optionCases('particle.listDevices', (o) => particle.listDevices(o), {}, ['auth']),
    ...optionCases('particle.getDevice', (o) => particle.getDevice(o), { deviceId }, ['deviceId', 'auth']),
    ...optionCases('particle.getVariable', (o) => particle.getVariable(o), { deviceId, name: 'temperature' },
      ['deviceId', 'name', 'auth']),
    ...optionCases('particle.callFunction', (o) => particle.callFunction(o), { deviceId, name: 'led', argument: 'on' },
      ['deviceId', 'name', 'argument', 'auth']),
    ...IDS_HOSTILE.map(([label, make]) => ({
      name: `particle.setDefaultAuth(${label})`, run: () => particle.setDefaultAuth(make()), mode: 'sync',
    })),
  ];
}

function cthingsCases({ cthings }) {
  return [
    ...idCases('cthings.devices.get', (id) => cthings.devices.get(id)),
    ...idCases('cthings.devices.getEnvelope', (id) => cthings.devices.getEnvelope(id)),
  ];
}

function iotconnectCases({ iotc }) {
  const keys = ['uniqueId', 'templateGuid', 'entityGuid', 'status', 'searchText', 'pageSize', 'sortBy'];
  return optionCases('iotc.devices.list', (o) => iotc.devices.list(o), {}, keys);
}

/** IotApi: apiClients whose getters throw, and hostile options with a good apiClient. */
function iotApiCases({ apiClient }) {
  const thing = IDS.arduino.things.weatherStation;
  const good = { basePath: apiClient.basePath, authentications: apiClient.authentications, timeout: 5000 };
  const clients = [
    ...WHOLE,
    ['an apiClient whose basePath getter throws', () => throwingGetters(good, 'basePath')],
    ['an apiClient whose authentications getter throws', () => throwingGetters(good, 'authentications')],
    ['an apiClient whose timeout getter throws', () => throwingGetters(good, 'timeout')],
    ['an apiClient whose basePath is a revoked proxy', () => ({ ...good, basePath: revoked() })],
    ['an apiClient whose authentications is a revoked proxy', () => ({ ...good, authentications: revoked() })],
    ['an apiClient whose oauth2 is a revoked proxy', () => ({ ...good, authentications: { oauth2: revoked() } })],
    ['an apiClient whose oauth2.accessToken getter throws', () => ({
      ...good, authentications: { oauth2: throwingGetters({ type: 'oauth2' }, 'accessToken') },
    })],
    ['an apiClient whose timeout is a proxy whose traps throw', () => ({ ...good, timeout: trapProxy() })],
  ];
  const cases = [];
  for (const [label, make] of clients) {
    cases.push({
      name: `PropertiesV2Api(${label}).propertiesV2List`, mode: 'either',
      run: () => new IotApi.PropertiesV2Api(make()).propertiesV2List(thing, {}),
    });
    cases.push({
      name: `ThingsV2Api(${label}).thingsV2List`, mode: 'either',
      run: () => new IotApi.ThingsV2Api(make()).thingsV2List({}),
    });
  }
  const props = new IotApi.PropertiesV2Api(apiClient);
  const things = new IotApi.ThingsV2Api(apiClient);
  cases.push(
    ...optionCases('propertiesV2List', (o) => props.propertiesV2List(thing, o), {}, ['showDeleted', 'xOrganization']),
    ...idCases('propertiesV2List', (id) => props.propertiesV2List(id, {})),
    ...optionCases('thingsV2List', (o) => things.thingsV2List(o), {}, [...THINGS_KEYS, 'xOrganization'], ['ids', 'tags']),
  );
  return cases;
}

/** Each constructor with the whole options hostile, and each known key as a throwing getter or a proxy. */
function constructorCases(fetch) {
  const { arduino: a, cthings: c, iotconnect: i } = CREDENTIALS;
  const url = sim.url;
  const specs = [
    ['Arduino', (o) => new Arduino(o), { clientId: a.clientId, clientSecret: a.clientSecret, baseUrl: `${url}/arduino`, fetch },
      ['clientId', 'clientSecret', 'accessToken', 'baseUrl', 'organization', ...CONSTRUCTOR_COMMON]],
    ['Particle', (o) => new Particle(o), { baseUrl: `${url}/particle`, fetch },
      ['baseUrl', 'clientId', 'clientSecret', 'auth', ...CONSTRUCTOR_COMMON]],
    ['CThings', (o) => new CThings(o), {
      clientId: c.clientId, clientSecret: c.clientSecret, authUrl: `${url}/cthings-auth`, baseUrl: `${url}/cthings`, fetch,
    }, ['clientId', 'clientSecret', 'accessToken', 'authUrl', 'baseUrl', ...CONSTRUCTOR_COMMON]],
    ['IoTConnect', (o) => new IoTConnect(o), {
      solutionKey: i.solutionKey, environment: i.env, platform: i.platform, username: i.username, password: i.password,
      discoveryUrl: `${url}/iotconnect-discovery`, fetch,
    }, ['solutionKey', 'environment', 'platform', 'username', 'password', 'accessToken', 'discoveryUrl', ...CONSTRUCTOR_COMMON]],
  ];
  const cases = [];
  for (const [cls, make, base, keys] of specs) {
    for (const [label, value] of WHOLE) cases.push({ name: `new ${cls}(${label})`, run: () => make(value()), mode: 'sync' });
    for (const key of keys) {
      cases.push({ name: `new ${cls}({${key}: getter throws})`, run: () => make(throwingGetters(base, key)), mode: 'sync' });
      cases.push({ name: `new ${cls}({${key}: revoked proxy})`, run: () => make({ ...base, [key]: revoked() }), mode: 'sync' });
      cases.push({ name: `new ${cls}({${key}: proxy whose traps throw})`, run: () => make({ ...base, [key]: trapProxy() }), mode: 'sync' });
    }
  }
  // A revoked proxy of a function has typeof 'function': refusing it at once or when it is called are both fine.
  cases.push({
    name: 'new Particle({fetch: revoked function proxy}).listDevices',
    mode: 'either',
    codes: [...ARG, ...FETCH_CODES],
    run: () => new Particle({ auth: 't', baseUrl: `${url}/particle`, fetch: revoked(() => {}) }).listDevices({}),
  });
  return cases;
}

// A user fetch that misbehaves, and the answers it would otherwise give (so that ignoring the flaw would
// succeed, and be noticed).
function apiBody(url) {
  const u = String(url);
  if (u.includes('/v3/device/')) return { api: 'cThings Cloud API', code: 200, data: { id: 'd-1' }, message: null };
  if (u.includes('/Device')) return { data: [], status: 200, count: 0 };
  if (/\/v1\/devices\/[^/?]+/.test(u)) return { id: 'd-1', name: 'd', result: 1, return_value: 1 };
  return [];
}
const goodText = (url) => {
  const login = cannedLogin(url);
  return login ? null : JSON.stringify(apiBody(url));
};
async function bodyOf(url) {
  return goodText(url) ?? cannedLogin(url).text();
}
const headersGetThrows = { get() { throw new Error('headers.get throws'); }, has() { throw new Error('headers.has throws'); } };
const FETCH_VARIANTS = [
  ['fetch throws synchronously', () => { throw new Error('fetch throws'); }],
  ['fetch throws a revoked proxy', () => { throw revoked(); }],
  ['fetch returns a number, not a promise', () => 42],
  ['fetch returns a revoked proxy', () => revoked()],
  ['fetch rejects with a revoked proxy', () => Promise.reject(revoked())],
  ['fetch resolves to an object whose status getter throws', async (url) => ({
    get status() { throw new Error('status getter throws'); }, headers: new Headers(), text: async () => bodyOf(url),
  })],
  ['Response.text throws synchronously', async () => ({
    status: 200, ok: true, headers: new Headers(JSON_HEADERS), text() { throw new Error('text throws'); },
  })],
  ['Response.text returns a number, not a promise', async () => ({ status: 200, ok: true, headers: new Headers(), text: () => 42 })],
  ['Response.text is a revoked proxy', async () => ({ status: 200, ok: true, headers: new Headers(), text: revoked(() => '') })],
  ['Response.headers.get throws', async (url) => ({
    status: 200, ok: true, headers: headersGetThrows, text: async () => bodyOf(url),
  })],
  ['Response.headers is a revoked proxy', async (url) => ({
    status: 200, ok: true, headers: revoked(), text: async () => bodyOf(url),
  })],
];

function networkCalls(c) {
  const p = { deviceId: 'd-1', auth: 'canned-token' };
  return [
    ['arduino.things.list', () => c.arduino.things.list({})],
    ['arduino.properties.list', () => c.arduino.properties.list('t-1', {})],
    ['particle.login', () => c.particle.login({ username: 'u', password: 'p' })],
    ['particle.listDevices', () => c.particle.listDevices({})],
    ['particle.getDevice', () => c.particle.getDevice(p)],
    ['particle.getVariable', () => c.particle.getVariable({ ...p, name: 'v' })],
    ['particle.callFunction', () => c.particle.callFunction({ ...p, name: 'f', argument: 'on' })],
    ['cthings.devices.get', () => c.cthings.devices.get(IDS.cthings.devices[0])],
    ['cthings.devices.getEnvelope', () => c.cthings.devices.getEnvelope(IDS.cthings.devices[0])],
    ['iotc.login', () => c.iotc.login()],
    ['iotc.endpoints', () => c.iotc.endpoints()],
    ['iotc.devices.list', () => c.iotc.devices.list({})],
  ];
}

function clientsFor(fetch, extra) {
  const o = cannedOptions(fetch, { maxAttempts: 1, timeoutMs: 2000, ...extra });
  return {
    arduino: new Arduino(o.arduino), particle: new Particle(o.particle), cthings: new CThings(o.cthings),
    iotc: new IoTConnect(o.iotconnect),
  };
}

function fetchCases() {
  const cases = [];
  for (const [label, fetch] of FETCH_VARIANTS) {
    const clients = clientsFor(fetch);
    const mayResolve = label.startsWith('Response.headers');
    for (const [method, run] of networkCalls(clients)) cases.push({ name: `${method} when ${label}`, run, codes: FETCH_CODES, mayResolve });
  }
  return cases;
}

/** Clients whose signal passes the constructor's check, then throws from `aborted`. */
function signalCases() {
  const { signal, arm } = throwingSignal();
  const fetch = async (url, init) => cannedLogin(url) ?? new Response(JSON.stringify(apiBody(url)), { status: 200, headers: JSON_HEADERS });
  const clients = clientsFor(fetch, { signal });
  arm();
  return networkCalls(clients).map(([method, run]) => ({
    name: `${method} when the signal's aborted getter throws`, run, codes: SIGNAL_CODES,
  }));
}

// ---------------------------------------------------------------------------------------------------------
// Running cases

/** A reason the outcome of `c` is wrong, or null. */
function check(c) {
  const codes = c.codes ?? ARG;
  const mode = c.mode ?? 'async';
  const cloud = (err) => {
    if (!(err instanceof CloudError)) return `not a CloudError: ${describeError(err)}`;
    if (!codes.includes(err.code)) return `CloudError code ${err.code}, expected ${codes.join(' or ')} (${err.message})`;
    return null;
  };
  const r = callSync(c.run);
  if (r.threw) return Promise.resolve(mode === 'async' ? `threw synchronously: ${describeError(r.error)}` : cloud(r.error));
  if (mode === 'sync') return Promise.resolve(`returned ${r.value?.constructor?.name ?? typeof r.value} instead of throwing`);
  if (!(r.value instanceof Promise)) return Promise.resolve(`returned ${typeof r.value}, not a promise`);
  // `mayResolve`: a fault the client can do without (response headers it cannot read only lose
  // Retry-After), so a correct answer is fine too.
  const resolved = c.mayResolve ? () => null : (v) => `resolved instead of rejecting (${Array.isArray(v) ? `array of ${v.length}` : typeof v})`;
  return r.value.then(resolved, cloud);
}

/**
 * Runs `total` calls cycling through `cases`, `chunk` at a time. Returns `{calls, failures, pending}`;
 * a chunk whose calls do not all settle within `bound` ms stops the run, and `pending` names those calls.
 */
async function runCases(cases, total = cases.length, chunk = 1000, bound = 10_000) {
  const failures = new Map();
  let calls = 0;
  while (calls < total) {
    const batch = [];
    const unsettled = new Set();
    for (let j = 0; j < chunk && calls < total; j++, calls++) {
      const c = cases[calls % cases.length];
      const token = {};
      unsettled.add(token);
      token.name = c.name;
      batch.push(check(c).then((problem) => {
        unsettled.delete(token);
        if (!problem) return;
        const f = failures.get(c.name) ?? { count: 0, problem };
        f.count++;
        failures.set(c.name, f);
      }));
    }
    try {
      await within(bound, Promise.all(batch), 'a chunk of calls');
    } catch {
      return { calls, failures, pending: [...new Set([...unsettled].map((t) => t.name))] };
    }
  }
  return { calls, failures, pending: [] };
}

function summary(failures, limit = 40) {
  const lines = [...failures].map(([name, f]) => `${f.count}× ${name}: ${f.problem}`);
  const total = [...failures.values()].reduce((n, f) => n + f.count, 0);
  return `${total} wrong outcomes in ${failures.size} cases:\n  ${lines.slice(0, limit).join('\n  ')}${lines.length > limit ? `\n  … ${lines.length - limit} more` : ''}`;
}

/** Clients of the four vendors on the simulator, sending through `g.fetch`; Particle logged in. */
async function simulatorClients(g) {
  const clients = {
    arduino: sim.arduino({ fetch: g.fetch }),
    particle: sim.particle({ fetch: g.fetch }),
    cthings: sim.cthings({ fetch: g.fetch }),
    iotc: sim.iotconnect({ fetch: g.fetch }),
  };
  const { username, password } = CREDENTIALS.particle;
  await clients.particle.login({ username, password });
  const apiClient = new IotApi.ApiClient(sim.arduinoBase);
  apiClient.authentications.oauth2.accessToken = await sim.arduinoToken();
  clients.apiClient = apiClient;
  return clients;
}

/** Normal calls on `clients` and on new clients all succeed against the simulator. */
async function assertClientsWork(clients) {
  const thing = IDS.arduino.things.weatherStation;
  const fresh = {
    arduino: sim.arduino(), particle: sim.particle(),
    cthings: sim.cthings(), iotc: sim.iotconnect(),
  };
  const { username, password } = CREDENTIALS.particle;
  await fresh.particle.login({ username, password });
  for (const [label, c] of [['the same clients', clients], ['new clients', fresh]]) {
    const say = (what) => `${what} on ${label}`;
    assert.equal((await c.arduino.things.list({})).length, 3, say('arduino.things.list'));
    assert.ok(Array.isArray(await c.arduino.properties.list(thing, {})), say('arduino.properties.list'));
    assert.equal((await c.particle.listDevices({})).statusCode, 200, say('particle.listDevices'));
    assert.equal((await c.particle.getDevice({ deviceId: IDS.particle.online })).body.id, IDS.particle.online, say('particle.getDevice'));
    assert.equal((await c.cthings.devices.get(IDS.cthings.devices[0])).id, IDS.cthings.devices[0], say('cthings.devices.get'));
    assert.equal((await c.iotc.devices.list({ pageSize: 1000 })).data.length, 250, say('iotc.devices.list'));
  }
  const apiClient = clients.apiClient;
  assert.equal((await new IotApi.ThingsV2Api(apiClient).thingsV2List({})).length, 3, 'thingsV2List');
  assert.ok(Array.isArray(await new IotApi.PropertiesV2Api(apiClient).propertiesV2List(thing, {})), 'propertiesV2List');
}

/**
 * Runs `cases` `total` times in all with the network shut (the clients' fetch and the global one, which
 * IotApi uses), then checks the outcomes, that nothing reached fetch, that the process saw no uncaught
 * error, and that the clients still work.
 */
async function hostileRun(makeCases, total) {
  const watch = watchProcess();
  const g = gate();
  const globalGate = gate();
  let restore;
  try {
    const clients = await within(10_000, simulatorClients(g), 'logging in on the simulator before the run');
    const cases = makeCases(clients, g);
    g.open = false;
    globalGate.open = false;
    restore = replaceGlobalFetch(globalGate.fetch);
    const started = Date.now();
    const { calls, failures, pending } = await runCases(cases, total ?? cases.length);
    console.log(`${calls} calls over ${cases.length} cases in ${Date.now() - started} ms`);
    restore();
    g.open = true;
    assert.deepEqual(pending, [], `calls that never settled (the run stopped after ${calls} calls); ${summary(failures)}`);
    assert.equal(failures.size, 0, summary(failures));
    await watch.check();
    assert.deepEqual([...g.blocked, ...globalGate.blocked].slice(0, 10), [],
      `${g.blocked.length + globalGate.blocked.length} requests reached fetch although a hostile value should have stopped them`);
    await within(20_000, assertClientsWork(clients), 'normal calls after the run');
    await watch.check();
  } finally {
    restore?.();
    watch.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The two reported defects, each in a plain Node process of its own (no listeners, a wasm instance of its
// own): the script prints a JSON summary, and must exit normally.

/** Runs `body` as an ES module in a new Node process with the installed package imported as `pkg`. */
function runScript(body) {
  const script = `import * as pkg from ${JSON.stringify(pathToFileURL(ESM_ENTRY).href)};
const { Arduino, Particle, CloudError } = pkg;
const canned = async (url) => String(url).includes('/token')
  ? new Response('{"access_token":"t","expires_in":3600,"token_type":"Bearer"}', { status: 200 })
  : new Response('[{"id":"t-1"}]', { status: 200, headers: { 'content-type': 'application/json' } });
const describe = (e) => e instanceof CloudError ? 'CloudError ' + e.code : (e?.constructor?.name ?? typeof e) + ': ' + e?.message;
${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout.trim(), stderr: r.stderr.trim().split('\n').slice(0, 8).join('\n') };
}

test('particle.login(revoked proxy) rejects with invalid_argument and the process lives on', T, () => {
  const r = runScript(`
const particle = new Particle({ auth: 't', baseUrl: 'http://127.0.0.1:9/particle', fetch: canned });
const { proxy, revoke } = Proxy.revocable({}, {});
revoke();
let login;
try { await particle.login(proxy); login = 'resolved'; } catch (e) { login = describe(e); }
const after = await particle.listDevices({}).then((r) => r.statusCode, describe);
console.log(JSON.stringify({ login, after }));`);
  assert.equal(r.status, 0, `the process ended with ${r.status ?? r.signal}: ${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout), { login: 'CloudError invalid_argument', after: 200 });
});

test('2,500 calls of things.list({ids}) with a throwing element getter leave every client working', T, () => {
  const r = runScript(`
const options = { clientId: 'x', clientSecret: 'y', baseUrl: 'http://127.0.0.1:9/arduino', fetch: canned };
const arduino = new Arduino(options);
const ids = ['x'];
Object.defineProperty(ids, 0, { get() { throw new Error('boom'); } });
const seen = {};
for (let i = 0; i < 2500; i++) {
  let outcome;
  try { await arduino.things.list({ ids }); outcome = 'resolved'; } catch (e) { outcome = describe(e); }
  seen[outcome] = (seen[outcome] ?? 0) + 1;
}
const same = await Promise.resolve().then(() => arduino.things.list({})).then((t) => t.length, describe);
const fresh = await Promise.resolve().then(() => new Arduino(options).things.list({})).then((t) => t.length, describe);
const particle = await Promise.resolve().then(() => new Particle({ auth: 't', baseUrl: 'http://127.0.0.1:9/particle', fetch: canned }).listDevices({})).then((r) => r.statusCode, describe);
console.log(JSON.stringify({ seen, same, fresh, particle }));`);
  assert.equal(r.status, 0, `the process ended with ${r.status ?? r.signal}: ${r.stderr}`);
  assert.deepEqual(JSON.parse(r.stdout), { seen: { 'CloudError invalid_argument': 2500 }, same: 1, fresh: 1, particle: 200 });
});

// ---------------------------------------------------------------------------------------------------------
// One test per class, each case once; then the small defects; then 100,000 calls over all of them.

test('Arduino: hostile options and ids reject with invalid_argument, nothing is sent', T, async () => {
  await hostileRun((c) => arduinoCases(c));
});

test('Particle: hostile options reject with invalid_argument; setDefaultAuth throws', T, async () => {
  await hostileRun((c) => particleCases(c));
});

test('cThings: hostile device ids reject with invalid_argument', T, async () => {
  await hostileRun((c) => cthingsCases(c));
});

test('IoTConnect: hostile list options reject with invalid_argument', T, async () => {
  await hostileRun((c) => iotconnectCases(c));
});

test('IotApi: apiClients whose getters throw and hostile options reject with invalid_argument', T, async () => {
  await hostileRun((c) => iotApiCases(c));
});

test('constructors throw a CloudError for hostile options and option values', T, async () => {
  await hostileRun((c, g) => constructorCases(g.fetch));
});

test('a user fetch that throws, returns a non-promise or a broken Response: a CloudError from every method', T, async () => {
  await hostileRun(() => fetchCases());
});

test('a user signal whose aborted getter throws: a CloudError from every method', T, async () => {
  await hostileRun(() => signalCases());
});

test('an option getter that throws (a base URL) makes the constructor throw invalid_argument', T, () => {
  const { arduino: a, cthings: c, iotconnect: i } = CREDENTIALS;
  const cases = [
    ['Arduino', 'baseUrl', (o) => new Arduino(o), { clientId: a.clientId, clientSecret: a.clientSecret }],
    ['Particle', 'baseUrl', (o) => new Particle(o), {}],
    ['CThings', 'authUrl', (o) => new CThings(o), { clientId: c.clientId, clientSecret: c.clientSecret, baseUrl: `${sim.url}/cthings` }],
    ['CThings', 'baseUrl', (o) => new CThings(o), { clientId: c.clientId, clientSecret: c.clientSecret, authUrl: `${sim.url}/cthings-auth` }],
    ['IoTConnect', 'discoveryUrl', (o) => new IoTConnect(o), {
      solutionKey: i.solutionKey, environment: i.env, platform: i.platform, username: i.username, password: i.password,
    }],
  ];
  const wrong = [];
  for (const [cls, key, make, base] of cases) {
    const r = callSync(() => make(throwingGetters({ ...base, fetch: () => Promise.reject(new Error('no network')) }, key)));
    if (!r.threw) wrong.push(`new ${cls}({${key}: getter throws}) built a client: ${JSON.stringify(r.value)}`);
    else if (!(r.error instanceof CloudError) || r.error.code !== 'invalid_argument') {
      wrong.push(`new ${cls}({${key}: getter throws}) threw ${describeError(r.error)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('IotApi: an apiClient.basePath that is not a string rejects invalid_argument', T, async () => {
  const g = gate();
  g.open = false;
  const restore = replaceGlobalFetch(g.fetch);
  try {
    for (const basePath of [42, true, {}, ['http://127.0.0.1:9']]) {
      const apiClient = new IotApi.ApiClient();
      apiClient.basePath = basePath;
      apiClient.authentications.oauth2.accessToken = 'some-token';
      await rejectsWith(new IotApi.ThingsV2Api(apiClient).thingsV2List({}), { code: 'invalid_argument', vendor: 'arduino' });
      await rejectsWith(new IotApi.PropertiesV2Api(apiClient).propertiesV2List(IDS.arduino.things.weatherStation, {}), {
        code: 'invalid_argument', vendor: 'arduino',
      });
    }
  } finally {
    restore();
  }
  assert.deepEqual(g.blocked, [], 'no request was sent (to the default host or anywhere)');
});

test('100,000 calls with throwing getters and revoked proxies over every method and constructor', T, async () => {
  await hostileRun((c, g) => [
    ...arduinoCases(c), ...particleCases(c), ...cthingsCases(c), ...iotconnectCases(c), ...iotApiCases(c),
    ...constructorCases(g.fetch), ...fetchCases(), ...signalCases(),
  ], 100_000);
});
