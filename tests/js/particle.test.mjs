// Particle Device Cloud client: particle-api-js method names and {body, statusCode} results.
import test from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, T, CREDENTIALS, IDS, rejectsWith, bearer, decodeBasic } from './support.mjs';

const sim = useSimulator();
const { username, password } = CREDENTIALS.particle;
const ONLINE = IDS.particle.online;
const OFFLINE = IDS.particle.offline;

async function loggedIn(options = {}) {
  const particle = sim.particle(options);
  const login = await particle.login({ username, password });
  return { particle, token: login.body.access_token, login };
}

test('login resolves {body, statusCode} with the token the cloud issued', T, async () => {
  const { login, token } = await loggedIn();
  assert.deepEqual(Object.keys(login).sort(), ['body', 'statusCode']);
  assert.equal(login.statusCode, 200);
  assert.equal(login.body.token_type, 'bearer');
  assert.match(token, /^[0-9a-f]{40}$/);
  assert.equal(login.body.expires_in, 7776000);
  assert.equal(typeof login.body.refresh_token, 'string');
});

test('login: password grant, form-encoded, OAuth client in the form as particle-api-js sends it', T, async () => {
  const particle = sim.particle({ clientId: 'my-app', clientSecret: 'my-app-secret' });
  await particle.login({ username, password, tokenDuration: 3600 });
  const [req] = await sim.requests('particle');
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/particle/oauth/token');
  assert.deepEqual(req.query, {});
  assert.match(req.headers['content-type'], /^application\/x-www-form-urlencoded\b/);
  assert.equal(req.headers.authorization, undefined);
  assert.deepEqual([...new URLSearchParams(req.body)], [
    ['username', username], ['password', password], ['grant_type', 'password'],
    ['client_id', 'my-app'], ['client_secret', 'my-app-secret'], ['expires_in', '3600'],
  ]);
});

test('login without a configured OAuth client sends particle-api:particle-api', T, async () => {
  await loggedIn();
  const [req] = await sim.requests('particle');
  assert.equal(req.path, '/particle/oauth/token');
  const form = new URLSearchParams(req.body);
  // particle-api-js's default OAuth client and token lifetime, exactly.
  assert.equal(form.get('client_id'), 'particle-api');
  assert.equal(form.get('client_secret'), 'particle-api');
  assert.equal(form.get('expires_in'), '7776000');
});

test('login uses the constructor\'s clientId and clientSecret exactly when given', T, async () => {
  for (const [clientId, clientSecret] of [['my-app', 'my-app-secret'], ['my.app_id-2', 's3cr3t:pa ss/+=']]) {
    await sim.clearLog();
    await sim.particle({ clientId, clientSecret }).login({ username, password });
    const [req] = await sim.requests('particle');
    const form = new URLSearchParams(req.body);
    assert.deepEqual([form.get('client_id'), form.get('client_secret')], [clientId, clientSecret]);
  }
});

test('listDevices returns every device, with the token in the Authorization header', T, async () => {
  const { particle, token } = await loggedIn();
  const res = await particle.listDevices({});
  assert.equal(res.statusCode, 200);
  assert.deepEqual(new Set(res.body.map((d) => d.id)), new Set(IDS.particle.devices));
  const attic = res.body.find((d) => d.id === OFFLINE);
  assert.equal(attic.name, 'attic-photon');
  assert.equal(attic.online, false);
  const kitchen = res.body.find((d) => d.id === ONLINE);
  assert.equal(kitchen.online, true);
  assert.deepEqual(kitchen.functions, ['led', 'setColor']);

  const [api] = await sim.requests('particle', '/v1/devices');
  assert.equal(api.method, 'GET');
  assert.equal(api.path, '/particle/v1/devices');
  assert.deepEqual(api.query, {});
  assert.equal(bearer(api.headers.authorization), token);
});

test('getDevice by id and by name', T, async () => {
  const { particle } = await loggedIn();
  const byId = await particle.getDevice({ deviceId: ONLINE });
  assert.equal(byId.statusCode, 200);
  assert.equal(byId.body.id, ONLINE);
  assert.equal(byId.body.name, 'kitchen-argon');
  assert.deepEqual(byId.body.variables, { temperature: 'double', humidity: 'int32', status: 'string' });
  const byName = await particle.getDevice({ deviceId: 'greenhouse-boron' });
  assert.equal(byName.body.id, 'e00fce68bfa6e5c9aad6a626');
  const log = await sim.requests('particle', '/v1/devices');
  assert.deepEqual(log.map((r) => r.path), [`/particle/v1/devices/${ONLINE}`, '/particle/v1/devices/greenhouse-boron']);
});

test('getDevice of an unknown device rejects with 403', T, async () => {
  const { particle } = await loggedIn();
  const err = await rejectsWith(particle.getDevice({ deviceId: '000000000000000000000000' }), {
    vendor: 'particle', status: 403, statusCode: 403,
  });
  assert.equal(err.body.error, 'Permission Denied');
});

test('getVariable returns the reading with coreInfo', T, async () => {
  const { particle } = await loggedIn();
  const res = await particle.getVariable({ deviceId: ONLINE, name: 'temperature' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.body.name, 'temperature');
  assert.equal(typeof res.body.result, 'number');
  assert.ok(Math.abs(res.body.result - 21.5) <= 0.3 + 1e-9, `reading near 21.5: ${res.body.result}`);
  assert.equal(res.body.coreInfo.deviceID, ONLINE);
  assert.equal(res.body.coreInfo.connected, true);
  const status = await particle.getVariable({ deviceId: ONLINE, name: 'status' });
  assert.equal(status.body.result, 'ok');
  const log = await sim.requests('particle', '/v1/devices');
  assert.equal(log[0].method, 'GET');
  assert.equal(log[0].path, `/particle/v1/devices/${ONLINE}/temperature`);
});

test('callFunction sends the argument and returns return_value', T, async () => {
  const { particle, token } = await loggedIn();
  const on = await particle.callFunction({ deviceId: ONLINE, name: 'led', argument: 'on' });
  assert.equal(on.statusCode, 200);
  assert.deepEqual(on.body, { id: ONLINE, name: 'kitchen-argon', connected: true, return_value: 1 });
  const bad = await particle.callFunction({ deviceId: ONLINE, name: 'led', argument: 'blink' });
  assert.equal(bad.body.return_value, -1);
  const color = await particle.callFunction({ deviceId: ONLINE, name: 'setColor', argument: '255,0,64' });
  assert.equal(color.body.return_value, 1);

  const log = await sim.requests('particle', '/v1/devices');
  assert.equal(log.length, 3);
  for (const req of log) {
    assert.equal(req.method, 'POST');
    assert.equal(bearer(req.headers.authorization), token);
    assert.deepEqual(req.query, {});
  }
  assert.equal(log[0].path, `/particle/v1/devices/${ONLINE}/led`);
  const arg = (req) => (/json/.test(req.headers['content-type'])
    ? JSON.parse(req.body).arg : new URLSearchParams(req.body).get('arg'));
  assert.deepEqual(log.map(arg), ['on', 'blink', '255,0,64']);
});

test('an unknown variable rejects with 404 and the cloud\'s "Unknown Variable: <name>"', T, async () => {
  const { particle } = await loggedIn();
  const err = await rejectsWith(particle.getVariable({ deviceId: ONLINE, name: 'sensor2' }), {
    vendor: 'particle', status: 404, statusCode: 404, message: 'Unknown Variable: sensor2',
  });
  assert.deepEqual(err.body, { ok: false, error: 'Unknown Variable: sensor2' });
  const log = await sim.requests('particle', '/v1/devices');
  assert.deepEqual(log.map((r) => `${r.method} ${r.path}`), [`GET /particle/v1/devices/${ONLINE}/sensor2`],
    'a 404 is not retried');
});

test('an offline device answers 408 "timed out", which is not retried', T, async () => {
  const { particle } = await loggedIn();
  await rejectsWith(particle.getVariable({ deviceId: OFFLINE, name: 'temperature' }), {
    vendor: 'particle', status: 408, statusCode: 408, message: 'timed out',
  });
  assert.equal((await sim.requests('particle', `/v1/devices/${OFFLINE}`)).length, 1);
  await rejectsWith(particle.callFunction({ deviceId: OFFLINE, name: 'led', argument: 'on' }), {
    status: 408, message: 'timed out',
  });
  assert.equal((await sim.requests('particle', `/v1/devices/${OFFLINE}`)).length, 2);
});

test('auth per call, the constructor auth and setDefaultAuth', T, async () => {
  // A login does not replace a default token given to the constructor.
  const { particle, token } = await loggedIn({ auth: 'a-token-the-cloud-never-issued' });
  await rejectsWith(particle.listDevices({}), { vendor: 'particle', status: 401, code: 'invalid_token' });
  const perCall = await particle.listDevices({ auth: token });
  assert.equal(perCall.statusCode, 200);
  particle.setDefaultAuth(token);
  const byDefault = await particle.listDevices({});
  assert.equal(byDefault.body.length, 3);

  const other = sim.particle({ auth: token });
  assert.equal((await other.getDevice({ deviceId: ONLINE })).body.id, ONLINE);
});

test('a wrong password rejects with 400 invalid_grant and the OAuth descriptions', T, async () => {
  const particle = sim.particle();
  const err = await rejectsWith(particle.login({ username, password: 'wrong-password' }), {
    vendor: 'particle', status: 400, statusCode: 400, code: 'invalid_grant',
  });
  assert.deepEqual(err.body, { error: 'invalid_grant', error_description: 'User credentials are invalid' });
  assert.equal(typeof err.errorDescription, 'string');
  assert.match(err.errorDescription, /User credentials are invalid/);
  // As particle-api-js: "HTTP error 400 from <url> - <error_description>" (here without the URL).
  assert.equal(err.errorDescription, 'HTTP error 400 - User credentials are invalid');
  assert.equal(err.shortErrorDescription, 'User credentials are invalid');
});
