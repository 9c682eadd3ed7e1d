// Back-off: 429/503 are retried honouring Retry-After (seconds or an HTTP date), up to maxAttempts; a
// Retry-After beyond a minute is handed to the caller instead of waited for; other errors are not retried.
import test from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, T, IDS, rejectsWith, within } from './support.mjs';

const sim = useSimulator();
const thingsCalls = async () => (await sim.requests('arduino', '/iot/v2/things')).length;

test('429 with Retry-After: 1 is retried after at least a second and succeeds', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({}); // token first, so that only the API call is timed
  await sim.clearLog();
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'status', status: 429, retryAfter: '1' });
  const started = Date.now();
  const things = await arduino.things.list({});
  const took = Date.now() - started;
  assert.equal(things.length, 3);
  assert.ok(took >= 950, `waited ${took} ms`);
  assert.equal(await thingsCalls(), 2);
  const { faultsServed, tokenRequests } = await sim.stats();
  assert.equal(faultsServed, 1);
  assert.equal(tokenRequests.arduino, 1);
});

test('503 without Retry-After is retried with back-off and succeeds', T, async () => {
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'status', status: 503 });
  const things = await sim.arduino().things.list({});
  assert.equal(things.length, 3);
  assert.equal(await thingsCalls(), 2);
});

test('two 503s on a cThings device call are retried (default maxAttempts 3)', T, async () => {
  const [device] = IDS.cthings.devices;
  await sim.fault({ vendor: 'cthings', match: '/v3/device', kind: 'status', status: 503, times: 2 });
  assert.equal((await sim.cthings().devices.get(device)).id, device);
  assert.equal((await sim.requests('cthings', '/v3/device')).length, 3);
});

test('maxAttempts: 2 with two queued 503s rejects with 503 after exactly 2 attempts', T, async () => {
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'status', status: 503, times: 2 });
  await rejectsWith(sim.arduino({ maxAttempts: 2 }).things.list({}), {
    vendor: 'arduino', status: 503, statusCode: 503,
  });
  assert.equal(await thingsCalls(), 2);
  assert.equal((await sim.stats()).faultsPending, 0);
});

test('maxAttempts: 1 does not retry at all', T, async () => {
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'status', status: 503 });
  await rejectsWith(sim.arduino({ maxAttempts: 1 }).things.list({}), { status: 503 });
  assert.equal(await thingsCalls(), 1);
});

test('Retry-After as an HTTP date is waited for', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({});
  await sim.clearLog();
  // A whole second two seconds ahead, so that the date (which has no fractions) is exact.
  const at = Math.ceil(Date.now() / 1000) * 1000 + 2000;
  await sim.fault({
    vendor: 'arduino', match: '/iot/v2/things', kind: 'status', status: 503, retryAfter: new Date(at).toUTCString(),
  });
  const things = await arduino.things.list({});
  assert.equal(things.length, 3);
  const log = await sim.requests('arduino', '/iot/v2/things');
  assert.equal(log.length, 2);
  assert.ok(log[1].time >= at - 200, `retried ${at - log[1].time} ms before the Retry-After date`);
});

test('a 429 asking to wait over 60 s is not waited for: rejects at once with retryAfter', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({});
  await sim.clearLog();
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'status', status: 429, retryAfter: '120' });
  const err = await within(15_000, rejectsWith(arduino.things.list({}), {
    vendor: 'arduino', status: 429, statusCode: 429, retryAfter: 120,
  }), 'the 429 rejection');
  assert.equal(err.body, 'You have reached maximum request limit.');
  assert.equal(err.message, 'You have reached maximum request limit.');
  assert.equal(await thingsCalls(), 1);
});

test('a 429 exhausting maxAttempts rejects with status 429 and retryAfter', T, async () => {
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'status', status: 429, retryAfter: '0', times: 2 });
  const err = await rejectsWith(sim.arduino({ maxAttempts: 2 }).things.list({}), { status: 429 });
  assert.equal(err.retryAfter, 0);
  assert.equal(await thingsCalls(), 2);
});

test('errors other than 429/503 are not retried', T, async () => {
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'status', status: 500 });
  await rejectsWith(sim.arduino().things.list({}), { vendor: 'arduino', status: 500 });
  assert.equal(await thingsCalls(), 1);
});

test('Particle 408 (offline device) is never retried', T, async () => {
  const particle = sim.particle();
  await particle.login({ username: 'maker@example.com', password: 'sim-particle-password' });
  await sim.clearLog();
  await rejectsWith(particle.getVariable({ deviceId: IDS.particle.offline, name: 'temperature' }), {
    vendor: 'particle', status: 408, statusCode: 408, message: 'timed out',
  });
  const log = await sim.requests();
  assert.equal(log.length, 1, 'exactly one request');
  assert.equal(log[0].path, `/particle/v1/devices/${IDS.particle.offline}/temperature`);
});

test('IoTConnect discovery answering an HTML 502 is retried and succeeds', T, async () => {
  await sim.fault({ vendor: 'iotconnect-discovery', kind: 'html502' });
  const devices = await sim.iotconnect().devices.list({ pageSize: 1000 });
  assert.equal(devices.length, 250);
  const { requests, faultsServed } = await sim.stats();
  assert.equal(requests['iotconnect-discovery'], 2);
  assert.equal(faultsServed, 1);
});

test('a 503 on the IoTConnect login is retried', T, async () => {
  await sim.fault({ vendor: 'iotconnect', match: '/Auth/login', kind: 'status', status: 503 });
  const { expiresAt } = await sim.iotconnect().login();
  assert.equal(typeof expiresAt, 'number');
  assert.equal((await sim.stats()).iotconnectAuth.login, 2);
});
