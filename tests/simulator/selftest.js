'use strict';
// Self-check of the cloud simulator: node --test tests/simulator/selftest.js

const { test, describe, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { startSimulator, CREDENTIALS, IDS } = require('./index.js');

let sim;
let SIM;

async function call(urlPath, init = {}) {
  const res = await fetch(SIM + urlPath, init);
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const post = (urlPath, body, headers = {}) => call(urlPath, { method: 'POST', body, headers });
const postJson = (urlPath, value, headers = {}) =>
  post(urlPath, JSON.stringify(value), { 'content-type': 'application/json', ...headers });
const bearer = (token, extra = {}) => ({ headers: { authorization: `Bearer ${token}`, ...extra } });
const basic = (user, pass) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const control = (op, value, method = 'POST') => call(`/__sim/${op}`, {
  method,
  headers: { 'content-type': 'application/json' },
  body: value === undefined ? undefined : JSON.stringify(value),
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const A = CREDENTIALS.arduino;
const P = CREDENTIALS.particle;
const C = CREDENTIALS.cthings;
const I = CREDENTIALS.iotconnect;
const DISCOVERY = `/iotconnect-discovery/api/uisdk/solutionkey/${I.solutionKey}/env/${I.env}`;

function arduinoForm(overrides = {}) {
  return new URLSearchParams({
    grant_type: 'client_credentials', client_id: A.clientId, client_secret: A.clientSecret,
    audience: 'https://api2.arduino.cc/iot', ...overrides,
  });
}

async function arduinoToken(overrides) {
  const r = await post('/arduino/iot/v1/clients/token', arduinoForm(overrides));
  assert.equal(r.status, 200, r.text);
  return r.json.access_token;
}

async function particleToken(extra = {}) {
  const body = new URLSearchParams({ grant_type: 'password', username: P.username, password: P.password, ...extra });
  const r = await post('/particle/oauth/token', body, { authorization: basic('particle', 'particle') });
  assert.equal(r.status, 200, r.text);
  return r.json.access_token;
}

function cthingsForm(fields = { grant_type: 'client_credentials', scope: 'api' }) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
}

async function cthingsToken() {
  const r = await post('/cthings-auth/token', cthingsForm(), { authorization: basic(C.clientId, C.clientSecret) });
  assert.equal(r.status, 200, r.text);
  return r.json.access_token;
}

async function iotconnectAuthBase() {
  const r = await call(`${DISCOVERY}?version=2.1&pf=aws`);
  assert.equal(r.status, 200, r.text);
  return new URL(r.json.data.authBaseUrl).pathname;
}

async function iotconnectLogin() {
  const auth = await iotconnectAuthBase();
  const basicToken = (await call(`${auth}/Auth/basic-token`)).json.data;
  const r = await postJson(`${auth}/Auth/login`, { username: I.username, password: I.password },
    { authorization: `Basic ${basicToken}`, 'solution-key': I.solutionKey });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

before(async () => {
  sim = await startSimulator();
  SIM = sim.url;
});
after(() => sim.close());
beforeEach(async () => {
  assert.equal((await control('reset')).status, 200);
});

describe('server', () => {
  test('url and port', () => {
    assert.match(SIM, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(SIM, `http://127.0.0.1:${sim.port}`);
  });

  test('CORS on responses and preflight', async () => {
    const r = await call('/arduino/iot/v2/things');
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.headers.get('access-control-expose-headers'), 'Retry-After');
    const pre = await call('/particle/v1/devices', { method: 'OPTIONS' });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get('access-control-allow-methods'), /PATCH/);
    assert.match(pre.headers.get('access-control-allow-headers'), /X-Organization/);
    assert.match(pre.headers.get('access-control-allow-headers'), /solution-key/);
    assert.equal(pre.headers.get('access-control-max-age'), '600');
  });

  test('refuses hosts other than 127.0.0.1', async () => {
    await assert.rejects(startSimulator({ host: '0.0.0.0' }));
  });

  test('handed-out URLs use the Host header only for loopback names', async () => {
    // fetch() sets Host itself, so the requests are made with node:http.
    const get = (urlPath, host) => new Promise((resolve, reject) => {
      const req = http.get(`${SIM}${urlPath}`, { headers: { host } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk) => { text += chunk; });
        res.on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
    });
    const discovery = `${DISCOVERY}?version=2.1&pf=aws`;
    const authBase = async (host) => (await get(discovery, host)).data.authBaseUrl;
    const { port } = sim;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'localhost', 'LOCALHOST:1234']) {
      assert.equal(await authBase(host), `http://${host.toLowerCase()}/iotconnect/auth/api/v2.1`, host);
    }
    for (const host of ['api.example.com', `evil.example:${port}`, '127.0.0.1.example.com', 'localhost.evil',
      '[::2]:80', '127.0.0.2', `127.0.0.1:${port}@evil.example`, '']) {
      assert.equal(await authBase(host), `${SIM}/iotconnect/auth/api/v2.1`, `Host: ${host}`);
      assert.equal((await get('/__sim/demo', host)).arduino.baseUrl, `${SIM}/arduino`, `Host: ${host}`);
      assert.equal((await get('/', host)).particle, `${SIM}/particle`, `Host: ${host}`);
    }
    // The cThings envelope echoes the request URL with the same rule.
    const token = await cthingsToken();
    const [id] = IDS.cthings.devices;
    const envelope = await new Promise((resolve, reject) => {
      http.get(`${SIM}/cthings/v3/device/${id}`, {
        headers: { host: 'api.cthings.cloud', authorization: `Bearer ${token}` },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk) => { text += chunk; });
        res.on('end', () => resolve(JSON.parse(text)));
      }).on('error', reject);
    });
    assert.equal(envelope.request.url, `${SIM}/cthings/v3/device/${id}`);
  });
});

describe('arduino', () => {
  test('token: success and errors', async () => {
    const ok = await post('/arduino/iot/v1/clients/token', arduinoForm());
    assert.equal(ok.status, 200);
    assert.equal(ok.json.token_type, 'Bearer');
    assert.equal(ok.json.expires_in, 300);
    assert.equal(typeof ok.json.access_token, 'string');

    const wrong = await post('/arduino/iot/v1/clients/token', arduinoForm({ client_secret: 'nope' }));
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.json, { error: 'invalid_client', error_description: 'Invalid client credentials' });

    assert.equal((await post('/arduino/iot/v1/clients/token', arduinoForm({ audience: 'x' }))).status, 400);
    const grant = await post('/arduino/iot/v1/clients/token', arduinoForm({ grant_type: 'password' }));
    assert.equal(grant.status, 400);
    assert.equal(grant.json.error, 'invalid_request');
    const json = await postJson('/arduino/iot/v1/clients/token', Object.fromEntries(arduinoForm()));
    assert.equal(json.status, 400);
  });

  test('things: auth, filters, organization space', async () => {
    const none = await call('/arduino/iot/v2/things');
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('content-type'), 'application/vnd.goa.error+json');
    assert.equal(none.json.code, 'unauthorized');
    assert.equal(none.json.detail, 'invalid token');
    assert.deepEqual(Object.keys(none.json).sort(), ['code', 'detail', 'id', 'meta', 'status']);

    const token = await arduinoToken();
    const list = await call('/arduino/iot/v2/things', bearer(token));
    assert.equal(list.status, 200);
    assert.match(list.headers.get('content-type'), /^application\/vnd\.arduino\.thing\+json/);
    assert.equal(list.json.length, 3);
    assert.ok(list.json.every((t) => !('properties' in t) && t.href === `/iot/v1/things/${t.id}`));

    const all = await call('/arduino/iot/v2/things?show_deleted=true', bearer(token));
    assert.equal(all.json.length, 4);
    assert.ok(all.json.find((t) => t.id === IDS.arduino.things.oldPrototype).deleted_at);

    const withProps = await call('/arduino/iot/v2/things?show_properties=true', bearer(token));
    assert.ok(withProps.json.every((t) => t.properties.length === t.properties_count));

    const weather = list.json.find((t) => t.id === IDS.arduino.things.weatherStation);
    const byDevice = await call(`/arduino/iot/v2/things?device_id=${weather.device_id}`, bearer(token));
    assert.deepEqual(byDevice.json.map((t) => t.id), [weather.id]);
    const ids = `${IDS.arduino.things.greenhouse},${IDS.arduino.things.deskLamp}`;
    assert.equal((await call(`/arduino/iot/v2/things?ids=${ids}`, bearer(token))).json.length, 2);
    const tagged = await call('/arduino/iot/v2/things?tags=kind:sensor&tags=location:garden', bearer(token));
    assert.deepEqual(tagged.json.map((t) => t.id), [weather.id]);

    const org = await call('/arduino/iot/v2/things', bearer(token, { 'x-organization': A.organization }));
    assert.equal(org.json.length, 2);
    assert.ok(org.json.every((t) => t.organization_id === A.organization));
    const orgToken = await arduinoToken({ organization_id: A.organization });
    assert.equal((await call('/arduino/iot/v2/things', bearer(orgToken))).json.length, 2);
    const unknown = await call('/arduino/iot/v2/things', bearer(token, { 'x-organization': IDS.arduino.user }));
    assert.equal(unknown.status, 403);
    assert.equal(unknown.json.code, 'forbidden');
  });

  test('properties', async () => {
    const token = await arduinoToken();
    const thing = IDS.arduino.things.weatherStation;
    const r = await call(`/arduino/iot/v2/things/${thing}/properties`, bearer(token));
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/vnd\.arduino\.property\+json/);
    assert.equal(r.json.length, 3);
    for (const key of ['href', 'id', 'name', 'permission', 'thing_id', 'type', 'update_strategy', 'created_at',
      'last_value', 'persist', 'tag', 'thing_name', 'updated_at', 'variable_name', 'value_updated_at']) {
      assert.ok(key in r.json[0], key);
    }
    const deleted = await call(`/arduino/iot/v2/things/${thing}/properties?show_deleted=true`, bearer(token));
    assert.equal(deleted.json.length, 4);
    const missing = await call(`/arduino/iot/v2/things/${IDS.arduino.user}/properties`, bearer(token));
    assert.equal(missing.status, 404);
    assert.equal(missing.json.code, 'not_found');
  });
});

describe('particle', () => {
  test('token: success and errors', async () => {
    const creds = { grant_type: 'password', username: P.username, password: P.password };
    const inBody = new URLSearchParams({ ...creds, client_id: 'a', client_secret: 'b' });
    const ok = await post('/particle/oauth/token', inBody);
    assert.equal(ok.status, 200);
    assert.equal(ok.json.token_type, 'bearer');
    assert.equal(ok.json.expires_in, 7776000);
    assert.ok(ok.json.refresh_token);

    const never = await post('/particle/oauth/token', new URLSearchParams({ ...creds, expires_in: '0' }),
      { authorization: basic('particle', 'particle') });
    assert.equal(never.json.expires_in, 0);

    const json = await postJson('/particle/oauth/token', creds, { authorization: basic('particle', 'particle') });
    assert.equal(json.status, 400);
    assert.equal(json.json.error, 'invalid_request');

    const noClient = await post('/particle/oauth/token', new URLSearchParams(creds));
    assert.equal(noClient.status, 401);
    assert.deepEqual(noClient.json, { error: 'invalid_client', error_description: 'Client authentication failed' });

    const wrong = await post('/particle/oauth/token', new URLSearchParams({ ...creds, password: 'x' }),
      { authorization: basic('particle', 'particle') });
    assert.equal(wrong.status, 400);
    assert.deepEqual(wrong.json, { error: 'invalid_grant', error_description: 'User credentials are invalid' });
  });

  test('devices and token placement', async () => {
    const token = await particleToken();
    const query = await call(`/particle/v1/devices?access_token=${token}`);
    assert.equal(query.status, 400);
    assert.equal(query.json.error_description, 'access_token in query is not allowed');
    const bad = await call('/particle/v1/devices', bearer('0'.repeat(40)));
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.json, { error: 'invalid_token', error_description: 'The access token provided is invalid.' });

    const list = await call('/particle/v1/devices', bearer(token));
    assert.equal(list.status, 200);
    assert.equal(list.json.length, 3);
    assert.equal(list.json.filter((d) => !d.online).length, 1);
    assert.ok(list.json.every((d) => /^[0-9a-f]{24}$/.test(d.id) && Array.isArray(d.functions)));

    const one = await call(`/particle/v1/devices/${IDS.particle.online}`, bearer(token));
    assert.equal(one.json.id, IDS.particle.online);
    const unknown = await call('/particle/v1/devices/000000000000000000000000', bearer(token));
    assert.equal(unknown.status, 403);
    assert.equal(unknown.json.error, 'Permission Denied');
    assert.ok(!unknown.text.includes(token));
  });

  test('variables', async () => {
    const token = await particleToken();
    const base = `/particle/v1/devices/${IDS.particle.online}`;
    const temp = await call(`${base}/temperature`, bearer(token));
    assert.equal(temp.status, 200);
    assert.equal(temp.json.name, 'temperature');
    assert.equal(typeof temp.json.result, 'number');
    assert.equal(temp.json.coreInfo.deviceID, IDS.particle.online);
    assert.equal(temp.json.coreInfo.connected, true);
    const raw = await call(`${base}/humidity?format=raw`, bearer(token));
    assert.match(raw.headers.get('content-type'), /^text\/plain/);
    assert.match(raw.text, /^\d+$/);
    const status = await call(`${base}/status`, bearer(token));
    assert.equal(typeof status.json.result, 'string');
    const unknown = await call(`${base}/sensor2`, bearer(token));
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, { ok: false, error: 'Unknown Variable: sensor2' });
    const offline = await call(`/particle/v1/devices/${IDS.particle.offline}/temperature`, bearer(token));
    assert.equal(offline.status, 408);
    assert.deepEqual(offline.json, { ok: false, error: 'timed out' });
  });

  test('functions', async () => {
    const token = await particleToken();
    const auth = { authorization: `Bearer ${token}` };
    const base = `/particle/v1/devices/${IDS.particle.online}`;
    const on = await postJson(`${base}/led`, { arg: 'on' }, auth);
    assert.equal(on.status, 200);
    assert.deepEqual(Object.keys(on.json).sort(), ['connected', 'id', 'name', 'return_value']);
    assert.equal(on.json.return_value, 1);
    assert.equal((await postJson(`${base}/led`, { arg: 'blink' }, auth)).json.return_value, -1);
    assert.equal((await post(`${base}/setColor`, new URLSearchParams({ arg: '255,0,0' }), auth)).json.return_value, 1);
    assert.equal((await post(`${base}/setColor`, new URLSearchParams({ arg: 'xxx' }), auth)).json.return_value, 0);
    const missing = await postJson(`${base}/brew`, { arg: '' }, auth);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { ok: false, error: 'Function brew not found' });
    const offline = await postJson(`/particle/v1/devices/${IDS.particle.offline}/led`, { arg: 'on' }, auth);
    assert.equal(offline.status, 408);
  });
});

describe('cthings', () => {
  test('token: multipart with Basic auth', async () => {
    const auth = { authorization: basic(C.clientId, C.clientSecret) };
    const ok = await post('/cthings-auth/token', cthingsForm(), auth);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json.scope, ['api']);
    assert.equal(ok.json.token_type, 'Bearer');
    assert.equal(ok.json.expires_in, 3600);
    assert.equal(ok.json.access_token.split('.').length, 3);

    const wrong = await post('/cthings-auth/token', cthingsForm(), { authorization: basic(C.clientId, 'x') });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.json, { error: 'invalid_client' });
    const urlencoded = await post('/cthings-auth/token',
      new URLSearchParams({ grant_type: 'client_credentials', scope: 'api' }), auth);
    assert.equal(urlencoded.status, 400);
    assert.deepEqual(urlencoded.json, { error: 'invalid_request' });
    const scope = await post('/cthings-auth/token',
      cthingsForm({ grant_type: 'client_credentials', scope: 'x' }), auth);
    assert.equal(scope.status, 400);
  });

  test('device envelope', async () => {
    const token = await cthingsToken();
    const [id] = IDS.cthings.devices;
    const r = await call(`/cthings/v3/device/${id}`, bearer(token));
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(),
      ['api', 'code', 'data', 'links', 'message', 'request', 'version', 'websocket']);
    assert.equal(r.json.version, '3.13.1');
    assert.equal(r.json.code, 200);
    assert.equal(r.json.data.id, id);
    assert.deepEqual(r.json.request, { url: `${SIM}/cthings/v3/device/${id}`, method: 'GET', body: {} });
    for (const key of ['device', 'name', 'type', 'connection', 'ingest', 'location', 'createdAt']) {
      assert.ok(key in r.json.data, key);
    }

    const missing = await call(`/cthings/v3/device/${IDS.arduino.user}`, bearer(token));
    assert.equal(missing.status, 404);
    assert.equal(missing.json.code, 404);
    assert.equal(missing.json.data, null);
    assert.equal(missing.json.message, 'Device not found');
    const bad = await call(`/cthings/v3/device/${id}`, bearer('nope'));
    assert.equal(bad.status, 401);
    assert.equal(bad.json.message, 'Unauthorized');
  });
});

describe('iotconnect', () => {
  test('discovery', async () => {
    const base = DISCOVERY;
    const aws = await call(`${base}?version=2.1&pf=aws`);
    assert.equal(aws.status, 200);
    assert.equal(aws.json.message, 'Success');
    assert.equal(aws.json.data.authBaseUrl, `${SIM}/iotconnect/auth/api/v2.1`);
    assert.equal(aws.json.data.deviceBaseUrl, `${SIM}/iotconnect/device/api/v2.1`);
    assert.equal(Object.keys(aws.json.data).length, 8);
    const az = await call(`${base}?version=2&pf=az`);
    assert.equal(az.json.data.deviceBaseUrl, `${SIM}/iotconnect/device/api/v2`);
    assert.equal((await call(`${base}?version=2&pf=aws`)).status, 400);
    const unknown = await call(`/iotconnect-discovery/api/uisdk/solutionkey/nope/env/${I.env}?version=2.1&pf=aws`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, { data: null, message: 'Solution not found', status: 404 });
  });

  test('basic token, login and refresh', async () => {
    const auth = await iotconnectAuthBase();
    const basicToken = await call(`${auth}/Auth/basic-token`);
    assert.equal(basicToken.json.message, 'Basic token has been generated successfully');
    const headers = { authorization: `Basic ${basicToken.json.data}`, 'solution-key': I.solutionKey };
    const creds = { username: I.username, password: I.password };

    const badBasic = { ...headers, authorization: 'Basic eA==' };
    assert.equal((await postJson(`${auth}/Auth/login`, creds, badBasic)).status, 401);
    assert.equal((await postJson(`${auth}/Auth/login`, creds, { ...headers, 'solution-key': 'x' })).status, 401);
    const wrong = await postJson(`${auth}/Auth/login`, { ...creds, password: 'x' }, headers);
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.json, {
      data: null, status: 401, message: 'Invalid username or password',
      error: [{ param: 'username', message: 'Invalid username or password' }],
    });

    const login = await postJson(`${auth}/Auth/login`, creds, headers);
    assert.equal(login.status, 200);
    assert.equal(login.json.token_type, 'bearer');
    assert.equal(login.json.status, 200);
    assert.equal(login.json.expires_in, 3600);
    const payload = JSON.parse(Buffer.from(login.json.access_token.split('.')[1], 'base64url').toString());
    assert.ok(payload.exp > Date.now() / 1000);
    assert.equal(payload.user.solutionKey, I.solutionKey);
    assert.ok(payload.user.companyId && payload.user.cpId && payload.user.entityGuid);

    const refreshed = await postJson(`${auth}/Auth/refresh-token`, { refreshtoken: login.json.refresh_token });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.json.access_token, login.json.access_token);
    assert.notEqual(refreshed.json.refresh_token, login.json.refresh_token);
    const reused = await postJson(`${auth}/Auth/refresh-token`, { refreshtoken: login.json.refresh_token });
    assert.equal(reused.status, 409);
    assert.deepEqual(reused.json, { data: null, status: 409, message: 'Refresh token is invalid', error: [] });
  });

  test('device list paging', async () => {
    const { access_token: token } = await iotconnectLogin();
    const dev = '/iotconnect/device/api/v2.1/Device';
    const first = await call(dev, bearer(token));
    assert.equal(first.status, 200);
    assert.equal(first.json.count, -1);
    assert.equal(first.json.message, 'Device list');
    assert.equal(first.json.data.length, 10);
    assert.equal(first.json.data[0].uniqueId, 'sim-dev-001');
    assert.equal((await call(`${dev}?pageNumber=3&pageSize=100`, bearer(token))).json.data.length, 50);
    const past = await call(`${dev}?pageNumber=4&pageSize=100`, bearer(token));
    assert.equal(past.status, 204);
    assert.equal(past.text, '');
    const zero = await call(`${dev}?pageNumber=0`, bearer(token));
    assert.equal(zero.status, 500);
    assert.deepEqual(zero.json, { status: 500, message: 'Technical error', error: [] });
    const all = await call(`${dev}?pageSize=5000`, bearer(token));
    assert.equal(all.json.data.length, 250);
    const sorted = await call(`${dev}?pageSize=3&sortBy=uniqueId%20desc`, bearer(token));
    assert.equal(sorted.json.data[0].uniqueId, 'sim-dev-250');
    const bad = await call(dev, bearer('nope'));
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.json, { data: null, status: 401, message: 'Unauthorized', error: [] });
  });
});

describe('iotconnect device filters', () => {
  const dev = '/iotconnect/device/api/v2.1/Device';
  const devices = require('./fixtures.js').iotconnect.devices;
  let token;
  beforeEach(async () => {
    token = (await iotconnectLogin()).access_token;
  });
  const list = async (query) => {
    const r = await call(`${dev}?${new URLSearchParams({ pageSize: '1000', ...query })}`, bearer(token));
    return { status: r.status, text: r.text, ids: r.json ? r.json.data.map((d) => d.uniqueId) : [] };
  };
  const num = (n) => `sim-dev-${String(n).padStart(3, '0')}`;
  const range = (pred) => Array.from({ length: 250 }, (_, k) => k + 1).filter(pred).map(num);

  test('UniqueId matches exactly, ignoring case', async () => {
    assert.deepEqual((await list({ UniqueId: 'sim-dev-042' })).ids, ['sim-dev-042']);
    assert.deepEqual((await list({ uniqueid: 'SIM-DEV-042' })).ids, ['sim-dev-042']);
    const partial = await list({ UniqueId: 'sim-dev-04' });
    assert.equal(partial.status, 204, 'no substring match');
    assert.equal(partial.text, '');
  });

  test('TemplateGuid and EntityGuid', async () => {
    const tracker = devices.find((d) => d.templateName === 'Asset Tracker').templateGuid;
    const warehouse = devices.find((d) => d.entityName === 'Warehouse').entityGuid;
    assert.deepEqual((await list({ TemplateGuid: tracker })).ids, range((n) => n % 5 === 0));
    assert.deepEqual((await list({ EntityGuid: warehouse.toUpperCase() })).ids, range((n) => n % 2 === 1));
    assert.deepEqual((await list({ TemplateGuid: tracker, EntityGuid: warehouse })).ids,
      range((n) => n % 5 === 0 && n % 2 === 1));
    assert.equal((await list({ TemplateGuid: '00000000-0000-4000-8000-000000000000' })).status, 204);
  });

  test('Status: active, inactive, connected, disconnected', async () => {
    assert.deepEqual((await list({ Status: 'inactive' })).ids, range((n) => n % 17 === 0));
    assert.deepEqual((await list({ Status: 'Active' })).ids, range((n) => n % 17 !== 0));
    const connected = (n) => n % 17 !== 0 && n % 3 !== 0;
    assert.deepEqual((await list({ Status: 'connected' })).ids, range(connected));
    assert.deepEqual((await list({ Status: 'disconnected' })).ids, range((n) => !connected(n)));
    const bad = await call(`${dev}?Status=sleeping`, bearer(token));
    assert.equal(bad.status, 412);
    assert.equal(bad.json.error[0].param, 'Status');
  });

  test('searchText: substring of displayName or uniqueId, ignoring case', async () => {
    assert.deepEqual((await list({ searchText: 'device 10' })).ids, range((n) => n >= 100 && n <= 109));
    assert.deepEqual((await list({ searchText: 'DEV-24' })).ids, range((n) => n >= 240 && n <= 249));
    assert.equal((await list({ searchText: 'no such device' })).status, 204);
  });

  test('filters combine with sorting and paging; an empty value does not filter', async () => {
    const r = await call(`${dev}?Status=inactive&sortBy=uniqueId%20desc&pageSize=5&pageNumber=2`, bearer(token));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.data.map((d) => d.uniqueId), ['sim-dev-153', 'sim-dev-136', 'sim-dev-119',
      'sim-dev-102', 'sim-dev-085']);
    const past = await call(`${dev}?Status=inactive&pageSize=10&pageNumber=2`, bearer(token));
    assert.equal(past.json.data.length, 4);
    assert.equal((await call(`${dev}?Status=inactive&pageSize=10&pageNumber=3`, bearer(token))).status, 204);
    assert.equal((await list({ UniqueId: '', searchText: '' })).ids.length, 250);
  });
});

describe('faults', () => {
  test('status with Retry-After, times and vendor body', async () => {
    await control('faults', { vendor: 'arduino', kind: 'status', status: 429, retryAfter: '2', times: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await post('/arduino/iot/v1/clients/token', arduinoForm());
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '2');
      assert.match(r.headers.get('content-type'), /^text\/plain/);
      assert.equal(r.text, 'You have reached maximum request limit.');
    }
    assert.equal((await post('/arduino/iot/v1/clients/token', arduinoForm())).status, 200);

    await control('faults', { vendor: 'iotconnect', kind: 'status', status: 503 });
    const r = await call('/iotconnect/device/api/v2.1/Device');
    assert.equal(r.status, 503);
    assert.equal(r.json.status, 503);
    await control('faults', { vendor: 'particle', kind: 'status', status: 500, body: { custom: true } });
    assert.deepEqual((await call('/particle/v1/devices')).json, { custom: true });
  });

  test('match, wildcard vendor and queue order', async () => {
    await control('faults', { vendor: '*', match: '/properties', kind: 'status', status: 503 });
    await control('faults', { vendor: 'cthings', kind: 'status', status: 500 });
    const token = await arduinoToken(); // not matched by '/properties'
    const props = await call(`/arduino/iot/v2/things/${IDS.arduino.things.greenhouse}/properties`, bearer(token));
    assert.equal(props.status, 503);
    assert.equal(props.json.code, 'service_unavailable');
    const ct = await call(`/cthings/v3/device/${IDS.cthings.devices[0]}`);
    assert.equal(ct.status, 500);
    assert.equal(ct.json.code, 500);
    assert.equal((await control('stats', undefined, 'GET')).json.faultsPending, 0);
  });

  test('html502', async () => {
    await control('faults', { vendor: 'iotconnect-discovery', kind: 'html502' });
    const r = await call(`${DISCOVERY}?version=2.1&pf=aws`);
    assert.equal(r.status, 502);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /<html>/);
  });

  test('hang until the client gives up', async () => {
    await control('faults', { vendor: 'particle', kind: 'hang' });
    await assert.rejects(call('/particle/v1/devices', { signal: AbortSignal.timeout(200) }), /TimeoutError|abort/i);
    assert.equal((await call('/particle/v1/devices')).status, 401); // the fault was used up
  });

  test('close() ends hanging requests', async () => {
    const other = await startSimulator();
    await fetch(`${other.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ vendor: '*', kind: 'hang' }) });
    const pending = fetch(`${other.url}/cthings/v3/device/x`);
    pending.catch(() => {}); // awaited below; keeps an early rejection from being reported as unhandled
    // Close only once the request is hanging inside the server, not while it is still on its way.
    const arrived = async () => (await (await fetch(`${other.url}/__sim/stats`)).json()).faultsServed;
    for (let i = 0; i < 400 && (await arrived()) === 0; i++) await sleep(25);
    assert.equal(await arrived(), 1, 'the request reached the simulator and hangs');
    await other.close();
    await assert.rejects(pending);
  });

  test('redirect: status and Location, no body, then normal handling', async () => {
    await control('faults', { vendor: 'particle', match: '/v1/devices', kind: 'redirect', status: 308, location: '/particle/v1/elsewhere' });
    const r = await call('/particle/v1/devices', { redirect: 'manual' });
    assert.equal(r.status, 308);
    assert.equal(r.headers.get('location'), '/particle/v1/elsewhere');
    assert.equal(r.text, '');
    assert.equal((await call('/particle/v1/devices', { redirect: 'manual' })).status, 401); // the fault was used up
    await control('faults', { vendor: 'arduino', kind: 'redirect', location: 'http://127.0.0.1:1/x' });
    const d = await call('/arduino/iot/v2/things', { redirect: 'manual' });
    assert.equal(d.status, 307, 'the default redirect status');
    assert.equal(d.headers.get('location'), 'http://127.0.0.1:1/x');
  });

  test('reply: any status with a verbatim body, content type and headers', async () => {
    await control('faults', { vendor: 'arduino', match: '/things', kind: 'reply', body: '[{"id":', contentType: 'application/json' });
    const r = await call('/arduino/iot/v2/things');
    assert.equal(r.status, 200, 'the default status');
    assert.equal(r.text, '[{"id":');
    assert.equal(r.headers.get('content-type'), 'application/json');
    await control('faults', { vendor: 'cthings', kind: 'reply', status: 201, body: { code: 99999 }, headers: { 'X-Extra': 'yes' }, retryAfter: '3' });
    const c = await call('/cthings/v3/device/x');
    assert.equal(c.status, 201);
    assert.deepEqual(c.json, { code: 99999 });
    assert.match(c.headers.get('content-type'), /^application\/json/);
    assert.equal(c.headers.get('x-extra'), 'yes');
    assert.equal(c.headers.get('retry-after'), '3');
    await control('faults', { vendor: 'particle', kind: 'reply', body: '<html></html>' });
    const p = await call('/particle/v1/devices');
    assert.match(p.headers.get('content-type'), /^text\/plain/, 'a string body is text unless told otherwise');
    assert.equal(p.text, '<html></html>');
  });

  test('invalid fault is refused', async () => {
    for (const bad of [
      { vendor: 'arduino', kind: 'redirect' }, { vendor: 'arduino', kind: 'redirect', location: '' },
      { vendor: 'arduino', kind: 'redirect', status: 200, location: '/x' },
      { vendor: 'arduino', kind: 'redirect', location: 'http://x/\r\nSet-Cookie: a=b' },
      { vendor: 'arduino', kind: 'reply', status: 199 }, { vendor: 'arduino', kind: 'reply', status: 600 },
      { vendor: 'arduino', kind: 'reply', headers: [] }, { vendor: 'arduino', kind: 'reply', headers: { 'a b': 'x' } },
      { vendor: 'arduino', kind: 'reply', headers: { 'X-A': 1 } }, { vendor: 'arduino', kind: 'reply', contentType: 5 },
    ]) {
      assert.equal((await control('faults', bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal((await control('faults', { vendor: 'acme', kind: 'status', status: 500 })).status, 400);
    assert.equal((await control('faults', { vendor: 'arduino', kind: 'explode' })).status, 400);
  });
});

describe('control API', () => {
  test('token lifetime: a configured lifetime is used and expires_in is whole seconds', async () => {
    // A long lifetime with a fraction: the token works now and expires_in is rounded down.
    await control('config', { tokenLifetime: { arduino: 120.5, iotconnect: 90.9 } });
    const r = await post('/arduino/iot/v1/clients/token', arduinoForm());
    assert.equal(r.json.expires_in, 120);
    assert.equal((await call('/arduino/iot/v2/things', bearer(r.json.access_token))).status, 200);
    const login = await iotconnectLogin();
    assert.equal(login.expires_in, 90);
    assert.equal((await call('/iotconnect/device/api/v2.1/Device', bearer(login.access_token))).status, 200);
    // Expiring them by hand makes them invalid at once.
    assert.deepEqual((await control('expire-tokens', { vendor: '*' })).json, { ok: true, expired: 2 });
    assert.equal((await call('/arduino/iot/v2/things', bearer(r.json.access_token))).status, 401);
    assert.equal((await call('/iotconnect/device/api/v2.1/Device', bearer(login.access_token))).status, 401);
    assert.equal((await control('config', { tokenLifetime: { acme: 1 } })).status, 400);
    assert.equal((await control('config', { tokenLifetime: { arduino: -1 } })).status, 400);
  });

  test('token lifetime: a short lifetime runs out on its own', async () => {
    // Only the expiry is checked: nothing depends on how fast a request follows the token.
    await control('config', { tokenLifetime: { arduino: 0.5, iotconnect: 0.5 } });
    const r = await post('/arduino/iot/v1/clients/token', arduinoForm());
    assert.equal(r.json.expires_in, 1, 'at least 1 even for half a second');
    const { access_token: iotc, expires_in: iotcSeconds } = await iotconnectLogin();
    assert.equal(iotcSeconds, 1);
    await sleep(600);
    assert.equal((await call('/arduino/iot/v2/things', bearer(r.json.access_token))).status, 401);
    assert.equal((await call('/iotconnect/device/api/v2.1/Device', bearer(iotc))).status, 401);

    // A Particle lifetime set here caps the expires_in the client asks for.
    await control('config', { tokenLifetime: { particle: 0.5 } });
    const body = new URLSearchParams({ grant_type: 'password', username: P.username, password: P.password,
      expires_in: '3600' });
    const particle = await post('/particle/oauth/token', body, { authorization: basic('particle', 'particle') });
    assert.equal(particle.status, 200);
    assert.equal(particle.json.expires_in, 1);
    await sleep(600);
    assert.equal((await call('/particle/v1/devices', bearer(particle.json.access_token))).status, 401);
  });

  test('particleDeviceCount: a long Particle device list, addressable device by device', async () => {
    assert.equal((await control('config', undefined, 'GET')).json.particleDeviceCount, 3);
    const r = await control('config', { particleDeviceCount: 10000 });
    assert.equal(r.status, 200);
    assert.equal(r.json.config.particleDeviceCount, 10000);
    const token = await particleToken();
    const list = await call('/particle/v1/devices', bearer(token));
    assert.equal(list.status, 200);
    assert.equal(list.json.length, 10000);
    assert.deepEqual(list.json.slice(0, 3).map((d) => d.id), IDS.particle.devices, 'the fixtures come first');
    assert.equal(new Set(list.json.map((d) => d.id)).size, 10000, 'ids are unique');
    assert.equal(new Set(list.json.map((d) => d.name)).size, 10000, 'names are unique');
    assert.ok(list.json.every((d) => /^[0-9a-f]{24}$/.test(d.id) && Array.isArray(d.functions)));
    assert.ok(list.json.some((d) => !d.online) && list.json.some((d) => d.cellular && d.iccid));
    const last = list.json[9999];
    assert.equal(last.name, 'sim-device-10000');
    assert.equal((await call(`/particle/v1/devices/${last.id}`, bearer(token))).json.name, last.name);
    assert.equal((await call(`/particle/v1/devices/${last.name}`, bearer(token))).json.id, last.id);
    // The same count gives the same devices.
    assert.deepEqual((await call('/particle/v1/devices', bearer(token))).json.map((d) => d.id), list.json.map((d) => d.id));

    await control('config', { particleDeviceCount: 1 });
    assert.deepEqual((await call('/particle/v1/devices', bearer(token))).json.map((d) => d.id), [IDS.particle.online]);
    assert.equal((await call(`/particle/v1/devices/${last.id}`, bearer(token))).status, 403);
    await control('config', { particleDeviceCount: 0 });
    assert.deepEqual((await call('/particle/v1/devices', bearer(token))).json, []);
    for (const bad of [-1, 1.5, '10', 100001]) {
      assert.equal((await control('config', { particleDeviceCount: bad })).status, 400, String(bad));
    }
    assert.equal((await control('config', { colour: 'red' })).status, 400);
    await control('reset');
    assert.equal((await control('config', undefined, 'GET')).json.particleDeviceCount, 3);
  });

  test('expire-tokens', async () => {
    const token = await cthingsToken();
    const arduino = await arduinoToken();
    const r = await control('expire-tokens', { vendor: 'cthings' });
    assert.deepEqual(r.json, { ok: true, expired: 1 });
    assert.equal((await call(`/cthings/v3/device/${IDS.cthings.devices[0]}`, bearer(token))).status, 401);
    assert.equal((await call('/arduino/iot/v2/things', bearer(arduino))).status, 200);
  });

  test('request log and stats', async () => {
    const token = await particleToken();
    await call('/particle/v1/devices?x=1&x=2', bearer(token));
    await iotconnectLogin();
    const log = (await control('requests?vendor=particle', undefined, 'GET')).json;
    assert.equal(log.length, 2);
    assert.equal(log[0].method, 'POST');
    assert.equal(log[0].path, '/particle/oauth/token');
    assert.match(log[0].body, /grant_type=password/);
    assert.deepEqual(log[1].query, { x: ['1', '2'] });
    assert.equal(log[1].headers.authorization, `Bearer ${token}`);
    assert.ok(log[1].time >= log[0].time);

    const stats = (await control('stats', undefined, 'GET')).json;
    assert.equal(stats.tokenRequests.particle, 1);
    assert.equal(stats.tokenRequests.iotconnect, 1);
    assert.deepEqual(stats.iotconnectAuth, { basicToken: 1, login: 1, refresh: 0 });
    assert.equal(stats.requests.particle, 2);
    assert.equal(stats.requests['iotconnect-discovery'], 1);

    await control('requests', undefined, 'DELETE');
    assert.deepEqual((await control('requests', undefined, 'GET')).json, []);
    await control('reset');
    assert.equal((await call('/particle/v1/devices', bearer(token))).status, 401); // tokens are forgotten
    assert.equal((await control('stats', undefined, 'GET')).json.tokenRequests.particle, 0);
  });

  test('demo settings', async () => {
    const r = await control('demo', undefined, 'GET');
    assert.equal(r.status, 200);
    const d = r.json;
    assert.equal(d.arduino.baseUrl, `${SIM}/arduino`);
    assert.equal(d.arduino.clientSecret, A.clientSecret);
    assert.equal(d.arduino.organization, A.organization);
    assert.equal(d.particle.baseUrl, `${SIM}/particle`);
    assert.equal(d.particle.password, P.password);
    assert.equal(d.cthings.authUrl, `${SIM}/cthings-auth`);
    assert.equal(d.cthings.baseUrl, `${SIM}/cthings`);
    assert.deepEqual(d.cthings.devices, IDS.cthings.devices);
    assert.equal(d.iotconnect.discoveryUrl, `${SIM}/iotconnect-discovery`);
    assert.equal(d.iotconnect.environment, I.env);
    assert.equal(d.iotconnect.platform, I.platform);
    assert.equal(d.iotconnect.password, I.password);
    assert.deepEqual((await control('requests', undefined, 'GET')).json, []); // not recorded
  });
});

describe('static files', () => {
  let dir;
  let staticSim;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-static-'));
    fs.mkdirSync(path.join(dir, 'www'));
    fs.mkdirSync(path.join(dir, 'pkg'));
    fs.writeFileSync(path.join(dir, 'www', 'index.html'), '<!doctype html><title>demo</title>');
    fs.writeFileSync(path.join(dir, 'pkg', 'index.mjs'), 'export {};');
    fs.writeFileSync(path.join(dir, 'pkg', 'index.d.ts'), 'export {};');
    fs.writeFileSync(path.join(dir, 'pkg', 'lib_bg.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    staticSim = await startSimulator({ www: path.join(dir, 'www'), pkg: path.join(dir, 'pkg') });
  });
  after(async () => {
    await staticSim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const typeOf = async (p) => (await fetch(staticSim.url + p)).headers.get('content-type');

  test('serves www and pkg with the right types', async () => {
    assert.match(await typeOf('/'), /^text\/html/);
    assert.match(await typeOf('/pkg/index.mjs'), /^text\/javascript/);
    assert.match(await typeOf('/pkg/index.d.ts'), /^text\/plain/);
    assert.equal(await typeOf('/pkg/lib_bg.wasm'), 'application/wasm');
    assert.equal((await fetch(`${staticSim.url}/nope.js`)).status, 404);
    assert.equal((await fetch(`${staticSim.url}/arduino/iot/v2/things`)).status, 401); // vendors still answer
  });

  test('refuses path traversal', async () => {
    const status = (p) => new Promise((resolve, reject) => {
      http.get(`${staticSim.url}${p}`, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    assert.equal(await status('/pkg/..%2fsecret.txt'), 403);
    assert.equal(await status('/..%2f..%2fsecret.txt'), 403);
    assert.equal(await status('/%2e%2e/secret.txt'), 404); // normalised to /secret.txt inside www
  });
});
