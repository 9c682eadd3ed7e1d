// Avnet IoTConnect client: discovery, basic-token + login, and the paged device list.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useSimulator, T, CREDENTIALS, IDS, FIXTURES, rejectsWith, bearer,
} from './support.mjs';

const sim = useSimulator();
const { solutionKey, env, username, password } = CREDENTIALS.iotconnect;
const pageOf = (req) => ({ pageNumber: req.query.pageNumber, pageSize: req.query.pageSize });

test('endpoints() discovers the service base URLs (aws: version 2.1)', T, async () => {
  const endpoints = await sim.iotconnect().endpoints();
  assert.equal(endpoints.auth, `${sim.url}/iotconnect/auth/api/v2.1`);
  assert.equal(endpoints.device, `${sim.url}/iotconnect/device/api/v2.1`);
  assert.deepEqual(Object.keys(endpoints).sort(), ['auth', 'device']);
  const [req] = await sim.requests('iotconnect-discovery');
  assert.equal(req.method, 'GET');
  assert.equal(req.path, `/iotconnect-discovery/api/uisdk/solutionkey/${solutionKey}/env/${env}`);
  assert.deepEqual(req.query, { version: '2.1', pf: 'aws' });
  assert.equal(req.headers.authorization, undefined);
});

test('endpoints() on Azure asks for version 2', T, async () => {
  const endpoints = await sim.iotconnect({ platform: 'az' }).endpoints();
  assert.equal(endpoints.device, `${sim.url}/iotconnect/device/api/v2`);
  const [req] = await sim.requests('iotconnect-discovery');
  assert.deepEqual(req.query, { version: '2', pf: 'az' });
});

test('discovery is cached', T, async () => {
  const iotc = sim.iotconnect();
  await iotc.endpoints();
  await iotc.endpoints();
  await iotc.devices.list({ pageSize: 1000 });
  assert.equal((await sim.stats()).requests['iotconnect-discovery'], 1);
});

test('login: basic-token, then login with Basic + solution-key and a JSON body', T, async () => {
  const before = Date.now();
  const { expiresAt } = await sim.iotconnect().login();
  assert.equal(typeof expiresAt, 'number');
  assert.ok(expiresAt > before + 3000 * 1000 && expiresAt <= Date.now() + 3600 * 1000 + 1000,
    `expiresAt about an hour ahead: ${new Date(expiresAt).toISOString()}`);

  const [basic, login] = await sim.requests('iotconnect');
  assert.equal(basic.method, 'GET');
  assert.equal(basic.path, '/iotconnect/auth/api/v2.1/Auth/basic-token');
  assert.equal(login.method, 'POST');
  assert.equal(login.path, '/iotconnect/auth/api/v2.1/Auth/login');
  assert.equal(login.headers.authorization, `Basic ${FIXTURES.iotconnect.basicToken}`);
  assert.equal(login.headers['solution-key'], solutionKey);
  assert.match(login.headers['content-type'], /^application\/json\b/);
  assert.deepEqual(JSON.parse(login.body), { username, password });
  assert.deepEqual(login.query, {});
  const { iotconnectAuth } = await sim.stats();
  assert.deepEqual(iotconnectAuth, { basicToken: 1, login: 1, refresh: 0 });
});

test('a second login() reuses the cached token', T, async () => {
  const iotc = sim.iotconnect();
  const first = await iotc.login();
  const second = await iotc.login();
  assert.equal(second.expiresAt, first.expiresAt);
  assert.equal((await sim.stats()).iotconnectAuth.login, 1);
});

test('devices.list returns all 250 devices over three pages of 100', T, async () => {
  const devices = await sim.iotconnect().devices.list({});
  assert.equal(devices.length, IDS.iotconnect.deviceCount);
  assert.equal(new Set(devices.map((d) => d.uniqueId)).size, 250, 'no device twice');
  assert.equal(new Set(devices.map((d) => d.guid)).size, 250);
  assert.equal(devices[0].uniqueId, 'sim-dev-001');
  assert.equal(devices[249].uniqueId, 'sim-dev-250');
  assert.equal(devices[0].displayName, 'Sim Device 001');
  assert.equal(typeof devices[0].isActive, 'boolean');

  const pages = await sim.requests('iotconnect', '/Device');
  assert.equal(pages.length, 3);
  assert.deepEqual(pages.map(pageOf), [
    { pageNumber: '1', pageSize: '100' },
    { pageNumber: '2', pageSize: '100' },
    { pageNumber: '3', pageSize: '100' },
  ]);
  const token = bearer(pages[0].headers.authorization);
  for (const page of pages) {
    assert.equal(page.method, 'GET');
    assert.equal(page.path, '/iotconnect/device/api/v2.1/Device');
    assert.equal(bearer(page.headers.authorization), token);
  }
});

test('devices.list with pageSize 50 pages until the empty (204) page', T, async () => {
  const devices = await sim.iotconnect().devices.list({ pageSize: 50 });
  assert.equal(devices.length, 250);
  const pages = await sim.requests('iotconnect', '/Device');
  assert.deepEqual(pages.map(pageOf), [1, 2, 3, 4, 5, 6].map((n) => ({ pageNumber: String(n), pageSize: '50' })));
});

test('devices.list with pageSize 1000 needs one request; sortBy is passed through', T, async () => {
  const devices = await sim.iotconnect().devices.list({ pageSize: 1000, sortBy: 'uniqueId desc' });
  assert.equal(devices.length, 250);
  assert.equal(devices[0].uniqueId, 'sim-dev-250');
  assert.equal(devices[249].uniqueId, 'sim-dev-001');
  const pages = await sim.requests('iotconnect', '/Device');
  assert.equal(pages.length, 1);
  assert.deepEqual(pages[0].query, { pageNumber: '1', pageSize: '1000', sortBy: 'uniqueId desc' });
});

test('an unsupported sort field rejects with the cloud status 412 and its message', T, async () => {
  const err = await rejectsWith(sim.iotconnect().devices.list({ sortBy: 'color asc' }), {
    vendor: 'iotconnect', status: 412, statusCode: 412,
  });
  assert.match(err.message, /Sorting by 'color asc' is not supported/);
  assert.equal(err.body.status, 412);
});

test('a wrong password rejects with 401 and the cloud message', T, async () => {
  const err = await rejectsWith(sim.iotconnect({ password: 'wrong' }).login(), {
    vendor: 'iotconnect', status: 401, statusCode: 401, message: 'Invalid username or password',
  });
  assert.equal(err.body.message, 'Invalid username or password');
});

test('an unknown solution key rejects with 404 from discovery', T, async () => {
  await rejectsWith(sim.iotconnect({ solutionKey: 'NoSuchSolution' }).devices.list({}), {
    vendor: 'iotconnect', status: 404, message: 'Solution not found',
  });
  assert.equal((await sim.stats()).requests.iotconnect, 0);
});
