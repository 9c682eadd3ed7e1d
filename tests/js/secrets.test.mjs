// Errors are CloudErrors, and secrets stay secret: never in URLs, never in what a client or an error shows.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useSimulator, T, CREDENTIALS, IDS, CloudError, SECRETS, assertCloudError, rejectsWith,
} from './support.mjs';

const sim = useSimulator();

/** Every token the simulator handed out, as seen in the request log, plus any given. */
async function issuedTokens(extra = []) {
  const tokens = new Set(extra);
  for (const req of await sim.requests()) {
    const auth = req.headers.authorization || '';
    const m = /^(?:Bearer|Basic) (\S+)$/.exec(auth);
    if (m) tokens.add(m[1]);
    if (req.path.endsWith('/refresh-token')) tokens.add(JSON.parse(req.body).refreshtoken);
  }
  return [...tokens].filter(Boolean);
}

/** Runs every vendor's flow, including failures, and returns the clients, the errors and the login body. */
async function exercise() {
  const arduino = sim.arduino({ organization: CREDENTIALS.arduino.organization });
  const particle = sim.particle({ clientId: 'my-app', clientSecret: 'my-app-oauth-secret' });
  const cthings = sim.cthings();
  const iotc = sim.iotconnect();
  const errors = [];
  const collect = (promise) => promise.then(
    () => assert.fail('expected a rejection'),
    (err) => { errors.push(err); },
  );

  await arduino.things.list({});
  await arduino.properties.list(IDS.arduino.things.coldRoom, {});
  await collect(arduino.properties.list('11111111-2222-4333-8444-555555555555', {}));
  await collect(arduino.properties.list('a/b', {}));
  await collect(sim.arduino({ clientSecret: 'a-wrong-secret-value' }).things.list({}));
  const login = await particle.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
  await particle.listDevices({});
  await collect(particle.getVariable({ deviceId: IDS.particle.offline, name: 'temperature' }));
  await collect(particle.login({ username: CREDENTIALS.particle.username, password: 'a-wrong-password-value' }));
  await collect(particle.getDevice({ deviceId: '000000000000000000000000' }));
  await cthings.devices.get(IDS.cthings.devices[0]);
  await collect(cthings.devices.get('00000000-0000-4000-8000-000000000000'));
  await iotc.devices.list({ pageSize: 1000 });
  await sim.expireTokens('*');
  await iotc.devices.list({ pageSize: 1000 }); // renewed with the refresh token
  await arduino.things.list({}); // renewed with a new token
  await collect(iotc.devices.list({ sortBy: 'nope' }));
  await collect(sim.iotconnect({ password: 'a-wrong-password-value' }).login());
  await sim.fault({ vendor: 'arduino', match: '/iot/v2/things', kind: 'status', status: 429, retryAfter: '120' });
  await collect(arduino.things.list({}));
  await sim.fault({ vendor: 'cthings', match: '/v3/device', kind: 'hang' });
  await collect(sim.cthings({ timeoutMs: 200 }).devices.get(IDS.cthings.devices[1]));
  return { clients: { arduino, particle, cthings, iotc }, errors, login };
}

test('every rejection is a CloudError and an Error named CloudError', T, async () => {
  const { errors } = await exercise();
  assert.equal(errors.length, 11);
  for (const err of errors) {
    assertCloudError(err);
    assert.ok(err instanceof CloudError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'CloudError');
    assert.equal(Object.prototype.toString.call(err), '[object Error]');
    assert.ok(['arduino', 'particle', 'cthings', 'iotconnect'].includes(err.vendor), `vendor ${err.vendor}`);
    assert.equal(typeof err.code, 'string');
    assert.ok(err.code.length > 0);
    if (err.status !== undefined) assert.equal(err.statusCode, err.status);
    assert.match(String(err), /^CloudError: /);
    assert.equal(typeof err.stack, 'string');
  }
  const codes = errors.map((e) => [e.vendor, e.status, e.code]);
  assert.deepEqual(codes.filter(([, , code]) => code === 'invalid_argument').length, 1);
  assert.deepEqual(codes.filter(([, , code]) => code === 'timeout').length, 1);
});

test('tokens and secrets never appear in a URL', T, async () => {
  const { login } = await exercise();
  const tokens = await issuedTokens([login.body.access_token, login.body.refresh_token]);
  assert.ok(tokens.length >= 6, `tokens seen: ${tokens.length}`);
  const secrets = [...SECRETS, 'my-app-oauth-secret', ...tokens];
  const log = await sim.requests();
  assert.ok(log.length > 10);
  for (const req of log) {
    const url = `${req.path}?${new URLSearchParams(Object.entries(req.query).flatMap(([k, v]) => [v].flat().map((x) => [k, x])))}`;
    for (const secret of secrets) {
      assert.ok(!url.includes(secret), `${req.method} ${req.path} carries a secret in its URL`);
      assert.ok(!url.includes(encodeURIComponent(secret)), `${req.method} ${req.path} carries an encoded secret`);
    }
    assert.equal(req.query.access_token, undefined);
  }
  // API calls (not token endpoints) authenticate with a Bearer header.
  const api = log.filter((r) => /\/iot\/v2\/|\/v1\/devices|\/v3\/device|\/device\/api\//.test(r.path));
  assert.ok(api.length >= 8);
  for (const req of api) assert.match(req.headers.authorization, /^Bearer \S+$/, `${req.method} ${req.path}`);
});

test('clients never show secrets or tokens: JSON.stringify and String', T, async () => {
  const { clients, login } = await exercise();
  const readyToken = await sim.arduinoToken();
  const ready = {
    arduino: sim.arduino({ clientId: undefined, clientSecret: undefined, accessToken: readyToken }),
    cthings: sim.cthings({ clientId: undefined, clientSecret: undefined, accessToken: readyToken }),
    particle: sim.particle({ auth: readyToken }),
    iotc: sim.iotconnect({ username: undefined, password: undefined, accessToken: readyToken }),
  };
  clients.particle.setDefaultAuth(login.body.access_token);
  const tokens = await issuedTokens([login.body.access_token, login.body.refresh_token, readyToken]);
  const secrets = [...SECRETS, 'my-app-oauth-secret', ...tokens];
  for (const [name, client] of Object.entries({ ...clients, ...Object.fromEntries(Object.entries(ready).map(([k, v]) => [`ready ${k}`, v])) })) {
    const shown = [JSON.stringify(client), String(client), JSON.stringify(client.toJSON())];
    for (const text of shown) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `${name} shows a secret: ${text}`);
    }
    const json = JSON.parse(JSON.stringify(client));
    assert.equal(typeof json, 'object');
    assert.ok(['arduino', 'particle', 'cthings', 'iotconnect'].includes(json.vendor));
  }
});

test('errors never show secrets or tokens: message, JSON, String, stack, body', T, async () => {
  const { errors, login } = await exercise();
  const tokens = await issuedTokens([login.body.access_token, login.body.refresh_token]);
  const secrets = [...SECRETS, 'a-wrong-secret-value', 'a-wrong-password-value', 'my-app-oauth-secret', ...tokens];
  for (const err of errors) {
    const shown = [err.message, JSON.stringify(err), String(err), err.stack, JSON.stringify(err.body ?? null)];
    for (const text of shown) {
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `a ${err.vendor} ${err.code} error shows a secret: ${text}`);
      }
    }
  }
});

test('error fields for the documented failures', T, async () => {
  const wrongSecret = await rejectsWith(sim.arduino({ clientSecret: 'x' }).things.list({}), {
    vendor: 'arduino', status: 401, code: 'invalid_client',
  });
  assert.equal(typeof wrongSecret.body, 'object', 'the body is parsed JSON');
  assert.equal(wrongSecret.body.error, 'invalid_client');

  const wrongPassword = await rejectsWith(
    sim.particle().login({ username: CREDENTIALS.particle.username, password: 'x' }),
    { vendor: 'particle', status: 400, code: 'invalid_grant', shortErrorDescription: 'User credentials are invalid' },
  );
  assert.match(wrongPassword.errorDescription, /User credentials are invalid/);

  await rejectsWith(sim.cthings().devices.get('00000000-0000-4000-8000-000000000000'), {
    vendor: 'cthings', status: 404, message: 'Device not found',
  });
  await rejectsWith(sim.arduino().properties.list('11111111-2222-4333-8444-555555555555', {}), {
    vendor: 'arduino', status: 404, code: 'not_found',
  });
});
