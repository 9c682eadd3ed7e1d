// Timeouts, AbortSignal and the custom fetch option.
import test from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, T, IDS, rejectsWith, within, sleep } from './support.mjs';

const sim = useSimulator();

test('a hanging request rejects with code "timeout" after timeoutMs', T, async () => {
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'hang' });
  const started = Date.now();
  const err = await within(10_000, rejectsWith(sim.arduino({ timeoutMs: 300 }).things.list({}), {
    vendor: 'arduino', code: 'timeout',
  }), 'the timeout');
  assert.ok(Date.now() - started >= 250, 'not before the timeout');
  assert.equal(err.status, undefined);
  assert.equal((await sim.requests('arduino', '/iot/v2/things')).length, 1, 'a timeout is not retried');
});

test('a hanging token request times out too', T, async () => {
  await sim.fault({ vendor: 'cthings', match: '/token', kind: 'hang' });
  await within(10_000, rejectsWith(sim.cthings({ timeoutMs: 300 }).devices.get(IDS.cthings.devices[0]), {
    vendor: 'cthings', code: 'timeout',
  }), 'the timeout');
  assert.equal((await sim.requests('cthings', '/v3/device')).length, 0);
});

test('a hanging page of a paged list times out', T, async () => {
  await sim.fault({ vendor: 'iotconnect', match: '/Device', kind: 'hang' });
  await within(10_000, rejectsWith(sim.iotconnect({ timeoutMs: 300 }).devices.iterate({}).next(), {
    vendor: 'iotconnect', code: 'timeout',
  }), 'the timeout');
});

test('aborting the signal during a hanging request rejects with code "aborted"', T, async () => {
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'hang' });
  const controller = new AbortController();
  const arduino = sim.arduino({ signal: controller.signal });
  const pending = arduino.things.list({});
  // Abort once the request has reached the simulator.
  for (let i = 0; i < 200 && (await sim.requests('arduino', '/iot/v2/things')).length === 0; i++) await sleep(25);
  assert.equal((await sim.requests('arduino', '/iot/v2/things')).length, 1, 'the request is hanging');
  controller.abort();
  const err = await within(10_000, rejectsWith(pending, { vendor: 'arduino', code: 'aborted' }), 'the abort');
  assert.equal(err.status, undefined);
});

test('an already-aborted signal rejects with "aborted" without sending anything', T, async () => {
  const controller = new AbortController();
  controller.abort();
  await rejectsWith(sim.arduino({ signal: controller.signal }).things.list({}), { vendor: 'arduino', code: 'aborted' });
  await rejectsWith(sim.particle({ auth: 'x', signal: controller.signal }).listDevices({}), {
    vendor: 'particle', code: 'aborted',
  });
  await rejectsWith(sim.cthings({ signal: controller.signal }).devices.get(IDS.cthings.devices[0]), {
    vendor: 'cthings', code: 'aborted',
  });
  await rejectsWith(sim.iotconnect({ signal: controller.signal }).devices.list({}), {
    vendor: 'iotconnect', code: 'aborted',
  });
  assert.equal(await sim.requestCount(), 0);
});

test('a call\'s own signal ends it while it waits for a hanging login or discovery', T, async () => {
  // The token (Arduino, cThings) or the discovery (IoTConnect) hangs; the client has no signal and a long
  // timeout, so only the call's own signal can end the wait.
  const cases = [
    ['arduino', '/iot/v1/clients/token', (c, o) => c.things.list(o), () => sim.arduino({ timeoutMs: 30_000 })],
    ['cthings', '/token', (c, o) => c.devices.get(IDS.cthings.devices[0], o), () => sim.cthings({ timeoutMs: 30_000 })],
    ['iotconnect', '/api/uisdk', (c, o) => c.devices.list(o), () => sim.iotconnect({ timeoutMs: 30_000 })],
  ];
  for (const [vendor, match, call, make] of cases) {
    await sim.fault({ vendor: vendor === 'iotconnect' ? 'iotconnect-discovery' : vendor, match, kind: 'hang' });
    const client = make();
    const controller = new AbortController();
    const pending = call(client, { signal: controller.signal });
    pending.catch(() => {});
    for (let i = 0; i < 200 && (await sim.requests(vendor === 'iotconnect' ? 'iotconnect-discovery' : vendor, match)).length === 0; i++) await sleep(25);
    const started = Date.now();
    controller.abort();
    await within(2_000, rejectsWith(pending, { vendor, code: 'aborted' }), `${vendor}: the abort during the login`);
    assert.ok(Date.now() - started < 1_000, `${vendor}: at once`);
    // The hang was the fault's only one: a later call without a signal is not held up by the aborted one.
    await within(10_000, call(client, {}), `${vendor}: the next call`);
  }
  const listeners = [];
  const signal = { addEventListener: (t, f) => listeners.push(f), removeEventListener: (t, f) => listeners.splice(listeners.indexOf(f), 1), aborted: false };
  // A long-lived signal given to many calls keeps no listener of a finished call.
  const arduino = sim.arduino();
  for (let i = 0; i < 5; i++) await arduino.things.list({ signal });
  assert.equal(listeners.length, 0, 'each call removes its abort listener when it settles');
});

test('aborting during the back-off wait of a retry rejects with "aborted" at once', T, async () => {
  // Retry-After: 5 puts the call to sleep before its second attempt; the abort must end that sleep rather
  // than leave the caller waiting for it (a Retry-After may be up to 60 s).
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'status', status: 503, retryAfter: '5' });
  // The abort must come after the client has the 503 in hand, i.e. while it waits to retry: a fetch
  // wrapper reports the moment a 503 response is handed back to the client.
  let got503;
  const gotResponse = new Promise((resolve) => { got503 = resolve; });
  const statuses = [];
  const watchingFetch = async (input, init) => {
    const response = await fetch(input, init);
    statuses.push(response.status);
    if (response.status === 503) got503(response);
    return response;
  };
  const controller = new AbortController();
  const pending = sim.arduino({ signal: controller.signal, fetch: watchingFetch }).things.list({});
  pending.catch(() => {});
  await within(10_000, gotResponse, 'the 503 response');
  // Let the client read the 503 body and start its wait before aborting.
  await sleep(50);
  controller.abort();
  await within(3_000, rejectsWith(pending, { vendor: 'arduino', code: 'aborted' }), 'the abort during back-off');
  assert.deepEqual(statuses, [200, 503], 'the token, then the 503; nothing after the abort');
  assert.equal((await sim.requests('arduino', '/iot/v2/things')).length, 1, 'the retry is never sent');
});

test('a custom fetch is used for every request', T, async () => {
  let calls = 0;
  const urls = [];
  const countingFetch = (input, init) => {
    calls++;
    urls.push(String(input));
    return fetch(input, init);
  };
  const arduino = sim.arduino({ fetch: countingFetch });
  await arduino.things.list({});
  await arduino.properties.list(IDS.arduino.things.weatherStation, {});
  const iotc = sim.iotconnect({ fetch: countingFetch });
  let devices = 0;
  for await (const device of iotc.devices.iterate()) devices += device.uniqueId ? 1 : 0;
  assert.equal(devices, 250);
  const particle = sim.particle({ fetch: countingFetch });
  await particle.login({ username: 'maker@example.com', password: 'sim-particle-password' });
  await particle.listDevices({});
  const cthings = sim.cthings({ fetch: countingFetch });
  await cthings.devices.get(IDS.cthings.devices[0]);

  const log = await sim.requests();
  assert.equal(calls, log.length, 'one fetch call per request the simulator saw');
  // arduino: token + 2 calls; iotconnect: discovery, basic-token, login, 3 pages; particle: 2; cthings: 2
  assert.equal(calls, 3 + 6 + 2 + 2);
  assert.deepEqual(urls.map((u) => new URL(u).pathname), log.map((r) => r.path));
});

test('a custom fetch that fails makes the call reject with a CloudError', T, async () => {
  const failing = () => Promise.reject(new TypeError('network is down'));
  const err = await rejectsWith(sim.arduino({ fetch: failing }).things.list({}), { vendor: 'arduino' });
  assert.equal(err.code, 'network_error');
  assert.equal(await sim.requestCount(), 0);
});
