// Token handling: one token for many calls, refresh before expiry, one token request for concurrent calls,
// one retry after a 401, IoTConnect refresh tokens, and ready-made access tokens.
import test from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, T, IDS, rejectsWith, sleep, bearer } from './support.mjs';

const sim = useSimulator();
const THING = IDS.arduino.things.weatherStation;
const [DEVICE] = IDS.cthings.devices;

async function tokenRequests() {
  return (await sim.stats()).tokenRequests;
}

test('sequential calls share one token (Arduino, cThings, IoTConnect)', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({});
  await arduino.properties.list(THING, {});
  await arduino.things.list({ showDeleted: true });
  const cthings = sim.cthings();
  await cthings.devices.get(DEVICE);
  await cthings.devices.getEnvelope(DEVICE);
  const iotc = sim.iotconnect();
  await iotc.devices.list({ pageSize: 1000 });
  await iotc.devices.list({ pageSize: 1000 });
  assert.deepEqual(await tokenRequests(), { arduino: 1, particle: 0, cthings: 1, iotconnect: 1 });
  const api = await sim.requests('arduino', '/iot/v2');
  assert.equal(api.length, 3);
  assert.equal(new Set(api.map((r) => r.headers.authorization)).size, 1, 'the same bearer token every time');
});

test('a token is renewed once 90% of its lifetime has passed, before the cloud refuses it', T, async () => {
  // expires_in is sent as 2 s (lifetime 2.5 s): the client renews from 1.8 s on, while the simulator would
  // still accept the old token until 2.5 s.
  await sim.config({ tokenLifetime: { arduino: 2.5 } });
  const arduino = sim.arduino();
  await arduino.things.list({});
  await arduino.things.list({});
  assert.equal((await tokenRequests()).arduino, 1);
  await sleep(2000);
  await arduino.things.list({});
  assert.equal((await tokenRequests()).arduino, 2, 'a new token after the margin');
  const api = await sim.requests('arduino', '/iot/v2/things');
  assert.equal(api.length, 3, 'no call was refused and repeated');
  assert.notEqual(api[2].headers.authorization, api[0].headers.authorization);
});

test('cThings renews a short-lived token too', T, async () => {
  await sim.config({ tokenLifetime: { cthings: 1.5 } });
  const cthings = sim.cthings();
  await cthings.devices.get(DEVICE);
  await sleep(1100);
  await cthings.devices.get(DEVICE);
  assert.equal((await tokenRequests()).cthings, 2);
  assert.equal((await sim.requests('cthings', '/v3/device')).length, 2);
});

test('10 concurrent calls on a cold Arduino client make exactly 1 token request', T, async () => {
  const arduino = sim.arduino();
  const results = await Promise.all(Array.from({ length: 10 }, () => arduino.things.list({})));
  for (const things of results) assert.equal(things.length, 3);
  assert.equal((await tokenRequests()).arduino, 1);
  assert.equal((await sim.requests('arduino', '/iot/v2/things')).length, 10);
});

test('10 concurrent calls on a cold cThings client make exactly 1 token request', T, async () => {
  const cthings = sim.cthings();
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => cthings.devices.get(IDS.cthings.devices[i % 3])),
  );
  assert.deepEqual(results.map((d) => d.id), Array.from({ length: 10 }, (_, i) => IDS.cthings.devices[i % 3]));
  assert.equal((await tokenRequests()).cthings, 1);
});

test('10 concurrent calls on a cold IoTConnect client log in exactly once', T, async () => {
  const iotc = sim.iotconnect();
  const results = await Promise.all(Array.from({ length: 10 }, () => iotc.devices.list({ pageSize: 1000 })));
  for (const page of results) assert.equal(page.data.length, 250);
  const { iotconnectAuth, tokenRequests: tokens, requests } = await sim.stats();
  assert.deepEqual(iotconnectAuth, { basicToken: 1, login: 1, refresh: 0 });
  assert.equal(tokens.iotconnect, 1);
  assert.equal(requests['iotconnect-discovery'], 1);
});

test('10 concurrent login() calls on IoTConnect log in exactly once', T, async () => {
  const iotc = sim.iotconnect();
  const results = await Promise.all(Array.from({ length: 10 }, () => iotc.login()));
  assert.equal(new Set(results.map((r) => r.expiresAt)).size, 1);
  assert.equal((await sim.stats()).iotconnectAuth.login, 1);
});

test('a 401 after the token was revoked: one new token, the call is sent again and succeeds', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({});
  await sim.expireTokens('arduino');
  const things = await arduino.things.list({});
  assert.equal(things.length, 3);
  assert.equal((await tokenRequests()).arduino, 2);
  const log = await sim.requests('arduino');
  assert.deepEqual(log.map((r) => r.path), [
    '/arduino/iot/v1/clients/token', '/arduino/iot/v2/things',
    '/arduino/iot/v2/things', '/arduino/iot/v1/clients/token', '/arduino/iot/v2/things',
  ]);
  assert.notEqual(log[4].headers.authorization, log[2].headers.authorization);
});

test('cThings: a 401 after the token was revoked is retried once with a new token', T, async () => {
  const cthings = sim.cthings();
  await cthings.devices.get(DEVICE);
  await sim.expireTokens('cthings');
  assert.equal((await cthings.devices.get(DEVICE)).id, DEVICE);
  assert.equal((await tokenRequests()).cthings, 2);
  assert.equal((await sim.requests('cthings', '/v3/device')).length, 3);
});

test('when the token endpoint keeps failing after a 401, the call rejects without looping', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({});
  await sim.expireTokens('arduino');
  await sim.fault({ vendor: 'arduino', match: '/clients/token', kind: 'status', status: 500, times: 20 });
  await rejectsWith(arduino.things.list({}), { vendor: 'arduino', status: 500 });
  const counted = await sim.stats();
  assert.equal(counted.tokenRequests.arduino, 2);
  assert.equal((await sim.requests('arduino', '/iot/v2/things')).length, 2);
  await sleep(300);
  assert.deepEqual(await sim.stats(), counted, 'nothing more is sent afterwards');
});

test('when the token endpoint answers 401 after a 401, the call rejects without looping', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({});
  await sim.expireTokens('arduino');
  await sim.fault({ vendor: 'arduino', match: '/clients/token', kind: 'status', status: 401, times: 20 });
  await rejectsWith(arduino.things.list({}), { vendor: 'arduino', status: 401 });
  const { tokenRequests: tokens, faultsServed } = await sim.stats();
  assert.equal(tokens.arduino, 2);
  assert.equal(faultsServed, 1);
  assert.equal((await sim.requests('arduino', '/iot/v2/things')).length, 2);
});

test('IoTConnect: an expiring access token is renewed with the refresh token', T, async () => {
  // expires_in is sent as 1 s (lifetime 1.5 s): past 0.9 s the client refreshes before calling.
  await sim.config({ tokenLifetime: { iotconnect: 1.5 } });
  const iotc = sim.iotconnect();
  await iotc.devices.list({ pageSize: 1000 });
  await sleep(1100);
  assert.equal((await iotc.devices.list({ pageSize: 1000 })).data.length, 250);
  assert.deepEqual((await sim.stats()).iotconnectAuth, { basicToken: 1, login: 1, refresh: 1 });
  const [refresh] = await sim.requests('iotconnect', '/refresh-token');
  assert.equal(refresh.method, 'POST');
  const body = JSON.parse(refresh.body);
  assert.equal(typeof body.refreshtoken, 'string');
  assert.ok(body.refreshtoken.length > 0);
  assert.equal((await sim.requests('iotconnect', '/Device')).length, 2, 'no call was refused');
});

test('IoTConnect: a revoked access token (401) is renewed with the refresh token', T, async () => {
  const iotc = sim.iotconnect();
  await iotc.login();
  await sim.expireTokens('iotconnect');
  assert.equal((await iotc.devices.list({ pageSize: 1000 })).data.length, 250);
  assert.deepEqual((await sim.stats()).iotconnectAuth, { basicToken: 1, login: 1, refresh: 1 });
  const pages = await sim.requests('iotconnect', '/Device');
  assert.equal(pages.length, 2);
  assert.notEqual(bearer(pages[0].headers.authorization), bearer(pages[1].headers.authorization));
});

test('IoTConnect: when the refresh token is no longer valid, the client logs in again', T, async () => {
  await sim.config({ tokenLifetime: { iotconnect: 1.5 }, refreshLifetime: 0.5 });
  const iotc = sim.iotconnect();
  await iotc.devices.list({ pageSize: 1000 });
  await sleep(1100);
  assert.equal((await iotc.devices.list({ pageSize: 1000 })).data.length, 250);
  const { iotconnectAuth } = await sim.stats();
  assert.equal(iotconnectAuth.refresh, 1, 'the refresh token was tried first');
  assert.equal(iotconnectAuth.login, 2, 'then a new login');
});

test('a ready accessToken is used without any token request', T, async () => {
  const token = await sim.arduinoToken();
  await sim.clearLog();
  const arduino = sim.arduino({ clientId: undefined, clientSecret: undefined, accessToken: token });
  assert.equal((await arduino.things.list({})).length, 3);
  assert.equal((await arduino.properties.list(THING, {})).length, 3);
  assert.equal((await tokenRequests()).arduino, 1, 'only the token the test fetched itself');
  const log = await sim.requests();
  assert.deepEqual(log.map((r) => r.path), ['/arduino/iot/v2/things', `/arduino/iot/v2/things/${THING}/properties`]);
  for (const req of log) assert.equal(req.headers.authorization, `Bearer ${token}`);
});

test('a ready accessToken for cThings and IoTConnect is used without any token request', T, async () => {
  const cthings = sim.cthings();
  await cthings.devices.get(DEVICE);
  const cToken = bearer((await sim.requests('cthings', '/v3/device'))[0].headers.authorization);
  const iotc = sim.iotconnect();
  await iotc.devices.list({ pageSize: 1000 });
  const iToken = bearer((await sim.requests('iotconnect', '/Device'))[0].headers.authorization);
  const before = await sim.stats();

  const ready = sim.cthings({ clientId: undefined, clientSecret: undefined, accessToken: cToken });
  assert.equal((await ready.devices.get(DEVICE)).id, DEVICE);
  const readyIotc = sim.iotconnect({ username: undefined, password: undefined, accessToken: iToken });
  const login = await readyIotc.login();
  assert.equal(login.expiresAt, undefined);
  assert.equal((await readyIotc.devices.list({ pageSize: 1000 })).data.length, 250);

  const after = await sim.stats();
  assert.deepEqual(after.tokenRequests, before.tokenRequests);
  assert.deepEqual(after.iotconnectAuth, before.iotconnectAuth);
});

test('a 401 with only a ready token rejects with status 401 (nothing to renew it with)', T, async () => {
  const token = await sim.arduinoToken();
  const arduino = sim.arduino({ clientId: undefined, clientSecret: undefined, accessToken: token });
  await sim.expireTokens('arduino');
  await rejectsWith(arduino.things.list({}), { vendor: 'arduino', status: 401, statusCode: 401, code: 'unauthorized' });
  assert.equal((await tokenRequests()).arduino, 1, 'only the token the test fetched');
  assert.equal((await sim.requests('arduino', '/iot/v2/things')).length, 1);

  const cthings = sim.cthings({ clientId: undefined, clientSecret: undefined, accessToken: 'not-a-token' });
  await rejectsWith(cthings.devices.get(DEVICE), { vendor: 'cthings', status: 401 });
  assert.equal((await tokenRequests()).cthings, 0);
});
