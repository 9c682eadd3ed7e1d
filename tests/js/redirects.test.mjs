// Redirects: a token or login request is never redirected (307/308, to another origin or the same one:
// `redirect_refused`); an API request follows a redirect on its own origin and refuses one to another origin
// (`redirect_refused`), and the other origin — a second loopback server that records everything — receives
// nothing: no Authorization header, no body. The simulator answers the redirects (fault kind `redirect`).
import test, { before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, T, CREDENTIALS, IDS, rejectsWith } from './support.mjs';
import { startRecorder, cannedLogin, cannedOptions, JSON_HEADERS } from './hostile.mjs';
import { Arduino, Particle, CThings, IoTConnect } from './support.mjs';

const sim = useSimulator();
let other;
before(async () => { other = await startRecorder(); });
after(async () => { await other?.close(); });
beforeEach(() => { other.requests.length = 0; });

const redirect = (vendor, match, status, location) => sim.fault({ vendor, match, kind: 'redirect', status, location });

function assertNothingElsewhere() {
  assert.deepEqual(other.requests.map((r) => `${r.method} ${r.url} authorization=${r.headers.authorization ?? '-'} body=${r.body.length}`), [],
    'the other origin received nothing');
}

// The token and login requests of each vendor, and a call that makes the client send it.
const TOKEN_STEPS = [
  { label: 'Arduino POST /iot/v1/clients/token', vendor: 'arduino', path: '/arduino/iot/v1/clients/token',
    run: () => sim.arduino().things.list({}) },
  { label: 'Particle login POST /oauth/token', vendor: 'particle', path: '/particle/oauth/token',
    run: () => sim.particle().login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password }) },
  { label: 'cThings POST /token', vendor: 'cthings', path: '/cthings-auth/token',
    run: () => sim.cthings().devices.get(IDS.cthings.devices[0]) },
  { label: 'IoTConnect GET /Auth/basic-token', vendor: 'iotconnect', path: '/iotconnect/auth/api/v2.1/Auth/basic-token',
    run: () => sim.iotconnect().login() },
  { label: 'IoTConnect POST /Auth/login', vendor: 'iotconnect', path: '/iotconnect/auth/api/v2.1/Auth/login',
    run: () => sim.iotconnect().login() },
  { label: 'IoTConnect POST /Auth/refresh-token', vendor: 'iotconnect', path: '/iotconnect/auth/api/v2.1/Auth/refresh-token',
    // Logged in first; once the token is refused (401), the client renews it with the refresh token.
    prepare: async () => {
      const iotc = sim.iotconnect();
      await iotc.login();
      await sim.expireTokens('iotconnect');
      return iotc;
    },
    run: (iotc) => iotc.devices.list({ pageSize: 1000 }) },
];

for (const step of TOKEN_STEPS) {
  for (const status of [307, 308]) {
    test(`${step.label} answered ${status} to another origin: redirect_refused, nothing sent there`, T, async () => {
      const client = await step.prepare?.();
      await redirect(step.vendor, step.path, status, `${other.url}${step.path}`);
      await rejectsWith(step.run(client), { code: 'redirect_refused', vendor: step.vendor });
      assertNothingElsewhere();
    });
  }
  test(`${step.label} answered 307 to the same URL on its own origin: still redirect_refused`, T, async () => {
    const client = await step.prepare?.();
    await redirect(step.vendor, step.path, 307, `${sim.url}${step.path}`);
    await rejectsWith(step.run(client), { code: 'redirect_refused', vendor: step.vendor });
    const sent = (await sim.requests()).filter((r) => r.path === step.path);
    assert.equal(sent.length, 1, 'the token request was sent once and not followed');
  });
}

// API requests: a same-origin redirect is followed (with the token: the simulator answers only then).
test('Arduino properties.list: a same-origin 302 to another thing\'s properties is followed', T, async () => {
  const arduino = sim.arduino();
  const { weatherStation, greenhouse } = IDS.arduino.things;
  const expected = (await arduino.properties.list(greenhouse, {})).map((p) => p.id).sort();
  await redirect('arduino', `/things/${weatherStation}/properties`, 302, `/arduino/iot/v2/things/${greenhouse}/properties`);
  const got = await arduino.properties.list(weatherStation, {});
  assert.deepEqual(got.map((p) => p.id).sort(), expected, 'the properties of the thing redirected to');
  const log = (await sim.requests('arduino')).filter((r) => r.path.endsWith('/properties'));
  assert.deepEqual(log.slice(-2).map((r) => r.path), [
    `/arduino/iot/v2/things/${weatherStation}/properties`, `/arduino/iot/v2/things/${greenhouse}/properties`,
  ]);
  assert.match(log.at(-1).headers.authorization ?? '', /^Bearer \S+$/, 'the redirected request carries the token');
});

test('Arduino things.list: a same-origin 307 (an absolute URL with another query) is followed', T, async () => {
  await redirect('arduino', '/iot/v2/things', 307, `${sim.url}/arduino/iot/v2/things?show_deleted=true`);
  const things = await sim.arduino().things.list({});
  assert.equal(things.length, 4, 'the soft-deleted thing too: the redirect target was read');
  assert.ok(things.some((t) => t.id === IDS.arduino.things.oldPrototype));
});

test('Particle getDevice: a same-origin 307 to another device is followed', T, async () => {
  const particle = sim.particle();
  await particle.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
  await redirect('particle', `/v1/devices/${IDS.particle.online}`, 307, `/particle/v1/devices/${IDS.particle.offline}`);
  const { body } = await particle.getDevice({ deviceId: IDS.particle.online });
  assert.equal(body.id, IDS.particle.offline);
});

test('cThings devices.get: a same-origin 302 to another device is followed', T, async () => {
  const [first, second] = IDS.cthings.devices;
  await redirect('cthings', `/v3/device/${first}`, 302, `/cthings/v3/device/${second}`);
  assert.equal((await sim.cthings().devices.get(first)).id, second);
});

test('IoTConnect devices.list: a same-origin 307 to a filtered page is followed', T, async () => {
  await redirect('iotconnect', '/Device', 307, '/iotconnect/device/api/v2.1/Device?pageNumber=1&pageSize=1000&Status=inactive');
  const { data: devices } = await sim.iotconnect().devices.list({ pageSize: 1000 });
  assert.ok(devices.length > 0 && devices.length < 250, `${devices.length} devices`);
  assert.ok(devices.every((d) => d.isActive === false), 'the inactive devices the redirect asked for');
});

test('Particle callFunction: a same-origin 303 after its POST is followed as a GET without the body', T, async () => {
  const particle = sim.particle();
  await particle.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
  await sim.clearLog();
  await redirect('particle', `/v1/devices/${IDS.particle.online}/led`, 303, `/particle/v1/devices/${IDS.particle.online}`);
  const { body } = await particle.callFunction({ deviceId: IDS.particle.online, name: 'led', argument: 'on' });
  assert.equal(body.id, IDS.particle.online, 'the device the 303 pointed at');
  const sent = await sim.requests('particle', `/v1/devices/${IDS.particle.online}`);
  assert.deepEqual(sent.map((r) => [r.method, r.body.length]), [['POST', sent[0].body.length], ['GET', 0]]);
  assert.ok(sent[0].body.length > 0, 'the POST had its body');
});

// API requests redirected to another origin: refused, and the other origin sees nothing.
const API_CALLS = [
  { label: 'Arduino things.list', vendor: 'arduino', match: '/iot/v2/things', run: () => sim.arduino().things.list({}) },
  { label: 'Arduino properties.list', vendor: 'arduino', match: '/properties',
    run: () => sim.arduino().properties.list(IDS.arduino.things.weatherStation, {}) },
  { label: 'Particle getDevice', vendor: 'particle', match: '/v1/devices/', login: true,
    run: (p) => p.getDevice({ deviceId: IDS.particle.online }) },
  { label: 'Particle callFunction (a POST with a body)', vendor: 'particle', match: '/v1/devices/', login: true,
    run: (p) => p.callFunction({ deviceId: IDS.particle.online, name: 'led', argument: 'on' }) },
  { label: 'cThings devices.get', vendor: 'cthings', match: '/v3/device/', run: () => sim.cthings().devices.get(IDS.cthings.devices[0]) },
  { label: 'IoTConnect devices.list', vendor: 'iotconnect', match: '/Device', run: () => sim.iotconnect().devices.list({}) },
];

for (const call of API_CALLS) {
  for (const status of [302, 307]) {
    test(`${call.label} redirected (${status}) to another origin: redirect_refused, nothing sent there`, T, async () => {
      let client;
      if (call.login) {
        client = sim.particle();
        await client.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
      }
      await redirect(call.vendor, call.match, status, `${other.url}/stolen${call.match}`);
      await rejectsWith(call.run(client), { code: 'redirect_refused', vendor: call.vendor });
      assertNothingElsewhere();
    });
  }
}

test('a redirect to the same port under another host name (localhost) is another origin: refused', T, async () => {
  const id = IDS.arduino.things.weatherStation;
  const arduino = sim.arduino();
  await arduino.things.list({});
  await sim.clearLog();
  await redirect('arduino', '/properties', 307, `http://localhost:${sim.server.port}/arduino/iot/v2/things/${id}/properties`);
  await rejectsWith(arduino.properties.list(id, {}), { code: 'redirect_refused', vendor: 'arduino' });
  assert.equal((await sim.requests('arduino', '/properties')).length, 1, 'the redirect was not followed');
});

test('a same-origin redirect loop ends with a CloudError after a bounded number of requests', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({});
  await sim.clearLog();
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'redirect', status: 302, location: '/arduino/iot/v2/things', times: 100 });
  await rejectsWith(arduino.things.list({}), { vendor: 'arduino' });
  const sent = (await sim.requests('arduino', '/iot/v2/things')).length;
  assert.ok(sent <= 21, `${sent} requests: redirects are followed at most 20 times`);
});

test('every request asks fetch not to follow redirects (redirect: "manual")', T, async () => {
  const seen = [];
  const fetch = async (url, init) => {
    seen.push(`${init?.redirect} ${init?.method ?? 'GET'} ${url}`);
    const login = cannedLogin(url);
    if (login) return login;
    const u = String(url);
    const body = u.includes('/v3/device/') ? '{"code":200,"data":{"id":"d-1"}}'
      : u.includes('/Device') ? '{"data":[],"status":200}'
        : /\/v1\/devices\/[^/]+/.test(u) ? '{"id":"d-1"}' : '[]';
    return new Response(body, { status: 200, headers: JSON_HEADERS });
  };
  const o = cannedOptions(fetch, { maxAttempts: 1 });
  await new Arduino(o.arduino).things.list({});
  const particle = new Particle({ ...o.particle, auth: undefined });
  await particle.login({ username: 'u', password: 'p' });
  await particle.getDevice({ deviceId: 'd-1' });
  await new CThings(o.cthings).devices.get(IDS.cthings.devices[0]);
  await new IoTConnect(o.iotconnect).devices.list({});
  assert.ok(seen.length >= 9, `${seen.length} requests`);
  assert.deepEqual(seen.filter((s) => !s.startsWith('manual ')), [], 'requests sent without redirect: "manual"');
});
