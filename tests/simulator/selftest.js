'use strict';
// Self-check of the cloud simulator: node --test tests/simulator/selftest.js

const { test, describe, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { startSimulator, CREDENTIALS, IDS } = require('./index.js');
const arduinoApi = require('./arduino-api.js');
const fixtures = require('./fixtures.js');

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

describe('arduino API from the OpenAPI spec', () => {
  const OPS = arduinoApi.operations();
  const WEATHER = fixtures.arduino.things[0];
  const TEMPERATURE = WEATHER.props[0].id;
  const OTHER = '6a1e4a0e-3d1c-4b9e-9a37-1f0e2d3c4b5a';
  const RESOURCE_IDS = {
    things: IDS.arduino.things.weatherStation, devices: IDS.arduino.devices.weatherStation,
    dashboards: IDS.arduino.dashboard, triggers: IDS.arduino.trigger, actions: IDS.arduino.action,
  };
  // Bodies the spec's examples cannot give: they name things that must exist.
  const BODIES = {
    'devices_v2_pass#check': { password: 'sim-device-password' },
    'devices_v2#updateProperties': { properties: [{ name: 'temperature', type: 'FLOAT', value: 20.5 }] },
    'properties_v2#publishMulti': { properties: [{ property: 'temperature', value: 20.5 }] },
  };

  /** A valid request for `op`: seeded ids for path parameters, the spec's example body. */
  function validRequest(op) {
    const resource = op.path.split('/').find((s) => Object.hasOwn(RESOURCE_IDS, s));
    const value = (name) => {
      switch (name) {
        case 'id': return RESOURCE_IDS[resource];
        case 'pid': return TEMPERATURE;
        case 'cid': return IDS.arduino.cert;
        case 'key': return 'location';
        case 'type': return op.pathParams.find((p) => p.name === 'type').schema.enum[0];
        default: return OTHER;
      }
    };
    const urlPath = `/arduino${op.path.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(value(name)))}`;
    const init = { method: op.method, headers: {} };
    if (op.body) {
      if (op.body.mediaTypes.includes('multipart/form-data')) {
        const fd = new FormData();
        fd.append('async', 'true');
        fd.append('ota_file', new Blob([Buffer.from([0xde, 0xad, 0xbe, 0xef])]), 'firmware.bin');
        init.body = fd;
      } else {
        init.body = JSON.stringify(BODIES[op.operationId] ?? op.body.example);
        init.headers['content-type'] = 'application/json';
      }
    }
    return { urlPath, init };
  }

  test('the route table has the 94 operations of the spec and the v1 requests of the official client', () => {
    const spec = OPS.filter((op) => !op.v1);
    assert.equal(spec.length, 94);
    const tsv = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'shared', 'specs', 'arduino-operations.tsv'), 'utf8')
      .trim().split('\n').slice(1).map((line) => line.split('\t'));
    assert.deepEqual(new Set(spec.map((op) => `${op.method} ${op.path} ${op.operationId}`)),
      new Set(tsv.map((row) => `${row[3]} ${row[4]} ${row[1]}`)));
    assert.ok(OPS.some((op) => op.method === 'PUT' && op.path === '/v1/things/{id}/properties/{pid}/send'));
  });

  for (const op of OPS) {
    test(`valid request: ${op.operationId} ${op.method} ${op.path}`, async () => {
      const token = await arduinoToken();
      const { urlPath, init } = validRequest(op);
      init.headers.authorization = `Bearer ${token}`;
      const r = await call(urlPath, init);
      assert.equal(r.status, op.success.status, r.text);
      if (op.success.contentType) {
        assert.equal(r.headers.get('content-type'), op.success.contentType);
        const items = Array.isArray(r.json) ? r.json : [r.json];
        for (const item of items) for (const field of op.success.required) assert.ok(field in item, `${field} in ${r.text.slice(0, 200)}`);
      } else {
        assert.equal(r.text, '');
      }
      const [logged] = (await control('requests?vendor=arduino', undefined, 'GET')).json.filter((e) => e.path === urlPath.split('?')[0]);
      assert.equal(logged.operationId, op.operationId);
    });
  }

  describe('invalid requests', () => {
    let token;
    beforeEach(async () => { token = await arduinoToken(); });
    const send = (method, urlPath, body, type = 'application/json', extra = {}) => call(`/arduino${urlPath}`, {
      method, body, headers: { authorization: `Bearer ${token}`, ...(type && body !== undefined && { 'content-type': type }), ...extra },
    });
    const assert400 = (r, pattern) => {
      assert.equal(r.status, 400, r.text);
      assert.equal(r.headers.get('content-type'), 'application/vnd.goa.error+json');
      assert.equal(r.json.code, 'bad_request');
      assert.equal(r.json.status, 400);
      assert.equal(typeof r.json.id, 'string');
      assert.match(r.json.detail, pattern);
    };
    const thing = IDS.arduino.things.weatherStation;
    const device = IDS.arduino.devices.weatherStation;

    test('query parameters of the wrong type or out of their enum', async () => {
      assert400(await send('GET', '/iot/v2/things?show_deleted=yes'), /"show_deleted".*boolean/);
      assert400(await send('GET', `/iot/v2/devices/${device}/events?limit=ten`), /"limit".*integer/);
      assert400(await send('GET', `/iot/v2/devices/${device}/properties/${TEMPERATURE}?limit=1.5`), /"limit".*integer/);
      assert400(await send('GET', `/iot/v2/things/${thing}/properties/${TEMPERATURE}/timeseries?interval=0`), /"interval".*at least 1/);
      assert400(await send('GET', `/iot/v2/things/${thing}/properties/${TEMPERATURE}/timeseries?aggregation=MEDIAN`), /"aggregation".*one of/);
      assert400(await send('GET', '/iot/v1/triggers?source_type=WEATHER'), /"source_type"/);
      assert400(await send('GET', '/iot/v2/devices?show_deleted=true&show_deleted=1'), /"show_deleted"/);
      assert400(await send('GET', '/iot/v1/network_credentials/pigeon'), /path parameter "type"/);
    });

    test('required parameters and headers, checked for every kind (no spec operation requires one)', () => {
      const op = {
        params: {
          path: [],
          query: [{ name: 'since', required: true, schema: { type: 'string', format: 'date-time' } },
            { name: 'ratio', required: false, schema: { type: 'number' } }],
          header: [{ name: 'X-Request-Id', required: true, schema: { type: 'string' } }],
        },
        body: null,
      };
      const check = (query, headers) => arduinoApi.validate(op, {
        params: {}, searchParams: new URLSearchParams(query), headers, raw: Buffer.alloc(0),
      });
      assert.match(check('since=2025-01-01T00:00:00Z', {}).error, /missing required header "X-Request-Id"/);
      assert.match(check('', { 'x-request-id': 'a' }).error, /missing required query parameter "since"/);
      assert.match(check('since=yesterday', { 'x-request-id': 'a' }).error, /"since".*date-time/);
      assert.match(check('since=2025-01-01T00:00:00Z&ratio=x', { 'x-request-id': 'a' }).error, /"ratio".*number/);
      assert.equal(check('since=2025-01-01T00:00:00.5%2B02:00&ratio=0.5', { 'x-request-id': 'a' }).error, undefined);
    });

    test('bodies: missing, not JSON, wrong shape, required fields, media type', async () => {
      assert400(await send('PUT', '/iot/v2/things'), /missing required request body/);
      assert400(await send('PUT', '/iot/v2/things', '{"name":'), /not valid JSON/);
      assert400(await send('PUT', '/iot/v2/things', '[]'), /must be a JSON object/);
      assert400(await send('PUT', `/iot/v2/things/${thing}/properties`, JSON.stringify({ name: 'x', type: 'INT', update_strategy: 'ON_CHANGE' })),
        /"permission" is missing from body/);
      assert400(await send('PUT', `/iot/v2/things/${thing}/properties/${TEMPERATURE}/publish`, '{}'), /"value" is missing from body/);
      assert400(await send('POST', '/iot/v2/series/batch_query', JSON.stringify({ requests: [] })), /"resp_version" is missing/);
      assert400(await send('PUT', `/iot/v2/things/${thing}/properties/${TEMPERATURE}/publish_batch`, JSON.stringify([{ value: 1 }])),
        /"timestamp" is missing from body\[0\]/);
      assert400(await send('PUT', '/iot/v2/things', 'name=x', 'application/x-www-form-urlencoded'), /unsupported content type.*application\/json/);
      assert400(await send('PUT', '/iot/v2/things', '{"name":"x"}', 'text/plain'), /unsupported content type "text\/plain"/);
      // multipart: the OTA upload needs multipart/form-data with an ota_file field
      assert400(await send('POST', `/iot/v2/devices/${device}/ota`, '{"ota_file":"x"}'), /expected multipart\/form-data/);
      const fd = new FormData();
      fd.append('async', 'false');
      assert400(await call(`/arduino/iot/v2/devices/${device}/ota`, { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } }),
        /"ota_file" is missing from body/);
      assert400(await send('POST', `/iot/v2/devices/${device}/ota`, 'garbage', 'multipart/form-data; boundary=xyz'), /not valid multipart/);
    });

    test('unknown path 404, known path with another method 405, token before validation', async () => {
      const unknown = await send('GET', '/iot/v2/gadgets');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.json.code, 'not_found');
      assert.equal((await call('/arduino/iot/v2/gadgets')).status, 404, 'no token needed to learn a path does not exist');
      assert.equal((await send('GET', `/iot/v2/things/${thing}/properties/${TEMPERATURE}/publish`)).status, 405);
      const wrong = await send('DELETE', '/iot/v2/things');
      assert.equal(wrong.status, 405);
      assert.equal(wrong.json.code, 'method_not_allowed');
      assert.equal(wrong.headers.get('allow'), 'GET, PUT');
      // The literal /devices/claim is matched before /devices/{id}; GET on it is the device "claim".
      assert.equal((await send('PUT', '/iot/v2/devices/claim', '{}')).status, 400);
      assert.equal((await send('GET', '/iot/v2/devices/claim')).json.detail, 'device not found');
      const noToken = await call('/arduino/iot/v2/things?show_deleted=yes');
      assert.equal(noToken.status, 401);
      const log = (await control('requests?vendor=arduino', undefined, 'GET')).json;
      assert.equal(log.find((e) => e.path === '/arduino/iot/v2/gadgets').operationId, null);
      assert.equal(log.find((e) => e.method === 'DELETE').operationId, null);
    });
  });

  describe('stateful resources', () => {
    let token;
    let org;
    beforeEach(async () => { token = await arduinoToken(); org = undefined; });
    const req = async (method, urlPath, value, expected) => {
      const headers = { authorization: `Bearer ${token}`, ...(org && { 'x-organization': org }) };
      if (value !== undefined) headers['content-type'] = 'application/json';
      const r = await call(`/arduino${urlPath}`, { method, headers, body: value === undefined ? undefined : JSON.stringify(value) });
      if (expected !== undefined) assert.equal(r.status, expected, `${method} ${urlPath}: ${r.text}`);
      return r;
    };

    test('thing: create, show, update, list, delete', async () => {
      const created = await req('PUT', '/iot/v2/things', { name: 'Bench Rig', timezone: 'Europe/Oslo', tags: [{ key: 'room', value: 'lab' }] }, 201);
      assert.equal(created.headers.get('content-type'), 'application/vnd.arduino.thing+json');
      const { id } = created.json;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.deepEqual([created.json.name, created.json.timezone, created.json.tags], ['Bench Rig', 'Europe/Oslo', { room: 'lab' }]);
      assert.equal(created.json.properties_count, 0);
      assert.equal((await req('GET', `/iot/v2/things/${id}`, undefined, 200)).json.name, 'Bench Rig');
      const updated = await req('POST', `/iot/v2/things/${id}`, { name: 'Bench Rig 2' }, 200);
      assert.equal(updated.json.name, 'Bench Rig 2');
      const list = (await req('GET', '/iot/v2/things', undefined, 200)).json;
      assert.equal(list.length, 4);
      assert.equal(list.find((t) => t.id === id).name, 'Bench Rig 2');
      assert.deepEqual((await req('GET', '/iot/v2/things?tags=room:lab', undefined, 200)).json.map((t) => t.id), [id]);
      const del = await req('DELETE', `/iot/v2/things/${id}`, undefined, 200);
      assert.equal(del.text, '');
      assert.equal((await req('GET', `/iot/v2/things/${id}`, undefined, 404)).json.code, 'not_found');
      assert.ok(!(await req('GET', '/iot/v2/things')).json.some((t) => t.id === id));
      assert.ok((await req('GET', '/iot/v2/things?show_deleted=true')).json.some((t) => t.id === id && t.deleted_at));
      await req('POST', `/iot/v2/things/${id}`, { soft_deleted: false }, 200); // restored
      await req('DELETE', `/iot/v2/things/${id}?force=true`, undefined, 200);
      assert.ok(!(await req('GET', '/iot/v2/things?show_deleted=true')).json.some((t) => t.id === id));
      // A thing created in the organization stays there; reset forgets it.
      org = CREDENTIALS.arduino.organization;
      const orgThing = (await req('PUT', '/iot/v2/things', { name: 'Org Rig' }, 201)).json;
      assert.equal(orgThing.organization_id, org);
      org = undefined;
      await req('GET', `/iot/v2/things/${orgThing.id}`, undefined, 404);
      await control('reset');
      token = await arduinoToken();
      assert.equal((await req('GET', '/iot/v2/things', undefined, 200)).json.length, 3);
    });

    test('property: create, publish three values, last_value and time series', async () => {
      const thing = IDS.arduino.things.greenhouse;
      const prop = (await req('PUT', `/iot/v2/things/${thing}/properties`,
        { name: 'Water level', variable_name: 'water_level', type: 'FLOAT', permission: 'READ_WRITE', update_strategy: 'ON_CHANGE' }, 201)).json;
      assert.equal(prop.last_value, 'N/A');
      assert.equal(prop.value_updated_at, undefined);
      assert.equal(prop.variable_name, 'water_level');
      assert.equal(prop.tag, 4);
      const base = `/iot/v2/things/${thing}/properties/${prop.id}`;
      const before = Date.now();
      for (const value of [1.5, 2.5, 3.25]) assert.equal((await req('PUT', `${base}/publish`, { value }, 200)).text, '');
      const shown = (await req('GET', base, undefined, 200)).json;
      assert.equal(shown.last_value, 3.25);
      assert.ok(Date.parse(shown.value_updated_at) >= before - 5, shown.value_updated_at);
      const listed = (await req('GET', `/iot/v2/things/${thing}/properties`)).json.find((p) => p.id === prop.id);
      assert.equal(listed.last_value, 3.25);
      const ts = (await req('GET', `${base}/timeseries`, undefined, 200)).json;
      assert.deepEqual(ts.data.map((d) => d.value), [1.5, 2.5, 3.25]);
      assert.ok(ts.data.every((d) => !Number.isNaN(Date.parse(d.time))));
      assert.deepEqual((await req('GET', `${base}/timeseries?desc=true`)).json.data.map((d) => d.value), [3.25, 2.5, 1.5]);
      const from = encodeURIComponent(ts.data[1].time);
      assert.deepEqual((await req('GET', `${base}/timeseries?from=${from}`)).json.data.map((d) => d.value), [2.5, 3.25]);
      assert.deepEqual((await req('GET', `${base}/timeseries?interval=3600&aggregation=MAX`)).json.data.length >= 1, true);

      const range = { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
      const raw = (await req('POST', '/iot/v2/series/batch_query_raw', { resp_version: 1, requests: [{ q: `property.${prop.id}`, ...range }] }, 200)).json;
      assert.deepEqual(raw.responses[0].values, [3.25, 2.5, 1.5]);
      assert.equal(raw.responses[0].count_values, 3);
      const agg = (await req('POST', '/iot/v2/series/batch_query', { resp_version: 1, requests: [{ q: `property.${prop.id}`, ...range }] }, 200)).json;
      assert.deepEqual(agg.responses[0].values, [1.5, 2.5, 3.25]);
      const last = (await req('POST', '/iot/v2/series/batch_query_raw/lastvalue', { requests: [{ thing_id: thing, property_id: prop.id }] }, 200)).json;
      assert.deepEqual(last.responses[0].values, [3.25]);
      const sampled = (await req('POST', '/iot/v2/series/batch_query_sampling', { resp_version: 1, requests: [{ q: `property.${prop.id}`, interval: 86400 }] }, 200)).json;
      assert.equal(sampled.responses[0].values.at(-1), 3.25);
      const v1 = (await req('POST', '/v1/series/batch_query_raw', { resp_version: 1, requests: [{ q: `property.${prop.id}`, ...range }] }, 200)).json;
      assert.deepEqual(v1.responses[0].values, [3.25, 2.5, 1.5]);

      // v1 send, update, delete
      await req('PUT', `/v1/things/${thing}/properties/${prop.id}/send`, { value: 4 }, 200);
      assert.equal((await req('GET', `/v1/things/${thing}/properties/${prop.id}`)).json.last_value, 4);
      assert.equal((await req('POST', base, { name: 'Water', permission: 'READ_ONLY', type: 'FLOAT', update_strategy: 'TIMED', update_parameter: 30 }, 200)).json.name, 'Water');
      await req('DELETE', base, undefined, 200);
      await req('GET', base, undefined, 404);
    });

    test('device property time series: pages of `limit`, newest first, continued with `start`', async () => {
      const device = (await req('PUT', '/iot/v2/devices', { type: 'nano_33_iot', name: 'bench-board' }, 201)).json;
      const thing = (await req('PUT', '/iot/v2/things', { name: 'Bench', device_id: device.id }, 201)).json;
      const prop = (await req('PUT', `/iot/v2/things/${thing.id}/properties`,
        { name: 'count', type: 'INT', permission: 'READ_ONLY', update_strategy: 'ON_CHANGE' }, 201)).json;
      for (let v = 1; v <= 7; v++) await req('PUT', `/iot/v2/things/${thing.id}/properties/${prop.id}/publish`, { value: v }, 200);
      assert.equal((await req('GET', `/iot/v2/devices/${device.id}`)).json.thing.id, thing.id);
      const base = `/iot/v2/devices/${device.id}/properties/${prop.id}`;
      const pages = [];
      let start;
      for (let i = 0; i < 5; i++) {
        const r = await req('GET', `${base}?limit=3${start ? `&start=${encodeURIComponent(start)}` : ''}`, undefined, 200);
        assert.equal(r.headers.get('content-type'), 'application/vnd.arduino.devicev2propertyvalues+json');
        assert.equal(r.json.id, prop.id);
        assert.equal(r.json.name, 'count');
        pages.push(r.json.values.map((v) => Number(v.value.payload)));
        start = r.json.last_evaluated_key.created_at;
        if (!start) {
          assert.deepEqual(r.json.last_evaluated_key, {});
          break;
        }
        assert.equal(start, r.json.values.at(-1).created_at);
      }
      assert.deepEqual(pages, [[7, 6, 5], [4, 3, 2], [1]]);
      const events = (await req('GET', `/iot/v2/devices/${device.id}/events`, undefined, 200)).json;
      assert.deepEqual(events.events.map((e) => [e.name, e.value]), [['count', 7]]);
      const props = (await req('GET', `/iot/v2/devices/${device.id}/properties`, undefined, 200)).json;
      assert.deepEqual(props.properties.map((p) => p.id), [prop.id]);
      await req('PUT', `/iot/v2/devices/${device.id}/properties`, { properties: [{ name: 'count', type: 'INT', value: 8 }] }, 200);
      assert.equal((await req('GET', `/iot/v2/things/${thing.id}/properties/${prop.id}`)).json.last_value, 8);
      await req('GET', `${base}?start=soon`, undefined, 400);
      await req('GET', `/iot/v2/devices/${device.id}/properties/${OTHER}`, undefined, 404);
    });

    test('device: create, show, update, list, delete; certificates', async () => {
      const d = (await req('PUT', '/iot/v2/devices', { type: 'mkrwifi1010', name: 'bench', serial: 'SER123' }, 201)).json;
      assert.equal(d.name, 'bench');
      assert.equal((await req('GET', `/iot/v2/devices/${d.id}`, undefined, 200)).json.serial, 'SER123');
      assert.equal((await req('POST', `/iot/v2/devices/${d.id}`, { name: 'bench2' }, 200)).json.name, 'bench2');
      const list = (await req('GET', '/iot/v2/devices', undefined, 200)).json;
      assert.deepEqual(new Set(list.map((x) => x.id)), new Set([d.id, IDS.arduino.devices.weatherStation,
        IDS.arduino.devices.greenhouse, IDS.arduino.devices.deskLamp]));
      assert.deepEqual((await req('GET', '/iot/v2/devices?serial=SER123')).json.map((x) => x.id), [d.id]);
      const cert = (await req('PUT', `/iot/v2/devices/${d.id}/certs`, { csr: 'CSR', enabled: true }, 201)).json;
      assert.equal((await req('GET', `/iot/v2/devices/${d.id}/certs`)).json.length, 1);
      assert.equal((await req('POST', `/iot/v2/devices/${d.id}/certs/${cert.id}`, { enabled: false }, 200)).json.enabled, false);
      await req('DELETE', `/iot/v2/devices/${d.id}/certs/${cert.id}`, undefined, 200);
      await req('GET', `/iot/v2/devices/${d.id}/certs/${cert.id}`, undefined, 404);
      await req('DELETE', `/iot/v2/devices/${d.id}`, undefined, 200);
      await req('GET', `/iot/v2/devices/${d.id}`, undefined, 404);
      org = CREDENTIALS.arduino.organization;
      assert.deepEqual(new Set((await req('GET', '/iot/v2/devices')).json.map((x) => x.id)),
        new Set([IDS.arduino.devices.packagingLine, IDS.arduino.devices.coldRoom]));
    });

    test('tags on things and devices: upsert, list, delete', async () => {
      for (const base of [`/iot/v2/things/${IDS.arduino.things.deskLamp}`, `/iot/v2/devices/${IDS.arduino.devices.deskLamp}`]) {
        await req('PUT', `${base}/tags`, { key: 'floor', value: '2' }, 200);
        await req('PUT', `${base}/tags`, { key: 'location', value: 'hall' }, 200); // replaces
        const { tags } = (await req('GET', `${base}/tags`, undefined, 200)).json;
        assert.deepEqual(tags, [{ key: 'location', value: 'hall' }, { key: 'kind', value: 'actuator' }, { key: 'floor', value: '2' }]);
        await req('DELETE', `${base}/tags/floor`, undefined, 200);
        await req('DELETE', `${base}/tags/floor`, undefined, 404);
        assert.deepEqual((await req('GET', `${base}/tags`)).json.tags.map((t) => t.key), ['location', 'kind']);
      }
      assert.deepEqual((await req('GET', '/iot/v2/things?tags=location:hall')).json.map((t) => t.id), [IDS.arduino.things.deskLamp]);
      assert.deepEqual((await req('GET', '/iot/v2/devices?tags=location:hall')).json.map((t) => t.id), [IDS.arduino.devices.deskLamp]);
    });

    test('dashboards v2 and v3, shares, clone', async () => {
      const v2 = (await req('POST', '/iot/v2/dashboards', { name: 'Plant' }, 201)).json;
      assert.equal(v2.name, 'Plant');
      assert.equal((await req('GET', `/iot/v3/dashboards/${v2.id}`, undefined, 200)).json.name, 'Plant', 'one dashboard, two views');
      assert.equal((await req('PATCH', `/iot/v3/dashboards/${v2.id}`, { name: 'Plant B' }, 200)).json.name, 'Plant B');
      assert.equal((await req('PUT', `/iot/v2/dashboards/${v2.id}`, { name: 'Plant C' }, 200)).json.name, 'Plant C');
      assert.deepEqual((await req('GET', '/iot/v2/dashboards?name=plant')).json.map((x) => x.id), [v2.id]);
      assert.equal((await req('GET', '/iot/v3/dashboards')).json.length, 2);
      const user = '0f0f0f0f-1111-4222-8333-444455556666';
      await req('PUT', `/iot/v2/dashboards/${v2.id}/shares`, { user_id: user, username: 'friend' }, 200);
      assert.deepEqual((await req('GET', `/iot/v2/dashboards/${v2.id}/shares`)).json, [{ user_id: user, username: 'friend' }]);
      await req('DELETE', `/iot/v2/dashboards/${v2.id}/shares/${user}`, undefined, 200);
      assert.deepEqual((await req('GET', `/iot/v2/dashboards/${v2.id}/shares`)).json, []);
      const copy = (await req('PUT', `/iot/v3/dashboards/${v2.id}/clone`, {}, 201)).json;
      assert.notEqual(copy.id, v2.id);
      await req('DELETE', `/iot/v2/dashboards/${v2.id}`, undefined, 200);
      await req('GET', `/iot/v2/dashboards/${v2.id}`, undefined, 404);
      await req('GET', `/iot/v3/dashboards/${copy.id}`, undefined, 200);
    });

    test('triggers and actions', async () => {
      const t = (await req('PUT', '/iot/v1/triggers', { name: 'Dry soil', property_id: fixtures.arduino.things[1].props[0].id,
        actions: [{ name: 'Mail me', kind: 'NOTIFY-EMAIL' }] }, 201)).json;
      assert.equal(t.actions.length, 1);
      const shown = (await req('GET', `/iot/v1/triggers/${t.id}`, undefined, 200)).json;
      assert.equal(shown.linked_property.name, 'soil_moisture');
      assert.equal((await req('PATCH', `/iot/v1/triggers/${t.id}`, { active: false }, 200)).json.active, false);
      assert.equal((await req('GET', '/iot/v1/triggers')).json.length, 2);
      await req('DELETE', `/iot/v1/triggers/${t.id}`, undefined, 200);
      await req('GET', `/iot/v1/triggers/${t.id}`, undefined, 404);
      assert.equal((await req('GET', '/iot/v1/triggers?show_deleted=true')).json.length, 2);
      const a = (await req('POST', '/iot/v1/actions', { name: 'Push', kind: 'NOTIFY-PUSH' }, 201)).json;
      assert.equal((await req('PUT', `/iot/v1/actions/${a.id}`, { name: 'Push me' }, 200)).json.name, 'Push me');
      await req('DELETE', `/iot/v1/actions/${a.id}`, undefined, 200);
      await req('GET', `/iot/v1/actions/${a.id}`, undefined, 404);
    });

    test('the official client: v1 requests without the /iot prefix, and v2 ones', async () => {
      const Official = require('@arduino/arduino-iot-client');
      // The v1 APIs ship in the package but are not exported by its index.
      const v1 = (name) => require(`@arduino/arduino-iot-client/dist/api/${name}`).default;
      const client = new Official.ApiClient(`${SIM}/arduino`);
      client.authentications.oauth2.accessToken = token;
      const ThingsV1Api = v1('ThingsV1Api');
      const PropertiesV1Api = v1('PropertiesV1Api');
      const things = await new ThingsV1Api(client).thingsV1List({ showDeleted: true });
      assert.equal(things.length, 4);
      const thing = IDS.arduino.things.weatherStation;
      assert.equal((await new ThingsV1Api(client).thingsV1Show(thing, {})).name, 'Weather Station');
      const props = await new PropertiesV1Api(client).propertiesV1List(thing, {});
      assert.equal(props.length, 3);
      await new PropertiesV1Api(client).propertiesV1Send(thing, TEMPERATURE, { value: '21.5' });
      const created = await new Official.ThingsV2Api(client).thingsV2Create({ name: 'From the official client' }, {});
      assert.equal((await new Official.ThingsV2Api(client).thingsV2Show(created.id, {})).name, 'From the official client');
      const log = (await control('requests?vendor=arduino', undefined, 'GET')).json.filter((e) => e.operationId);
      assert.deepEqual(log.map((e) => e.operationId),
        ['things_v1#list', 'things_v1#show', 'properties_v1#list', 'properties_v1#send', 'things_v2#create', 'things_v2#show']);
      assert.equal((await req('GET', `/iot/v2/things/${thing}/properties/${TEMPERATURE}`)).json.last_value, '21.5');
    });
  });

  test('request log: raw and parsed query, headers, body, multipart fields and files, operationId', async () => {
    const token = await arduinoToken();
    const device = IDS.arduino.devices.weatherStation;
    await call('/arduino/iot/v2/things?ids=a&ids=b&show_deleted=true&tags=k%3Av', bearer(token, { 'X-Organization': '' }));
    const fd = new FormData();
    fd.append('expire_in_mins', '5');
    fd.append('ota_file', new Blob([Buffer.alloc(1000, 0xff)], { type: 'application/octet-stream' }), 'fw.ota');
    const ota = await call(`/arduino/iot/v2/devices/${device}/ota`, { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } });
    assert.equal(ota.status, 200, ota.text);
    assert.equal(ota.json.file_sha, require('node:crypto').createHash('sha256').update(Buffer.alloc(1000, 0xff)).digest('hex'));
    const log = (await control('requests?vendor=arduino', undefined, 'GET')).json;
    assert.equal(log.length, 3);
    const [tokenRequest, list, upload] = log;
    assert.equal(tokenRequest.operationId, null);
    assert.equal(list.operationId, 'things_v2#list');
    assert.equal(list.rawQuery, 'ids=a&ids=b&show_deleted=true&tags=k%3Av');
    assert.deepEqual(list.query, { ids: ['a', 'b'], show_deleted: 'true', tags: 'k:v' });
    assert.equal(list.headers.authorization, `Bearer ${token}`);
    assert.equal(list.headers['x-organization'], '');
    assert.equal(list.body, '');
    assert.equal(upload.operationId, 'devices_v2_ota#upload');
    assert.match(upload.headers['content-type'], /^multipart\/form-data; boundary=/);
    assert.deepEqual(upload.multipart, {
      fields: ['expire_in_mins', 'ota_file'],
      files: [{ name: 'ota_file', filename: 'fw.ota', contentType: 'application/octet-stream', size: 1000 }],
    });
    for (const entry of log) {
      assert.deepEqual(Object.keys(entry).filter((k) => k !== 'multipart').sort(),
        ['body', 'headers', 'method', 'operationId', 'path', 'query', 'rawQuery', 'time', 'vendor']);
    }
  });

  test('the spec is parsed once: a request does not read the YAML again', async () => {
    const before = arduinoApi.api();
    const token = await arduinoToken();
    const started = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) await call('/arduino/iot/v2/things', bearer(token));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(arduinoApi.api(), before);
    assert.ok(ms < 5000, `200 requests took ${ms} ms`);
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

  test('v2 serves the device too, with a 2.x envelope; other routes are 404 Route not found', async () => {
    const token = await cthingsToken();
    const [id] = IDS.cthings.devices;
    const v2 = await call(`/cthings/v2/device/${id}`, bearer(token));
    assert.equal(v2.status, 200);
    assert.match(v2.json.version, /^2\./);
    assert.equal(v2.json.data.id, id);
    assert.equal(v2.json.request.url, `${SIM}/cthings/v2/device/${id}`);
    for (const [method, path] of [['GET', '/v3/devices'], ['GET', '/v1/device/x'], ['POST', `/v3/device/${id}`],
      ['DELETE', `/v3/device/${id}`], ['GET', `/v3/device/${id}/data`]]) {
      const r = await call(`/cthings${path}`, { method, ...bearer(token) });
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.deepEqual([r.json.code, r.json.message, r.json.data], [404, 'Route not found', null]);
    }
    const notUuid = await call('/cthings/v3/device/not-a-uuid', bearer(token));
    assert.deepEqual([notUuid.status, notUuid.json.message], [404, 'Device not found']);
  });

  test('PATCH changes a device until reset; bad changes are 400 and change nothing', async () => {
    const token = await cthingsToken();
    const [boiler, gateway] = IDS.cthings.devices;
    const patch = (id, body, version = 'v3') => call(`/cthings/${version}/device/${id}`, {
      method: 'PATCH', body: typeof body === 'string' ? body : JSON.stringify(body),
      ...bearer(token, { 'content-type': 'application/json' }),
    });
    const r = await patch(boiler, { name: 'Boiler Room', configuration: { reportingInterval: 300 }, watchlist: false });
    assert.equal(r.status, 200);
    assert.equal(r.json.code, 200);
    assert.deepEqual(r.json.request.body, { name: 'Boiler Room', configuration: { reportingInterval: 300 }, watchlist: false });
    assert.equal(r.json.data.name, 'Boiler Room');
    // Configuration and settings are merged key by key.
    assert.deepEqual(r.json.data.configuration, { reportingInterval: 300, units: 'celsius' });
    assert.equal(r.json.data.watchlist, false);
    const v2 = await patch(boiler, { settings: { alarm: true }, location: { latitude: 1.5, longitude: -2 } }, 'v2');
    assert.equal(v2.status, 200);
    assert.match(v2.json.version, /^2\./);
    const read = await call(`/cthings/v3/device/${boiler}`, bearer(token));
    assert.equal(read.json.data.name, 'Boiler Room');
    assert.deepEqual(read.json.data.settings, { alarm: true });
    assert.deepEqual(read.json.data.location, { latitude: 1.5, longitude: -2 });
    // The other devices are untouched.
    assert.equal((await call(`/cthings/v3/device/${gateway}`, bearer(token))).json.data.name, 'Car Park Gateway');

    for (const [body, message] of [
      [{}, 'Nothing to change'],
      [[1], 'The request body must be a JSON object'],
      ['{"name":', 'The request body is not JSON'],
      [{ id: 'x' }, "Field 'id' cannot be changed"],
      [{ name: 'ok', connection: {} }, "Field 'connection' cannot be changed"],
      [{ name: '' }, "Invalid value for 'name'"],
      [{ active: 'yes' }, "Invalid value for 'active'"],
      [{ dataInterval: 0 }, "Invalid value for 'dataInterval'"],
      [{ location: { latitude: 91, longitude: 0 } }, "Invalid value for 'location'"],
      [{ configuration: [] }, "Invalid value for 'configuration'"],
    ]) {
      const bad = await patch(gateway, body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.deepEqual([bad.json.code, bad.json.message, bad.json.data], [400, message, null]);
    }
    assert.equal((await call(`/cthings/v3/device/${gateway}`, bearer(token))).json.data.name, 'Car Park Gateway');
    assert.equal((await patch('00000000-0000-4000-8000-000000000000', { name: 'x' })).status, 404);

    await control('reset');
    const token2 = await cthingsToken();
    const after = await call(`/cthings/v3/device/${boiler}`, bearer(token2));
    assert.equal(after.json.data.name, 'Boiler Room Sensor');
    assert.deepEqual(after.json.data.configuration, { reportingInterval: 600, units: 'celsius' });
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

describe('iotconnect API (iotconnect-api.js)', () => {
  const api = require('./iotconnect-api.js');
  const devices = fixtures.iotconnect.devices;
  const [envSensor, tracker] = api.TEMPLATES;
  let token;
  let auth;
  beforeEach(async () => {
    token = (await iotconnectLogin()).access_token;
    auth = bearer(token);
  });
  const base = (service) => `/iotconnect/${service}/api/v2.1`;
  const get = (service, p) => call(`${base(service)}${p}`, auth);
  const send = (service, method, p, body) => call(`${base(service)}${p}`, {
    method, headers: { ...auth.headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const device = (n) => devices[n - 1];
  const sql = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const history = (uniqueId, from, to) => get('telemetry',
    `/Telemetry/attribute-history/device/${uniqueId}/from/${encodeURIComponent(from)}/to/${encodeURIComponent(to)}`);

  test('a device by guid or unique id is a one-item list; an unknown one is 409', async () => {
    const byGuid = await get('device', `/Device/${device(7).guid.toUpperCase()}`);
    assert.equal(byGuid.status, 200);
    assert.deepEqual(byGuid.json.data, [device(7)]);
    const byId = await get('device', '/device/UNIQUEID/SIM-DEV-007');
    assert.deepEqual(byId.json.data, [device(7)]);
    const missing = await get('device', '/Device/00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 409);
    assert.deepEqual(missing.json, { data: null, status: 409, message: 'Device not found', error: [] });
    assert.equal((await get('device', '/Device/uniqueId/nope')).status, 409);
    assert.equal((await call(`${base('device')}/Device/${device(1).guid}`)).status, 401);
  });

  test('devices are created, listed, renamed, deactivated and deleted; reset restores them', async () => {
    const body = { deviceTemplateGuid: envSensor.guid, uniqueId: 'sim-new-1', displayName: 'New', entityGuid: device(1).entityGuid };
    const created = await send('device', 'POST', '/Device', body);
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.message, 'Device created successfully');
    const { newId } = created.json.data;
    assert.equal((await send('device', 'POST', '/Device', body)).status, 409, 'the unique id is taken');
    const missing = await send('device', 'POST', '/Device', { uniqueId: 'x' });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.json.error.map((e) => e.param), ['deviceTemplateGuid', 'displayName', 'entityGuid']);
    assert.equal((await send('device', 'POST', '/Device', { ...body, uniqueId: 'a b' })).status, 400);
    assert.equal((await send('device', 'POST', '/Device', { ...body, uniqueId: 'x2', deviceTemplateGuid: 'nope' })).json.error[0].param, 'deviceTemplateGuid');
    assert.equal((await get('device', '/Device?pageSize=1000')).json.data.length, 251);
    assert.equal((await get('device', '/Device/uniqueId/sim-new-1')).json.data[0].guid, newId);

    assert.equal((await send('device', 'PUT', `/Device/${newId}`, { displayName: 'Renamed', note: 'n' })).status, 200);
    assert.equal((await send('device', 'PUT', `/Device/${newId}`, { displayName: '' })).status, 400);
    assert.equal((await get('device', `/Device/${newId}`)).json.data[0].displayName, 'Renamed');
    assert.equal((await send('device', 'PUT', `/Device/${newId}/status`, { isActive: 'no' })).status, 400);
    const off = await send('device', 'PUT', `/Device/${newId}/status`, { isActive: false });
    assert.equal(off.json.message, 'Device deactivated successfully');
    assert.ok((await get('device', '/Device?pageSize=1000&Status=inactive')).json.data.some((d) => d.guid === newId));

    assert.equal((await send('device', 'DELETE', `/Device/${newId}`)).json.message, 'Device deleted successfully');
    assert.equal((await send('device', 'DELETE', `/Device/${newId}`)).status, 409);
    assert.equal((await get('device', '/Device?pageSize=1000')).json.data.length, 250);
    await send('device', 'DELETE', `/Device/${device(1).guid}`);
    assert.equal((await get('device', '/Device?pageSize=1000')).json.data.length, 249);
    await control('reset');
    token = (await iotconnectLogin()).access_token;
    auth = bearer(token);
    assert.equal((await get('device', '/Device?pageSize=1000')).json.data.length, 250);
  });

  test('templates, their attributes and commands', async () => {
    const list = await get('device', '/device-template');
    assert.deepEqual(list.json.data.map((t) => t.name), ['Environment Sensor', 'Asset Tracker']);
    assert.equal(list.json.count, 2);
    assert.equal(list.json.data[1].deviceCount, 50);
    assert.deepEqual((await get('device', '/device-template?searchText=track')).json.data.map((t) => t.code), ['ASSETTRK']);
    assert.deepEqual((await get('device', '/device-template?sortBy=code%20asc&pageSize=1&pageNumber=2')).json.data.map((t) => t.code), ['ENVSENSOR']);
    assert.equal((await get('device', '/device-template?sortBy=color')).status, 412);
    assert.equal((await get('device', `/device-template/${tracker.guid}`)).json.data[0].code, 'ASSETTRK');
    assert.equal((await get('device', '/device-template/template-code/envsensor')).json.data[0].guid, envSensor.guid);
    const attributes = await get('device', `/template-attribute/${envSensor.guid}`);
    assert.deepEqual(attributes.json.data.map((a) => a.localName), ['temperature', 'humidity', 'battery', 'led']);
    const commands = await get('device', `/template-command/${envSensor.guid}`);
    assert.deepEqual(commands.json.data.map((c) => [c.command, c.requiredParam]), [['led', true], ['reboot', false]]);
    const inUse = await send('device', 'DELETE', `/device-template/${tracker.guid}`);
    assert.equal(inUse.status, 412);
    assert.equal(inUse.json.message, 'Template is used by 50 devices');
    assert.equal((await get('device', '/device-template/nope')).status, 409);
  });

  test('commands are recorded; a connected device acknowledges at once and its LED follows', async () => {
    const led = envSensor.commands.find((c) => c.command === 'led');
    const online = device(1); // active, connected, an Environment Sensor
    const offline = device(3); // active, not connected
    const path = (d) => `/template-command/device/${d.guid}/send`;
    const sent = await send('device', 'POST', path(online), { commandGuid: led.guid, parameterValue: 'on' });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.json.data.isAck, true);
    const queued = await send('device', 'POST', path(offline), { commandGuid: led.guid, parameterValue: 'on' });
    assert.equal(queued.json.data.isAck, false);
    assert.equal((await send('device', 'POST', path(online), { commandGuid: led.guid })).status, 400);
    assert.equal((await send('device', 'POST', path(online), { commandGuid: led.guid, parameterValue: 'blue' })).status, 400);
    assert.equal((await send('device', 'POST', path(online), { commandGuid: tracker.commands[0].guid })).status, 409);
    assert.equal((await send('device', 'POST', path(device(17)), { commandGuid: led.guid, parameterValue: 'on' })).status, 412);
    const { commands } = (await call('/__sim/iotconnect')).json;
    assert.deepEqual(commands.map((c) => [c.uniqueId, c.command, c.parameterValue, c.ack]),
      [['sim-dev-001', 'led', 'on', true], ['sim-dev-003', 'led', 'on', false]]);
    const latest = await get('telemetry', `/Telemetry/device/${online.guid}`);
    assert.equal(latest.json.data.find((r) => r.attributeName === 'led').attributeValue, 'on');
    const other = await get('telemetry', `/Telemetry/device/${offline.guid}`);
    assert.equal(other.json.data.find((r) => r.attributeName === 'led').attributeValue, 'off');
  });

  test('telemetry: latest, recent and a history of at most 7 days', async () => {
    const latest = await get('telemetry', `/Telemetry/device/${device(1).guid}`);
    assert.deepEqual(latest.json.data.map((r) => r.attributeName), ['temperature', 'humidity', 'battery', 'led']);
    assert.equal(typeof latest.json.data[0].attributeValue, 'number');
    assert.match(latest.json.data[0].deviceUpdatedDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    const gps = await get('telemetry', `/Telemetry/device/${device(5).guid}`);
    assert.deepEqual(gps.json.data.map((r) => r.attributeName), ['latitude', 'longitude', 'speed']);

    const recent = await send('telemetry', 'POST', '/Telemetry/device/sim-dev-001/recent/12', { filterAttrs: ['temperature'] });
    assert.equal(recent.json.data.length, 12);
    assert.deepEqual(Object.keys(recent.json.data[0]), ['uniqueId', 'time', 'temperature']);
    assert.ok(recent.json.data[0].time > recent.json.data[1].time, 'newest first');
    assert.equal((await send('telemetry', 'POST', '/Telemetry/device/sim-dev-001/recent/9', {})).status, 400);
    assert.equal((await send('telemetry', 'POST', '/Telemetry/device/sim-dev-001/recent/51', {})).status, 400);
    assert.equal((await send('telemetry', 'POST', '/Telemetry/device/nope/recent/10', {})).status, 409);

    const now = Date.now();
    const hour = await history('sim-dev-001', sql(now - 3_600_000), sql(now));
    assert.equal(hour.status, 200, hour.text);
    assert.ok(hour.json.data.length >= 59 && hour.json.data.length <= 61, `${hour.json.data.length} rows`);
    assert.ok(hour.json.data[0].time < hour.json.data.at(-1).time, 'oldest first');
    const temps = new Set(hour.json.data.map((r) => r.temperature));
    assert.ok(temps.size > 5, 'values change with time');
    assert.equal((await history('sim-dev-001', sql(now - 8 * 86_400_000), sql(now))).status, 412);
    assert.equal((await history('sim-dev-001', sql(now), sql(now - 1000))).status, 412);
    const bad = await history('sim-dev-001', '2025-01-15T00:00:00Z', sql(now));
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error[0].param, 'from');
    assert.equal((await history('sim-dev-001', '2025-02-30 00:00:00', '2025-03-01 00:00:00')).status, 400);
  });

  test('entities, users and the company', async () => {
    const entities = await get('user', '/Entity');
    assert.deepEqual(entities.json.data.map((e) => e.name), ['Head Office', 'Warehouse']);
    assert.equal((await get('user', `/Entity/${entities.json.data[1].guid}`)).json.data[0].name, 'Warehouse');
    const users = await get('user', '/User?sortBy=userId%20desc');
    assert.deepEqual(users.json.data.map((u) => u.userId), ['sim.user@example.com', 'operator@example.com']);
    assert.equal((await get('user', '/User?searchText=OPS')).json.data.length, 1);
    assert.equal((await get('user', `/User/${api.USERS[0].guid}`)).json.data[0].userId, I.username);
    assert.equal((await get('user', '/User/nope')).status, 409);
    assert.equal((await get('master', '/Company')).json.data[0].cpId, fixtures.iotconnect.user.cpId);
    assert.equal((await get('event', '/anything')).status, 404);
  });

  test('firmware, upgrades and OTA updates', async () => {
    const [fw] = api.FIRMWARE;
    const [published, draft] = api.UPGRADES;
    assert.equal((await get('firmware', '/Firmware')).json.data[0].name, 'ENVFW');
    assert.equal((await get('firmware', `/Firmware/${fw.guid}`)).json.data[0].hardware, 'ENV-1');
    const created = await send('firmware', 'POST', '/Firmware', { name: 'GPSFW', hardware: 'GPS-1' });
    assert.equal(created.status, 200);
    assert.equal((await send('firmware', 'POST', '/Firmware', { name: 'gpsfw', hardware: 'x' })).status, 409);
    assert.equal((await send('firmware', 'POST', '/Firmware', {})).status, 400);

    const noType = await get('firmware', '/firmware-upgrade');
    assert.equal(noType.status, 400);
    assert.equal(noType.json.error[0].param, 'type');
    assert.deepEqual((await get('firmware', '/firmware-upgrade?type=draft')).json.data.map((u) => u.guid), [draft.guid]);
    const upgrade = await send('firmware', 'POST', '/firmware-upgrade', { firmwareGuid: fw.guid, software: '1.2.0' });
    const { newId } = upgrade.json.data;
    assert.equal((await get('firmware', '/firmware-upgrade?type=all')).json.data.length, 3);
    assert.equal((await send('firmware', 'PUT', `/firmware-upgrade/${newId}/publish`)).status, 200);
    assert.equal((await send('firmware', 'PUT', `/firmware-upgrade/${newId}/publish`)).status, 412);
    assert.equal((await send('firmware', 'DELETE', `/firmware-upgrade/${published.guid}`)).status, 412);
    assert.equal((await send('firmware', 'DELETE', `/firmware-upgrade/${draft.guid}`)).status, 200);
    assert.equal((await get('firmware', `/firmware-upgrade/${draft.guid}`)).status, 409);

    const ota = await send('firmware', 'POST', '/ota-update', {
      firmwareUpgradeGuid: published.guid, isForceUpdate: true, target: 'device', deviceGuids: [device(1).guid, device(2).guid],
    });
    assert.equal(ota.status, 200, ota.text);
    assert.equal(ota.json.data.deviceCount, 2);
    const byEntity = await send('firmware', 'POST', '/ota-update', { firmwareUpgradeGuid: newId, entityGuid: device(1).entityGuid });
    assert.equal(byEntity.json.data.deviceCount, 125);
    assert.equal((await send('firmware', 'POST', '/ota-update', { firmwareUpgradeGuid: published.guid })).status, 400);
    const notPublished = await send('firmware', 'POST', '/firmware-upgrade', { firmwareGuid: fw.guid, software: '2' });
    const refused = await send('firmware', 'POST', '/ota-update', { firmwareUpgradeGuid: notPublished.json.data.newId, deviceGuids: [device(1).guid] });
    assert.equal(refused.status, 412);
    assert.equal((await call('/__sim/iotconnect')).json.otaUpdates.length, 2);
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

// ---------------------------------------------------------------------------------------------------------
// Particle: the whole API, logins, state, event streams

const PI = IDS.particle;
const form = (fields) => new URLSearchParams(fields);
const particleClient = basic(P.productClientId, P.productClientSecret);
const req = (method, urlPath, token, value) => call(urlPath, {
  method,
  headers: { authorization: `Bearer ${token}`, ...(value !== undefined && { 'content-type': 'application/json' }) },
  body: value === undefined ? undefined : JSON.stringify(value),
});

describe('particle logins', () => {
  test('password grant with expires_in and expires_at', async () => {
    const t = await post('/particle/oauth/token', form({ grant_type: 'password', username: P.username, password: P.password, expires_in: '120' }),
      { authorization: basic('particle', 'particle') });
    assert.equal(t.json.expires_in, 120);
    const at = new Date(Date.now() + 3600_000).toISOString();
    const t2 = await post('/particle/oauth/token', form({ grant_type: 'password', username: P.username, password: P.password, expires_at: at }),
      { authorization: basic('particle', 'particle') });
    assert.ok(t2.json.expires_in > 3500 && t2.json.expires_in <= 3600);
    assert.equal((await req('GET', '/particle/v1/user', t2.json.access_token)).json.username, P.username);
  });

  test('MFA: mfa_required, a wrong OTP, the right OTP once', async () => {
    const first = await post('/particle/oauth/token', form({ grant_type: 'password', username: P.mfaUsername, password: P.mfaPassword }),
      { authorization: basic('particle', 'particle') });
    assert.equal(first.status, 403);
    assert.equal(first.json.error, 'mfa_required');
    assert.equal(typeof first.json.error_description, 'string');
    const otp = (code) => post('/particle/oauth/token', form({ grant_type: 'urn:custom:mfa-otp', mfa_token: first.json.mfa_token, otp: code }),
      { authorization: basic('particle', 'particle') });
    const wrong = await otp('000000');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error, 'invalid_grant');
    const ok = await otp(P.mfaOtp);
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await req('GET', '/particle/v1/user', ok.json.access_token)).json.username, P.mfaUsername);
    assert.equal((await otp(P.mfaOtp)).status, 400, 'an MFA token works once');
  });

  test('refresh_token grant: a new token, the refresh token works once', async () => {
    const t = await post('/particle/oauth/token', form({ grant_type: 'password', username: P.username, password: P.password }),
      { authorization: basic('particle', 'particle') });
    const refresh = () => post('/particle/oauth/token', form({ grant_type: 'refresh_token', refresh_token: t.json.refresh_token }),
      { authorization: basic('particle', 'particle') });
    const r = await refresh();
    assert.equal(r.status, 200, r.text);
    assert.notEqual(r.json.access_token, t.json.access_token);
    assert.equal((await req('GET', '/particle/v1/devices', r.json.access_token)).status, 200);
    assert.equal((await refresh()).json.error, 'invalid_grant');
  });

  test('client_credentials: product token, customer token, wrong client', async () => {
    const product = await post('/particle/oauth/token', form({ grant_type: 'client_credentials' }), { authorization: particleClient });
    assert.equal(product.status, 200, product.text);
    assert.equal(product.json.refresh_token, undefined);
    assert.equal((await req('GET', `/particle/v1/products/${PI.product}/devices`, product.json.access_token)).json.devices.length, 6);
    const customer = await post('/particle/oauth/token', form({ grant_type: 'client_credentials', scope: `customer=${P.customer}` }),
      { authorization: particleClient });
    assert.equal(customer.status, 200, customer.text);
    const nobody = await post('/particle/oauth/token', form({ grant_type: 'client_credentials', scope: 'customer=nobody@example.com' }),
      { authorization: particleClient });
    assert.equal(nobody.status, 400);
    const wrong = await post('/particle/oauth/token', form({ grant_type: 'client_credentials' }), { authorization: basic(P.productClientId, 'x') });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error, 'invalid_client');
  });

  test('customers: create with the product client (Basic or form), then list; a customer token', async () => {
    const path = `/particle/v1/products/${PI.productSlug}/customers`;
    const created = await post(path, form({ email: 'new.customer@example.com', no_password: 'true' }), { authorization: particleClient });
    assert.equal(created.status, 200, created.text);
    assert.ok(created.json.access_token);
    const inForm = await post(path, form({ email: 'other@example.com', password: 'pw', client_id: P.productClientId, client_secret: P.productClientSecret }));
    assert.equal(inForm.status, 200, inForm.text);
    assert.equal((await post(path, form({ email: 'x@example.com', no_password: 'true' }), { authorization: basic('particle', 'particle') })).status, 401);
    const token = await particleToken();
    const list = await req('GET', `${path}?page=1&perPage=10`, token);
    assert.deepEqual(list.json.customers.map((c) => c.username).sort(), [P.customer, 'new.customer@example.com', 'other@example.com'].sort());
    assert.equal(list.json.meta.total_pages, 1);
  });

  test('token deletion: current, by token, all; then 401', async () => {
    const [a, b, c, d] = [await particleToken(), await particleToken(), await particleToken(), await particleToken()];
    assert.deepEqual((await req('DELETE', '/particle/v1/access_tokens/current', a)).json, { ok: true });
    assert.equal((await req('GET', '/particle/v1/devices', a)).status, 401);
    assert.equal((await call(`/particle/v1/access_tokens/${b}`, { method: 'DELETE' })).status, 200);
    assert.equal((await req('GET', '/particle/v1/devices', b)).status, 401);
    assert.equal((await call(`/particle/v1/access_tokens/${b}`, { method: 'DELETE' })).status, 404);
    assert.equal((await req('GET', '/particle/v1/devices', c)).status, 200);
    assert.deepEqual((await req('DELETE', '/particle/v1/access_tokens', c)).json, { ok: true });
    assert.equal((await req('GET', '/particle/v1/devices', c)).status, 401);
    assert.equal((await req('GET', '/particle/v1/devices', d)).status, 401);
  });

  test('expired tokens get 401', async () => {
    await control('config', { tokenLifetime: { particle: 0.05 } });
    const t = await particleToken();
    await sleep(100);
    assert.equal((await req('GET', '/particle/v1/devices', t)).status, 401);
  });
});

describe('particle state', () => {
  test('rename and notes change the list; claim and remove', async () => {
    const t = await particleToken();
    assert.equal((await req('PUT', `/particle/v1/devices/${PI.online}`, t, { name: 'pantry-argon' })).json.name, 'pantry-argon');
    assert.equal((await req('PUT', `/particle/v1/devices/pantry-argon`, t, { notes: 'moved' })).json.notes, 'moved');
    let list = (await req('GET', '/particle/v1/devices', t)).json;
    assert.equal(list[0].name, 'pantry-argon');
    assert.equal(list[0].notes, 'moved');
    assert.equal((await req('PUT', `/particle/v1/devices/${PI.online}`, t, { name: 'bad name!' })).status, 400);
    assert.deepEqual((await req('PUT', `/particle/v1/devices/${PI.online}/ping`, t)).json, { online: true, ok: true });
    assert.equal((await req('PUT', `/particle/v1/devices/${PI.online}`, t, { signal: '1' })).json.signaling, true);

    assert.equal((await req('POST', '/particle/v1/devices', t, { id: PI.unclaimed, request_transfer: false })).status, 200);
    list = (await req('GET', '/particle/v1/devices', t)).json;
    assert.equal(list.length, 4);
    assert.equal((await req('POST', '/particle/v1/devices', t, { id: '0'.repeat(24) })).status, 403);
    assert.deepEqual((await req('DELETE', `/particle/v1/devices/${PI.devices[1]}`, t)).json, { ok: true });
    list = (await req('GET', '/particle/v1/devices', t)).json;
    assert.deepEqual(list.map((d) => d.id), [PI.online, PI.offline, PI.unclaimed]);
    assert.equal((await req('GET', `/particle/v1/devices/${PI.devices[1]}`, t)).status, 403);
    assert.equal((await req('POST', '/particle/v1/devices', t, { id: PI.devices[1] })).status, 200, 'a released device can be claimed again');
    await control('reset');
    const t2 = await particleToken();
    assert.equal((await req('GET', '/particle/v1/devices', t2)).json[0].name, 'kitchen-argon', 'reset restores the fixtures');
  });

  test('product devices: filters, sorting, paging, customers; import; groups', async () => {
    const t = await particleToken();
    const base = `/particle/v1/products/${PI.product}/devices`;
    const all = (await req('GET', base, t)).json;
    assert.equal(all.devices.length, 6);
    assert.equal(all.meta.total_pages, 1);
    assert.deepEqual(all.customers.map((c) => c.username), [P.customer]);
    const north = (await req('GET', `${base}?groups=north&sortAttr=deviceName&sortDir=desc&page=1&per_page=2`, t)).json;
    assert.deepEqual(north.devices.map((d) => d.name), ['sim-fleet-05', 'sim-fleet-03']);
    assert.equal(north.meta.total_pages, 2);
    assert.deepEqual((await req('GET', `${base}?deviceName=fleet-04`, t)).json.devices.map((d) => d.id), [PI.productDevices[3]]);
    assert.equal((await req('GET', `${base}?deviceId=${PI.productDevices[1]}`, t)).json.devices.length, 1);
    assert.equal((await req('GET', `/particle/v1/products/sim-fleet/devices/${PI.productOffline}/temperature`, t)).status, 408);
    const imported = (await req('POST', base, t, { ids: ['e00fce690000000000000077', PI.productDevices[0], 'nope'] })).json;
    assert.deepEqual(imported.updatedDeviceIds, ['e00fce690000000000000077']);
    assert.deepEqual(imported.existingDeviceIds, [PI.productDevices[0]]);
    assert.deepEqual(imported.invalidDeviceIds, ['nope']);
    assert.equal((await req('GET', base, t)).json.devices.length, 7);
    assert.equal((await req('GET', '/particle/v1/products/999/devices', t)).status, 404);
  });

  test('webhooks, integrations, OAuth clients (a created product client logs in)', async () => {
    const t = await particleToken();
    const hook = await req('POST', '/particle/v1/webhooks', t, { event: 'temp', url: 'https://example.com/h', requestType: 'POST' });
    assert.equal(hook.json.ok, true);
    assert.equal((await req('GET', '/particle/v1/webhooks', t)).json.length, 1);
    assert.equal((await req('GET', `/particle/v1/products/${PI.product}/webhooks`, t)).json.length, 0);
    assert.equal((await req('DELETE', `/particle/v1/webhooks/${hook.json.id}`, t)).status, 204);
    assert.equal((await req('GET', '/particle/v1/webhooks', t)).json.length, 0);
    const integ = await req('POST', `/particle/v1/orgs/${PI.org}/integrations`, t, { event: 'x', url: 'https://e.com' });
    assert.equal(integ.status, 201);
    assert.equal((await req('PUT', `/particle/v1/orgs/${PI.org}/integrations/${integ.json.id}`, t, { event: 'y' })).json.event, 'y');
    assert.equal((await req('GET', `/particle/v1/orgs/${PI.org}/integrations`, t)).json[0].event, 'y');
    const client = await req('POST', `/particle/v1/products/${PI.product}/clients`, t, { name: 'Server', type: 'installed' });
    assert.equal(client.status, 200);
    const login = await post('/particle/oauth/token', form({ grant_type: 'client_credentials' }), { authorization: basic(client.json.client.id, client.json.client.secret) });
    assert.equal(login.status, 200);
    assert.equal((await req('DELETE', `/particle/v1/products/${PI.product}/clients/${client.json.client.id}`, t)).status, 204);
    assert.equal((await post('/particle/oauth/token', form({ grant_type: 'client_credentials' }), { authorization: basic(client.json.client.id, client.json.client.secret) })).status, 401);
  });

  test('orgs, teams and API users, SIMs, vitals, agreements and usage reports', async () => {
    const t = await particleToken();
    assert.equal((await req('GET', '/particle/v1/orgs', t)).json.organizations[0].slug, PI.org);
    assert.equal((await req('GET', `/particle/v1/orgs/${PI.org}/products`, t)).json.products[0].id, PI.product);
    const apiUser = await req('POST', `/particle/v1/products/${PI.product}/team`, t, { friendly_name: 'CI bot', scopes: ['devices:list'] });
    assert.equal(apiUser.json.created.is_programmatic, true);
    const apiToken = apiUser.json.created.tokens[0].token;
    assert.equal((await req('GET', `/particle/v1/products/${PI.product}/devices`, apiToken)).status, 200);
    assert.equal((await req('GET', `/particle/v1/products/${PI.product}/team`, t)).json.team.length, 2);
    assert.equal((await req('DELETE', `/particle/v1/products/${PI.product}/team/${encodeURIComponent(apiUser.json.created.username)}`, t)).status, 204);
    assert.equal((await req('GET', `/particle/v1/products/${PI.product}/devices`, apiToken)).status, 401, 'its token goes with it');

    assert.equal((await req('GET', '/particle/v1/sims', t)).json.sims.length, 2);
    assert.equal((await call(`/particle/v1/sims/${PI.sims[0]}`, { method: 'HEAD', ...bearer(t) })).status, 204);
    assert.equal((await req('GET', `/particle/v1/sims/${PI.sims[0]}/data_usage`, t)).json.usage_by_day.length, 7);
    assert.equal((await req('DELETE', `/particle/v1/sims/${PI.sims[1]}`, t)).status, 200);
    assert.equal((await req('GET', '/particle/v1/sims', t)).json.sims.length, 1);
    assert.equal((await call(`/particle/v1/sims/${PI.sims[1]}`, { method: 'HEAD', ...bearer(t) })).status, 404);
    assert.ok((await req('GET', `/particle/v1/products/${PI.product}/sims/data_usage`, t)).json.total_mbs_used > 0);

    assert.equal((await req('GET', `/particle/v1/diagnostics/${PI.online}/last`, t)).json.diagnostics.deviceID, PI.online);
    const start = new Date(Date.now() - 3 * 3600_000).toISOString();
    const hist = await req('GET', `/particle/v1/diagnostics/${PI.online}?start_date=${start}`, t);
    assert.equal(hist.json.diagnostics.length, 3);
    const csv = await call(`/particle/v1/diagnostics/${PI.online}?start_date=${start}`, bearer(t, { accept: 'text/csv' }));
    assert.match(csv.headers.get('content-type'), /^text\/csv/);
    assert.equal(csv.text.trim().split('\n').length, 4);
    assert.equal((await req('GET', `/particle/v1/diagnostics/${PI.online}?start_date=2020-01-01T00:00:00Z`, t)).status, 400);

    const sa = (await req('GET', '/particle/v1/user/service_agreements', t)).json.data[0];
    const report = await req('POST', `/particle/v1/user/service_agreements/${sa.id}/usage_reports`, t, { report_type: 'devices' });
    assert.equal(report.json.data.attributes.state, 'pending');
    assert.equal((await req('GET', `/particle/v1/user/usage_reports/${report.json.data.id}`, t)).json.data.attributes.state, 'available');
  });

  test('ledgers, logic functions, env vars; unknown paths 404; multipart field names in the log', async () => {
    const t = await particleToken();
    assert.equal((await req('POST', '/particle/v1/ledgers', t, { ledger: { name: 'cfg', scope: 'Device' } })).status, 201);
    assert.equal((await req('PUT', `/particle/v1/ledgers/cfg/instances/${PI.online}?set_mode=Replace`, t, { instance: { data: { a: 1 } } })).status, 200);
    assert.deepEqual((await req('GET', `/particle/v1/ledgers/cfg/instances/${PI.online}`, t)).json.instance.data, { a: 1 });
    assert.equal((await req('GET', '/particle/v1/ledgers', t)).json.ledgers.length, 1);
    assert.equal((await req('DELETE', '/particle/v1/ledgers/cfg', t)).status, 204);
    assert.equal((await req('GET', '/particle/v1/ledgers?archived=true', t)).json.ledgers.length, 1);
    const fn = await req('POST', '/particle/v1/logic/functions', t, { logic_function: { name: 'f' } });
    assert.equal((await req('GET', `/particle/v1/logic/functions/${fn.json.logic_function.id}`, t)).json.logic_function.name, 'f');
    assert.equal((await req('DELETE', `/particle/v1/logic/functions/${fn.json.logic_function.id}`, t)).status, 204);
    assert.equal((await req('GET', '/particle/v1/logic/functions', t)).json.logic_functions.length, 0);
    await req('PUT', `/particle/v1/products/${PI.product}/env/API_URL`, t, { value: 'https://x' });
    await req('PATCH', `/particle/v1/products/${PI.product}/env`, t, { ops: [{ op: 'Set', key: 'B', value: '2' }, { op: 'Unset', key: 'API_URL' }] });
    assert.deepEqual((await req('GET', `/particle/v1/products/${PI.product}/env/render`, t)).json.env, { B: '2' });

    const unknown = await call('/particle/v1/nothing/here');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, { ok: false, error: 'Not Found' });
    const fd = new FormData();
    fd.append('version', '9');
    fd.append('title', 'T');
    fd.append('file', new Blob([Buffer.alloc(10)]), 'firmware.bin');
    const up = await call(`/particle/v1/products/${PI.product}/firmware`, { method: 'POST', body: fd, ...bearer(t) });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.json.size, 10);
    const log = (await control('requests?vendor=particle', undefined, 'GET')).json;
    const entry = log.find((r) => r.path.endsWith('/firmware') && r.method === 'POST');
    assert.deepEqual(entry.multipart.fields, ['version', 'title', 'file']);
    assert.deepEqual(entry.multipart.files.map((f) => [f.name, f.filename, f.size]), [['file', 'firmware.bin', 10]]);
    assert.ok(log.some((r) => r.path === '/particle/v1/nothing/here'), 'unknown paths are logged too');
  });

  test('functions accept args (particle-api-js) as well as arg', async () => {
    const t = await particleToken();
    assert.equal((await req('POST', `/particle/v1/devices/${PI.online}/led`, t, { args: 'on' })).json.return_value, 1);
  });
});

// SSE helpers: fetch-based reading, and a raw socket that keeps the HTTP chunk boundaries.
async function openSse(urlPath, token, headers = {}) {
  const res = await fetch(SIM + urlPath, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    res,
    get text() { return text; },
    async until(predicate, limitMs = 5000) {
      const deadline = Date.now() + limitMs;
      while (!predicate(text)) {
        if (Date.now() > deadline) throw new Error(`stream timed out with ${JSON.stringify(text.slice(-300))}`);
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    close: () => reader?.cancel().catch(() => {}),
  };
}

/** GET over a raw socket; resolves when the server closes: {head, chunks: [Buffer…] (HTTP chunks), first: Buffer}. */
function rawGet(urlPath, token, extra = '') {
  return new Promise((resolve, reject) => {
    const socket = require('node:net').connect(sim.port, '127.0.0.1');
    const reads = [];
    socket.on('data', (d) => reads.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(reads);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString();
      const chunks = [];
      let pos = split + 4;
      for (;;) {
        const eol = all.indexOf('\r\n', pos);
        const size = parseInt(all.subarray(pos, eol).toString(), 16);
        if (!size) break;
        chunks.push(all.subarray(eol + 2, eol + 2 + size));
        pos = eol + 2 + size + 2;
      }
      resolve({ head, chunks, first: reads[0] });
    });
    socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n${extra}\r\n`);
  });
}

function parseFrames(text) {
  return text.replace(/\r\n/g, '\n').split('\n\n').map((block) => {
    const f = { data: [] };
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || !line.includes(':')) continue;
      const [, k, v] = /^([^:]+): ?(.*)$/.exec(line);
      if (k === 'data') f.data.push(v);
      else f[k] = v;
    }
    return f;
  }).filter((f) => f.event).map((f) => ({ ...f, payload: JSON.parse(f.data.join('\n')) }));
}

const streamFault = (value) => control('stream-faults', value);
const publishEvent = (token, name, data, urlPath = '/particle/v1/devices/events') => req('POST', urlPath, token, { name, data, private: true });

describe('particle event streams', () => {
  test('headers, opening, framing, prefix filters and delivery of published events', async () => {
    const t = await particleToken();
    const all = await openSse('/particle/v1/devices/events', t);
    assert.equal(all.res.status, 200);
    assert.match(all.res.headers.get('content-type'), /^text\/event-stream/);
    await all.until((s) => s.includes('retry: 2000\n\n'));
    assert.ok(all.text.startsWith(':ok\n'));
    const temp = await openSse('/particle/v1/events/temp', t);
    await temp.until((s) => s.includes('retry:'));
    await publishEvent(t, 'humidity', '40');
    await publishEvent(t, 'temperature', 'Ünïcödé €');
    await all.until((s) => parseFrames(s).length === 2);
    await temp.until((s) => parseFrames(s).length === 1);
    const [h, tf] = parseFrames(all.text);
    assert.equal(h.event, 'humidity');
    assert.equal(tf.payload.data, 'Ünïcödé €');
    assert.equal(tf.payload.ttl, 60);
    assert.equal(tf.payload.coreid, 'api');
    assert.ok(!Number.isNaN(Date.parse(tf.payload.published_at)));
    assert.equal(Number(tf.id), Number(h.id) + 1);
    assert.deepEqual(parseFrames(temp.text).map((f) => f.event), ['temperature']);
    assert.match(all.text, /^id: \d+\nevent: humidity\ndata: \{"data":"40","ttl":60,"published_at":"[^"]+","coreid":"api"\}\n\n/m);
    all.close();
    temp.close();
  });

  test('device, product and org streams; device events from the control API', async () => {
    const t = await particleToken();
    const device = await openSse(`/particle/v1/devices/${PI.online}/events`, t);
    const product = await openSse(`/particle/v1/products/${PI.product}/events`, t);
    const org = await openSse(`/particle/v1/orgs/${PI.org}/events`, t);
    for (const s of [device, product, org]) await s.until((x) => x.includes('retry:'));
    assert.equal((await control('particle-events', { name: 'motion', data: '1', deviceId: 'kitchen-argon' })).status, 200);
    await publishEvent(t, 'fleet', 'all', `/particle/v1/products/${PI.product}/events`);
    await publishEvent(t, 'user-only', 'x');
    await device.until((s) => parseFrames(s).length === 1);
    await product.until((s) => parseFrames(s).length === 1);
    await org.until((s) => parseFrames(s).length === 1);
    assert.equal(parseFrames(device.text)[0].payload.coreid, PI.online);
    assert.equal(parseFrames(product.text)[0].event, 'fleet');
    assert.equal(parseFrames(org.text)[0].event, 'fleet');
    assert.equal((await call(`/particle/v1/devices/${'0'.repeat(24)}/events`, bearer(t))).status, 403);
    assert.equal((await call('/particle/v1/events')).status, 401);
    assert.equal((await call(`/particle/v1/events?access_token=${t}`)).status, 400);
    for (const s of [device, product, org]) s.close();
    const stats = (await control('stats', undefined, 'GET')).json.particleStreams;
    assert.equal(stats.opens, 3);
    assert.ok(stats.refused >= 1);
  });

  test('Last-Event-ID replays what came after it', async () => {
    const t = await particleToken();
    for (const n of ['a', 'b', 'c']) await publishEvent(t, n, n);
    const first = await openSse('/particle/v1/events', t, { 'last-event-id': '0' });
    await first.until((s) => parseFrames(s).length === 3);
    const ids = parseFrames(first.text).map((f) => Number(f.id));
    first.close();
    const again = await openSse('/particle/v1/events', t, { 'last-event-id': String(ids[0]) });
    await again.until((s) => parseFrames(s).length === 2);
    assert.deepEqual(parseFrames(again.text).map((f) => f.event), ['b', 'c']);
    again.close();
  });

  test('keep-alive newlines at the configured period; silentMs holds them back', async () => {
    await control('config', { particleStream: { keepAliveMs: 30 } });
    const t = await particleToken();
    const s = await openSse('/particle/v1/events', t);
    await s.until((x) => x.endsWith('\n\n\n\n'));
    s.close();
    await streamFault({ silentMs: 400 });
    const quiet = await openSse('/particle/v1/events', t);
    await quiet.until((x) => x.includes('retry:'));
    const opened = Date.now();
    await quiet.until((x) => x.endsWith('\n\n\n'), 5000);
    assert.ok(Date.now() - opened >= 200, 'no keep-alive during the silence (400 ms)');
    quiet.close();
  });

  test('faults: status on the next open (401, 403, 429 with Retry-After, 500), then a normal open', async () => {
    const t = await particleToken();
    for (const status of [401, 403, 429, 500]) {
      await streamFault({ status, ...(status === 429 && { retryAfter: 3 }) });
      const r = await call('/particle/v1/events', bearer(t));
      assert.equal(r.status, status);
      assert.equal(r.json.ok, false);
      if (status === 429) assert.equal(r.headers.get('retry-after'), '3');
    }
    const ok = await openSse('/particle/v1/events', t);
    assert.equal(ok.res.status, 200);
    ok.close();
    assert.equal((await control('stats', undefined, 'GET')).json.particleStreams.refused, 4);
  });

  test('faults: closeAfter ends the stream after N events; burst of 1,000', async () => {
    const t = await particleToken();
    await streamFault({ closeAfter: 2, match: '/events/x' });
    const s = await openSse('/particle/v1/events/x', t);
    await s.until((x) => x.includes('retry:'));
    for (const n of ['x1', 'x2', 'x3']) await publishEvent(t, n, n);
    const text = await s.until(() => false).catch((e) => e);
    assert.deepEqual(parseFrames(s.text).map((f) => f.event), ['x1', 'x2']);
    assert.ok(!(text instanceof Error), 'the stream ended');
    await streamFault({ burst: 1000, closeAfter: 1000 });
    const r = await openSse('/particle/v1/events', t);
    await r.until(() => false);
    const frames = parseFrames(r.text);
    assert.equal(frames.length, 1000);
    assert.deepEqual(frames.slice(0, 3).map((f) => f.payload.data), ['0', '1', '2']);
    assert.equal(new Set(frames.map((f) => f.id)).size, 1000);
  });

  test('faults: split at byte offsets (inside CRLF and inside a multi-byte character), chunkSize 1', async () => {
    const t = await particleToken();
    await publishEvent(t, 'utf', 'é€😀');
    // Reference bytes of the replayed stream with CRLF line endings.
    await streamFault({ crlf: true, closeAfter: 1 });
    const whole = Buffer.concat((await rawGet('/particle/v1/events', t, 'Last-Event-ID: 0\r\n')).chunks);
    const text = whole.toString('utf8');
    assert.ok(text.includes('\r\nevent: utf\r\n') && text.endsWith('\r\n\r\n'));
    const insideCrlf = whole.indexOf('\r\n') + 1;
    const insideChar = whole.indexOf(Buffer.from('€')) + 1;
    await streamFault({ crlf: true, closeAfter: 1, split: [insideCrlf, insideChar] });
    const cut = await rawGet('/particle/v1/events', t, 'Last-Event-ID: 0\r\n');
    assert.deepEqual(cut.chunks.map((c) => c.length), [insideCrlf, insideChar - insideCrlf, whole.length - insideChar]);
    assert.deepEqual(Buffer.concat(cut.chunks), whole);
    assert.equal(cut.chunks[0].at(-1), 0x0d);
    await streamFault({ chunkSize: 1, closeAfter: 1 });
    const bytes = await rawGet('/particle/v1/events', t, 'Last-Event-ID: 0\r\n');
    assert.ok(bytes.chunks.every((c) => c.length === 1));
    assert.equal(parseFrames(Buffer.concat(bytes.chunks).toString()).at(0).payload.data, 'é€😀');
  });

  test('faults: comments and multi-line data; events in the same write as the headers', async () => {
    const t = await particleToken();
    await publishEvent(t, 'multi', 'x');
    await streamFault({ comments: true, multilineData: true, closeAfter: 1 });
    const r = await rawGet('/particle/v1/events', t, 'Last-Event-ID: 0\r\n');
    const text = Buffer.concat(r.chunks).toString();
    assert.match(text, /\n: event follows\n/);
    assert.ok(text.split('\n').filter((l) => l.startsWith('data:')).length > 2);
    assert.equal(parseFrames(text)[0].payload.data, 'x');
    await streamFault({ withHeaders: true, burst: 2, closeAfter: 2 });
    const h = await rawGet('/particle/v1/events', t);
    const first = h.first.toString();
    assert.ok(first.includes('text/event-stream') && first.includes('event: burst'), 'headers and events share the first write');
  });

  test('stream faults are validated; reset closes open streams', async () => {
    for (const bad of [{ status: 200 }, { split: [-1] }, { chunkSize: 0 }, { burst: 10001 }, { crlf: 'yes' }, { colour: 1 }]) {
      assert.equal((await streamFault(bad)).status, 400, JSON.stringify(bad));
    }
    assert.equal((await control('config', { particleStream: { keepAliveMs: 1 } })).status, 400);
    const t = await particleToken();
    const s = await openSse('/particle/v1/events', t);
    await s.until((x) => x.includes('retry:'));
    await control('reset');
    await s.until(() => false);
    assert.equal((await control('stats', undefined, 'GET')).json.particleStreams.open, 0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Rate limits (rate-limits.js) and live data (live.js)

const rateLimits = (value, method = value === undefined ? 'GET' : 'POST') => control('rate-limits', value, method);
const liveSettings = (value, method = value === undefined ? 'GET' : 'POST') => control('live', value, method);
const SECOND = (limit) => ({ limit, windowMs: 1000 });

/** Sends `n` requests one after the other; resolves their results. */
async function burst(n, urlPath, init) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await call(urlPath, init));
  return out;
}
const statuses = (results) => results.map((r) => r.status);

/** Starts cli.js with `args`; resolves {url, child} once it listens, or {code, stdout, stderr} when it exits first. */
function startCli(args) {
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, [path.join(__dirname, 'cli.js'), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (s) => {
      stdout += s;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) resolve({ url: m[1], child, get stdout() { return stdout; } });
    });
    child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('rate limits', () => {
  test('off by default: no 429, but requests are counted per vendor', async () => {
    const view = await rateLimits();
    assert.equal(view.status, 200);
    assert.equal(view.json.enabled, false);
    assert.deepEqual(view.json.limits, {});
    const results = await burst(30, '/arduino/iot/v2/things');
    assert.ok(statuses(results).every((s) => s === 401));
    await burst(3, '/particle/v1/devices');
    await call('/__sim/stats'); // control requests are not counted
    const { vendors } = (await rateLimits()).json;
    assert.equal(vendors.arduino.requests, 30);
    assert.equal(vendors.arduino.limited, 0);
    assert.equal(vendors.arduino.accepted, 30);
    assert.ok(vendors.arduino.peakPerSecond >= 1 && vendors.arduino.peakPerSecond <= 30);
    assert.equal(vendors.particle.requests, 3);
    assert.equal(vendors.cthings.requests, 0);
    assert.equal(vendors.cthings.firstAt, null);
    assert.ok(Date.parse(vendors.arduino.firstAt) <= Date.parse(vendors.arduino.lastAt));
  });

  test('each vendor answers 429 in its own error shape, with Retry-After in whole seconds', async () => {
    const limit = { limit: 2, windowMs: 60_000 };
    const set = await rateLimits({ limits: { arduino: limit, particle: limit, cthings: limit, iotconnect: limit, 'iotconnect-discovery': limit } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.enabled, true);
    assert.deepEqual(set.json.limits.arduino, [limit]);
    const third = async (urlPath) => {
      const [a, b, c] = await burst(3, urlPath);
      assert.notEqual(a.status, 429);
      assert.notEqual(b.status, 429);
      assert.equal(c.status, 429, urlPath);
      const retryAfter = Number(c.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 59 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal(c.headers.get('access-control-expose-headers'), 'Retry-After');
      return c;
    };
    const arduino = await third('/arduino/iot/v2/things');
    assert.match(arduino.headers.get('content-type'), /^text\/plain/);
    assert.equal(arduino.text, 'You have reached maximum request limit.');
    const particle = await third('/particle/v1/devices');
    assert.deepEqual(particle.json, { ok: false, error: 'Too Many Requests' });
    const cthings = await third(`/cthings/v3/device/${IDS.cthings.devices[0]}`);
    assert.equal(cthings.json.api, 'cThings Cloud API');
    assert.equal(cthings.json.code, 429);
    assert.equal(cthings.json.data, null);
    assert.equal(cthings.json.message, 'Too Many Requests');
    const iotconnect = await third('/iotconnect/device/api/v2.1/Device');
    assert.deepEqual(iotconnect.json, { data: null, status: 429, message: 'Too Many Requests', error: [] });
    const discovery = await third(`${DISCOVERY}?version=2.1&pf=aws`);
    assert.equal(discovery.json.status, 429);
    // A token request counts like any other: the limit is per vendor, not per endpoint.
    assert.equal((await post('/arduino/iot/v1/clients/token', arduinoForm())).status, 429);
    const { vendors } = (await rateLimits()).json;
    assert.deepEqual([vendors.arduino.requests, vendors.arduino.accepted, vendors.arduino.limited], [4, 2, 2]);
    assert.deepEqual(vendors.arduino.inWindow, [2]);
    assert.equal(vendors.particle.limited, 1);
    // The refused requests are in the request log like the others.
    const log = (await control('requests?vendor=arduino', undefined, 'GET')).json;
    assert.equal(log.length, 4);
  });

  test('the window slides: requests fit again as the oldest leave it; refused ones do not count', async () => {
    await rateLimits({ limits: { arduino: { limit: 3, windowMs: 600 } } });
    assert.deepEqual(statuses(await burst(5, '/arduino/iot/v2/things')), [401, 401, 401, 429, 429]);
    await sleep(650);
    // The two refused requests took no place in the window: three fit again.
    assert.deepEqual(statuses(await burst(4, '/arduino/iot/v2/things')), [401, 401, 401, 429]);
    const refused = await call('/arduino/iot/v2/things');
    assert.equal(refused.headers.get('retry-after'), '1'); // under a second to wait: rounded up to 1
    // Other vendors are not limited.
    assert.ok(statuses(await burst(10, '/particle/v1/devices')).every((s) => s === 401));
    const { vendors } = (await rateLimits()).json;
    // The accepted requests within any one second: 6 when both bursts fell within a second (as they do unless
    // the machine is very busy).
    assert.ok(vendors.arduino.peakPerSecond >= 3 && vendors.arduino.peakPerSecond <= 6, `${vendors.arduino.peakPerSecond}`);
    assert.equal(vendors.particle.limited, 0);
  });

  test('several windows per vendor: the one that is full refuses; Retry-After is the longest wait', async () => {
    await rateLimits({ limits: { particle: [SECOND(5), { limit: 3, windowMs: 30_000 }] } });
    const results = await burst(4, '/particle/v1/devices');
    assert.deepEqual(statuses(results), [401, 401, 401, 429]);
    assert.ok(Number(results[3].headers.get('retry-after')) >= 29);
    assert.deepEqual((await rateLimits()).json.vendors.particle.inWindow, [3, 3]);
  });

  test('presets: documented and per-second; DELETE turns limits off; rate-limits/reset empties the windows', async () => {
    const documented = await rateLimits({ preset: 'documented' });
    assert.deepEqual(documented.json.limits, {
      arduino: [SECOND(10)], particle: [{ limit: 10_000, windowMs: 300_000 }],
    });
    assert.deepEqual(statuses(await burst(11, '/arduino/iot/v2/things')).filter((s) => s === 429), [429]);
    assert.ok(statuses(await burst(40, '/particle/v1/devices')).every((s) => s === 401));
    // The counters and windows start again; the limits stay.
    const reset = await control('rate-limits/reset');
    assert.equal(reset.status, 200);
    assert.equal(reset.json.vendors.arduino.requests, 0);
    assert.deepEqual(reset.json.vendors.arduino.inWindow, [0]);
    assert.equal((await call('/arduino/iot/v2/things')).status, 401);
    // A preset replaces every limit; `limits` then changes the vendors it names.
    const perSecond = await rateLimits({ preset: 'per-second', limits: { cthings: null } });
    assert.deepEqual(perSecond.json.limits, { arduino: [SECOND(10)], particle: [SECOND(33)], iotconnect: [SECOND(10)] });
    assert.equal(statuses(await burst(34, '/particle/v1/devices')).filter((s) => s === 429).length, 1);
    // resetStats with a change
    assert.equal((await rateLimits({ resetStats: true })).json.vendors.particle.requests, 0);
    const off = await rateLimits(undefined, 'DELETE');
    assert.equal(off.status, 200);
    assert.equal(off.json.enabled, false);
    assert.ok(statuses(await burst(20, '/arduino/iot/v2/things')).every((s) => s === 401));
  });

  test('the limiter works with the clients\' own flows: a 429 is answered before the token is looked at', async () => {
    await rateLimits({ limits: { particle: { limit: 1, windowMs: 60_000 } } });
    const token = await particleToken();
    const r = await call('/particle/v1/devices', bearer(token));
    assert.equal(r.status, 429);
    assert.equal((await call('/particle/v1/devices')).status, 429); // no token: still 429, not 401
    // OPTIONS preflights and the control API are never limited.
    assert.equal((await call('/particle/v1/devices', { method: 'OPTIONS' })).status, 204);
    assert.equal((await call('/__sim/stats')).status, 200);
  });

  test('settings are validated', async () => {
    for (const bad of [
      { preset: 'fastest' }, { preset: 1 }, { limits: [] }, { limits: { acme: SECOND(1) } },
      { limits: { arduino: { limit: 0, windowMs: 1000 } } }, { limits: { arduino: { limit: 1.5, windowMs: 1000 } } },
      { limits: { arduino: { limit: 1, windowMs: '1s' } } }, { limits: { arduino: { limit: 1 } } },
      { limits: { arduino: { limit: 1, windowMs: 1000, burst: 2 } } }, { limits: { arduino: [] } },
      { limits: { arduino: Array(5).fill(SECOND(1)) } }, { enabled: true }, { resetStats: 'yes' }, [],
    ]) {
      const r = await rateLimits(bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal(r.json.ok, false);
    }
    assert.equal((await rateLimits()).json.enabled, false, 'nothing was changed');
    assert.equal((await control('rate-limits/nope')).status, 404);
  });

  test('POST /__sim/reset comes back to the limits the simulator started with', async () => {
    await rateLimits({ preset: 'documented' });
    await control('reset');
    assert.equal((await rateLimits()).json.enabled, false);

    const own = await startSimulator({ rateLimits: { arduino: { limit: 1, windowMs: 60_000 } } });
    try {
      const get = async (p) => (await fetch(own.url + p)).status;
      assert.equal(await get('/arduino/iot/v2/things'), 401);
      assert.equal(await get('/arduino/iot/v2/things'), 429);
      await fetch(`${own.url}/__sim/rate-limits`, { method: 'DELETE' });
      assert.equal(await get('/arduino/iot/v2/things'), 401);
      await fetch(`${own.url}/__sim/reset`, { method: 'POST' });
      // The starting limit is back, with an empty window.
      assert.equal(await get('/arduino/iot/v2/things'), 401);
      assert.equal(await get('/arduino/iot/v2/things'), 429);
    } finally {
      await own.close();
    }
    await assert.rejects(startSimulator({ rateLimits: 'fastest' }), /unknown preset fastest/);
    await assert.rejects(startSimulator({ rateLimits: { arduino: { limit: -1, windowMs: 1 } } }), /limit must be/);
  });
});

describe('live data', () => {
  let token;
  beforeEach(async () => {
    token = await particleToken();
  });
  const frames = (s) => parseFrames(s.text);

  test('off by default: the defaults, and no device publishes', async () => {
    const view = await liveSettings();
    assert.deepEqual(view.json, {
      particleEvents: false, particleEventMs: [1000, 2000], particleEventDevices: 20, iotconnectReportMs: 60_000, published: 0,
    });
    const stream = await openSse('/particle/v1/devices/events', token);
    await stream.until((s) => s.includes('retry:'));
    await sleep(300);
    assert.equal((await liveSettings()).json.published, 0);
    assert.equal((await control('stats', undefined, 'GET')).json.particleStreams.published, 0);
    stream.close();
  });

  test('online Particle devices publish their numeric variables, with the value a read gives at that time', async () => {
    const on = await liveSettings({ particleEvents: true, particleEventMs: [100, 150] });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.json.particleEvents, true);
    const mine = await openSse('/particle/v1/devices/events', token);
    const product = await openSse(`/particle/v1/products/${PI.product}/events`, token);
    // Two online account devices with temperature and humidity: each publishes both in turn.
    await mine.until((s) => {
      const seen = new Set(parseFrames(s).map((f) => `${f.payload.coreid}/${f.event}`));
      return seen.size >= 4;
    }, 5000);
    const events = frames(mine);
    const byId = new Map(fixtures.particle.devices.map((d) => [d.id, d]));
    for (const f of events) {
      const device = byId.get(f.payload.coreid);
      assert.ok(device?.online, `an online account device: ${f.payload.coreid}`);
      assert.ok(['temperature', 'humidity'].includes(f.event), f.event);
      const value = Number(f.payload.data);
      assert.equal(String(value), f.payload.data);
      assert.equal(value, fixtures.particle.variable(device, f.event, Date.parse(f.payload.published_at)));
    }
    assert.ok(!events.some((f) => f.payload.coreid === PI.offline), 'the offline device is silent');
    // The product's online devices publish on the product stream (their only numeric variable: temperature).
    await product.until((s) => new Set(parseFrames(s).map((f) => f.payload.coreid)).size >= 3, 5000);
    for (const f of frames(product)) {
      assert.ok(PI.productDevices.includes(f.payload.coreid));
      assert.notEqual(f.payload.coreid, PI.productOffline);
      assert.equal(f.event, 'temperature');
    }
    mine.close();
    product.close();
    assert.ok((await liveSettings()).json.published >= 7);
  });

  test('a device publishes every min…max ms; at most particleEventDevices account devices publish', async () => {
    await control('config', { particleDeviceCount: 40 });
    await liveSettings({ particleEvents: true, particleEventMs: [200, 200], particleEventDevices: 3 });
    const mine = await openSse('/particle/v1/devices/events', token);
    await mine.until((s) => s.includes('retry:'));
    const end = Date.now() + 1300;
    await mine.until(() => Date.now() >= end);
    mine.close();
    const events = frames(mine);
    const ids = new Set(events.map((f) => f.payload.coreid));
    assert.equal(ids.size, 3, [...ids].join());
    // 3 devices, one event per 200 ms each (the first at a random point of the first period): about 5 each.
    for (const id of ids) {
      const n = events.filter((f) => f.payload.coreid === id).length;
      assert.ok(n >= 2 && n <= 8, `${id}: ${n} events`);
    }
    // Turning it off stops them.
    await liveSettings({ particleEvents: false });
    const before = (await liveSettings()).json.published;
    await sleep(400);
    assert.equal((await liveSettings()).json.published, before);
  });

  test('readings drift with time: Arduino last_value, Particle variables, IoTConnect telemetry', () => {
    const t0 = Date.UTC(2025, 5, 1, 12);
    const spread = (values) => new Set(values).size;
    // Arduino: the weather station's temperature, sampled every 37 s for 12 minutes.
    const [station] = fixtures.arduino.things;
    const temperature = station.props.find((p) => p.variable === 'temperature');
    const arduino = Array.from({ length: 20 }, (_, i) => fixtures.arduino.property(station, temperature, t0 + i * 37_000).last_value);
    assert.ok(spread(arduino) >= 10, `Arduino: ${arduino}`);
    assert.ok(arduino.every((v) => Math.abs(v - 14.2) <= 2.5 + 1e-9));
    // Particle: the kitchen's temperature every 2 s for 20 s moves visibly and stays within 0.3 of 21.5.
    const [kitchen] = fixtures.particle.devices;
    const particle = Array.from({ length: 10 }, (_, i) => fixtures.particle.variable(kitchen, 'temperature', t0 + i * 2000));
    assert.ok(spread(particle) >= 6, `Particle: ${particle}`);
    assert.ok(particle.every((v) => Math.abs(v - 21.5) <= 0.3 + 1e-9));
    for (let t = t0; t < t0 + 600_000; t += 997) {
      assert.ok(Math.abs(fixtures.particle.variable(kitchen, 'temperature', t) - 21.5) <= 0.3 + 1e-9);
    }
    const humidity = Array.from({ length: 20 }, (_, i) => fixtures.particle.variable(kitchen, 'humidity', t0 + i * 30_000));
    assert.ok(spread(humidity) >= 3, `Particle humidity: ${humidity}`);
  });

  test('IoTConnect: devices report every iotconnectReportMs; latest, recent and history follow', async () => {
    const { access_token: iotToken } = await iotconnectLogin();
    const auth = bearer(iotToken);
    const [first] = fixtures.iotconnect.devices;
    const latest = async () => (await call(`/iotconnect/telemetry/api/v2.1/Telemetry/device/${first.guid}`, auth)).json.data;
    assert.match((await latest())[0].deviceUpdatedDate, /:00\.000Z$/); // once a minute by default
    await liveSettings({ iotconnectReportMs: 1000 });
    const a = await latest();
    assert.ok(Date.now() - Date.parse(a[0].deviceUpdatedDate) < 1100);
    await sleep(1100);
    const b = await latest();
    assert.ok(Date.parse(b[0].deviceUpdatedDate) > Date.parse(a[0].deviceUpdatedDate));
    const recent = await call('/iotconnect/telemetry/api/v2.1/Telemetry/device/sim-dev-001/recent/10', {
      method: 'POST', headers: { ...auth.headers, 'content-type': 'application/json' }, body: '{}',
    });
    const times = recent.json.data.map((r) => Date.parse(r.time));
    assert.deepEqual(times.slice(1).map((t, i) => times[i] - t), Array(9).fill(1000));
    const sql = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    const now = Date.now();
    const hist = await call(`/iotconnect/telemetry/api/v2.1/Telemetry/attribute-history/device/sim-dev-001/from/${encodeURIComponent(sql(now - 600_000))}/to/${encodeURIComponent(sql(now))}`, auth);
    assert.ok(hist.json.data.length >= 599 && hist.json.data.length <= 601, `${hist.json.data.length} rows`);
    assert.ok(new Set(hist.json.data.map((r) => r.humidity)).size > 3, 'values change with time');
  });

  test('writes change what is read: Arduino publish, Particle led/setColor, IoTConnect led', async () => {
    // Arduino: a published value becomes last_value.
    const at = await arduinoToken();
    const thing = IDS.arduino.things.deskLamp;
    const props = (await call(`/arduino/iot/v2/things/${thing}/properties`, bearer(at))).json;
    const lamp = props.find((p) => p.name === 'lamp');
    assert.equal(lamp.last_value, true);
    const put = await call(`/arduino/iot/v2/things/${thing}/properties/${lamp.id}/publish`, {
      method: 'PUT', headers: { authorization: `Bearer ${at}`, 'content-type': 'application/json' }, body: '{"value":false}',
    });
    assert.equal(put.status, 200, put.text);
    assert.equal((await call(`/arduino/iot/v2/things/${thing}/properties/${lamp.id}`, bearer(at))).json.last_value, false);

    // Particle: led and setColor set the status variable; a refused argument or an offline device changes nothing.
    const status = async (device = PI.online) => (await req('GET', `/particle/v1/devices/${device}/status`, token)).json?.result;
    const fn = (name, arg, device = PI.online) => req('POST', `/particle/v1/devices/${device}/${name}`, token, { arg });
    assert.equal(await status(), 'ok');
    assert.equal((await fn('led', 'on')).json.return_value, 1);
    assert.equal(await status(), 'led on');
    assert.equal((await fn('led', 'blink')).json.return_value, -1);
    assert.equal(await status(), 'led on');
    assert.equal((await fn('setColor', '255,0,0')).json.return_value, 1);
    assert.equal(await status(), 'color 255,0,0');
    assert.equal((await fn('led', 'on', PI.offline)).status, 408);
    assert.equal((await req('GET', `/particle/v1/devices/${PI.devices[1]}/status`, token)).json.result, 'watering');
    const raw = await call(`/particle/v1/devices/${PI.online}/status?format=raw`, bearer(token));
    assert.equal(raw.text, 'color 255,0,0');
    // Product scope too.
    await req('POST', `/particle/v1/products/${PI.product}/devices/${PI.productDevices[0]}/led`, token, { arg: 'off' });
    assert.equal((await req('GET', `/particle/v1/products/${PI.product}/devices/${PI.productDevices[0]}/status`, token)).json.result, 'led off');
    // A reset forgets them.
    await control('reset');
    token = await particleToken();
    assert.equal(await status(), 'ok');

    // IoTConnect: the led command of a connected device shows in its telemetry.
    const { access_token: iotToken } = await iotconnectLogin();
    const auth = bearer(iotToken);
    const [device] = fixtures.iotconnect.devices;
    const template = require('./iotconnect-api.js').TEMPLATES.find((t) => t.guid === device.templateGuid);
    const led = template.commands.find((c) => c.command === 'led');
    const telemetryLed = async () => (await call(`/iotconnect/telemetry/api/v2.1/Telemetry/device/${device.guid}`, auth))
      .json.data.find((r) => r.attributeName === 'led').attributeValue;
    assert.equal(await telemetryLed(), 'off');
    const sent = await call(`/iotconnect/device/api/v2.1/template-command/device/${device.guid}/send`, {
      method: 'POST', headers: { ...auth.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ commandGuid: led.guid, parameterValue: 'on' }),
    });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(await telemetryLed(), 'on');
  });

  test('with live events on, a function call that changes a variable is published', async () => {
    await liveSettings({ particleEvents: true, particleEventMs: [60_000, 60_000], particleEventDevices: 0 });
    const stream = await openSse(`/particle/v1/devices/${PI.online}/events/status`, token);
    await stream.until((s) => s.includes('retry:'));
    await req('POST', `/particle/v1/devices/${PI.online}/led`, token, { arg: 'off' });
    await stream.until((s) => parseFrames(s).length === 1);
    const [f] = frames(stream);
    assert.equal(f.event, 'status');
    assert.equal(f.payload.data, 'led off');
    assert.equal(f.payload.coreid, PI.online);
    stream.close();
  });

  test('settings are validated; true and false are the --live settings and the defaults', async () => {
    for (const bad of [
      { particleEvents: 'yes' }, { particleEventMs: [2000, 1000] }, { particleEventMs: [10, 20] }, { particleEventMs: 1000 },
      { particleEventDevices: -1 }, { iotconnectReportMs: 999 }, { iotconnectReportMs: 1.5 }, { colour: 1 }, [], 'on',
    ]) {
      const r = await liveSettings(bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
    }
    assert.equal((await liveSettings(true)).json.particleEvents, true);
    assert.equal((await liveSettings()).json.iotconnectReportMs, 5000);
    assert.equal((await liveSettings(false)).json.particleEvents, false);
    assert.equal((await liveSettings()).json.iotconnectReportMs, 60_000);
  });

  test('POST /__sim/reset comes back to the live settings the simulator started with', async () => {
    await liveSettings(true);
    await control('reset');
    assert.equal((await liveSettings()).json.particleEvents, false);
    const own = await startSimulator({ live: { particleEvents: true, particleEventMs: [100, 100] } });
    try {
      const view = async () => (await fetch(`${own.url}/__sim/live`)).json();
      await fetch(`${own.url}/__sim/live`, { method: 'POST', body: '{"particleEvents":false}' });
      assert.equal((await view()).particleEvents, false);
      await fetch(`${own.url}/__sim/reset`, { method: 'POST' });
      assert.equal((await view()).particleEvents, true);
      await sleep(400);
      assert.ok((await view()).published > 0);
    } finally {
      await own.close();
    }
    await assert.rejects(startSimulator({ live: { iotconnectReportMs: 5 } }), /iotconnectReportMs/);
  });
});

describe('cli.js flags', () => {
  test('--rate-limits (a preset or JSON) and --live', async () => {
    const cli = await startCli(['--rate-limits', 'documented', '--live']);
    assert.ok(cli.url, cli.stderr);
    try {
      const limits = await (await fetch(`${cli.url}/__sim/rate-limits`)).json();
      assert.deepEqual(limits.limits, { arduino: [SECOND(10)], particle: [{ limit: 10_000, windowMs: 300_000 }] });
      const settings = await (await fetch(`${cli.url}/__sim/live`)).json();
      assert.equal(settings.particleEvents, true);
      assert.equal(settings.iotconnectReportMs, 5000);
      assert.match(cli.stdout, /rate limits: "documented"/);
    } finally {
      cli.child.kill();
    }
    const json = await startCli(['--rate-limits', '{"cthings": {"limit": 1, "windowMs": 1000}}']);
    assert.ok(json.url, json.stderr);
    try {
      assert.deepEqual((await (await fetch(`${json.url}/__sim/rate-limits`)).json()).limits, { cthings: [SECOND(1)] });
      assert.equal((await (await fetch(`${json.url}/__sim/live`)).json()).particleEvents, false);
    } finally {
      json.child.kill();
    }
    const unknown = await startCli(['--rate-limits', 'fastest']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown preset fastest/);
    const broken = await startCli(['--rate-limits', '{nope']);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /invalid JSON/);
  });
});
