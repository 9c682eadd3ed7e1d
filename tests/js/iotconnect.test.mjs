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

// Filters: what the client sends, and what the simulator's GET /Device answers for it (see
// tests/simulator/README.md). The fixtures: odd-numbered devices are in the entity "Warehouse", every fifth
// uses the template "Asset Tracker", every 17th is inactive.
const FIXTURE_DEVICES = FIXTURES.iotconnect.devices;
const TRACKER = FIXTURE_DEVICES.find((d) => d.templateName === 'Asset Tracker').templateGuid;
const WAREHOUSE = FIXTURE_DEVICES.find((d) => d.entityName === 'Warehouse').entityGuid;
const uniqueIds = (list) => list.map((d) => d.uniqueId);
const numbered = (pred) => Array.from({ length: 250 }, (_, k) => k + 1).filter(pred)
  .map((n) => `sim-dev-${String(n).padStart(3, '0')}`);
/** The /Device query minus the paging parameters. */
const filtersOf = (req) => {
  const { pageNumber, pageSize, ...rest } = req.query;
  return rest;
};

test('devices.list sends every filter under the name GET /Device documents', T, async () => {
  const devices = await sim.iotconnect().devices.list({
    uniqueId: 'sim-dev-035', templateGuid: TRACKER, entityGuid: WAREHOUSE, status: 'active', searchText: 'Device 03',
  });
  assert.deepEqual(uniqueIds(devices), ['sim-dev-035']);
  assert.equal(devices[0].templateGuid, TRACKER);
  assert.equal(devices[0].entityGuid, WAREHOUSE);
  assert.equal(devices[0].isActive, true);

  const pages = await sim.requests('iotconnect', '/Device');
  assert.equal(pages.length, 1, 'one short page');
  assert.deepEqual(pages[0].query, {
    pageNumber: '1', pageSize: '100',
    UniqueId: 'sim-dev-035', TemplateGuid: TRACKER, EntityGuid: WAREHOUSE, Status: 'active', searchText: 'Device 03',
  });
});

test('devices.list filters one at a time, each sent on every page', T, async () => {
  const iotc = sim.iotconnect();
  const cases = [
    [{ uniqueId: 'sim-dev-200' }, { UniqueId: 'sim-dev-200' }, ['sim-dev-200']],
    [{ templateGuid: TRACKER }, { TemplateGuid: TRACKER }, numbered((n) => n % 5 === 0)],
    [{ entityGuid: WAREHOUSE, pageSize: 50 }, { EntityGuid: WAREHOUSE }, numbered((n) => n % 2 === 1)],
    [{ status: 'inactive' }, { Status: 'inactive' }, numbered((n) => n % 17 === 0)],
    [{ status: 'active' }, { Status: 'active' }, numbered((n) => n % 17 !== 0)],
    [{ searchText: 'device 12' }, { searchText: 'device 12' }, numbered((n) => n >= 120 && n <= 129)],
    [{ searchText: 'DEV-00' }, { searchText: 'DEV-00' }, numbered((n) => n <= 9)],
  ];
  for (const [options, sent, expected] of cases) {
    await sim.clearLog();
    const devices = await iotc.devices.list(options);
    assert.deepEqual(uniqueIds(devices), expected, JSON.stringify(options));
    const pages = await sim.requests('iotconnect', '/Device');
    const size = options.pageSize ?? 100;
    assert.equal(pages.length, Math.ceil((expected.length + 1) / size), `pages for ${JSON.stringify(options)}`);
    pages.forEach((page, i) => {
      assert.deepEqual(filtersOf(page), sent, `${JSON.stringify(options)} page ${i + 1}`);
      assert.equal(page.query.pageNumber, String(i + 1));
      assert.equal(page.query.pageSize, String(size));
    });
  }
});

test('filters combine with sortBy', T, async () => {
  const devices = await sim.iotconnect().devices.list({ status: 'inactive', sortBy: 'uniqueId desc', pageSize: 5 });
  assert.deepEqual(uniqueIds(devices), numbered((n) => n % 17 === 0).reverse());
  const pages = await sim.requests('iotconnect', '/Device');
  assert.equal(pages.length, 3, '14 devices, 5 a page');
  for (const page of pages) assert.deepEqual(filtersOf(page), { Status: 'inactive', sortBy: 'uniqueId desc' });
});

test('a filter that matches nothing resolves to [] (the first page answers 204)', T, async () => {
  const statuses = [];
  const recordingFetch = async (input, init) => {
    const response = await fetch(input, init);
    if (new URL(String(input)).pathname.endsWith('/Device')) statuses.push(response.status);
    return response;
  };
  const iotc = sim.iotconnect({ fetch: recordingFetch });
  assert.deepEqual(await iotc.devices.list({ searchText: 'no-such-device' }), []);
  assert.deepEqual(await iotc.devices.list({ uniqueId: 'sim-dev-999' }), []);
  // Each filter matches devices, but not all together: sim-dev-010 is an Asset Tracker in Head Office.
  assert.deepEqual(await iotc.devices.list({ templateGuid: TRACKER, entityGuid: WAREHOUSE, uniqueId: 'sim-dev-010' }),
    []);
  assert.deepEqual(statuses, [204, 204, 204], 'one request each, answered 204');
  const pages = await sim.requests('iotconnect', '/Device');
  assert.deepEqual(pages.map((p) => p.query.pageNumber), ['1', '1', '1']);
  assert.equal(pages[0].query.searchText, 'no-such-device');
  assert.equal(pages[1].query.UniqueId, 'sim-dev-999');
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
