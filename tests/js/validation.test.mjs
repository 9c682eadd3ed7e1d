// Bad input: constructors throw, calls reject, always a CloudError with code "invalid_argument", and
// nothing is sent to any cloud.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useSimulator, T, CREDENTIALS, IDS, Arduino, Particle, CThings, IoTConnect, assertCloudError, rejectsWith,
} from './support.mjs';

const sim = useSimulator();
const invalid = (vendor) => (err) => assertCloudError(err, { code: 'invalid_argument', ...(vendor && { vendor }) });
const BAD_IDS = ['', 'a/b', 'a?b', 'a#b', '../x', 42, 0, {}, [], null, true];

async function assertNothingSent() {
  assert.equal(await sim.requestCount(), 0, 'no request reached the simulator');
  assert.deepEqual(await sim.requests(), []);
}

test('Arduino: bad thing ids and options reject before any request', T, async () => {
  const arduino = sim.arduino();
  for (const id of BAD_IDS) {
    await rejectsWith(arduino.properties.list(id, {}), { code: 'invalid_argument', vendor: 'arduino' });
  }
  for (const options of [42, 'x', true, []]) {
    await rejectsWith(arduino.things.list(options), { code: 'invalid_argument' });
    await rejectsWith(arduino.properties.list(IDS.arduino.things.weatherStation, options), { code: 'invalid_argument' });
  }
  for (const options of [
    { showDeleted: 'yes' }, { showDeleted: 1 }, { showProperties: 'true' }, { acrossUserIds: 'no' },
    { ids: 'x' }, { ids: [''] }, { ids: [42] }, { ids: {} },
    { tags: 'k:v' }, { tags: [42] }, { deviceId: 42 }, { deviceId: '' }, { organization: 42 },
  ]) {
    await rejectsWith(arduino.things.list(options), { code: 'invalid_argument' });
  }
  await rejectsWith(arduino.properties.list(IDS.arduino.things.weatherStation, { showDeleted: 'yes' }), {
    code: 'invalid_argument',
  });
  await assertNothingSent();
});

test('Arduino: constructors throw synchronously on missing or wrong settings', T, async () => {
  const { clientId, clientSecret } = CREDENTIALS.arduino;
  const base = sim.arduinoBase;
  for (const options of [
    undefined, {}, { clientId }, { clientSecret }, { clientId, clientSecret: '' }, { clientId: 42, clientSecret },
    { clientId, clientSecret, baseUrl: 'api2.arduino.cc' }, { clientId, clientSecret, baseUrl: '/arduino' },
    { clientId, clientSecret, baseUrl: 'ftp://example.com' }, { clientId, clientSecret, baseUrl: 42 },
    { clientId, clientSecret, baseUrl: base, maxAttempts: 0 }, { clientId, clientSecret, baseUrl: base, maxAttempts: -1 },
    { clientId, clientSecret, baseUrl: base, maxAttempts: 1.5 }, { clientId, clientSecret, baseUrl: base, timeoutMs: -1 },
    { clientId, clientSecret, baseUrl: base, timeoutMs: '300' }, { clientId, clientSecret, baseUrl: base, fetch: 'fetch' },
    { clientId, clientSecret, baseUrl: base, signal: {} }, { accessToken: '' }, { accessToken: 42 },
  ]) {
    assert.throws(() => new Arduino(options), invalid('arduino'), JSON.stringify(options));
  }
  assert.throws(() => new Arduino(42), invalid('arduino'));
  await assertNothingSent();
});

test('Particle: calls without any auth and bad arguments reject before any request', T, async () => {
  const anonymous = sim.particle();
  await rejectsWith(anonymous.listDevices({}), { code: 'invalid_argument', vendor: 'particle' });
  await rejectsWith(anonymous.getDevice({ deviceId: IDS.particle.online }), { code: 'invalid_argument' });
  await rejectsWith(anonymous.getVariable({ deviceId: IDS.particle.online, name: 'temperature' }), {
    code: 'invalid_argument',
  });
  await rejectsWith(anonymous.callFunction({ deviceId: IDS.particle.online, name: 'led', argument: 'on' }), {
    code: 'invalid_argument',
  });

  const particle = sim.particle({ auth: 'some-token' });
  for (const deviceId of BAD_IDS) {
    await rejectsWith(particle.getDevice({ deviceId }), { code: 'invalid_argument', vendor: 'particle' });
    await rejectsWith(particle.getVariable({ deviceId, name: 'temperature' }), { code: 'invalid_argument' });
  }
  for (const name of ['', 'a/b', 'x?y', 'x#y', 42, undefined]) {
    await rejectsWith(particle.getVariable({ deviceId: IDS.particle.online, name }), { code: 'invalid_argument' });
    await rejectsWith(particle.callFunction({ deviceId: IDS.particle.online, name, argument: 'on' }), {
      code: 'invalid_argument',
    });
  }
  await rejectsWith(particle.getDevice(), { code: 'invalid_argument' });
  await rejectsWith(particle.listDevices('token'), { code: 'invalid_argument' });
  await rejectsWith(particle.listDevices({ auth: 42 }), { code: 'invalid_argument' });
  await rejectsWith(particle.callFunction({ deviceId: IDS.particle.online, name: 'led', argument: 5 }), {
    code: 'invalid_argument',
  });
  await rejectsWith(particle.login({ username: 'maker@example.com' }), { code: 'invalid_argument' });
  await rejectsWith(particle.login({ username: '', password: 'x' }), { code: 'invalid_argument' });
  await rejectsWith(particle.login({ username: 'a', password: 'b', tokenDuration: 'long' }), {
    code: 'invalid_argument',
  });
  await rejectsWith(particle.login({ username: 'a', password: 'b', tokenDuration: -1 }), { code: 'invalid_argument' });

  for (const options of [{ baseUrl: 'particle' }, { auth: 42 }, { maxAttempts: 0 }, { timeoutMs: -1 }, { fetch: 42 }]) {
    assert.throws(() => new Particle(options), invalid('particle'), JSON.stringify(options));
  }
  await assertNothingSent();
});

test('cThings: bad device ids and constructor settings', T, async () => {
  const cthings = sim.cthings();
  for (const id of BAD_IDS) {
    await rejectsWith(cthings.devices.get(id), { code: 'invalid_argument', vendor: 'cthings' });
    await rejectsWith(cthings.devices.getEnvelope(id), { code: 'invalid_argument', vendor: 'cthings' });
  }
  const { clientId, clientSecret } = CREDENTIALS.cthings;
  for (const options of [
    undefined, {}, { clientId }, { clientSecret }, { clientId, clientSecret, authUrl: 'authserver' },
    { clientId, clientSecret, baseUrl: 'relative/path' }, { clientId, clientSecret, maxAttempts: 0 },
    { clientId, clientSecret, timeoutMs: -1 },
  ]) {
    assert.throws(() => new CThings(options), invalid('cthings'), JSON.stringify(options));
  }
  await assertNothingSent();
});

test('IoTConnect: bad list options and constructor settings', T, async () => {
  const iotc = sim.iotconnect();
  for (const options of [
    42, 'x', [], { pageSize: 0 }, { pageSize: 1001 }, { pageSize: 'x' }, { pageSize: 1.5 }, { sortBy: 42 },
  ]) {
    await rejectsWith(iotc.devices.list(options), { code: 'invalid_argument', vendor: 'iotconnect' });
  }
  const { solutionKey, env, username, password } = CREDENTIALS.iotconnect;
  const ok = { solutionKey, environment: env, platform: 'aws', username, password };
  for (const options of [
    undefined, {}, { ...ok, solutionKey: undefined }, { ...ok, environment: undefined }, { ...ok, environment: '' },
    { ...ok, platform: 'gcp' }, { ...ok, platform: undefined }, { ...ok, platform: 'AWS ' },
    { ...ok, username: undefined }, { ...ok, password: undefined }, { ...ok, discoveryUrl: 'discovery.iotconnect.io' },
    { ...ok, maxAttempts: 0 }, { ...ok, timeoutMs: -1 },
  ]) {
    assert.throws(() => new IoTConnect(options), invalid('iotconnect'), JSON.stringify(options));
  }
  assert.doesNotThrow(() => new IoTConnect({ ...ok, platform: 'az' }));
  await assertNothingSent();
});
