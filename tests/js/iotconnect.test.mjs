// Avnet IoTConnect client against the simulator: discovery or given service URLs, basic-token + login,
// refresh and re-login, every operation of the fact sheet on the wire, paging and its guards, the checks made
// before anything is sent, request() for any endpoint, the token's claims and the errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  useSimulator, T, CREDENTIALS, IDS, FIXTURES, IoTConnect, rejectsWith, bearer,
} from './support.mjs';

const sim = useSimulator();
const { solutionKey, env, username, password } = CREDENTIALS.iotconnect;
const pageOf = (req) => ({ pageNumber: req.query.pageNumber, pageSize: req.query.pageSize });
const collect = async (iterator) => {
  const items = [];
  for await (const item of iterator) items.push(item);
  return items;
};
const DEVICES = FIXTURES.iotconnect.devices;
const device = (n) => DEVICES[n - 1];
const SERVICES = ['master', 'auth', 'user', 'device', 'firmware', 'event', 'telemetry', 'file'];
const svc = (service) => `/iotconnect/${service}/api/v2.1`;
/** The requests to the API services (not discovery, not the auth service). */
const apiRequests = async () => (await sim.requests('iotconnect')).filter((r) => !r.path.includes('/auth/api/'));
const control = async (name) => (await fetch(`${sim.url}/__sim/${name}`)).json();

// ---------------------------------------------------------------------------------------------------------
// Discovery and login

test('endpoints() discovers every service URL (aws: version 2.1)', T, async () => {
  const endpoints = await sim.iotconnect().endpoints();
  assert.deepEqual(Object.keys(endpoints), SERVICES);
  for (const s of SERVICES) assert.equal(endpoints[s], `${sim.url}${svc(s)}`);
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

test('discovery is asked once, also for concurrent first calls', T, async () => {
  const iotc = sim.iotconnect();
  await Promise.all([iotc.devices.list(), iotc.telemetry.latest(device(1).guid), iotc.users.list(), iotc.login()]);
  await iotc.endpoints();
  const { requests, iotconnectAuth } = await sim.stats();
  assert.equal(requests['iotconnect-discovery'], 1);
  assert.deepEqual(iotconnectAuth, { basicToken: 1, login: 1, refresh: 0 });
});

test('login: basic-token, then login with Basic + solution-key and a JSON body', T, async () => {
  const before = Date.now();
  const { expiresAt } = await sim.iotconnect().login();
  assert.ok(expiresAt > before + 3000 * 1000 && expiresAt <= Date.now() + 3600 * 1000 + 1000);
  const [basic, login] = await sim.requests('iotconnect');
  assert.equal(basic.method, 'GET');
  assert.equal(basic.path, '/iotconnect/auth/api/v2.1/Auth/basic-token');
  assert.equal(basic.headers.authorization, undefined);
  assert.equal(login.method, 'POST');
  assert.equal(login.path, '/iotconnect/auth/api/v2.1/Auth/login');
  assert.equal(login.headers.authorization, `Basic ${FIXTURES.iotconnect.basicToken}`);
  assert.equal(login.headers['solution-key'], solutionKey);
  assert.match(login.headers['content-type'], /^application\/json\b/);
  assert.deepEqual(JSON.parse(login.body), { username, password });
  assert.deepEqual(login.query, {});
  assert.deepEqual((await sim.stats()).iotconnectAuth, { basicToken: 1, login: 1, refresh: 0 });
});

test('a second login() reuses the cached token', T, async () => {
  const iotc = sim.iotconnect();
  const first = await iotc.login();
  assert.deepEqual(await iotc.login(), first);
  assert.equal((await sim.stats()).iotconnectAuth.login, 1);
});

test('an expiring token is renewed with the refresh token; a refused refresh token means a new login', T, async () => {
  await sim.config({ tokenLifetime: { iotconnect: 1.5 }, refreshLifetime: 60 });
  const iotc = sim.iotconnect();
  await iotc.devices.list();
  // The refresh token the next renewal gets is good for no time at all.
  await sim.config({ refreshLifetime: 0 });
  await new Promise((r) => setTimeout(r, 1600));
  await iotc.devices.list();
  assert.deepEqual((await sim.stats()).iotconnectAuth, { basicToken: 1, login: 1, refresh: 1 });
  const [refresh] = await sim.requests('iotconnect', '/refresh-token');
  assert.equal(refresh.method, 'POST');
  assert.match(refresh.headers['content-type'], /^application\/json\b/);
  assert.equal(refresh.headers.authorization, undefined);
  assert.deepEqual(Object.keys(JSON.parse(refresh.body)), ['refreshtoken']);

  await new Promise((r) => setTimeout(r, 1600));
  await iotc.devices.list();
  assert.deepEqual((await sim.stats()).iotconnectAuth, { basicToken: 2, login: 2, refresh: 2 });
  const calls = await sim.requests('iotconnect', '/device/api/v2.1/Device');
  assert.equal(calls.length, 3, 'no call was refused');
  assert.equal(new Set(calls.map((c) => bearer(c.headers.authorization))).size, 3);
});

test('a token the cloud revokes (401) is refreshed and the call sent again', T, async () => {
  const iotc = sim.iotconnect();
  await iotc.login();
  await sim.expireTokens('iotconnect');
  assert.equal((await iotc.devices.get(device(2).guid)).uniqueId, 'sim-dev-002');
  assert.deepEqual((await sim.stats()).iotconnectAuth, { basicToken: 1, login: 1, refresh: 1 });
  const calls = await apiRequests();
  assert.deepEqual(calls.map((c) => c.path), [`${svc('device')}/Device/${device(2).guid}`, `${svc('device')}/Device/${device(2).guid}`]);
  assert.notEqual(calls[0].headers.authorization, calls[1].headers.authorization);
});

test('a wrong password rejects with 401 and the cloud message; an unknown solution with 404', T, async () => {
  const err = await rejectsWith(sim.iotconnect({ password: 'wrong' }).login(), {
    vendor: 'iotconnect', status: 401, statusCode: 401, message: 'Invalid username or password',
  });
  assert.deepEqual(err.body.error, [{ param: 'username', message: 'Invalid username or password' }]);
  await sim.reset();
  await rejectsWith(sim.iotconnect({ solutionKey: 'NoSuchSolution' }).devices.list(), {
    vendor: 'iotconnect', status: 404, message: 'Solution not found',
  });
  assert.equal((await sim.stats()).requests.iotconnect, 0);
});

// ---------------------------------------------------------------------------------------------------------
// Setup without discovery, and the token's claims

test('given service URLs: no discovery; a host without a path gets the version path (the seed\'s auth host)', T, async () => {
  const seen = [];
  // The seed's POC auth host, answered by the simulator's auth service: nothing leaves this machine.
  const seedFetch = (input, init) => {
    seen.push(String(input));
    return fetch(String(input).replace('https://authpoc.iotconnect.io/api/v2/', `${sim.url}/iotconnect/auth/api/v2/`), init);
  };
  const iotc = new IoTConnect({
    urls: { auth: 'https://authpoc.iotconnect.io', device: `${sim.url}${svc('device')}/`, telemetry: `${sim.url}${svc('telemetry')}` },
    solutionKey, username, password, fetch: seedFetch,
  });
  assert.deepEqual(await iotc.endpoints(), {
    auth: 'https://authpoc.iotconnect.io/api/v2', device: `${sim.url}${svc('device')}`, telemetry: `${sim.url}${svc('telemetry')}`,
  });
  assert.equal((await iotc.devices.list({ pageSize: 1 })).data.length, 1);
  assert.equal((await iotc.telemetry.latest(device(1).guid)).length, 4);
  assert.deepEqual(seen.slice(0, 2), ['https://authpoc.iotconnect.io/api/v2/Auth/basic-token', 'https://authpoc.iotconnect.io/api/v2/Auth/login']);
  assert.equal((await sim.stats()).requests['iotconnect-discovery'], 0);
  await rejectsWith(iotc.users.list(), { code: 'invalid_argument', message: 'IoTConnect: no URL for the user service (`urls.user`)' });
  // With platform "aws", a bare host gets version 2.1; only the solution key is needed to log in.
  const aws = new IoTConnect({ urls: { auth: 'https://authpoc.iotconnect.io' }, platform: 'aws', accessToken: 'x' });
  assert.equal((await aws.endpoints()).auth, 'https://authpoc.iotconnect.io/api/v2.1');
});

test('a ready access token with given URLs sends nothing but the calls', T, async () => {
  const token = bearer((await (async () => {
    await sim.iotconnect().login();
    await sim.iotconnect().devices.list({ pageSize: 1 });
    return (await apiRequests())[0];
  })()).headers.authorization);
  await sim.clearLog();
  const iotc = new IoTConnect({ urls: { device: `${sim.url}${svc('device')}` }, accessToken: token });
  assert.equal((await iotc.devices.getByUniqueId('sim-dev-010')).uniqueId, 'sim-dev-010');
  const log = await sim.requests();
  assert.deepEqual(log.map((r) => r.path), [`${svc('device')}/Device/uniqueId/sim-dev-010`]);
  assert.equal(bearer(log[0].headers.authorization), token);
});

test('constructor settings are checked before anything is sent', T, async () => {
  const ok = { solutionKey, environment: env, platform: 'aws', username, password };
  for (const options of [
    { ...ok, urls: 'x' }, { ...ok, urls: { auth: 'authpoc.iotconnect.io' } }, { ...ok, urls: { device: 'ftp://d' } },
    { ...ok, urls: { device: 'https://d.test/x?y=1' } }, { urls: { device: 'https://d.test' }, username, password },
    { urls: { device: 'https://d.test' }, accessToken: 't', platform: 'gcp' }, { ...ok, environment: undefined },
  ]) {
    assert.throws(() => new IoTConnect(options), (e) => e.code === 'invalid_argument', JSON.stringify(options));
  }
  assert.doesNotThrow(() => new IoTConnect({ urls: { device: 'https://d.test' }, accessToken: 't' }));
  assert.doesNotThrow(() => new IoTConnect({ urls: {}, solutionKey, username, password }));
  assert.equal(await sim.requestCount(), 0);
});

test('identity() decodes the token\'s claims without a request', T, async () => {
  const iotc = sim.iotconnect();
  assert.equal(iotc.identity(), undefined, 'no token before the login');
  await iotc.login();
  const before = await sim.requestCount();
  const claims = iotc.identity();
  assert.equal(await sim.requestCount(), before);
  const { user } = FIXTURES.iotconnect;
  assert.equal(claims.user.companyId, user.companyId);
  assert.equal(claims.user.entityGuid, user.entityGuid);
  assert.equal(claims.user.solutionKey, solutionKey);
  assert.equal(claims.user.cpId, user.cpId);
  assert.equal(typeof claims.exp, 'number');
  assert.ok(Math.abs(claims.exp * 1000 - (await iotc.login()).expiresAt) < 2000);
  // A given token is read the same way; one that is not a JWT has no claims.
  await iotc.devices.list({ pageSize: 1 });
  const token = bearer((await apiRequests())[0].headers.authorization);
  assert.deepEqual(sim.iotconnect({ username: undefined, password: undefined, accessToken: token }).identity(), claims);
  assert.equal(sim.iotconnect({ username: undefined, password: undefined, accessToken: 'opaque' }).identity(), undefined);
});

// ---------------------------------------------------------------------------------------------------------
// Lists: one page, or every item

test('devices.list returns one page with its paging fields as the API sends them', T, async () => {
  const iotc = sim.iotconnect();
  const first = await iotc.devices.list();
  assert.deepEqual(Object.keys(first).sort(), ['count', 'data', 'message', 'status']);
  assert.equal(first.count, -1);
  assert.equal(first.data.length, 10, "the API's own default page size");
  assert.deepEqual(first.data[0], device(1));
  const third = await iotc.devices.list({ pageNumber: 3, pageSize: 100 });
  assert.deepEqual(third.data.map((d) => d.uniqueId), DEVICES.slice(200).map((d) => d.uniqueId));
  const past = await iotc.devices.list({ pageNumber: 4, pageSize: 100 });
  assert.deepEqual(past, { data: [] }, 'a page past the end (204) has no items');
  const pages = await sim.requests('iotconnect', '/Device');
  assert.deepEqual(pages.map((p) => p.query), [{}, { pageNumber: '3', pageSize: '100' }, { pageNumber: '4', pageSize: '100' }]);
});

test('devices.iterate yields all 250 devices over three pages of 100', T, async () => {
  const devices = await collect(sim.iotconnect().devices.iterate());
  assert.deepEqual(devices, DEVICES);
  const pages = await sim.requests('iotconnect', '/Device');
  assert.deepEqual(pages.map(pageOf), [1, 2, 3].map((n) => ({ pageNumber: String(n), pageSize: '100' })));
  const token = bearer(pages[0].headers.authorization);
  for (const page of pages) {
    assert.equal(page.method, 'GET');
    assert.equal(page.path, `${svc('device')}/Device`);
    assert.equal(page.headers.accept, 'application/json');
    assert.equal(bearer(page.headers.authorization), token);
  }
});

test('iterate: an exact multiple of the page size ends on the empty (204) page; pageNumber starts later', T, async () => {
  const iotc = sim.iotconnect();
  assert.equal((await collect(iotc.devices.iterate({ pageSize: 50 }))).length, 250);
  let pages = await sim.requests('iotconnect', '/Device');
  assert.deepEqual(pages.map(pageOf), [1, 2, 3, 4, 5, 6].map((n) => ({ pageNumber: String(n), pageSize: '50' })));
  await sim.clearLog();
  const rest = await collect(iotc.devices.iterate({ pageNumber: 2, pageSize: 100, sortBy: 'uniqueId desc' }));
  assert.deepEqual(rest.map((d) => d.uniqueId), DEVICES.slice(0, 150).map((d) => d.uniqueId).reverse());
  pages = await sim.requests('iotconnect', '/Device');
  assert.deepEqual(pages.map((p) => p.query), [
    { sortBy: 'uniqueId desc', pageNumber: '2', pageSize: '100' }, { sortBy: 'uniqueId desc', pageNumber: '3', pageSize: '100' },
  ]);
});

test('iterate asks for the next page only when it is needed', T, async () => {
  let n = 0;
  for await (const d of sim.iotconnect().devices.iterate({ pageSize: 20 })) {
    if (++n === 25) break;
    assert.ok(d.uniqueId);
  }
  assert.deepEqual((await sim.requests('iotconnect', '/Device')).map((p) => p.query.pageNumber), ['1', '2']);
});

test('iterate: a server that ignores paging is an invalid_response after two pages, not a loop', T, async () => {
  const iotc = sim.iotconnect();
  await iotc.login();
  await sim.fault({ vendor: 'iotconnect', match: '/Device', kind: 'reply', status: 200,
    body: { data: [{ name: 'a' }, { name: 'b' }], status: 200, count: -1 }, times: 100 });
  const seen = [];
  await rejectsWith((async () => {
    for await (const d of iotc.devices.iterate({ pageSize: 2 })) seen.push(d.name);
  })(), { code: 'invalid_response', vendor: 'iotconnect' });
  assert.deepEqual(seen, ['a', 'b'], 'the repeated page is not yielded');
  assert.equal((await sim.requests('iotconnect', '/Device')).length, 2);
});

test('templates and users are paged the same way', T, async () => {
  const iotc = sim.iotconnect();
  assert.deepEqual((await collect(iotc.templates.iterate({ pageSize: 1 }))).map((t) => t.code), ['ENVSENSOR', 'ASSETTRK']);
  assert.deepEqual((await sim.requests('iotconnect', '/device-template')).map((p) => p.query.pageNumber), ['1', '2', '3']);
  const users = await collect(iotc.users.iterate({ searchText: 'example.com' }));
  assert.equal(users.length, 2);
  const page = await iotc.users.list({ pageSize: 1, pageNumber: 2, sortBy: 'userId asc' });
  assert.equal(page.count, 2);
  assert.deepEqual(page.data.map((u) => u.userId), ['sim.user@example.com']);
});

// Filters: what the client sends, and what the simulator's GET /Device answers for it (see
// tests/simulator/README.md). The fixtures: odd-numbered devices are in the entity "Warehouse", every fifth
// uses the template "Asset Tracker", every 17th is inactive.
const TRACKER = DEVICES.find((d) => d.templateName === 'Asset Tracker').templateGuid;
const WAREHOUSE = DEVICES.find((d) => d.entityName === 'Warehouse').entityGuid;
const uniqueIds = (list) => list.map((d) => d.uniqueId);
const numbered = (pred) => Array.from({ length: 250 }, (_, k) => k + 1).filter(pred)
  .map((n) => `sim-dev-${String(n).padStart(3, '0')}`);
const filtersOf = (req) => {
  const { pageNumber, pageSize, ...rest } = req.query;
  return rest;
};

test('devices filters: sent under the names GET /Device documents, on every page', T, async () => {
  const iotc = sim.iotconnect();
  const one = await iotc.devices.list({
    uniqueId: 'sim-dev-035', templateGuid: TRACKER, entityGuid: WAREHOUSE, status: 'active', searchText: 'Device 03',
  });
  assert.deepEqual(uniqueIds(one.data), ['sim-dev-035']);
  assert.deepEqual((await sim.requests('iotconnect', '/Device'))[0].query, {
    UniqueId: 'sim-dev-035', TemplateGuid: TRACKER, EntityGuid: WAREHOUSE, Status: 'active', searchText: 'Device 03',
  });
  const cases = [
    [{ templateGuid: TRACKER }, { TemplateGuid: TRACKER }, numbered((n) => n % 5 === 0)],
    [{ entityGuid: WAREHOUSE, pageSize: 50 }, { EntityGuid: WAREHOUSE }, numbered((n) => n % 2 === 1)],
    [{ status: 'inactive', sortBy: 'uniqueId desc', pageSize: 5 }, { Status: 'inactive', sortBy: 'uniqueId desc' },
      numbered((n) => n % 17 === 0).reverse()],
    [{ searchText: 'device 12' }, { searchText: 'device 12' }, numbered((n) => n >= 120 && n <= 129)],
  ];
  for (const [options, sent, expected] of cases) {
    await sim.clearLog();
    assert.deepEqual(uniqueIds(await collect(iotc.devices.iterate(options))), expected, JSON.stringify(options));
    const pages = await sim.requests('iotconnect', '/Device');
    const size = options.pageSize ?? 100;
    assert.equal(pages.length, Math.ceil((expected.length + 1) / size), `pages for ${JSON.stringify(options)}`);
    for (const page of pages) assert.deepEqual(filtersOf(page), sent);
  }
});

test('a filter that matches nothing: an empty page (204), an iterator without items', T, async () => {
  const iotc = sim.iotconnect();
  assert.deepEqual(await iotc.devices.list({ searchText: 'no-such-device' }), { data: [] });
  assert.deepEqual(await collect(iotc.devices.iterate({ uniqueId: 'sim-dev-999' })), []);
  assert.equal((await sim.requests('iotconnect', '/Device')).length, 2);
});

// ---------------------------------------------------------------------------------------------------------
// Every operation on the wire, against the fact sheet's table

const ENV = FIXTURES.iotconnect.devices[0].templateGuid;
const wire = [
  // [call, method, service, path, query, body]
  [(c) => c.devices.get(device(4).guid), 'GET', 'device', `/Device/${device(4).guid}`],
  [(c) => c.devices.getByUniqueId('sim-dev-004'), 'GET', 'device', '/Device/uniqueId/sim-dev-004'],
  [(c) => c.devices.create({ deviceTemplateGuid: ENV, uniqueId: 'wire-1', displayName: 'Wire', entityGuid: WAREHOUSE }),
    'POST', 'device', '/Device', {}, { deviceTemplateGuid: ENV, uniqueId: 'wire-1', displayName: 'Wire', entityGuid: WAREHOUSE }],
  [(c) => c.devices.update(device(4).guid, { displayName: 'Renamed' }), 'PUT', 'device', `/Device/${device(4).guid}`, {},
    { displayName: 'Renamed' }],
  [(c) => c.devices.setActive(device(4).guid, false), 'PUT', 'device', `/Device/${device(4).guid}/status`, {}, { isActive: false }],
  [(c) => c.devices.delete(device(4).guid), 'DELETE', 'device', `/Device/${device(4).guid}`],
  [(c) => c.templates.list({ searchText: 'sensor', pageSize: 5 }), 'GET', 'device', '/device-template', { searchText: 'sensor', pageSize: '5' }],
  [(c) => c.templates.get(ENV), 'GET', 'device', `/device-template/${ENV}`],
  [(c) => c.templates.getByCode('ENVSENSOR'), 'GET', 'device', '/device-template/template-code/ENVSENSOR'],
  // The simulator refuses to delete a template its devices use (412): the request is what is checked here.
  [(c) => c.templates.delete(ENV).catch((e) => e), 'DELETE', 'device', `/device-template/${ENV}`],
  [(c) => c.templates.attributes(ENV), 'GET', 'device', `/template-attribute/${ENV}`],
  [(c) => c.templates.commands(ENV), 'GET', 'device', `/template-command/${ENV}`],
  [(c) => c.entities.list(), 'GET', 'user', '/Entity'],
  [(c) => c.entities.get(WAREHOUSE), 'GET', 'user', `/Entity/${WAREHOUSE}`],
  [(c) => c.users.get(FIXTURES.iotconnect.user.id), 'GET', 'user', `/User/${FIXTURES.iotconnect.user.id}`],
  [(c) => c.telemetry.latest(device(1).guid), 'GET', 'telemetry', `/Telemetry/device/${device(1).guid}`],
  [(c) => c.telemetry.recent('sim-dev-001', 10), 'POST', 'telemetry', '/Telemetry/device/sim-dev-001/recent/10', {}, {}],
  [(c) => c.telemetry.recent('sim-dev-001', 50, { filterAttrs: ['humidity'], childUniqueId: 'child-1' }), 'POST', 'telemetry',
    '/Telemetry/device/sim-dev-001/recent/50', {}, { childUniqueId: 'child-1', filterAttrs: ['humidity'] }],
  [(c) => c.telemetry.history('sim-dev-001', { from: '2025-01-15T10:00:00+02:00', to: new Date(Date.UTC(2025, 0, 16, 8)) }), 'GET',
    'telemetry', '/Telemetry/attribute-history/device/sim-dev-001/from/2025-01-15%2008%3A00%3A00/to/2025-01-16%2008%3A00%3A00'],
  [(c) => c.firmware.list(), 'GET', 'firmware', '/Firmware'],
  [(c) => c.firmware.get('f-1').catch(() => {}), 'GET', 'firmware', '/Firmware/f-1'],
  [(c) => c.firmware.create({ name: 'WIREFW', hardware: 'W-1' }), 'POST', 'firmware', '/Firmware', {}, { name: 'WIREFW', hardware: 'W-1' }],
  [(c) => c.firmwareUpgrades.list({ type: 'published' }), 'GET', 'firmware', '/firmware-upgrade', { type: 'published' }],
  [(c) => c.firmwareUpgrades.get('u-1').catch(() => {}), 'GET', 'firmware', '/firmware-upgrade/u-1'],
  [(c) => c.firmwareUpgrades.create({ firmwareGuid: 'f', software: '2' }).catch(() => {}), 'POST', 'firmware', '/firmware-upgrade', {},
    { firmwareGuid: 'f', software: '2' }],
  [(c) => c.firmwareUpgrades.delete('u-1').catch(() => {}), 'DELETE', 'firmware', '/firmware-upgrade/u-1'],
  [(c) => c.firmwareUpgrades.publish('u-1').catch(() => {}), 'PUT', 'firmware', '/firmware-upgrade/u-1/publish'],
  [(c) => c.ota.update({ firmwareUpgradeGuid: 'u', target: 'device', deviceGuids: ['d'] }).catch(() => {}), 'POST', 'firmware',
    '/ota-update', {}, { firmwareUpgradeGuid: 'u', target: 'device', deviceGuids: ['d'] }],
  [(c) => c.commands.send(device(1).guid, { commandGuid: 'c-1', parameterValue: 'x' }).catch(() => {}), 'POST', 'device',
    `/template-command/device/${device(1).guid}/send`, {}, { commandGuid: 'c-1', parameterValue: 'x' }],
  [(c) => c.request({ service: 'master', path: '/Company', query: { a: 'b c', n: 1, on: false } }), 'GET', 'master', '/Company',
    { a: 'b c', n: '1', on: 'false' }],
  [(c) => c.request({ service: 'event', method: 'POST', path: '/rule/x', body: { on: true } }).catch(() => {}), 'POST', 'event',
    '/rule/x', {}, { on: true }],
];

test('every operation sends the fact sheet\'s method, path, query, body and headers to its service', T, async () => {
  for (const [run, method, service, path, query = {}, body] of wire) {
    await sim.reset();
    const iotc = sim.iotconnect();
    await iotc.login();
    await run(iotc);
    const [req, ...more] = await apiRequests();
    const what = `${method} ${service} ${path}`;
    assert.equal(more.length, 0, what);
    assert.equal(req.method, method, what);
    assert.equal(req.path, `${svc(service)}${path.replace(/\?.*/, '')}`, what);
    assert.deepEqual(req.query, query, what);
    assert.match(req.headers.authorization, /^Bearer \S+$/, what);
    assert.equal(req.headers.accept, 'application/json', what);
    if (body === undefined) {
      assert.equal(req.body, '', what);
      assert.equal(req.headers['content-type'], undefined, what);
    } else {
      assert.deepEqual(JSON.parse(req.body), body, what);
      assert.match(req.headers['content-type'], /^application\/json\b/, what);
    }
  }
});

// ---------------------------------------------------------------------------------------------------------
// What the answers resolve, state that changes, and errors

test('a device\'s life: create, get, rename, deactivate, delete; then it is not found', T, async () => {
  const iotc = sim.iotconnect();
  const created = await iotc.devices.create({ deviceTemplateGuid: ENV, uniqueId: 'sim-new-1', displayName: 'New', entityGuid: WAREHOUSE });
  assert.equal(typeof created.newId, 'string');
  const got = await iotc.devices.get(created.newId);
  assert.deepEqual([got.uniqueId, got.displayName, got.isActive], ['sim-new-1', 'New', true]);
  await iotc.devices.update(created.newId, { displayName: 'Renamed' });
  await iotc.devices.setActive(created.newId, false);
  const after = await iotc.devices.getByUniqueId('sim-new-1');
  assert.deepEqual([after.displayName, after.isActive], ['Renamed', false]);
  assert.equal((await collect(iotc.devices.iterate())).length, 251);
  await iotc.devices.delete(created.newId);
  const err = await rejectsWith(iotc.devices.get(created.newId), { vendor: 'iotconnect', status: 409, statusCode: 409, message: 'Device not found' });
  assert.deepEqual(err.body, { data: null, status: 409, message: 'Device not found', error: [] });
});

test('errors keep the envelope\'s message and its field errors', T, async () => {
  const iotc = sim.iotconnect();
  const dup = await rejectsWith(iotc.devices.create({ deviceTemplateGuid: ENV, uniqueId: 'sim-dev-001', displayName: 'X', entityGuid: WAREHOUSE }), {
    status: 409, message: 'Unique Id already exists',
  });
  assert.deepEqual(dup.body.error, [{ param: 'uniqueId', message: 'Unique Id already exists' }]);
  const missing = await rejectsWith(iotc.devices.create({ uniqueId: 'x' }), { status: 400, message: 'Invalid request' });
  assert.deepEqual(missing.body.error.map((e) => e.param), ['deviceTemplateGuid', 'displayName', 'entityGuid']);
  const inUse = await rejectsWith(iotc.templates.delete(TRACKER), { status: 412, message: 'Template is used by 50 devices' });
  assert.equal(inUse.code, 'http_412');
  const sort = await rejectsWith(iotc.devices.list({ sortBy: 'color asc' }), { status: 412 });
  assert.match(sort.message, /Sorting by 'color asc' is not supported/);
  await rejectsWith(iotc.request({ service: 'device', path: '/NoSuchThing' }), { status: 404, message: 'Not found' });
});

test('a command is sent, recorded and acknowledged; the device\'s latest telemetry shows it', T, async () => {
  const iotc = sim.iotconnect();
  const led = (await iotc.templates.commands(ENV)).find((c) => c.command === 'led');
  const before = await iotc.telemetry.latest(device(1).guid);
  assert.deepEqual(before.map((r) => r.attributeName), ['temperature', 'humidity', 'battery', 'led']);
  assert.equal(before.find((r) => r.attributeName === 'led').attributeValue, 'off');
  const sent = await iotc.commands.send(device(1).guid, { commandGuid: led.guid, parameterValue: 'on' });
  assert.equal(sent.isAck, true);
  const after = await iotc.telemetry.latest(device(1).guid);
  assert.equal(after.find((r) => r.attributeName === 'led').attributeValue, 'on');
  const { commands } = await control('iotconnect');
  assert.deepEqual(commands.map((c) => [c.uniqueId, c.command, c.parameterValue, c.ack]), [['sim-dev-001', 'led', 'on', true]]);
  const err = await rejectsWith(iotc.commands.send(device(1).guid, { commandGuid: led.guid }), { status: 400 });
  assert.equal(err.body.error[0].param, 'parameterValue');
});

test('telemetry: recent values and a history that changes with time', T, async () => {
  const iotc = sim.iotconnect();
  const recent = await iotc.telemetry.recent('sim-dev-001', 10, { filterAttrs: ['temperature'] });
  assert.equal(recent.length, 10);
  assert.deepEqual(Object.keys(recent[0]), ['uniqueId', 'time', 'temperature']);
  const to = new Date();
  const history = await iotc.telemetry.history('sim-dev-001', { from: new Date(to - 2 * 3600_000), to });
  assert.ok(history.length >= 119 && history.length <= 121, `${history.length} rows`);
  assert.ok(new Set(history.map((r) => r.temperature)).size > 10);
  const [req] = await sim.requests('iotconnect', '/attribute-history/');
  const sql = (d) => d.toISOString().slice(0, 19).replace('T', ' ');
  assert.ok(req.path.endsWith(`/from/${encodeURIComponent(sql(new Date(to - 2 * 3600_000)))}/to/${encodeURIComponent(sql(to))}`), req.path);
});

test('firmware: an upgrade is created, published and sent over the air', T, async () => {
  const iotc = sim.iotconnect();
  const [fw] = (await iotc.firmware.list()).data;
  const { newId } = await iotc.firmwareUpgrades.create({ firmwareGuid: fw.guid, software: '2.0.0' });
  assert.deepEqual((await iotc.firmwareUpgrades.list({ type: 'draft' })).data.map((u) => u.software), ['1.1.0', '2.0.0']);
  await rejectsWith(iotc.ota.update({ firmwareUpgradeGuid: newId, deviceGuids: [device(1).guid] }), { status: 412 });
  await iotc.firmwareUpgrades.publish(newId);
  assert.equal((await iotc.firmwareUpgrades.get(newId)).status, 'published');
  const ota = await iotc.ota.update({ firmwareUpgradeGuid: newId, isForceUpdate: true, target: 'device', deviceGuids: [device(1).guid] });
  assert.equal(ota.deviceCount, 1);
  assert.equal((await control('iotconnect')).otaUpdates.length, 1);
});

// ---------------------------------------------------------------------------------------------------------
// Checks made before anything is sent

test('inputs the API would refuse are refused first, with invalid_argument', T, async () => {
  const iotc = sim.iotconnect();
  const refused = [
    [() => iotc.telemetry.recent('sim-dev-001', 9), 'iotc.telemetry.recent: `n` must be an integer from 10 to 50'],
    [() => iotc.telemetry.recent('sim-dev-001', 51), 'iotc.telemetry.recent: `n` must be an integer from 10 to 50'],
    [() => iotc.telemetry.recent('sim-dev-001', 12.5), 'iotc.telemetry.recent: `n` must be an integer from 10 to 50'],
    [() => iotc.telemetry.history('sim-dev-001', { from: '2025-01-01T00:00:00Z', to: '2025-01-08T00:00:01Z' }),
      'iotc.telemetry.history: `to` is more than 7 days after `from`'],
    [() => iotc.telemetry.history('sim-dev-001', { from: new Date(Date.UTC(2025, 0, 2)), to: '2025-01-01T23:00:00+02:00' }),
      'iotc.telemetry.history: `from` is after `to`'],
    [() => iotc.telemetry.history('sim-dev-001', { from: 'yesterday', to: '2025-01-01' }),
      'iotc.telemetry.history: `from` must be a Date or an ISO 8601 date-time'],
    [() => iotc.telemetry.history('sim-dev-001', { from: new Date(NaN), to: '2025-01-01' }),
      'iotc.telemetry.history: `from` must be a Date or an ISO 8601 string'],
    [() => iotc.telemetry.history('sim-dev-001', { to: '2025-01-01' }), 'iotc.telemetry.history: `from` is required'],
    [() => iotc.telemetry.history('sim-dev-001'), 'iotc.telemetry.history: `from` is required'],
    [() => iotc.devices.list({ pageNumber: 0 }), 'iotc.devices.list: `pageNumber` must be an integer from 1'],
    [() => iotc.devices.list({ pageSize: 1001 }), 'iotc.devices.list: `pageSize` must be an integer from 1 to 1000'],
    [() => iotc.users.list({ pageNumber: -1 }), 'iotc.users.list: `pageNumber` must be an integer from 1'],
    [() => collect(iotc.devices.iterate({ pageNumber: 0 })), 'iotc.devices.iterate: `pageNumber` must be an integer from 1'],
    [() => collect(iotc.templates.iterate({ start: 'nope' })), 'iotc.templates.iterate: `start` is not a cursor of this list'],
    [() => iotc.devices.get('a/b'), 'iotc.devices.get: `guid` must not contain \'/\', \'?\', \'#\', \'\\\' or control characters'],
    [() => iotc.devices.setActive('g', 'yes'), 'iotc.devices.setActive: `isActive` must be a boolean'],
    [() => iotc.commands.send('d'), 'iotc.commands.send: `command` is required'],
    [() => iotc.firmwareUpgrades.list(), 'iotc.firmwareUpgrades.list: `type` is required'],
  ];
  for (const [run, message] of refused) await rejectsWith(run(), { code: 'invalid_argument', vendor: 'iotconnect', message });
  assert.equal(await sim.requestCount(), 0, 'nothing was sent, not even discovery');
});

test('request(): any endpoint of any service, its path and method checked', T, async () => {
  const iotc = sim.iotconnect();
  const company = await iotc.request({ service: 'master', path: '/Company' });
  assert.equal(company.data[0].cpId, FIXTURES.iotconnect.user.cpId);
  assert.equal(company.status, 200, 'the whole answer');
  const page = await iotc.request({ service: 'device', path: '/Device', query: { pageSize: 2, searchText: 'Device 00' } });
  assert.deepEqual(uniqueIds(page.data), ['sim-dev-001', 'sim-dev-002']);
  await iotc.request({ service: 'device', method: 'PUT', path: `/Device/${device(9).guid}/status`, body: { isActive: false } });
  assert.equal((await iotc.devices.get(device(9).guid)).isActive, false);
  await sim.clearLog();
  for (const [options, message] of [
    [{ service: 'billing', path: '/x' }, 'iotc.request: `service` must be one of master, auth, user, device, firmware, event, telemetry, file'],
    [{ service: 'device', path: 'Device' }, /^iotc\.request: `path` must be a path: one leading `\/`/],
    [{ service: 'device', path: '/x/../Auth/login' }, /^iotc\.request: `path` must be a path/],
    [{ service: 'device', path: '/x/%2E%2e/y' }, /^iotc\.request: `path` must be a path/],
    [{ service: 'device', path: '/x\r\nHost: evil' }, /^iotc\.request: `path` must be a path/],
    [{ service: 'device', path: '//evil.test/x' }, /^iotc\.request: `path` must be a path/],
    [{ service: 'device', path: '/x', method: 'TRACE' }, 'iotc.request: `method` must be GET, POST, PUT, PATCH or DELETE'],
    [{ service: 'device', path: '/x', body: {} }, 'iotc.request: `body` cannot be sent with GET'],
    [{ service: 'device', path: '/x', query: { a: {} } }, 'iotc.request: `a` must be a string, number or boolean'],
    [{ path: '/x' }, 'iotc.request: `service` is required'],
    [{ service: 'device' }, 'iotc.request: `path` is required'],
  ]) {
    const err = await rejectsWith(iotc.request(options), { code: 'invalid_argument' });
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
  }
  assert.equal((await apiRequests()).length, 0);
});

test('a timeout and an AbortSignal per call', T, async () => {
  const iotc = sim.iotconnect();
  await iotc.login();
  await sim.fault({ vendor: 'iotconnect', match: '/Telemetry', kind: 'hang' });
  await rejectsWith(iotc.telemetry.latest(device(1).guid, { timeoutMs: 200 }), { code: 'timeout', vendor: 'iotconnect' });
  const controller = new AbortController();
  controller.abort();
  await rejectsWith(iotc.devices.list({ signal: controller.signal }), { code: 'aborted' });
  await rejectsWith(collect(iotc.devices.iterate({ signal: controller.signal })), { code: 'aborted' });
  assert.equal(IDS.iotconnect.deviceCount, 250);
});
