// Back-off: 429/503 are retried honouring Retry-After (seconds or an HTTP date), up to maxAttempts; a
// Retry-After beyond a minute is handed to the caller instead of waited for; other errors are not retried.
import test from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, T, CREDENTIALS, IDS, rejectsWith, within } from './support.mjs';

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
  // The back-off starts at 500 ms with equal jitter, so the retry waits at least 250 ms; 200 leaves room
  // for clock granularity.
  const [first, second] = await sim.requests('arduino', '/iot/v2/things');
  assert.ok(second.time - first.time >= 200, `retried ${second.time - first.time} ms after the 503`);
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

test('Particle callFunction (a POST) answered 503 is not retried', T, async () => {
  const particle = sim.particle();
  await particle.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
  await sim.clearLog();
  const fn = `/v1/devices/${IDS.particle.online}/led`;
  await sim.fault({ vendor: 'particle', match: fn, kind: 'status', status: 503 });
  // A second fault stays queued if the call were repeated, so a retry would fail the count below.
  await sim.fault({ vendor: 'particle', match: fn, kind: 'status', status: 503 });
  await rejectsWith(particle.callFunction({ deviceId: IDS.particle.online, name: 'led', argument: 'on' }), {
    vendor: 'particle', status: 503, statusCode: 503,
  });
  const calls = await sim.requests('particle', fn);
  assert.equal(calls.length, 1, 'exactly one request to the function');
  assert.equal(calls[0].method, 'POST');
  assert.equal((await sim.stats()).faultsPending, 1);
});

test('Particle callFunction answered 429 with Retry-After: 1 is retried and succeeds', T, async () => {
  const particle = sim.particle();
  await particle.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
  await sim.clearLog();
  const fn = `/v1/devices/${IDS.particle.online}/led`;
  await sim.fault({ vendor: 'particle', match: fn, kind: 'status', status: 429, retryAfter: '1' });
  const result = await particle.callFunction({ deviceId: IDS.particle.online, name: 'led', argument: 'on' });
  assert.equal(result.statusCode, 200);
  assert.equal(result.body.return_value, 1);
  const calls = await sim.requests('particle', fn);
  assert.equal(calls.length, 2, 'the 429, then the retry');
  for (const call of calls) assert.equal(call.method, 'POST');
  assert.ok(calls[1].time - calls[0].time >= 950, `retried ${calls[1].time - calls[0].time} ms after the 429`);
  assert.equal((await sim.stats()).faultsServed, 1);
});

test('IoTConnect discovery answering an HTML 502 is retried and succeeds', T, async () => {
  await sim.fault({ vendor: 'iotconnect-discovery', kind: 'html502' });
  const devices = await sim.iotconnect().devices.list({ pageSize: 1000 });
  assert.equal(devices.data.length, 250);
  const { requests, faultsServed } = await sim.stats();
  assert.equal(requests['iotconnect-discovery'], 2);
  assert.equal(faultsServed, 1);
});

test('IoTConnect discovery answering an HTML 502 on every attempt rejects with http_502', T, async () => {
  // Five faults queued for three attempts (the default maxAttempts): two are left over.
  await sim.fault({ vendor: 'iotconnect-discovery', kind: 'html502', times: 5 });
  const err = await rejectsWith(sim.iotconnect().devices.list({}), {
    vendor: 'iotconnect', code: 'http_502', status: 502, statusCode: 502,
  });
  assert.equal(typeof err.body, 'string', 'the HTML page as text');
  assert.match(err.body, /<title>502 Bad Gateway<\/title>/);
  const { requests, faultsServed, faultsPending } = await sim.stats();
  assert.equal(requests['iotconnect-discovery'], 3, 'maxAttempts requests');
  assert.equal(faultsServed, 3);
  assert.equal(faultsPending, 1, 'the fault entry with the two unused repeats is still queued');
  assert.equal(requests.iotconnect, 0, 'no login without the service URLs');
});

test('a 503 on the IoTConnect login is retried', T, async () => {
  await sim.fault({ vendor: 'iotconnect', match: '/Auth/login', kind: 'status', status: 503 });
  const { expiresAt } = await sim.iotconnect().login();
  assert.equal(typeof expiresAt, 'number');
  assert.equal((await sim.stats()).iotconnectAuth.login, 2);
});
