// Nothing can make the wasm trap or balloon: strings longer than 65,536 characters (a 95-million-character
// function argument, a 10 MB device id, a huge client secret) are refused with `invalid_argument` before
// they are copied into wasm memory; afterwards the clients work and wasm memory grew by at most 1 MiB.
import test from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, CREDENTIALS, IDS, Arduino, Particle, CThings, IoTConnect, CloudError, IotApi, within } from './support.mjs';
import { callSync, describeError, gate, replaceGlobalFetch, wasmStats, watchProcess } from './hostile.mjs';

const sim = useSimulator();
const T = { timeout: 120_000 };
const MiB = 1024 * 1024;
const LIMIT = 65_536;

const BIG = 'x'.repeat(95e6);
const TEN_MB = 'd'.repeat(10e6);

/** Clients of the simulator sending through `g.fetch`, Particle logged in, an IotApi client with a token. */
async function clients(g) {
  const c = {
    arduino: sim.arduino({ fetch: g.fetch, maxAttempts: 1 }),
    particle: sim.particle({ fetch: g.fetch, maxAttempts: 1 }),
    cthings: sim.cthings({ fetch: g.fetch, maxAttempts: 1 }),
    iotc: sim.iotconnect({ fetch: g.fetch, maxAttempts: 1 }),
  };
  const { username, password } = CREDENTIALS.particle;
  await c.particle.login({ username, password });
  // Warm-up: tokens cached, discovery done, wasm memory at its working size.
  await c.arduino.things.list({});
  await c.cthings.devices.get(IDS.cthings.devices[0]);
  await c.iotc.devices.list({ pageSize: 1000 });
  return c;
}

/** Normal calls on `c` succeed against the simulator. */
async function assertWorks(c) {
  assert.equal((await c.arduino.things.list({})).length, 3);
  assert.equal((await c.particle.getDevice({ deviceId: IDS.particle.online })).body.id, IDS.particle.online);
  assert.equal((await c.cthings.devices.get(IDS.cthings.devices[0])).id, IDS.cthings.devices[0]);
  assert.equal((await c.iotc.devices.list({ pageSize: 1000 })).data.length, 250);
  assert.equal((await sim.particle({ auth: undefined }).login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password })).statusCode, 200, 'a new client');
}

/** The problem with an outcome that should have been an `invalid_argument` CloudError, or null. */
async function problemWith(name, run, mode) {
  const r = callSync(run);
  let err;
  if (r.threw) {
    if (mode === 'async') return `${name}: threw synchronously: ${describeError(r.error)}`;
    err = r.error;
  } else if (mode === 'sync') {
    return `${name}: returned ${r.value?.constructor?.name} instead of throwing`;
  } else {
    try {
      const value = await within(30_000, r.value, name);
      return `${name}: resolved (${JSON.stringify(value)?.slice(0, 80)})`;
    } catch (e) {
      err = e;
    }
  }
  if (!(err instanceof CloudError)) return `${name}: ${describeError(err)}`;
  if (err.code !== 'invalid_argument') return `${name}: CloudError code ${err.code}: ${err.message.slice(0, 120)}`;
  if (err.message.length > 1000) return `${name}: the message is ${err.message.length} characters long`;
  return null;
}

/**
 * Runs `cases` ([name, run, mode]) with the network shut, then checks: each is refused with
 * invalid_argument, nothing reached fetch, wasm memory grew ≤ 1 MiB, and the clients work.
 */
async function refuseAll(makeCases) {
  const watch = watchProcess();
  const g = gate();
  const globalGate = gate();
  let restore;
  try {
    const c = await within(20_000, clients(g), 'warm-up on the simulator');
    const cases = makeCases(c);
    const before = wasmStatsOrNull();
    g.open = false;
    globalGate.open = false;
    restore = replaceGlobalFetch(globalGate.fetch);
    const problems = [];
    for (const [name, run, mode = 'async'] of cases) {
      const p = await problemWith(name, run, mode);
      if (p) problems.push(p);
    }
    restore();
    g.open = true;
    assert.deepEqual(problems, [], `${problems.length} of ${cases.length} huge strings were not refused`);
    const sent = [...g.blocked, ...globalGate.blocked].map((r) => r.slice(0, 100));
    assert.deepEqual(sent, [], 'nothing was sent');
    const after = wasmStats();
    assert.ok(before, 'wasm figures before the run');
    console.log(`wasm memory ${before.memoryBytes} → ${after.memoryBytes} B, externrefs ${before.externrefs} → ${after.externrefs}`);
    assert.ok(after.memoryBytes - before.memoryBytes <= MiB,
      `wasm memory grew by ${after.memoryBytes - before.memoryBytes} B (allowed: 1 MiB)`);
    await within(20_000, assertWorks(c), 'normal calls afterwards');
    await watch.check();
  } finally {
    restore?.();
    watch.stop();
  }
}

/** `wasmStats()`, or null when the hook is missing (reported after the outcomes, which matter more). */
function wasmStatsOrNull() {
  try {
    return wasmStats();
  } catch {
    return null;
  }
}

test('a 95-million-character function argument rejects invalid_argument; wasm memory stays put', T, async () => {
  await refuseAll(({ particle }) => [
    ['particle.callFunction({argument: 95e6 chars})',
      () => particle.callFunction({ deviceId: IDS.particle.online, name: 'led', argument: BIG })],
  ]);
});

test('ids, names, tokens and filters of 10 MB reject invalid_argument on every method', T, async () => {
  await refuseAll(({ arduino, particle, cthings, iotc }) => {
    const tokenClient = new IotApi.ApiClient(sim.arduinoBase);
    tokenClient.authentications.oauth2.accessToken = TEN_MB;
    const baseClient = new IotApi.ApiClient(`${sim.url}/${TEN_MB}`);
    baseClient.authentications.oauth2.accessToken = 'some-token';
    const thing = IDS.arduino.things.weatherStation;
    return [
      ['particle.getDevice({deviceId: 10 MB})', () => particle.getDevice({ deviceId: TEN_MB })],
      ['particle.getVariable({name: 10 MB})', () => particle.getVariable({ deviceId: IDS.particle.online, name: TEN_MB })],
      ['particle.callFunction({name: 10 MB})', () => particle.callFunction({ deviceId: IDS.particle.online, name: TEN_MB, argument: 'on' })],
      ['particle.listDevices({auth: 10 MB})', () => particle.listDevices({ auth: TEN_MB })],
      ['particle.login({password: 95e6 chars})', () => particle.login({ username: CREDENTIALS.particle.username, password: BIG })],
      ['particle.login({username: 10 MB})', () => particle.login({ username: TEN_MB, password: 'x' })],
      ['arduino.things.list({ids: [10 MB]})', () => arduino.things.list({ ids: [TEN_MB] })],
      ['arduino.things.list({deviceId: 10 MB})', () => arduino.things.list({ deviceId: TEN_MB })],
      ['arduino.things.list({tags: [10 MB]})', () => arduino.things.list({ tags: [TEN_MB] })],
      ['arduino.things.list({organization: 10 MB})', () => arduino.things.list({ organization: TEN_MB })],
      ['arduino.properties.list(10 MB id)', () => arduino.properties.list(TEN_MB, {})],
      ['cthings.devices.get(10 MB id)', () => cthings.devices.get(TEN_MB)],
      ['cthings.devices.getEnvelope(10 MB id)', () => cthings.devices.getEnvelope(TEN_MB)],
      ['iotc.devices.list({searchText: 10 MB})', () => iotc.devices.list({ searchText: TEN_MB })],
      ['iotc.devices.list({sortBy: 10 MB})', () => iotc.devices.list({ sortBy: TEN_MB })],
      ['thingsV2List with a 10 MB accessToken', () => new IotApi.ThingsV2Api(tokenClient).thingsV2List({})],
      ['propertiesV2List with a 10 MB basePath', () => new IotApi.PropertiesV2Api(baseClient).propertiesV2List(thing, {})],
      ['propertiesV2List(10 MB id)', () => new IotApi.PropertiesV2Api(tokenClient).propertiesV2List(TEN_MB, {})],
    ];
  });
});

test('constructors and setDefaultAuth throw invalid_argument for huge strings', T, async () => {
  const { arduino: a, cthings: c, iotconnect: i } = CREDENTIALS;
  const iotcOptions = {
    solutionKey: i.solutionKey, environment: i.env, platform: i.platform, username: i.username, password: i.password,
    discoveryUrl: `${sim.url}/iotconnect-discovery`,
  };
  await refuseAll(({ particle }) => [
    ['new Arduino({clientSecret: 95e6 chars})', () => new Arduino({ clientId: a.clientId, clientSecret: BIG, baseUrl: sim.arduinoBase }), 'sync'],
    ['new Arduino({accessToken: 10 MB})', () => new Arduino({ accessToken: TEN_MB, baseUrl: sim.arduinoBase }), 'sync'],
    ['new Arduino({baseUrl: 10 MB})', () => new Arduino({ clientId: a.clientId, clientSecret: a.clientSecret, baseUrl: `${sim.url}/${TEN_MB}` }), 'sync'],
    ['new Particle({auth: 10 MB})', () => new Particle({ auth: TEN_MB, baseUrl: sim.particleBase }), 'sync'],
    ['new Particle({clientSecret: 10 MB})', () => new Particle({ clientId: 'particle', clientSecret: TEN_MB, baseUrl: sim.particleBase }), 'sync'],
    ['new CThings({clientSecret: 95e6 chars})', () => new CThings({ clientId: c.clientId, clientSecret: BIG, authUrl: `${sim.url}/cthings-auth`, baseUrl: `${sim.url}/cthings` }), 'sync'],
    ['new CThings({authUrl: 10 MB})', () => new CThings({ clientId: c.clientId, clientSecret: c.clientSecret, authUrl: `${sim.url}/${TEN_MB}`, baseUrl: `${sim.url}/cthings` }), 'sync'],
    ['new IoTConnect({password: 95e6 chars})', () => new IoTConnect({ ...iotcOptions, password: BIG }), 'sync'],
    ['new IoTConnect({solutionKey: 10 MB})', () => new IoTConnect({ ...iotcOptions, solutionKey: TEN_MB }), 'sync'],
    ['particle.setDefaultAuth(10 MB)', () => particle.setDefaultAuth(TEN_MB), 'sync'],
  ]);
});

test('the limit is 65,536 characters: one more is refused, exactly that many is sent', T, async () => {
  const particle = sim.particle({ maxAttempts: 1 });
  await particle.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
  await sim.clearLog();
  const over = 'a'.repeat(LIMIT + 1);
  const problems = [];
  for (const [name, run] of [
    ['particle.getDevice({deviceId: 65,537 chars})', () => particle.getDevice({ deviceId: over })],
    ['particle.callFunction({argument: 65,537 chars})', () => particle.callFunction({ deviceId: IDS.particle.online, name: 'led', argument: over })],
    ['arduino.things.list({ids: [65,537 chars]})', () => sim.arduino().things.list({ ids: [over] })],
  ]) {
    const p = await problemWith(name, run, 'async');
    if (p) problems.push(p);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(await sim.requests(), [], 'nothing was sent for the refused calls');
  const atLimit = 'b'.repeat(LIMIT);
  const result = await particle.callFunction({ deviceId: IDS.particle.online, name: 'led', argument: atLimit });
  assert.equal(result.statusCode, 200);
  assert.equal(result.body.return_value, -1, 'the simulator got the argument (not "on" or "off")');
  const [sent] = await sim.requests('particle', '/led');
  const arg = /json/.test(sent.headers['content-type']) ? JSON.parse(sent.body).arg : new URLSearchParams(sent.body).get('arg');
  assert.equal(arg, atLimit, 'the argument arrived whole');
});
