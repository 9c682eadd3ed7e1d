// IotApi: the @arduino/arduino-iot-client style API. Code written for the official client runs after
// changing the require, and sends the same requests; this file runs both against the simulator.
import test, { before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRequire } from 'node:module';
import { useSimulator, T, CREDENTIALS, IDS, ROOT, IotApi, rejectsWith } from './support.mjs';

const sim = useSimulator();
const THINGS = IDS.arduino.things;
const ORG = CREDENTIALS.arduino.organization;

// The official client, loaded from the project's dev dependencies by absolute path.
const Official = createRequire(import.meta.url)(path.join(ROOT, 'node_modules', '@arduino', 'arduino-iot-client'));

// Both singletons start out pointing at the real cloud (https://api2.arduino.cc). Before any test (and
// again before each one) they are pointed at a loopback port nothing listens on, so that no test, even one
// run on its own with --test-name-pattern, can reach the real cloud through a singleton it did not point at
// the simulator itself. (Node 20 starts top-level `before` hooks together, so this one cannot wait for
// useSimulator's hook to learn the simulator's URL.)
const NOWHERE = 'http://127.0.0.1:9';
function pointSingletonsNowhere() {
  for (const lib of [IotApi, Official]) lib.ApiClient.instance.basePath = NOWHERE;
}
before(pointSingletonsNowhere);
beforeEach(pointSingletonsNowhere);

/** Points both singletons at the simulator with the same token. */
async function configure() {
  const token = await sim.arduinoToken();
  for (const lib of [IotApi, Official]) {
    const client = lib.ApiClient.instance;
    client.basePath = sim.arduinoBase;
    client.authentications['oauth2'].accessToken = token;
  }
  await sim.clearLog();
  return token;
}

/** The two requests recorded for one call made with each client, compared field by field. */
async function assertSameRequest(token, expectedPath) {
  const log = await sim.requests('arduino');
  assert.equal(log.length, 2, 'one request per client');
  const [ours, official] = log;
  assert.equal(ours.method, official.method);
  assert.equal(ours.path, official.path);
  assert.equal(ours.path, expectedPath);
  assert.deepEqual(ours.query, official.query);
  assert.equal(ours.headers.authorization, official.headers.authorization);
  assert.equal(ours.headers.authorization, `Bearer ${token}`);
  assert.equal(ours.headers['x-organization'], official.headers['x-organization']);
  // Both send the vendor media type the spec documents for the operation.
  assert.equal(ours.headers.accept, official.headers.accept);
  return { ours, official };
}

test('the documented usage: ApiClient.instance, oauth2 accessToken, PropertiesV2Api(client)', T, async () => {
  const token = await sim.arduinoToken();
  const client = IotApi.ApiClient.instance;
  assert.ok(client instanceof IotApi.ApiClient);
  assert.equal(IotApi.ApiClient.instance, client, 'a module-level singleton');
  assert.equal(client.authentications['oauth2'].type, 'oauth2');
  client.basePath = sim.arduinoBase;
  client.authentications['oauth2'].accessToken = token;

  const api = new IotApi.PropertiesV2Api(client);
  assert.equal(api.apiClient, client);
  const props = await api.propertiesV2List(THINGS.weatherStation, { showDeleted: true });
  assert.ok(Array.isArray(props));
  assert.deepEqual(props.map((p) => p.variable_name).sort(), ['humidity', 'pressure', 'status', 'temperature']);
  assert.equal(typeof props.find((p) => p.name === 'temperature').last_value, 'number');

  const [req] = await sim.requests('arduino', '/properties');
  assert.equal(req.path, `/arduino/iot/v2/things/${THINGS.weatherStation}/properties`);
  assert.deepEqual(req.query, { show_deleted: 'true' });
  assert.equal(req.headers.authorization, `Bearer ${token}`);
  assert.equal((await sim.stats()).tokenRequests.arduino, 1, 'the given token is used as is');
});

test('PropertiesV2Api() without a client falls back to the singleton', T, async () => {
  const token = await configure();
  const api = new IotApi.PropertiesV2Api();
  assert.equal(api.apiClient, IotApi.ApiClient.instance);
  const props = await api.propertiesV2List(THINGS.greenhouse, {});
  assert.deepEqual(props.map((p) => p.variable_name).sort(), ['light', 'pump', 'soil_moisture']);
  const [req] = await sim.requests('arduino');
  assert.equal(req.headers.authorization, `Bearer ${token}`);
  // The singleton is read at call time, like the official client does.
  IotApi.ApiClient.instance.authentications['oauth2'].accessToken = 'not-a-valid-token';
  await rejectsWith(api.propertiesV2List(THINGS.greenhouse, {}), { vendor: 'arduino', status: 401 });
});

test('a separate ApiClient keeps its own settings', T, async () => {
  const token = await sim.arduinoToken();
  IotApi.ApiClient.instance.authentications['oauth2'].accessToken = undefined;
  const client = new IotApi.ApiClient(sim.arduinoBase);
  assert.notEqual(client, IotApi.ApiClient.instance);
  assert.equal(client.basePath, sim.arduinoBase);
  client.authentications['oauth2'].accessToken = token;
  const things = await new IotApi.ThingsV2Api(client).thingsV2List({});
  assert.equal(things.length, 3);
});

test('propertiesV2List sends the same request as the official client', T, async () => {
  const token = await configure();
  const ours = await new IotApi.PropertiesV2Api(IotApi.ApiClient.instance)
    .propertiesV2List(THINGS.weatherStation, { showDeleted: true });
  const official = await new Official.PropertiesV2Api(Official.ApiClient.instance)
    .propertiesV2List(THINGS.weatherStation, { showDeleted: true });
  await assertSameRequest(token, `/arduino/iot/v2/things/${THINGS.weatherStation}/properties`);
  assert.deepEqual(ours.map((p) => p.id).sort(), official.map((p) => p.id).sort());
  assert.equal(ours.length, 4);
});

test('propertiesV2List with xOrganization matches the official client', T, async () => {
  const token = await configure();
  const ours = await new IotApi.PropertiesV2Api().propertiesV2List(THINGS.coldRoom, { xOrganization: ORG });
  const official = await new Official.PropertiesV2Api().propertiesV2List(THINGS.coldRoom, { xOrganization: ORG });
  const { ours: req } = await assertSameRequest(token, `/arduino/iot/v2/things/${THINGS.coldRoom}/properties`);
  assert.equal(req.headers['x-organization'], ORG);
  assert.deepEqual(ours.map((p) => p.id).sort(), official.map((p) => p.id).sort());
});

test('thingsV2List sends the same request as the official client', T, async () => {
  const token = await configure();
  const opts = { showDeleted: true, ids: [THINGS.weatherStation, THINGS.oldPrototype, THINGS.deskLamp] };
  const ours = await new IotApi.ThingsV2Api().thingsV2List(opts);
  const official = await new Official.ThingsV2Api().thingsV2List(opts);
  const { ours: req } = await assertSameRequest(token, '/arduino/iot/v2/things');
  assert.equal(req.query.show_deleted, 'true');
  assert.deepEqual(ours.map((t) => t.id).sort(), official.map((t) => t.id).sort());
  assert.deepEqual(new Set(ours.map((t) => t.id)), new Set(opts.ids));
});

test('thingsV2List with tags, showProperties and xOrganization matches the official client', T, async () => {
  const token = await configure();
  const opts = { tags: ['site:plant-a'], showProperties: true, xOrganization: ORG };
  const ours = await new IotApi.ThingsV2Api().thingsV2List(opts);
  const official = await new Official.ThingsV2Api().thingsV2List(opts);
  const { ours: req } = await assertSameRequest(token, '/arduino/iot/v2/things');
  assert.equal(req.headers['x-organization'], ORG);
  assert.deepEqual(new Set(ours.map((t) => t.id)), new Set([THINGS.packagingLine, THINGS.coldRoom]));
  assert.deepEqual(ours.map((t) => t.id).sort(), official.map((t) => t.id).sort());
  for (const thing of ours) assert.ok(Array.isArray(thing.properties) && thing.properties.length === 2);
});

test('a singleton nobody configured stays on this machine', T, async () => {
  assert.equal(IotApi.ApiClient.instance.basePath, NOWHERE);
  assert.equal(Official.ApiClient.instance.basePath, NOWHERE);
  IotApi.ApiClient.instance.authentications['oauth2'].accessToken = 'unused-token';
  const err = await rejectsWith(new IotApi.PropertiesV2Api().propertiesV2List(THINGS.greenhouse, {}), {
    vendor: 'arduino', code: 'network_error',
  });
  assert.equal(err.status, undefined);
  // The official client rejects with {error} holding the socket error.
  await assert.rejects(new Official.PropertiesV2Api().propertiesV2List(THINGS.greenhouse, {}), (e) => {
    assert.equal(e.error?.code, 'ECONNREFUSED');
    assert.equal(e.error.address, '127.0.0.1');
    assert.equal(e.error.port, 9);
    return true;
  });
  assert.equal(await sim.requestCount(), 0);
});

test('IotApi rejects bad input before any request', T, async () => {
  await configure();
  const api = new IotApi.PropertiesV2Api();
  for (const id of ['', 'a/b', 'a?b', 'a#b', 42, {}]) {
    await rejectsWith(api.propertiesV2List(id, {}), { code: 'invalid_argument' });
  }
  await rejectsWith(api.propertiesV2List(THINGS.greenhouse, { showDeleted: 'yes' }), { code: 'invalid_argument' });
  await rejectsWith(new IotApi.ThingsV2Api().thingsV2List({ ids: 'x' }), { code: 'invalid_argument' });
  assert.deepEqual(await sim.requests(), [], 'nothing sent after the token fetched by the test');
});
