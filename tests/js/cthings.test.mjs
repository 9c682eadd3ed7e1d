// cThings Cloud client: client credentials (HTTP Basic + multipart), devices by id, the v3 envelope.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useSimulator, T, CREDENTIALS, IDS, rejectsWith, bearer, decodeBasic, parseMultipart,
} from './support.mjs';

const sim = useSimulator();
const [BOILER, GATEWAY, METER] = IDS.cthings.devices;

test('devices.get returns the device (the envelope data)', T, async () => {
  const cthings = sim.cthings();
  const boiler = await cthings.devices.get(BOILER);
  assert.equal(boiler.id, BOILER);
  assert.equal(boiler.name, 'Boiler Room Sensor');
  assert.equal(boiler.device, '70b3d57ed0051a2c');
  assert.equal(boiler.active, true);
  assert.equal(boiler.type.key, 'temperature_humidity');
  assert.equal(boiler.connection.status, true);
  assert.deepEqual(boiler.location, { latitude: 52.205337, longitude: 0.121817 });
  assert.equal(boiler.api, undefined, 'not the envelope');

  const meter = await cthings.devices.get(METER);
  assert.equal(meter.name, 'Water Meter 12');
  assert.equal(meter.connection.status, false);
  assert.equal(meter.connection.lastConnected, '2024-12-28T03:14:09Z');

  const log = await sim.requests('cthings', '/v3/device');
  assert.deepEqual(log.map((r) => [r.method, r.path]), [
    ['GET', `/cthings/v3/device/${BOILER}`],
    ['GET', `/cthings/v3/device/${METER}`],
  ]);
});

test('devices.getEnvelope returns the whole v3 envelope', T, async () => {
  const envelope = await sim.cthings().devices.getEnvelope(GATEWAY);
  assert.equal(envelope.api, 'cThings Cloud API');
  assert.equal(envelope.code, 200);
  assert.equal(envelope.message, null);
  assert.equal(envelope.websocket, false);
  assert.equal(typeof envelope.version, 'string');
  assert.deepEqual(envelope.links, {});
  assert.equal(envelope.request.method, 'GET');
  assert.equal(envelope.request.url, `${sim.url}/cthings/v3/device/${GATEWAY}`);
  assert.equal(envelope.data.id, GATEWAY);
  assert.equal(envelope.data.name, 'Car Park Gateway');
});

test('token request: multipart/form-data with the client in HTTP Basic; API calls carry Bearer', T, async () => {
  await sim.cthings().devices.get(BOILER);
  const [token, api] = await sim.requests('cthings');
  assert.equal(token.method, 'POST');
  assert.equal(token.path, '/cthings-auth/token');
  assert.deepEqual(token.query, {});
  assert.deepEqual(decodeBasic(token.headers.authorization), {
    user: CREDENTIALS.cthings.clientId, pass: CREDENTIALS.cthings.clientSecret,
  });
  assert.match(token.headers['content-type'], /^multipart\/form-data;\s*boundary=/);
  assert.deepEqual(parseMultipart(token.headers['content-type'], token.body), {
    grant_type: 'client_credentials', scope: 'api',
  });
  assert.ok(!token.body.includes(CREDENTIALS.cthings.clientSecret), 'the secret is only in the Basic header');

  assert.equal(api.path, `/cthings/v3/device/${BOILER}`);
  assert.equal(bearer(api.headers.authorization).split('.').length, 3);
});

test('an unknown device rejects with 404 and the envelope message', T, async () => {
  const cthings = sim.cthings();
  const err = await rejectsWith(cthings.devices.get('00000000-0000-4000-8000-000000000000'), {
    vendor: 'cthings', status: 404, statusCode: 404, message: 'Device not found',
  });
  assert.equal(err.body.api, 'cThings Cloud API');
  assert.equal(err.body.code, 404);
  assert.equal(err.body.message, 'Device not found');
  await rejectsWith(cthings.devices.getEnvelope('00000000-0000-4000-8000-000000000000'), {
    vendor: 'cthings', status: 404, message: 'Device not found',
  });
});

test('wrong client credentials reject with 401', T, async () => {
  const err = await rejectsWith(sim.cthings({ clientSecret: 'nope' }).devices.get(BOILER), {
    vendor: 'cthings', status: 401, statusCode: 401, code: 'invalid_client',
  });
  assert.deepEqual(err.body, { error: 'invalid_client' });
  assert.equal((await sim.requests('cthings', '/v3/device')).length, 0);
});
