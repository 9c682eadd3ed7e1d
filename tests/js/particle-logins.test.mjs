// Particle's login flows and token calls: the requests particle-api-js 12.0.3 sends, side by side with this
// package's, against a small recording server on 127.0.0.1 (the simulator covers the password grant only);
// MFA, errors, unknown options, and a client that renews its own client-credentials token.
import test, { before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Particle, ROOT, requireFrom, T, rejectsWith, useSimulator, CREDENTIALS, sleep } from './support.mjs';

const ParticleApi = requireFrom(ROOT)('particle-api-js');

// ---------------------------------------------------------------------------------------------------------
// The recording server: a Particle cloud small enough to read.

const server = { log: [], issued: 0, lifetime: 3600, refused: new Set() };

function answer(req, body) {
  const form = /x-www-form-urlencoded/.test(req.headers['content-type'] || '') ? new URLSearchParams(body) : null;
  const token = () => {
    server.issued += 1;
    return [200, { token_type: 'bearer', access_token: `tok${server.issued}`, expires_in: server.lifetime, refresh_token: `ref${server.issued}` }];
  };
  const path = req.url.split('?')[0];
  if (req.method === 'POST' && path === '/oauth/token') {
    if (!form?.get('client_id') || !form.get('client_secret')) return [401, { error: 'invalid_client', error_description: 'Client authentication failed' }];
    switch (form.get('grant_type')) {
      case 'password':
        if (form.get('username') === 'mfa@example.com') {
          return [403, { error: 'mfa_required', error_description: 'Multiple factors are required', mfa_token: 'mfa-123' }];
        }
        if (!['pw', 'p&w=1'].includes(form.get('password'))) return [400, { error: 'invalid_grant', error_description: 'User credentials are invalid' }];
        return token();
      case 'urn:custom:mfa-otp':
        return form.get('otp') === '654321' ? token() : [400, { error: 'invalid_grant', error_description: 'Invalid one-time password' }];
      case 'client_credentials':
      case 'refresh_token':
        return token();
      default:
        return [400, { error: 'unsupported_grant_type' }];
    }
  }
  if (path.endsWith('/customers')) return token();
  const bearer = (req.headers.authorization || '').replace(/^Bearer /, '');
  if (server.refused.has(bearer)) return [401, { error: 'invalid_token', error_description: 'The access token provided is invalid.' }];
  if (path === '/v1/devices') return [200, []];
  if (req.method === 'DELETE' && path === '/v1/user') return [204, undefined];
  return [200, { ok: true }];
}

let base;
const http_ = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    server.log.push({ method: req.method, url: req.url, headers: req.headers, body });
    const [status, json] = answer(req, body);
    if (json === undefined) return res.writeHead(status).end();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  });
});

before(async () => {
  await new Promise((resolve) => http_.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${http_.address().port}`;
});
after(() => new Promise((resolve) => http_.close(resolve)));
beforeEach(() => {
  Object.assign(server, { log: [], issued: 0, lifetime: 3600, refused: new Set() });
});

/** What matters of a recorded request: method, path and query, content type, bearer, and the body parsed. */
function wire(r) {
  const type = (r.headers['content-type'] || '').split(';')[0];
  let body = r.body;
  if (type === 'application/x-www-form-urlencoded') body = [...new URLSearchParams(r.body)];
  else if (type === 'application/json') body = JSON.parse(r.body);
  return { method: r.method, url: r.url, type, authorization: r.headers.authorization, body };
}

const ours = (options = {}) => new Particle({ baseUrl: base, ...options });
const theirs = (options = {}) => new ParticleApi({ baseUrl: base, ...options });

/** particle-api-js's error body is the parsed JSON with the fetch `response` attached to it. */
const parsed = (body) => {
  const { response, ...rest } = body;
  assert.equal(typeof response, 'object');
  return rest;
};

/** Runs `call` on both clients (each made with `options`), returns both recorded requests. */
async function sideBySide(options, call) {
  const results = [];
  for (const client of [theirs(options), ours(options)]) {
    server.log = [];
    server.issued = 0;
    const res = await call(client).then((r) => ({ ok: r }), (e) => ({ err: e }));
    results.push({ res, reqs: server.log.map(wire) });
  }
  return results;
}

// Every login-family call of particle-api-js 12.0.3, with the options it documents.
const TOKEN = 'user-token-1';
const CALLS = [
  ['login', {}, { username: 'joe@example.com', password: 'pw' }],
  ['login', {}, { username: 'joe@example.com', password: 'pw', tokenDuration: 0 }],
  ['login', { clientId: 'my-app', clientSecret: 'my secret/+=', tokenDuration: 60 }, { username: 'a b@example.com', password: 'p&w=1' }],
  ['sendOtp', {}, { mfaToken: 'mfa-123', otp: '654321' }],
  ['loginAsClientOwner', { clientId: 'prod-client', clientSecret: 'prod-secret' }, undefined],
  ['createCustomer', { clientId: 'prod-client', clientSecret: 'prod-secret' }, { email: 'c@example.com', password: 'pw', product: 'my-product' }],
  ['createCustomer', { clientId: 'prod-client', clientSecret: 'prod-secret' }, { email: 'c@example.com', product: 'my-product' }],
  ['enableMfa', {}, { auth: TOKEN }],
  ['confirmMfa', {}, { mfaToken: 'mfa-123', otp: '1', auth: TOKEN }],
  ['confirmMfa', {}, { mfaToken: 'mfa-123', otp: '1', invalidateTokens: true, auth: TOKEN }],
  ['confirmMfa', {}, { mfaToken: 'mfa-123', otp: '1', invalidateTokens: false, auth: TOKEN }],
  ['disableMfa', {}, { currentPassword: 'pw', auth: TOKEN }],
  ['createUser', {}, { username: 'n@example.com', password: 'pw', accountInfo: { first_name: 'N', business_account: false } }],
  ['createUser', {}, { username: 'n@example.com', password: 'pw', utm: { utm_source: 's' } }],
  ['resetPassword', {}, { username: 'n@example.com' }],
  ['deleteAccessToken', {}, { token: 'old-token' }],
  ['deleteAccessToken', { auth: TOKEN }, { token: 'old-token' }],
  ['deleteCurrentAccessToken', {}, { auth: TOKEN }],
  ['deleteActiveAccessTokens', {}, { auth: TOKEN }],
  ['deleteActiveAccessTokens', { auth: TOKEN }, {}],
  ['deleteUser', {}, { password: 'pw', auth: TOKEN }],
  ['trackingIdentity', {}, { auth: TOKEN }],
  ['trackingIdentity', {}, { full: true, auth: TOKEN }],
];

test('every login-family call sends the request particle-api-js sends', T, async () => {
  const table = [];
  for (const [method, options, args] of CALLS) {
    const [a, b] = await sideBySide(options, (c) => c[method](args));
    const what = `${method}(${JSON.stringify(args)}) with ${JSON.stringify(options)}`;
    assert.equal(a.reqs.length, 1, what);
    assert.equal(b.reqs.length, 1, what);
    assert.deepEqual(b.reqs[0], a.reqs[0], what);
    assert.ok(b.res.ok, `${what}: ${b.res.err}`);
    assert.deepEqual(b.res.ok, a.res.ok, `${what}: the same {body, statusCode}`);
    table.push(`${method} ${a.reqs[0].method} ${a.reqs[0].url}`);
  }
  assert.equal(table.length, CALLS.length);
});

test('the calls particle-api-js lacks: customer tokens and the refresh grant', T, async () => {
  const client = { clientId: 'prod-client', clientSecret: 'prod-secret' };
  const p = ours(client);
  const customer = await p.loginAsCustomer({ email: 'c@example.com', expiresIn: 600 });
  assert.equal(customer.statusCode, 200);
  assert.equal(customer.body.access_token, 'tok1');
  const refreshed = await p.refreshAccessToken({ refreshToken: customer.body.refresh_token });
  assert.equal(refreshed.body.access_token, 'tok2');
  const at = new Date('2031-01-02T03:04:05.000Z');
  await p.login({ username: 'joe@example.com', password: 'pw', expiresAt: at });
  await p.login({ username: 'joe@example.com', password: 'pw', expiresIn: 120 });
  const [c, r, l1, l2] = server.log.map(wire);
  const client_ = [['client_id', 'prod-client'], ['client_secret', 'prod-secret']];
  assert.deepEqual(c.body, [['grant_type', 'client_credentials'], ['scope', 'customer=c@example.com'], ...client_, ['expires_in', '600']]);
  assert.deepEqual(r.body, [['grant_type', 'refresh_token'], ['refresh_token', 'ref1'], ...client_]);
  assert.deepEqual(l1.body.slice(-1), [['expires_at', '2031-01-02T03:04:05.000Z']]);
  assert.equal(l1.body.filter(([k]) => k === 'expires_in').length, 0, 'expires_at replaces expires_in');
  assert.deepEqual(l2.body.slice(-1), [['expires_in', '120']]);
  for (const req of [c, r, l1, l2]) {
    assert.equal(req.url, '/oauth/token');
    assert.equal(req.authorization, undefined);
  }
});

test('MFA: login rejects with 403 mfa_required carrying mfa_token as particle-api-js does; sendOtp completes it', T, async () => {
  const creds = { username: 'mfa@example.com', password: 'pw' };
  const [a, b] = await sideBySide({}, (c) => c.login(creds));
  const theirsErr = a.res.err;
  const err = b.res.err;
  assert.ok(theirsErr && err);
  await rejectsWith(Promise.reject(err), { vendor: 'particle', status: 403, statusCode: 403, code: 'mfa_required' });
  assert.deepEqual(err.body, parsed(theirsErr.body));
  assert.equal(err.body.mfa_token, 'mfa-123');
  assert.equal(err.statusCode, theirsErr.statusCode);
  assert.equal(err.shortErrorDescription, theirsErr.shortErrorDescription);
  assert.equal(err.errorDescription, theirsErr.errorDescription.replace(/ from \S+/, ''));

  const p = ours();
  const mfa = await p.login(creds).catch((e) => e);
  const done = await p.sendOtp({ mfaToken: mfa.body.mfa_token, otp: '654321' });
  assert.deepEqual(done, { statusCode: 200, body: { token_type: 'bearer', access_token: 'tok1', expires_in: 3600, refresh_token: 'ref1' } });
  // The completed login's token is the default one now.
  server.log = [];
  await p.listDevices({});
  assert.equal(server.log[0].headers.authorization, 'Bearer tok1');
  // A wrong code: 400 with the cloud's words.
  await rejectsWith(p.sendOtp({ mfaToken: 'mfa-123', otp: '000000' }), {
    status: 400, code: 'invalid_grant', shortErrorDescription: 'Invalid one-time password',
    errorDescription: 'HTTP error 400 - Invalid one-time password',
  });
});

test('errors carry statusCode, body, errorDescription and shortErrorDescription like particle-api-js (400, 401, 403)', T, async () => {
  const cases = [
    ['400', {}, (c) => c.login({ username: 'joe@example.com', password: 'wrong' })],
    ['401', {}, (c) => c.deleteCurrentAccessToken({ auth: 'refused' })],
    ['403', {}, (c) => c.login({ username: 'mfa@example.com', password: 'pw' })],
  ];
  server.refused.add('refused');
  for (const [status, options, call] of cases) {
    const [a, b] = await sideBySide(options, call);
    const [t, o] = [a.res.err, b.res.err];
    assert.ok(t && o, status);
    assert.equal(o.statusCode, t.statusCode, status);
    assert.equal(String(o.statusCode), status);
    assert.deepEqual(o.body, parsed(t.body), status);
    assert.equal(o.shortErrorDescription, t.shortErrorDescription, status);
    assert.equal(o.errorDescription, t.errorDescription.replace(/ from \S+/, ''), status);
    assert.ok(!o.errorDescription.includes('refused'), 'no token in the description');
  }
});

test('unknown options are refused, naming them, before anything is sent', T, async () => {
  const p = ours({ auth: TOKEN });
  const cases = [
    ['login', { username: 'u', password: 'pw', tokenDuraton: 60 }, /particle\.login: `tokenDuraton` is not an option of this call/],
    ['login', { username: 'u', password: 'pw', user: 'y' }, /particle\.login: `user` is not an option of this call/],
    ['sendOtp', { mfa_token: 'm', otp: '1' }, /particle\.sendOtp: `mfa_token` is not an option of this call/],
    ['deleteAccessToken', { token: 't', tokn: 'x' }, /particle\.deleteAccessToken: `tokn` is not an option of this call/],
    ['trackingIdentity', { ful: true }, /particle\.trackingIdentity: `ful` is not an option of this call/],
    ['login', { username: 'u', password: 'pw', tokenDuration: 60, expiresIn: 60 }, /particle\.login: `expiresIn`/],
    ['login', { username: 'u', password: 'pw', expiresAt: 'soon', tokenDuration: 5 }, /particle\.login: `expiresAt`/],
    ['login', { username: 'u', password: 'pw', tokenDuration: -1 }, /particle\.login: `tokenDuration`/],
    ['login', { username: 'u', password: '' }, /particle\.login: `password`/],
    ['login', { password: 'pw' }, /particle\.login: `username`/],
    ['sendOtp', { mfaToken: 'm', otp: 654321 }, /particle\.sendOtp: `otp`/],
    ['createCustomer', { email: 'e', password: 'p' }, /particle\.createCustomer: `product`/],
    ['confirmMfa', { mfaToken: 'm', otp: '1', invalidateTokens: 'yes' }, /particle\.confirmMfa: `invalidateTokens`/],
    ['login', { username: 'u', password: 'pw', headers: 'X-A: 1' }, /particle\.login: `headers`/],
  ];
  for (const [method, options, message] of cases) {
    await rejectsWith(p[method](options), { vendor: 'particle', code: 'invalid_argument', status: undefined });
    const err = await p[method](options).catch((e) => e);
    assert.match(err.message, message);
  }
  await rejectsWith(ours().enableMfa({}), { code: 'invalid_argument' });
  assert.equal(server.log.length, 0);
});

test('headers go with the request; a 204 resolves {body: {}} as in particle-api-js', T, async () => {
  await ours().resetPassword({ username: 'n@example.com', headers: { 'X-Trace': 'abc' } });
  assert.equal(server.log[0].headers['x-trace'], 'abc');
  assert.deepEqual(await ours().deleteUser({ password: 'pw', auth: TOKEN }), { body: {}, statusCode: 204 });
});

// ---------------------------------------------------------------------------------------------------------
// A client that renews its own token (useClientCredentials).

test('useClientCredentials: one token for concurrent calls, through the client-credentials grant', T, async () => {
  const p = ours({ clientId: 'prod-client', clientSecret: 'prod-secret', useClientCredentials: true });
  const results = await Promise.all(Array.from({ length: 5 }, () => p.listDevices({})));
  assert.ok(results.every((r) => r.statusCode === 200));
  const reqs = server.log.map(wire);
  const grants = reqs.filter((r) => r.url === '/oauth/token');
  assert.equal(grants.length, 1);
  // The request particle-api-js's loginAsClientOwner sends.
  assert.deepEqual(grants[0].body, [['grant_type', 'client_credentials'], ['client_id', 'prod-client'], ['client_secret', 'prod-secret']]);
  assert.equal(grants[0].authorization, undefined);
  assert.deepEqual(reqs.filter((r) => r.url === '/v1/devices').map((r) => r.authorization), Array(5).fill('Bearer tok1'));
  // Login-family calls that need a token use it as well.
  await p.deleteCurrentAccessToken();
  assert.equal(server.log.at(-1).headers.authorization, 'Bearer tok1');
});

test('useClientCredentials: an expired token is replaced before the call, a refused one once', T, async () => {
  server.lifetime = 0.05; // 50 ms
  const p = ours({ clientId: 'prod-client', clientSecret: 'prod-secret', useClientCredentials: true });
  await p.listDevices({});
  await sleep(120);
  await p.listDevices({});
  const auths = server.log.map(wire).filter((r) => r.url === '/v1/devices').map((r) => r.authorization);
  assert.deepEqual(auths, ['Bearer tok1', 'Bearer tok2'], 'the expired token is never sent');

  Object.assign(server, { log: [], issued: 0, lifetime: 3600, refused: new Set(['tok1']) });
  const q = ours({ clientId: 'prod-client', clientSecret: 'prod-secret', useClientCredentials: true });
  assert.equal((await q.listDevices({})).statusCode, 200);
  assert.deepEqual(server.log.map((r) => r.url), ['/oauth/token', '/v1/devices', '/oauth/token', '/v1/devices']);

  // Refused again and again: one resend, then the 401.
  Object.assign(server, { log: [], issued: 0, refused: new Set(['tok1', 'tok2', 'tok3']) });
  const r = ours({ clientId: 'prod-client', clientSecret: 'prod-secret', useClientCredentials: true });
  await rejectsWith(r.listDevices({}), { status: 401, code: 'invalid_token' });
  assert.equal(server.log.length, 4);

  // A call's own auth is used as given: no grant, and its 401 is final.
  Object.assign(server, { log: [], refused: new Set(['mine']) });
  await rejectsWith(r.listDevices({ auth: 'mine' }), { status: 401 });
  assert.deepEqual(server.log.map((x) => x.url), ['/v1/devices']);
});

test('useClientCredentials needs the client id and secret', T, async () => {
  assert.throws(() => ours({ useClientCredentials: true }), (e) => e.code === 'invalid_argument' && /useClientCredentials/.test(e.message));
});

// ---------------------------------------------------------------------------------------------------------
// Against the simulator: the password grant it serves.

const sim = useSimulator();

test('simulator: login with the client in the form, then the token works', T, async () => {
  const { username, password } = CREDENTIALS.particle;
  const p = sim.particle();
  const login = await p.login({ username, password, expiresIn: 3600 });
  assert.equal(login.statusCode, 200);
  assert.equal((await p.listDevices({})).statusCode, 200);
  const [req] = await sim.requests('particle');
  assert.deepEqual([...new URLSearchParams(req.body)].map(([k]) => k), ['username', 'password', 'grant_type', 'client_id', 'client_secret', 'expires_in']);
});
