'use strict';
// The package through require(), as a CommonJS project resolves it, inside the test runner.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { createRequire } = require('node:module');

const ROOT = path.resolve(__dirname, '..', '..');
const consumer = path.join(ROOT, 'target', 'consumers', 'cjs');
const lib = createRequire(path.join(consumer, 'package.json'))('iot-cloud-wasm');
const { startSimulator, CREDENTIALS, IDS } = require(path.join(ROOT, 'tests', 'simulator', 'index.js'));

let sim;
test.before(async () => { sim = await startSimulator({ port: 0 }); });
test.after(async () => { await sim.close(); });
test.beforeEach(async () => { await fetch(`${sim.url}/__sim/reset`, { method: 'POST' }); });

test('require() gives the CommonJS entry with every export', { timeout: 30_000 }, async () => {
  assert.equal(createRequire(path.join(consumer, 'package.json')).resolve('iot-cloud-wasm'),
    path.join(consumer, 'node_modules', 'iot-cloud-wasm', 'index.cjs'));
  for (const name of ['Arduino', 'Particle', 'CThings', 'IoTConnect', 'CloudError']) {
    assert.equal(typeof lib[name], 'function', name);
  }
  assert.equal(typeof lib.IotApi.PropertiesV2Api, 'function');
  assert.equal(await lib.init(), undefined, 'init() resolves at once in Node');
});

test('the four clients work through require()', { timeout: 30_000 }, async () => {
  const { clientId, clientSecret } = CREDENTIALS.arduino;
  const arduino = new lib.Arduino({ clientId, clientSecret, baseUrl: `${sim.url}/arduino` });
  const props = await arduino.properties.list(IDS.arduino.things.deskLamp, { showDeleted: true });
  assert.deepEqual(props.map((p) => p.variable_name).sort(), ['brightness', 'lamp']);

  const particle = new lib.Particle({ baseUrl: `${sim.url}/particle` });
  await particle.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
  const variable = await particle.getVariable({ deviceId: IDS.particle.online, name: 'status' });
  assert.deepEqual([variable.statusCode, variable.body.result], [200, 'ok']);

  const cthings = new lib.CThings({
    ...CREDENTIALS.cthings, authUrl: `${sim.url}/cthings-auth`, baseUrl: `${sim.url}/cthings`,
  });
  assert.equal((await cthings.devices.get(IDS.cthings.devices[2])).name, 'Water Meter 12');

  const { env, ...iotc } = CREDENTIALS.iotconnect;
  const iotconnect = new lib.IoTConnect({ ...iotc, environment: env, discoveryUrl: `${sim.url}/iotconnect-discovery` });
  let count = 0;
  for await (const device of iotconnect.devices.iterate({ pageSize: 125 })) count += device.uniqueId ? 1 : 0;
  assert.equal(count, 250);
});

test('errors from the CommonJS instance are its CloudError', { timeout: 30_000 }, async () => {
  const arduino = new lib.Arduino({ accessToken: 'not-a-token', baseUrl: `${sim.url}/arduino` });
  const err = await arduino.things.list({}).catch((e) => e);
  assert.ok(err instanceof lib.CloudError);
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'CloudError');
  assert.equal(err.status, 401);
  assert.throws(() => new lib.CThings({}), (e) => e instanceof lib.CloudError && e.code === 'invalid_argument');
});
