// The unified device model against the simulator: connect() for each cloud, every method of every vendor,
// what a vendor cannot do (refused before any request), paging and iteration, events from polled changes and
// from Particle's stream, history windows, abort, bad arguments (refused before any request) and the
// request rate each Cloud keeps to.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  pkg, useSimulator, T, CREDENTIALS, FIXTURES, Particle, CThings, rejectsWith, assertCloudError, within, sleep,
} from './support.mjs';

const { connect, CAPABILITIES } = pkg;
const sim = useSimulator();

const THINGS = Object.fromEntries(FIXTURES.arduino.things.map((t) => [t.name, t.id]));
const WEATHER = THINGS['Weather Station'];
const LAMP = THINGS['Desk Lamp'];
const ARGON = 'e00fce6844969b121f176368';
const PHOTON = '3a0029b4ff28a12d04139eb2'; // offline
const CTHINGS = FIXTURES.cthings.devices.map((d) => d.id);
const IOTC = FIXTURES.iotconnect.devices;
const hour = () => ({ from: new Date(Date.now() - 3_600_000), to: new Date() });
const collect = async (iterator, n = Infinity) => {
  const out = [];
  for await (const item of iterator) {
    out.push(item);
    if (out.length >= n) break;
  }
  return out;
};
const fast = { rateLimit: 200 };
/** The first event `pred` accepts (values that drift with time make events of their own meanwhile). */
const until = async (events, pred) => {
  for (;;) {
    const { value, done } = await events.next();
    if (done) assert.fail('the events ended');
    if (pred(value)) return value;
  }
};

const arduino = (o = {}) => connect('arduino', {
  clientId: CREDENTIALS.arduino.clientId, clientSecret: CREDENTIALS.arduino.clientSecret, baseUrl: sim.arduinoBase, ...fast, ...o,
});
async function particle(o = {}) {
  const login = await new Particle({ baseUrl: sim.particleBase })
    .login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
  return connect('particle', { baseUrl: sim.particleBase, auth: login.body.access_token, ...fast, ...o });
}
const cthings = (o = {}) => connect('cthings', {
  clientId: CREDENTIALS.cthings.clientId, clientSecret: CREDENTIALS.cthings.clientSecret,
  authUrl: `${sim.url}/cthings-auth`, baseUrl: `${sim.url}/cthings`, devices: CTHINGS, ...fast, ...o,
});
const iotconnect = (o = {}) => {
  const { solutionKey, env, platform, username, password } = CREDENTIALS.iotconnect;
  return connect('iotconnect', {
    solutionKey, environment: env, platform, username, password, discoveryUrl: `${sim.url}/iotconnect-discovery`, ...fast, ...o,
  });
};
/** The vendor's API requests (not token, login or discovery requests). */
const apiRequests = async (vendor) => (await sim.requests(vendor))
  .filter((r) => !/\/token$|\/Auth\/|oauth/.test(r.path));

// ---------------------------------------------------------------------------------------------------------
// connect() and the capability table

test('CAPABILITIES says what each cloud can do, and capabilities() answers from it', T, async () => {
  assert.deepEqual(JSON.parse(JSON.stringify(CAPABILITIES)), {
    arduino: { devices: true, pages: false, readings: true, history: true, command: 'property', events: 'poll', rateLimit: 10 },
    particle: { devices: true, pages: false, readings: true, history: true, command: 'function', events: 'stream', rateLimit: 33 },
    cthings: { devices: true, pages: false, readings: true, history: false, command: false, events: 'poll', rateLimit: 10 },
    iotconnect: { devices: true, pages: true, readings: true, history: true, command: 'command', events: 'poll', rateLimit: 10 },
  });
  assert.ok(Object.isFrozen(CAPABILITIES) && Object.isFrozen(CAPABILITIES.arduino));
  const clouds = [arduino(), await particle(), cthings(), iotconnect()];
  for (const cloud of clouds) assert.equal(cloud.capabilities(), CAPABILITIES[cloud.vendor]);
  assert.deepEqual(clouds.map((c) => c.vendor), ['arduino', 'particle', 'cthings', 'iotconnect']);
  assert.equal(await sim.requestCount(), 1, 'only the Particle login');
});

test('connect() takes a client of that vendor, or makes one from its options', T, async () => {
  const client = new CThings({ clientId: 'c', clientSecret: 's' });
  const cloud = connect('cthings', { client });
  assert.equal(cloud.client, client);
  assert.ok(arduino().client instanceof pkg.Arduino);
  assertCloudError(catchSync(() => connect('aws', {})), { code: 'invalid_argument' });
  assertCloudError(catchSync(() => connect('arduino', { client })), { code: 'invalid_argument', vendor: 'arduino' });
  assertCloudError(catchSync(() => connect('arduino', {})), { code: 'invalid_argument', vendor: 'arduino' });
  assertCloudError(catchSync(() => connect('toString', {})), { code: 'invalid_argument' });
  // JSON.stringify(cloud) shows no secret.
  const text = JSON.stringify(arduino());
  assert.ok(!text.includes(CREDENTIALS.arduino.clientSecret), text);
});

function catchSync(f) {
  try {
    f();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}

test('a wrong rateLimit rejects every call, before any request', T, async () => {
  for (const rateLimit of [0, -1, 1001, '10', Number.NaN]) {
    const cloud = arduino({ rateLimit });
    await rejectsWith(cloud.devices(), { code: 'invalid_argument', vendor: 'arduino' });
    await rejectsWith(cloud.readings(WEATHER), { code: 'invalid_argument' });
  }
  assert.equal(await sim.requestCount(), 0);
});

// ---------------------------------------------------------------------------------------------------------
// Arduino IoT Cloud: a device is the thing its device is attached to

test('arduino: devices are the things of its devices, with their status; readings the properties', T, async () => {
  const cloud = arduino();
  const devices = await cloud.devices();
  const live = FIXTURES.arduino.things.filter((t) => t.device_id && !t.deleted_at && !t.organization_id);
  assert.deepEqual(devices.map((d) => d.id).sort(), live.map((t) => t.id).sort(), 'every thing with a device');
  const weather = devices.find((d) => d.id === WEATHER);
  assert.deepEqual({ ...weather, lastSeen: undefined, raw: undefined }, {
    vendor: 'arduino', id: WEATHER, name: 'Weather Station', online: true, lastSeen: undefined, raw: undefined,
  });
  assert.ok(weather.lastSeen instanceof Date && !Number.isNaN(weather.lastSeen.getTime()));
  assert.equal(weather.raw.id, '5bf0789b-5a83-4f0d-ae05-46b3488638e2', 'raw: the device record');
  assert.equal(weather.raw.thing.id, WEATHER);
  assert.deepEqual(await cloud.devices({ page: 2 }), [], 'one page only');
  const readings = await cloud.readings(WEATHER);
  assert.deepEqual(readings.map((r) => [r.name, r.type]), [['temperature', 'FLOAT'], ['humidity', 'INT'], ['status', 'CHARSTRING']]);
  assert.equal(typeof readings[0].value, 'number');
  assert.ok(readings[0].updatedAt instanceof Date);
  const reqs = await apiRequests('arduino');
  assert.deepEqual(reqs.map((r) => `${r.method} ${r.path}`), [
    'GET /arduino/iot/v2/devices', `GET /arduino/iot/v2/things/${WEATHER}/properties`,
  ]);
});

test('arduino: history is the property time series; a command publishes the property', T, async () => {
  const cloud = arduino();
  const points = await cloud.history(WEATHER, 'temperature', hour());
  assert.ok(points.length > 0);
  for (const p of points) {
    assert.ok(p.time instanceof Date);
    assert.equal(typeof p.value, 'number');
  }
  const reqs = (await apiRequests('arduino')).map((r) => `${r.method} ${r.path}`);
  assert.match(reqs[1], /\/properties\/e6b2743a-4125-47e0-b74f-3d5fe6f6d2e8\/timeseries$/);
  await cloud.command(LAMP, 'brightness', 33);
  const brightness = (await cloud.readings(LAMP)).find((r) => r.name === 'brightness');
  assert.equal(brightness.value, 33);
  await rejectsWith(cloud.command(LAMP, 'volume', 1), { code: 'not_found', vendor: 'arduino' });
  await rejectsWith(cloud.history(LAMP, 'volume', hour()), { code: 'not_found' });
  await rejectsWith(cloud.readings('00000000-0000-0000-0000-000000000000'), { code: 'not_found', status: 404 });
});

// ---------------------------------------------------------------------------------------------------------
// Particle

test('particle: devices, readings (each variable read), command (a function call)', T, async () => {
  const cloud = await particle();
  const devices = await cloud.devices();
  assert.deepEqual(devices.map((d) => [d.id, d.online]), [[ARGON, true], ['e00fce68bfa6e5c9aad6a626', true], [PHOTON, false]]);
  assert.ok(devices[0].lastSeen instanceof Date);
  assert.equal(devices[2].lastSeen.toISOString(), '2025-01-02T07:31:12.000Z');
  assert.equal(devices[0].raw.name, 'kitchen-argon');
  const readings = await cloud.readings(ARGON);
  assert.deepEqual(readings.map((r) => [r.name, r.type]), [['temperature', 'double'], ['humidity', 'int32'], ['status', 'string']]);
  assert.equal(readings[2].value, 'ok');
  assert.equal(await cloud.command(ARGON, 'led', 'on'), 1);
  assert.equal(await cloud.command(ARGON, 'led', 'blink'), -1);
  const reqs = (await apiRequests('particle')).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(reqs.slice(1, 5), [
    `GET /particle/v1/devices/${ARGON}`, `GET /particle/v1/devices/${ARGON}/temperature`,
    `GET /particle/v1/devices/${ARGON}/humidity`, `GET /particle/v1/devices/${ARGON}/status`,
  ]);
  // An offline device answers 408.
  await rejectsWith(cloud.readings(PHOTON), { status: 408 });
  await rejectsWith(cloud.command(ARGON, 'led', 7), { code: 'invalid_argument' });
});

test('particle: events come from its stream; history is what that stream brought', T, async () => {
  const cloud = await particle();
  assert.deepEqual(await cloud.history(ARGON, 'temperature', hour()), [], 'nothing seen yet');
  const events = cloud.events(ARGON);
  // (Other events the simulator's devices publish may come first.)
  const first = until(events, (e) => e.name === 'temperature' && e.value === '21.5');
  // Publish once the stream is open (and again until one arrives).
  let got;
  first.then((r) => { got = r; }, () => {});
  for (let i = 0; !got && i < 100; i++) {
    if ((await sim.stats()).particleStreams.open > 0) {
      await sim.control('POST', 'particle-events', { name: 'temperature', data: '21.5', deviceId: ARGON });
    }
    await sleep(50);
  }
  const e = await within(5000, first, 'the first event');
  assert.equal(e.vendor, 'particle');
  assert.equal(e.deviceId, ARGON);
  assert.ok(e.time instanceof Date && Math.abs(e.time - Date.now()) < 60_000);
  assert.equal(e.raw.coreid, ARGON);
  assert.equal(e.raw.data, '21.5');
  const status = until(events, (x) => x.name === 'status');
  await sim.control('POST', 'particle-events', { name: 'status', data: 'ok', deviceId: ARGON });
  assert.equal((await within(5000, status, 'the status event')).value, 'ok');
  assert.deepEqual(await events.return(), { value: undefined, done: true });
  const history = await cloud.history(ARGON, 'temperature', hour());
  assert.deepEqual(history.find((p) => p.value === '21.5'), { time: e.time, value: '21.5' });
  assert.ok(history.every((p) => p.time instanceof Date && p.time <= Date.now()));
  assert.deepEqual(await cloud.history(ARGON, 'temperature', { from: new Date(0), to: new Date(1000) }), []);
  assert.deepEqual(await cloud.history(PHOTON, 'temperature', hour()), []);
  await within(5000, (async () => { while ((await sim.stats()).particleStreams.open) await sleep(20); })(), 'the stream to close');
});

// ---------------------------------------------------------------------------------------------------------
// cThings

test('cthings: devices are read by the ids connect() was given; readings are the device\'s connection', T, async () => {
  const cloud = cthings();
  const devices = await cloud.devices();
  assert.deepEqual(devices.map((d) => [d.id, d.name, d.online]), [
    [CTHINGS[0], 'Boiler Room Sensor', true], [CTHINGS[1], 'Car Park Gateway', true], [CTHINGS[2], 'Water Meter 12', false],
  ]);
  assert.equal(devices[2].lastSeen.toISOString(), '2024-12-28T03:14:09.000Z');
  const readings = await cloud.readings(CTHINGS[0]);
  assert.deepEqual(readings.map((r) => [r.name, r.type]),
    [['status', 'boolean'], ['lastConnected', 'string'], ['signalStrength', 'number'], ['route', 'object']]);
  assert.equal(readings[0].value, true);
  assert.equal(readings[2].value, FIXTURES.cthings.devices[0].connection.signalStrength);
  assert.ok(readings.every((r) => r.updatedAt instanceof Date));
  assert.equal((await apiRequests('cthings')).length, 4);
});

test('cthings: without device ids, or with one that is no UUID, devices() sends nothing', T, async () => {
  assert.deepEqual(await cthings({ devices: [] }).devices(), []);
  await rejectsWith(cthings({ devices: undefined }).devices(), { code: 'invalid_argument', vendor: 'cthings' });
  await rejectsWith(cthings({ devices: [CTHINGS[0], 'not-a-uuid'] }).devices(), { code: 'invalid_argument' });
  await rejectsWith(cthings().readings('not-a-uuid'), { code: 'invalid_argument' });
  assert.equal(await sim.requestCount(), 0);
});

test('what a vendor cannot do is refused with unsupported, before any request', T, async () => {
  const cloud = cthings();
  for (const call of [() => cloud.history(CTHINGS[0], 'x', hour()), () => cloud.command(CTHINGS[0], 'reboot')]) {
    const err = await rejectsWith(call(), { code: 'unsupported', status: 0, vendor: 'cthings' });
    assert.match(err.message, /^cthings\.(history|command) is not supported$/);
  }
  assert.equal(await sim.requestCount(), 0);
});

// ---------------------------------------------------------------------------------------------------------
// Avnet IoTConnect

test('iotconnect: devices a page at a time; iterateDevices reads every page', T, async () => {
  const cloud = iotconnect();
  const page = await cloud.devices({ page: 2, pageSize: 20 });
  assert.equal(page.length, 20);
  assert.deepEqual(page[0], {
    vendor: 'iotconnect', id: IOTC[20].guid, name: IOTC[20].displayName, online: IOTC[20].isConnected,
    lastSeen: IOTC[20].lastActivityDate ? new Date(IOTC[20].lastActivityDate) : null, raw: page[0].raw,
  });
  assert.equal(page[0].raw.uniqueId, IOTC[20].uniqueId);
  assert.deepEqual(await cloud.devices({ page: 30, pageSize: 20 }), [], 'past the end');
  assert.equal((await cloud.devices()).length, 100, 'pages of 100 by default');
  await sim.clearLog();
  const all = await collect(cloud.iterateDevices());
  assert.equal(all.length, 250);
  assert.deepEqual(all.map((d) => d.id), IOTC.map((d) => d.guid));
  const pages = (await apiRequests('iotconnect')).map((r) => [r.query.pageNumber, r.query.pageSize]);
  assert.deepEqual(pages, [['1', '100'], ['2', '100'], ['3', '100']]);
  assert.equal((await collect(cloud.iterateDevices({ pageSize: 1000 }))).length, 250);
});

test('iotconnect: readings, history by attribute, a command by its name', T, async () => {
  const cloud = iotconnect();
  const device = IOTC[0];
  const readings = await cloud.readings(device.guid);
  assert.deepEqual(readings.map((r) => [r.name, r.type]), [
    ['temperature', 'DECIMAL'], ['humidity', 'DECIMAL'], ['battery', 'INTEGER'], ['led', 'STRING'],
  ]);
  const points = await cloud.history(device.guid, 'humidity', hour());
  assert.ok(points.length >= 59 && points.length <= 61, `${points.length} points`);
  assert.ok(points.every((p) => p.time instanceof Date && typeof p.value === 'number'));
  assert.deepEqual(await cloud.history(device.guid, 'nothing', hour()), []);
  const ack = await cloud.command(device.guid, 'led', 'on');
  assert.equal(ack.isAck, device.isConnected);
  const led = (await cloud.readings(device.guid)).find((r) => r.name === 'led');
  assert.equal(led.value, device.isConnected ? 'on' : 'off');
  await rejectsWith(cloud.command(device.guid, 'selfDestruct'), { code: 'not_found' });
  const history = (await apiRequests('iotconnect')).find((r) => r.path.includes('attribute-history'));
  assert.match(history.path, new RegExp(`/device/${device.uniqueId}/from/`));
});

test('history windows and the 7-day rule are checked before any request', T, async () => {
  const week = 7 * 86_400_000;
  const now = Date.now();
  await rejectsWith(iotconnect().history(IOTC[0].guid, 'humidity', { from: new Date(now - week - 1000), to: new Date(now) }), {
    code: 'invalid_argument', vendor: 'iotconnect',
  });
  for (const opts of [{ from: new Date(now), to: new Date(now - 1000) }, { from: 'yesterday', to: new Date() }, { to: new Date() }, undefined]) {
    await rejectsWith(arduino().history(WEATHER, 'temperature', opts), { code: 'invalid_argument' });
  }
  assert.equal(await sim.requestCount(), 0);
  // Arduino has no such limit.
  assert.ok(Array.isArray(await arduino().history(WEATHER, 'temperature', { from: new Date(now - 30 * 86_400_000), to: new Date(now) })));
});

// ---------------------------------------------------------------------------------------------------------
// Events from polled readings

test('polled events: an event per changed value, after the first poll', T, async () => {
  const cloud = arduino();
  const events = cloud.events(LAMP, { intervalMs: 30 });
  const next = events.next();
  // The first poll is the baseline; wait for it, then change a value.
  await within(5000, (async () => {
    while ((await apiRequests('arduino')).filter((r) => r.path.endsWith('/properties')).length < 1) await sleep(10);
  })(), 'the first poll');
  await cloud.command(LAMP, 'brightness', 11);
  const { value: e } = await within(5000, next, 'the change');
  assert.deepEqual({ ...e, time: undefined, raw: undefined }, {
    vendor: 'arduino', deviceId: LAMP, name: 'brightness', value: 11, time: undefined, raw: undefined,
  });
  assert.ok(e.time instanceof Date);
  assert.equal(e.raw.type, 'INT');
  await events.return();
});

test('polled events of IoTConnect and cThings', T, async () => {
  const device = IOTC.find((d) => d.isConnected);
  const iotc = iotconnect();
  const events = iotc.events(device.guid, { intervalMs: 30 });
  const led = until(events, (e) => e.name === 'led');
  await within(5000, (async () => {
    while (!(await apiRequests('iotconnect')).some((r) => r.path.includes('/Telemetry/device/'))) await sleep(10);
  })(), 'the first poll');
  await iotc.command(device.guid, 'led', 'on');
  const e = await within(5000, led, 'the change');
  assert.deepEqual([e.vendor, e.deviceId, e.name, e.value], ['iotconnect', device.guid, 'led', 'on']);
  await events.return();

  // cThings: the device's connection as the next poll reads it, with another signal strength.
  const ct = cthings();
  const envelope = await ct.client.requestEnvelope({ method: 'GET', path: `/device/${CTHINGS[1]}` });
  const changes = ct.events(CTHINGS[1], { intervalMs: 30 });
  const signal = until(changes, (c) => c.name === 'signalStrength');
  await within(5000, (async () => {
    while ((await apiRequests('cthings')).length < 2) await sleep(10);
  })(), 'the first poll');
  envelope.data.connection.signalStrength = -42;
  await sim.fault({ vendor: 'cthings', match: `/device/${CTHINGS[1]}`, kind: 'reply', body: envelope });
  const c = await within(5000, signal, 'the change');
  assert.deepEqual([c.vendor, c.deviceId, c.name, c.value], ['cthings', CTHINGS[1], 'signalStrength', -42]);
  await changes.return();
});

test('events without a device id poll every device', T, async () => {
  const cloud = arduino();
  const events = cloud.events(undefined, { intervalMs: 30 });
  const windy = until(events, (e) => e.name === 'status' && e.deviceId === WEATHER);
  await within(5000, (async () => {
    while ((await apiRequests('arduino')).filter((r) => r.path.endsWith('/properties')).length < 3) await sleep(10);
  })(), 'a poll of every thing');
  const polled = new Set((await apiRequests('arduino')).filter((r) => r.path.endsWith('/properties')).map((r) => r.path));
  assert.equal(polled.size, 3, 'the three things of the space');
  await cloud.command(WEATHER, 'status', 'windy');
  const e = await within(5000, windy, 'the change');
  assert.deepEqual([e.deviceId, e.name, e.value], [WEATHER, 'status', 'windy']);
  await events.return();
});

// ---------------------------------------------------------------------------------------------------------
// Abort, timeouts, bad arguments

test('a call`s signal aborts it; an events signal ends the iterator', T, async () => {
  const cloud = arduino();
  await sim.fault({ vendor: 'arduino', match: '/properties', kind: 'hang' });
  const ctl = new AbortController();
  const pending = cloud.readings(WEATHER, { signal: ctl.signal });
  setTimeout(() => ctl.abort(), 50);
  await rejectsWith(pending, { code: 'aborted', vendor: 'arduino' });
  await rejectsWith(cloud.devices({ signal: AbortSignal.abort() }), { code: 'aborted' });
  await sim.fault({ vendor: 'arduino', match: '/properties', kind: 'hang' });
  await rejectsWith(cloud.readings(WEATHER, { timeoutMs: 50 }), { code: 'timeout' });

  const stop = new AbortController();
  const events = cloud.events(WEATHER, { intervalMs: 10_000, signal: stop.signal });
  const next = events.next();
  await sleep(100);
  stop.abort();
  assert.deepEqual(await within(2000, next, 'the end'), { value: undefined, done: true });
  // return() while a poll runs ends the events at their next one (an async generator returns where it
  // yields; the values that drift may or may not change meanwhile, so one is changed here).
  const other = cloud.events(WEATHER, { intervalMs: 60 });
  const pendingNext = other.next();
  await sleep(100);
  const ending = other.return();
  await cloud.command(WEATHER, 'status', 'calm');
  const [ended, last] = await within(2000, Promise.all([ending, pendingNext]), 'return()');
  assert.deepEqual(ended, { value: undefined, done: true });
  assert.equal(last.done, false);
  assert.deepEqual(await other.next(), { value: undefined, done: true });
});

test('bad arguments reject with invalid_argument before anything is sent', T, async () => {
  const a = arduino();
  const i = iotconnect();
  const p = await particle();
  await sim.clearLog();
  const bad = [
    () => a.readings(''),
    () => a.readings(42),
    () => a.history(WEATHER, '', hour()),
    () => a.history(WEATHER, 7, hour()),
    () => a.command(LAMP, 'brightness'),
    () => a.devices({ page: 0 }),
    () => a.devices({ page: 1.5 }),
    () => a.readings(WEATHER, { timeoutMs: -1 }),
    () => a.readings(WEATHER, { signal: 'stop' }),
    () => i.devices({ pageSize: 1001 }),
    () => i.devices({ page: 0 }),
    () => i.command(IOTC[0].guid, 'led', { on: true }),
    () => p.command(ARGON, 'led', ['on']),
    () => p.readings('a/b'),
    () => collect(a.events(WEATHER, { intervalMs: 0 })),
    () => collect(i.events(IOTC[0].guid, { intervalMs: 'often' })),
  ];
  for (const call of bad) await rejectsWith(call(), { code: 'invalid_argument' });
  assert.deepEqual(await sim.requests(), []);
});

// ---------------------------------------------------------------------------------------------------------
// The request rate

test('connect() spaces requests to the vendor`s rate, a little under it; rateLimit overrides it', T, async () => {
  const gaps = async (cloud, n) => {
    await sim.clearLog();
    await Promise.all(Array.from({ length: n }, () => cloud.readings(WEATHER)));
    const times = (await apiRequests('arduino')).map((r) => r.time);
    return times.slice(1).map((t, k) => t - times[k]);
  };
  // Arduino: 10 per second (each Cloud keeps to 9.8).
  const cloud = arduino({ rateLimit: undefined });
  await cloud.readings(WEATHER); // the token
  for (const gap of await gaps(cloud, 4)) assert.ok(gap >= 95, `${gap} ms apart`);
  const quick = arduino({ rateLimit: 40 });
  await quick.readings(WEATHER);
  const fastGaps = await gaps(quick, 5);
  // (Times of arrival: a request sent 25.5 ms after the one before may arrive a little sooner after it.)
  for (const gap of fastGaps) assert.ok(gap >= 20 && gap < 100, `${gap} ms apart`);
  // A client with its own maxRequestsPerSecond keeps it.
  const own = connect('arduino', { client: new pkg.Arduino({ ...CREDENTIALS.arduino, organization: undefined, baseUrl: sim.arduinoBase, maxRequestsPerSecond: 2 }) });
  await own.readings(WEATHER);
  for (const gap of await gaps(own, 2)) assert.ok(gap >= 490, `${gap} ms apart`);
});
