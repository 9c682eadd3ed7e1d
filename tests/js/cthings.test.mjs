// cThings Cloud client: client credentials (HTTP Basic + multipart), devices by id, the v3 envelope.
import test from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
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

test('device ids are checked as UUIDs before anything is sent', T, async () => {
  const cthings = sim.cthings();
  for (const id of ['d-1', '', 'd5d60237-be30-4ca6-bc8b-e9d5a947404', `${BOILER}0`, '../../token', `${BOILER}/x`, 42,
    undefined, null, { id: BOILER }]) {
    for (const call of [cthings.devices.get, cthings.devices.getEnvelope]) {
      const err = await rejectsWith(call(id), { vendor: 'cthings', code: 'invalid_argument' });
      assert.match(err.message, /^cthings\.devices\.get(Envelope)?: `deviceId` /);
    }
  }
  assert.equal((await cthings.devices.get(BOILER.toUpperCase())).id, BOILER);
  const log = await sim.requests('cthings');
  assert.deepEqual(log.map((r) => r.path), ['/cthings-auth/token', `/cthings/v3/device/${BOILER.toUpperCase()}`]);
});

test('request: the data of any call, with the client\'s token; requestEnvelope: the whole envelope', T, async () => {
  const cthings = sim.cthings();
  const device = await cthings.request({ path: `/device/${GATEWAY}` });
  assert.equal(device.name, 'Car Park Gateway');
  assert.equal(device.api, undefined);
  const envelope = await cthings.requestEnvelope({ path: `/device/${GATEWAY}`, version: 'v2' });
  assert.equal(envelope.api, 'cThings Cloud API');
  assert.match(envelope.version, /^2\./);
  assert.equal(envelope.data.id, GATEWAY);
  const [token, get, getV2] = await sim.requests('cthings');
  assert.equal(token.path, '/cthings-auth/token');
  assert.deepEqual([get.method, get.path, get.rawQuery, get.body], ['GET', `/cthings/v3/device/${GATEWAY}`, '', '']);
  assert.deepEqual([getV2.method, getV2.path], ['GET', `/cthings/v2/device/${GATEWAY}`]);
  assert.equal(getV2.headers.authorization, get.headers.authorization);
  for (const r of [get, getV2]) {
    assert.equal(bearer(r.headers.authorization).split('.').length, 3);
    assert.equal(r.headers.accept, 'application/json');
    assert.equal(r.headers['content-type'], undefined);
  }
});

test('request: method, path, query and JSON body on the wire; the change is kept', T, async () => {
  const cthings = sim.cthings();
  const since = new Date('2025-01-02T03:04:05.678Z');
  const changed = await cthings.request({
    method: 'PATCH',
    path: `/device/${BOILER}`,
    query: { notify: true, limit: 10, tag: ['a b', 'c&d'], since, skip: undefined, none: null, q: 'é' },
    body: { name: 'Boiler Room', configuration: { reportingInterval: 300 } },
    headers: { 'X-Trace': 'example' },
  });
  assert.equal(changed.name, 'Boiler Room');
  assert.deepEqual(changed.configuration, { reportingInterval: 300, units: 'celsius' });
  const [patch] = await sim.requests('cthings', '/v3/device');
  assert.equal(patch.method, 'PATCH');
  assert.equal(patch.path, `/cthings/v3/device/${BOILER}`);
  assert.equal(patch.rawQuery,
    'notify=true&limit=10&tag=a%20b&tag=c%26d&since=2025-01-02T03%3A04%3A05.678Z&q=%C3%A9');
  assert.deepEqual(JSON.parse(patch.body), { name: 'Boiler Room', configuration: { reportingInterval: 300 } });
  assert.match(patch.headers['content-type'], /^application\/json/);
  assert.equal(patch.headers.accept, 'application/json');
  assert.equal(patch.headers['x-trace'], 'example');
  assert.equal(bearer(patch.headers.authorization).split('.').length, 3);
  assert.equal((await cthings.devices.get(BOILER)).name, 'Boiler Room');
});

test('request: an error envelope rejects with its code and message', T, async () => {
  const cthings = sim.cthings();
  const err = await rejectsWith(cthings.request({ method: 'DELETE', path: `/device/${BOILER}` }), {
    vendor: 'cthings', status: 404, message: 'Route not found',
  });
  assert.equal(err.body.code, 404);
  assert.equal(err.body.request.method, 'DELETE');
  const bad = await rejectsWith(cthings.request({ method: 'PATCH', path: `/device/${BOILER}`, body: { id: 'x' } }), {
    vendor: 'cthings', status: 400, message: "Field 'id' cannot be changed",
  });
  assert.equal(bad.body.code, 400);
  // The whole envelope of an error is the error's body, for requestEnvelope too.
  await rejectsWith(cthings.requestEnvelope({ path: '/nothing' }), { status: 404, message: 'Route not found' });
});

test('version auto: a v3 404 is sent once more to v2, nothing else is', T, async () => {
  const cthings = sim.cthings();
  // v3 answers: v2 is not asked.
  assert.equal((await cthings.request({ path: `/device/${METER}`, version: 'auto' })).id, METER);
  assert.deepEqual((await sim.requests('cthings', '/device/')).map((r) => r.path), [`/cthings/v3/device/${METER}`]);

  // v3 lacks the route: the same call on v2, whose answer is the call's.
  await sim.clearLog();
  await sim.fault({ vendor: 'cthings', kind: 'status', status: 404, match: '/v3/device/' });
  const moved = await cthings.request({
    method: 'PATCH', path: `/device/${METER}`, version: 'auto', query: { a: 1 }, body: { watchlist: false },
  });
  assert.equal(moved.watchlist, false);
  const sent = await sim.requests('cthings', '/device/');
  assert.deepEqual(sent.map((r) => [r.method, r.path, r.rawQuery, r.body]), [
    ['PATCH', `/cthings/v3/device/${METER}`, 'a=1', '{"watchlist":false}'],
    ['PATCH', `/cthings/v2/device/${METER}`, 'a=1', '{"watchlist":false}'],
  ]);
  assert.equal(sent[0].headers.authorization, sent[1].headers.authorization);

  // Both 404: v2's answer, and no third request.
  await sim.clearLog();
  await rejectsWith(cthings.request({ path: '/nowhere', version: 'auto' }), { status: 404, message: 'Route not found' });
  assert.deepEqual((await sim.requests('cthings', '/nowhere')).map((r) => r.path),
    ['/cthings/v3/nowhere', '/cthings/v2/nowhere']);

  // Without auto a 404 is the answer; with auto any other error is.
  await sim.clearLog();
  await rejectsWith(cthings.request({ path: '/nowhere' }), { status: 404 });
  await rejectsWith(cthings.request({ path: '/nowhere', version: 'v3' }), { status: 404 });
  await sim.fault({ vendor: 'cthings', kind: 'status', status: 400, match: '/v3/' });
  await rejectsWith(cthings.request({ path: `/device/${METER}`, version: 'auto' }), { status: 400 });
  assert.equal((await sim.requests('cthings', '/v2/')).length, 0);
  assert.equal((await sim.requests('cthings', '/v3/')).length, 3);
});

test('request options are checked before anything is sent', T, async () => {
  const cthings = sim.cthings();
  const cases = [
    [undefined, /`path` is required/],
    [{}, /`path` is required/],
    ['/device', /`options` must be an object/],
    [{ path: 'device' }, /`path` must be a path/],
    [{ path: '/device/../token' }, /`path` must be a path/],
    [{ path: '/device/%2E%2e/token' }, /`path` must be a path/],
    [{ path: '/device?x=1' }, /`path` must be a path/],
    [{ path: '/device\\x' }, /`path` must be a path/],
    [{ path: '/device/\u0000' }, /`path` must be a path/],
    [{ path: '/v3/device' }, /`path` must not begin with a version/],
    [{ path: '/device', method: 'get' }, /`method` must be GET, POST, PUT, PATCH or DELETE/],
    [{ path: '/device', method: 'OPTIONS' }, /`method`/],
    [{ path: '/device', body: {} }, /`body` cannot be sent with GET/],
    [{ path: '/device', version: 'v4' }, /`version` must be 'v3', 'v2' or 'auto'/],
    [{ path: '/device', version: 'latest' }, /`version`/],
    [{ path: '/device', query: 'a=1' }, /`query` must be an object/],
    [{ path: '/device', query: { a: { b: 1 } } }, /`a` must be a string, number or boolean/],
    [{ path: '/device', query: { n: NaN } }, /`n` must be/],
    [{ path: '/device', verison: 'v2' }, /`verison` is not an option of this call/],
    [{ get path() { throw new Error('boom'); } }, /could not be read/],
  ];
  for (const [options, message] of cases) {
    for (const call of [cthings.request, cthings.requestEnvelope]) {
      const err = await rejectsWith(call.call(cthings, options), { vendor: 'cthings', code: 'invalid_argument' });
      assert.match(err.message, /^cthings\.request(Envelope)?: /);
      assert.match(err.message, message, inspect(options));
    }
  }
  assert.equal((await sim.requests('cthings')).length, 0);
});

test('tokens: renewed before they expire, and once more when the API answers 401', T, async () => {
  await sim.config({ tokenLifetime: { cthings: 2 } });
  const cthings = sim.cthings();
  await cthings.request({ path: `/device/${BOILER}` });
  await cthings.devices.get(BOILER);
  assert.equal((await sim.stats()).tokenRequests.cthings, 1);
  // A 2 s token is renewed once 90 % of it has passed.
  await new Promise((resolve) => setTimeout(resolve, 1900));
  await cthings.request({ path: `/device/${BOILER}` });
  assert.equal((await sim.stats()).tokenRequests.cthings, 2);

  // The cloud drops the token: the call gets a 401, a new token, and is sent once more.
  await sim.config({ tokenLifetime: { cthings: 3600 } });
  await sim.expireTokens('cthings');
  await sim.clearLog();
  const changed = await cthings.request({ method: 'PATCH', path: `/device/${BOILER}`, body: { name: 'Renewed' } });
  assert.equal(changed.name, 'Renewed');
  const log = await sim.requests('cthings');
  assert.deepEqual(log.map((r) => [r.method, r.path]), [
    ['PATCH', `/cthings/v3/device/${BOILER}`],
    ['POST', '/cthings-auth/token'],
    ['PATCH', `/cthings/v3/device/${BOILER}`],
  ]);
  assert.notEqual(log[0].headers.authorization, log[2].headers.authorization);
  assert.equal(log[2].body, '{"name":"Renewed"}');

  // Refused twice: the 401 is the answer; nothing is sent a third time.
  await sim.clearLog();
  await sim.fault({ vendor: 'cthings', kind: 'status', status: 401, match: '/v3/', times: 2 });
  await rejectsWith(cthings.request({ path: `/device/${BOILER}` }), { status: 401 });
  assert.equal((await sim.requests('cthings', '/v3/')).length, 2);
});

test('a call\'s own auth is sent instead of the client\'s token', T, async () => {
  const cthings = sim.cthings();
  const other = sim.cthings();
  await other.devices.get(BOILER);
  const [otherToken] = (await sim.requests('cthings', '/v3/')).map((r) => r.headers.authorization);
  await sim.clearLog();
  const device = await cthings.request({ path: `/device/${BOILER}`, auth: bearer(otherToken) });
  assert.equal(device.id, BOILER);
  const [call] = await sim.requests('cthings', '/v3/');
  assert.equal(call.headers.authorization, otherToken);
});
