// Every success answer is checked: truncated JSON, an HTML page or JSON of the wrong shape under HTTP 200
// rejects with `invalid_response` (the raw text as `body` when it is not JSON). Also: a token with CR/LF is
// refused and not cached, paging that ignores pageNumber ends after a few requests, and a cThings envelope
// code out of range never becomes the status. The simulator sends these answers (fault kind `reply`).
import test from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, T, CREDENTIALS, IDS, IotApi, rejectsWith } from './support.mjs';

const sim = useSimulator();
const reply = (vendor, match, body, extra = {}) => sim.fault({ vendor, match, kind: 'reply', body, ...extra });

const TRUNCATED = '[{"id":';
const HTML = '<!DOCTYPE html>\n<html><head><title>Maintenance</title></head><body><h1>Back soon</h1></body></html>\n';

async function loggedInParticle() {
  const particle = sim.particle();
  await particle.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
  return particle;
}

async function iotApiClient() {
  const apiClient = new IotApi.ApiClient(sim.arduinoBase);
  apiClient.authentications.oauth2.accessToken = await sim.arduinoToken();
  return apiClient;
}

// API calls whose success answer the package reads or hands over: [label, vendor, match, make client, call].
const thing = IDS.arduino.things.weatherStation;
const API_CALLS = [
  ['Arduino things.list', 'arduino', '/iot/v2/things', () => sim.arduino(), (c) => c.things.list({})],
  ['Arduino properties.list', 'arduino', '/properties', () => sim.arduino(), (c) => c.properties.list(thing, {})],
  ['Particle listDevices', 'particle', '/v1/devices', loggedInParticle, (c) => c.listDevices({})],
  ['Particle getDevice', 'particle', '/v1/devices/', loggedInParticle, (c) => c.getDevice({ deviceId: IDS.particle.online })],
  ['Particle getVariable', 'particle', '/v1/devices/', loggedInParticle,
    (c) => c.getVariable({ deviceId: IDS.particle.online, name: 'temperature' })],
  ['Particle callFunction', 'particle', '/v1/devices/', loggedInParticle,
    (c) => c.callFunction({ deviceId: IDS.particle.online, name: 'led', argument: 'on' })],
  ['cThings devices.get', 'cthings', '/v3/device/', () => sim.cthings(), (c) => c.devices.get(IDS.cthings.devices[0])],
  ['cThings devices.getEnvelope', 'cthings', '/v3/device/', () => sim.cthings(), (c) => c.devices.getEnvelope(IDS.cthings.devices[0])],
  ['IoTConnect devices.list', 'iotconnect', '/Device', () => sim.iotconnect(), (c) => c.devices.list({})],
  ['IotApi thingsV2List', 'arduino', '/iot/v2/things', iotApiClient, (c) => new IotApi.ThingsV2Api(c).thingsV2List({})],
  ['IotApi propertiesV2List', 'arduino', '/properties', iotApiClient,
    (c) => new IotApi.PropertiesV2Api(c).propertiesV2List(thing, {})],
];

// Token, login and discovery answers: [label, vendor, match, call].
const LOGIN_STEPS = [
  ['Arduino token', 'arduino', '/iot/v1/clients/token', () => sim.arduino().things.list({})],
  ['Particle login', 'particle', '/oauth/token',
    () => sim.particle().login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password })],
  ['cThings token', 'cthings', '/cthings-auth/token', () => sim.cthings().devices.get(IDS.cthings.devices[0])],
  ['IoTConnect discovery', 'iotconnect-discovery', '/api/uisdk/', () => sim.iotconnect().endpoints()],
  ['IoTConnect basic-token', 'iotconnect', '/Auth/basic-token', () => sim.iotconnect().login()],
  ['IoTConnect login', 'iotconnect', '/Auth/login', () => sim.iotconnect().login()],
];
const vendorOf = (v) => (v === 'iotconnect-discovery' ? 'iotconnect' : v);

for (const [what, body, type] of [['truncated JSON', TRUNCATED, 'application/json'], ['an HTML page', HTML, 'text/html']]) {
  for (const [label, vendor, match, make, call] of API_CALLS) {
    test(`${label} answered 200 with ${what}: invalid_response with the raw text as body`, T, async () => {
      const client = await make();
      await reply(vendor, match, body, { contentType: type });
      const err = await rejectsWith(call(client), { code: 'invalid_response', vendor: vendorOf(vendor) });
      assert.equal(err.body, body, 'the body is the text as received');
    });
  }
  for (const [label, vendor, match, call] of LOGIN_STEPS) {
    test(`${label} answered 200 with ${what}: invalid_response`, T, async () => {
      await reply(vendor, match, body, { contentType: type });
      await rejectsWith(call(), { code: 'invalid_response', vendor: vendorOf(vendor) });
    });
  }
}

test('Arduino things.list answered with an object where the API returns an array: invalid_response', T, async () => {
  const arduino = sim.arduino();
  for (const body of [{ things: [] }, { id: 'x' }, {}, 42, 'things', true]) {
    await reply('arduino', '/iot/v2/things', body);
    await rejectsWith(arduino.things.list({}), { code: 'invalid_response', vendor: 'arduino' });
  }
  await reply('arduino', '/properties', { properties: [] });
  await rejectsWith(arduino.properties.list(thing, {}), { code: 'invalid_response', vendor: 'arduino' });
});

test('Particle listDevices answered with an object where the API returns an array: invalid_response', T, async () => {
  const particle = await loggedInParticle();
  for (const body of [{ devices: [] }, { id: 'x' }, {}, 42]) {
    await reply('particle', '/v1/devices', body);
    await rejectsWith(particle.listDevices({}), { code: 'invalid_response', vendor: 'particle' });
  }
});

test('Particle getDevice answered with a non-object (number, string, boolean, null): invalid_response', T, async () => {
  const particle = await loggedInParticle();
  for (const body of [42, 'a device', true, null]) {
    await reply('particle', '/v1/devices/', body);
    await rejectsWith(particle.getDevice({ deviceId: IDS.particle.online }), { code: 'invalid_response', vendor: 'particle' });
  }
});

test('an empty 200 answer where a list is promised: invalid_response', T, async () => {
  await reply('arduino', '/iot/v2/things', '');
  await rejectsWith(sim.arduino().things.list({}), { code: 'invalid_response', vendor: 'arduino' });
  const particle = await loggedInParticle();
  await reply('particle', '/v1/devices', '');
  await rejectsWith(particle.listDevices({}), { code: 'invalid_response', vendor: 'particle' });
});

test('IoTConnect devices.list answered 200 with an HTML page: invalid_response, not an empty list', T, async () => {
  const iotc = sim.iotconnect();
  await iotc.login();
  await reply('iotconnect', '/Device', HTML, { contentType: 'text/html' });
  const err = await rejectsWith(iotc.devices.list({ pageSize: 1000 }), { code: 'invalid_response', vendor: 'iotconnect' });
  assert.equal(err.body, HTML);
});

// A token with CR/LF: refused as a bad answer, and not kept (the next call asks for a token again).
const CRLF_TOKENS = ['abc\r\nX-Injected: 1', 'abc\ndef', 'abc\rdef'];
const TOKEN_CASES = [
  ['Arduino', 'arduino', '/iot/v1/clients/token', () => sim.arduino(), (c) => c.things.list({}),
    (r) => assert.equal(r.length, 3)],
  ['cThings', 'cthings', '/cthings-auth/token', () => sim.cthings(), (c) => c.devices.get(IDS.cthings.devices[0]),
    (r) => assert.equal(r.id, IDS.cthings.devices[0])],
  ['IoTConnect', 'iotconnect', '/Auth/login', () => sim.iotconnect(), (c) => c.devices.list({ pageSize: 1000 }),
    (r) => assert.equal(r.data.length, 250)],
];

for (const [label, vendor, match, make, call, ok] of TOKEN_CASES) {
  test(`${label}: a token answer whose access_token has CR/LF is invalid_response and is not cached`, T, async () => {
    for (const token of CRLF_TOKENS) {
      await sim.reset();
      const client = make();
      await reply(vendor, match, { access_token: token, expires_in: 3600, token_type: 'Bearer', refresh_token: 'r' });
      await rejectsWith(call(client), { code: 'invalid_response', vendor });
      ok(await call(client)); // the same client asks for a token again and gets a good one
      assert.equal((await sim.stats()).tokenRequests[vendor], 2, `${JSON.stringify(token)}: a second token request`);
    }
  });
}

test('Particle: a login answer whose access_token has CR/LF is invalid_response; the next login works', T, async () => {
  const particle = sim.particle();
  const { username, password } = CREDENTIALS.particle;
  for (const token of CRLF_TOKENS) {
    await reply('particle', '/oauth/token', { token_type: 'bearer', access_token: token, expires_in: 3600, refresh_token: 'r' });
    await rejectsWith(particle.login({ username, password }), { code: 'invalid_response', vendor: 'particle' });
  }
  const { body } = await particle.login({ username, password });
  assert.match(body.access_token, /^[0-9a-f]+$/);
  assert.equal((await particle.listDevices({})).statusCode, 200);
});

test('IoTConnect paging: items without guid/uniqueId and a server that ignores pageNumber → invalid_response after a few requests', T, async () => {
  const iotc = sim.iotconnect();
  await iotc.login();
  await sim.clearLog();
  // Every page answers the same two items, whatever pageNumber asks for.
  await reply('iotconnect', '/Device', { data: [{ name: 'a' }, { name: 'b' }], status: 200, count: -1 }, { times: 200 });
  await rejectsWith((async () => {
    for await (const device of iotc.devices.iterate({ pageSize: 2 })) assert.ok(device.name);
  })(), { code: 'invalid_response', vendor: 'iotconnect' });
  const pages = (await sim.requests('iotconnect', '/Device')).length;
  assert.ok(pages < 10, `${pages} page requests before giving up (fewer than 10 expected)`);
});

test('cThings: an envelope code out of range under HTTP 200 never becomes status 65535', T, async () => {
  const cthings = sim.cthings();
  for (const code of [99999, 1e20, 65536 + 404]) {
    for (const method of ['get', 'getEnvelope']) {
      await reply('cthings', '/v3/device/', { api: 'cThings Cloud API', code, data: null, links: {}, message: 'odd', version: '3.13.1' });
      const err = await rejectsWith(cthings.devices[method](IDS.cthings.devices[0]), { vendor: 'cthings' });
      assert.notEqual(err.status, 65535, `code ${code}: status ${err.status}`);
      assert.ok(
        (err.status === undefined && err.code === 'invalid_response') || err.status === 200,
        `code ${code} (${method}): status ${err.status}, code ${err.code}: expected invalid_response without a status, or status 200`,
      );
    }
  }
});
