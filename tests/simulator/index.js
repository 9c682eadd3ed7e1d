'use strict';
// A local fake of the four clouds (Arduino IoT Cloud, Particle Device Cloud, cThings Cloud, Avnet
// IoTConnect) on one HTTP server, with a control API for tests. Node's built-ins only, plus the `yaml` dev
// dependency that reads the Arduino OpenAPI spec (arduino-api.js). See README.md in this folder.

const http = require('node:http');
const fs = require('node:fs/promises');
const path = require('node:path');
const crypto = require('node:crypto');
const data = require('./fixtures');
const { parseJson, basicAuth } = require('./util');
const arduinoApi = require('./arduino-api');
const particleApi = require('./particle-api');
const cthingsApi = require('./cthings-api');
const iotconnectApi = require('./iotconnect-api');
const rateLimits = require('./rate-limits');
const live = require('./live');

const { CREDENTIALS, IDS } = data;

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const GOA_ERROR_TYPE = 'application/vnd.goa.error+json';
const ARDUINO_AUDIENCE = 'https://api2.arduino.cc/iot';
const MAX_BODY = 5 * 1024 * 1024;

/** First path segment → vendor key (used for faults, the request log and stats). */
const PREFIXES = {
  arduino: 'arduino',
  particle: 'particle',
  'cthings-auth': 'cthings',
  cthings: 'cthings',
  'iotconnect-discovery': 'iotconnect-discovery',
  iotconnect: 'iotconnect',
};
const VENDORS = ['arduino', 'particle', 'cthings', 'iotconnect', 'iotconnect-discovery'];
const TOKEN_VENDORS = ['arduino', 'particle', 'cthings', 'iotconnect'];
const IOTCONNECT_SERVICES = ['master', 'auth', 'user', 'device', 'firmware', 'event', 'telemetry', 'file'];

const DEFAULT_CONFIG = {
  tokenLifetime: { arduino: 300, particle: 7776000, cthings: 3600, iotconnect: 3600 },
  refreshLifetime: 7 * 86400,
  particleDeviceCount: 3,
  // Particle event streams: keep-alive newline period, the `retry:` field sent on open, events kept for
  // Last-Event-ID replay.
  particleStream: { keepAliveMs: 9000, retryMs: 2000, history: 1000 },
};
const MAX_PARTICLE_DEVICES = 100_000;

const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, X-Organization, solution-key',
  'Access-Control-Max-Age': '600',
};

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': JSON_TYPE,
  '.map': JSON_TYPE,
  '.css': 'text/css; charset=utf-8',
  '.ts': TEXT_TYPE,
  '.txt': TEXT_TYPE,
  '.md': TEXT_TYPE,
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const HTML_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n'
  + '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>gateway</center>\r\n</body>\r\n</html>\r\n';

// ---------------------------------------------------------------------------------------------------------
// Small helpers

/** `table[key]` for the table's own keys only (never a prototype member such as `constructor`). */
const lookup = (table, key) => (Object.hasOwn(table, key) ? table[key] : undefined);
const randomHex = (bytes) => crypto.randomBytes(bytes).toString('hex');
const base64url = (value) => Buffer.from(value).toString('base64url');

function send(res, status, body, type = JSON_TYPE, headers = {}) {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    return res.end();
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(Object.assign(new Error('request body too large'), { status: 413 }));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** URLSearchParams → `{key: value}`, with an array for repeated keys. */
function queryObject(params) {
  const out = Object.create(null);
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length > 1 ? values : values[0];
  }
  return out;
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const mediaType = (req) => (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
const isForm = (req) => mediaType(req) === 'application/x-www-form-urlencoded';


/** Seconds as sent in `expires_in`: a whole number, rounded down but at least 1 (0 means "never"). */
const wireSeconds = (seconds) => (seconds === Infinity ? 0 : Math.max(1, Math.floor(seconds)));

// ---------------------------------------------------------------------------------------------------------
// Simulator state: configuration, issued tokens, queued faults, the request log and counters.

function freshState() {
  return {
    arduinoStore: arduinoApi.createStore(), // things, devices, dashboards, … as changed through the API
    particleStore: particleApi.createStore(), // Particle devices, products, hooks, … events and streams
    cthingsStore: cthingsApi.createStore(), // cThings devices as changed through the API
    iotconnectStore: iotconnectApi.createStore(), // IoTConnect devices, commands sent, firmware, … (iotconnect-api.js)
    particleListCache: null,
    config: structuredClone(DEFAULT_CONFIG),
    configured: new Set(), // vendors whose token lifetime was set through /__sim/config
    tokens: new Map(), // access token → { vendor, expiresAt, ...session }
    refreshTokens: new Map(), // IoTConnect refresh token → { expiresAt }
    faults: [],
    log: [],
    stats: {
      requests: Object.fromEntries(VENDORS.map((v) => [v, 0])),
      tokenRequests: Object.fromEntries(TOKEN_VENDORS.map((v) => [v, 0])),
      iotconnectAuth: { basicToken: 0, login: 0, refresh: 0 },
      faultsServed: 0,
    },
  };
}

class Simulator {
  constructor({ www, pkg, quiet, rateLimits: limits, live: liveData }) {
    Object.assign(this, { www, pkg, quiet, startedAt: Date.now(), secret: crypto.randomBytes(32) });
    this.reset();
    this.startExtras(limits, liveData);
  }

  reset() {
    // Open event streams end with the state they belong to.
    for (const stream of this.particleStore?.streams ?? []) stream.close();
    Object.assign(this, freshState());
    this.resetExtras();
  }

  // ---- Rate limits and live data (rate-limits.js, live.js): what the simulator started with survives a reset.
  startExtras(limits, liveData) {
    this.rateLimiter = new rateLimits.RateLimiter(limits);
    this.live = new live.Live(this, liveData);
  }

  resetExtras() {
    this.rateLimiter?.restore();
    this.live?.restore();
  }

  stopExtras() {
    this.live?.stop();
  }
  // ---- end of rate limits and live data

  /** A signed JWT carrying `claims`, `iat`, `exp` and a random `jti`, remembered as a token of `vendor`. */
  issueJwt(vendor, seconds, claims = {}, session = {}) {
    const now = Date.now();
    const expiresAt = now + seconds * 1000;
    const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = base64url(JSON.stringify({
      ...claims, iat: Math.floor(now / 1000), exp: Math.floor(expiresAt / 1000), jti: randomHex(8),
    }));
    const signature = crypto.createHmac('sha256', this.secret).update(`${head}.${body}`).digest('base64url');
    const token = `${head}.${body}.${signature}`;
    this.tokens.set(token, { vendor, expiresAt, ...session });
    return token;
  }

  issueOpaque(vendor, seconds, session = {}) {
    const token = randomHex(20);
    this.tokens.set(token, { vendor, expiresAt: Date.now() + seconds * 1000, ...session });
    return token;
  }

  /** The live session behind the request's bearer token, or null. */
  session(vendor, req) {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization || '');
    const session = m && this.tokens.get(m[1]);
    return session && session.vendor === vendor && session.expiresAt > Date.now() ? session : null;
  }

  lifetime(vendor) {
    return this.config.tokenLifetime[vendor];
  }

  /** The Particle account's devices: `particleDeviceCount` of them (the fixtures, then generated ones). */
  particleDevices() {
    const count = this.config.particleDeviceCount;
    if (this.particleCache?.count !== count) this.particleCache = { count, devices: data.particle.devicesOf(count) };
    return this.particleCache.devices;
  }

  takeFault(vendor, pathname) {
    const i = this.faults.findIndex((f) => (f.vendor === '*' || f.vendor === vendor)
      && (!f.match || pathname.includes(f.match)));
    if (i < 0) return null;
    const fault = this.faults[i];
    if (--fault.remaining <= 0) this.faults.splice(i, 1);
    this.stats.faultsServed++;
    return fault;
  }

  count(vendor, method, pathname) {
    const { stats } = this;
    stats.requests[vendor]++;
    const p = pathname.toLowerCase();
    if (method === 'POST' && (p === '/arduino/iot/v1/clients/token' || p === '/particle/oauth/token'
      || p === '/cthings-auth/token')) stats.tokenRequests[vendor]++;
    const iotc = /^\/iotconnect\/auth\/api\/v2(?:\.1)?\/auth\/(basic-token|login|refresh-token)$/.exec(p);
    if (!iotc) return;
    if (iotc[1] === 'basic-token') stats.iotconnectAuth.basicToken++;
    else if (method === 'POST') {
      stats.iotconnectAuth[iotc[1] === 'login' ? 'login' : 'refresh']++;
      stats.tokenRequests.iotconnect++;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Request dispatch

async function handle(sim, req, res) {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  if (req.method === 'OPTIONS') return send(res, 204, undefined, undefined, PREFLIGHT_HEADERS);

  const url = new URL(req.url, 'http://127.0.0.1');
  const origin = loopbackOrigin(req.headers.host) || sim.url;
  const first = url.pathname.split('/')[1];
  if (first === '__sim') return control(sim, req, res, url, origin);
  const vendor = lookup(PREFIXES, first);
  if (!vendor) return serveStatic(sim, req, res, url, origin);

  const raw = await readBody(req);
  const body = raw.toString('utf8');
  const subpath = url.pathname.slice(first.length + 1) || '/';
  const queryStart = req.url.indexOf('?');
  const entry = {
    vendor, method: req.method, path: url.pathname, query: queryObject(url.searchParams),
    rawQuery: queryStart < 0 ? '' : req.url.slice(queryStart + 1), headers: { ...req.headers }, body, time: Date.now(),
  };
  let multipartParts = null;
  if (/^multipart\/form-data\b/i.test(req.headers['content-type'] || '')) {
    multipartParts = arduinoApi.parseMultipart(req.headers['content-type'], raw);
    entry.multipart = multipartParts ? arduinoApi.multipartSummary(multipartParts) : null;
  }
  let arduinoMatch;
  if (vendor === 'arduino') {
    const isToken = subpath === '/iot/v1/clients/token' && req.method === 'POST';
    arduinoMatch = isToken ? null : arduinoApi.match(req.method, subpath);
    entry.operationId = arduinoMatch?.op?.operationId ?? null;
  }
  sim.log.push(entry);
  sim.count(vendor, req.method, url.pathname);

  const ctx = {
    sim, req, res, vendor, url, origin, body, raw, arduinoMatch, wireSeconds,
    multipart: entry.multipart || null,
    multipartFields: multipartParts
      ? Object.fromEntries(multipartParts.map((part) => [part.name, part.content.toString('utf8')])) : null,
    method: req.method,
    path: subpath,
    query: url.searchParams,
  };
  const refusal = sim.rateLimiter.take(vendor, entry.time);
  if (refusal) return rateLimited(ctx, refusal);
  const fault = sim.takeFault(vendor, url.pathname);
  if (fault) return applyFault(ctx, fault);
  return HANDLERS[first](ctx);
}

/** A request over its vendor's rate limit (rate-limits.js): 429 in the vendor's error shape, with Retry-After. */
function rateLimited(ctx, refusal) {
  const [body, type] = vendorError(ctx, 429);
  send(ctx.res, 429, body, type, { 'Retry-After': String(refusal.retryAfter) });
}

// Hosts a browser or client may use for this server. URLs handed out in responses (discovery, the cThings
// envelope's request.url, the demo settings) take their origin from the Host header only when it names one
// of these, so a response can never send a client anywhere but this machine.
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;

/** `http://<host>` when the Host header is a loopback name (any port), otherwise null. */
function loopbackOrigin(host) {
  return typeof host === 'string' && LOOPBACK_HOST.test(host) ? `http://${host.toLowerCase()}` : null;
}

/** Finds the first `[method, regexp, handler]` row matching the request and calls it with the captures. */
function route(ctx, table, notFound) {
  for (const [method, pattern, handler] of table) {
    const m = pattern.exec(ctx.path);
    if (m && method === ctx.method) return handler(ctx, ...m.slice(1).map(safeDecode));
  }
  return notFound(ctx);
}

// ---------------------------------------------------------------------------------------------------------
// Faults

/** The body and content type a vendor answers an HTTP error `status` with. */
function vendorError(ctx, status) {
  const reason = http.STATUS_CODES[status] || 'Error';
  switch (ctx.vendor) {
    case 'arduino':
      return status === 429
        ? ['You have reached maximum request limit.', TEXT_TYPE]
        : [goaBody(status, reason.toLowerCase().replace(/[^a-z0-9]+/g, '_'), reason), GOA_ERROR_TYPE];
    case 'particle':
      return [{ ok: false, error: reason }, JSON_TYPE];
    case 'cthings':
      return [cthingsApi.envelope(ctx, status, null, reason), JSON_TYPE];
    case 'iotconnect':
      return [{ data: null, status, message: reason, error: [] }, JSON_TYPE];
    default:
      return [{ data: null, message: reason, status }, JSON_TYPE];
  }
}

function applyFault(ctx, fault) {
  if (fault.kind === 'hang') return; // never answered: the socket stays open until either side closes it
  const headers = fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
  if (fault.kind === 'html502') return send(ctx.res, 502, HTML_502, 'text/html; charset=utf-8', headers);
  if (fault.kind === 'redirect') {
    return send(ctx.res, fault.status ?? 307, undefined, undefined, { ...headers, Location: fault.location });
  }
  if (fault.kind === 'reply') {
    const body = fault.body === undefined ? '' : fault.body;
    const type = fault.contentType ?? (typeof body === 'string' ? TEXT_TYPE : JSON_TYPE);
    const status = fault.status ?? 200;
    return send(ctx.res, status, status === 204 ? undefined : body, type, { ...headers, ...fault.headers });
  }
  if (fault.body !== undefined) {
    const type = typeof fault.body === 'string' ? TEXT_TYPE : JSON_TYPE;
    return send(ctx.res, fault.status, fault.body, type, headers);
  }
  const [body, type] = vendorError(ctx, fault.status);
  send(ctx.res, fault.status, body, type, headers);
}

// ---------------------------------------------------------------------------------------------------------
// Arduino IoT Cloud

function goaBody(status, code, detail) {
  return { id: crypto.randomBytes(6).toString('base64url'), code, status, detail, meta: {} };
}


/** The token endpoint here; every other request is matched against the OpenAPI spec (arduino-api.js). */
function arduino(ctx) {
  if (ctx.path === '/iot/v1/clients/token' && ctx.method === 'POST') return arduinoToken(ctx);
  return arduinoApi.handle(ctx);
}

function arduinoToken({ sim, req, res, body }) {
  const invalid = (description) => send(res, 400, { error: 'invalid_request', error_description: description });
  if (!isForm(req)) return invalid('the request body must be application/x-www-form-urlencoded');
  const form = new URLSearchParams(body);
  const basic = basicAuth(req);
  const clientId = form.get('client_id') ?? basic?.user;
  const clientSecret = form.get('client_secret') ?? basic?.pass;
  if (form.get('grant_type') !== 'client_credentials') return invalid('grant_type must be client_credentials');
  if (clientId !== CREDENTIALS.arduino.clientId || clientSecret !== CREDENTIALS.arduino.clientSecret) {
    return send(res, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
  }
  if (form.get('audience') !== ARDUINO_AUDIENCE) return invalid(`audience must be ${ARDUINO_AUDIENCE}`);
  const organization = form.get('organization_id') || null;
  if (organization && organization !== CREDENTIALS.arduino.organization) return invalid('unknown organization_id');

  const seconds = sim.lifetime('arduino');
  const claims = { iss: 'https://login.arduino.cc/', sub: `${clientId}@clients`, aud: ARDUINO_AUDIENCE };
  if (organization) claims['http://arduino.cc/organization_id'] = organization;
  const token = sim.issueJwt('arduino', seconds, claims, { organization });
  send(res, 200, { access_token: token, expires_in: wireSeconds(seconds), token_type: 'Bearer' });
}

// ---------------------------------------------------------------------------------------------------------
// Particle Device Cloud

/** Everything below `SIM/particle`: particle-api.js. */
function particle(ctx) {
  return particleApi.handle(ctx);
}

// ---------------------------------------------------------------------------------------------------------
// Avnet IoTConnect: discovery and the auth service; the other services are in iotconnect-api.js

function iotconnectDiscovery(ctx) {
  const { res, query } = ctx;
  const reply = (status, message, payload = null) => send(res, status, { data: payload, message, status });
  const m = /^\/api\/uisdk\/solutionkey\/([^/]+)\/env\/([^/]+)$/i.exec(ctx.path);
  if (!m || ctx.method !== 'GET') return reply(404, 'Not found');
  const platform = query.get('pf');
  const version = lookup({ aws: '2.1', az: '2' }, platform);
  if (!version) return reply(400, 'pf must be aws or az');
  if (query.get('version') !== version) return reply(400, `version must be ${version} when pf=${platform}`);
  const [key, env] = m.slice(1).map(safeDecode);
  if (key !== CREDENTIALS.iotconnect.solutionKey || env !== CREDENTIALS.iotconnect.env) {
    return reply(404, 'Solution not found');
  }
  const base = (service) => `${ctx.origin}/iotconnect/${service}/api/v${version}`;
  reply(200, 'Success', Object.fromEntries(IOTCONNECT_SERVICES.map((s) => [`${s}BaseUrl`, base(s)])));
}

const iotcError = (res, status, message, error = []) => send(res, status, { data: null, status, message, error });

function iotconnect(ctx) {
  const m = /^\/([a-z]+)\/api\/v2(?:\.1)?(\/.*)?$/i.exec(ctx.path);
  const service = m?.[1].toLowerCase();
  if (!IOTCONNECT_SERVICES.includes(service)) return iotcError(ctx.res, 404, 'Not found');
  const rest = (m[2] || '/').toLowerCase().replace(/\/$/, '');
  const op = `${ctx.method} ${service}${rest}`;
  if (op === 'GET auth/auth/basic-token') {
    return send(ctx.res, 200, {
      data: data.iotconnect.basicToken, status: 200, message: 'Basic token has been generated successfully',
    });
  }
  if (op === 'POST auth/auth/login') return iotconnectLogin(ctx);
  if (op === 'POST auth/auth/refresh-token') return iotconnectRefresh(ctx);
  if (service !== 'auth' && !ctx.sim.session('iotconnect', ctx.req)) return iotcError(ctx.res, 401, 'Unauthorized');
  return iotconnectApi.handle(ctx, service, m[2] || '/');
}

function iotconnectTokens(sim) {
  const seconds = sim.lifetime('iotconnect');
  const accessToken = sim.issueJwt('iotconnect', seconds, {
    iss: 'iotconnect-simulator', aud: 'iotconnect', sub: data.iotconnect.user.id, user: data.iotconnect.user,
  });
  const refreshToken = crypto.randomBytes(32).toString('base64url');
  sim.refreshTokens.set(refreshToken, { expiresAt: Date.now() + sim.config.refreshLifetime * 1000 });
  return {
    token_type: 'bearer', access_token: accessToken, expires_in: wireSeconds(seconds),
    refresh_token: refreshToken, status: 200,
  };
}

function iotconnectLogin({ sim, req, res, body }) {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization || '');
  if (basic?.[1] !== data.iotconnect.basicToken) return iotcError(res, 401, 'Invalid basic token');
  if (req.headers['solution-key'] !== CREDENTIALS.iotconnect.solutionKey) {
    return iotcError(res, 401, 'Invalid solution key');
  }
  const { value: creds, error } = parseJson(body);
  if (error || typeof creds !== 'object' || creds === null) {
    return iotcError(res, 400, 'Invalid request', [{ param: 'body', message: 'A JSON body is required' }]);
  }
  const { username, password } = CREDENTIALS.iotconnect;
  if (creds.username !== username || creds.password !== password) {
    const message = 'Invalid username or password';
    return iotcError(res, 401, message, [{ param: 'username', message }]);
  }
  send(res, 200, iotconnectTokens(sim));
}

function iotconnectRefresh({ sim, res, body }) {
  const token = parseJson(body).value?.refreshtoken;
  const entry = typeof token === 'string' && sim.refreshTokens.get(token);
  if (token) sim.refreshTokens.delete(token);
  if (!entry || entry.expiresAt <= Date.now()) return iotcError(res, 409, 'Refresh token is invalid');
  send(res, 200, iotconnectTokens(sim));
}

const HANDLERS = {
  arduino,
  particle,
  'cthings-auth': cthingsApi.auth,
  cthings: cthingsApi.handle,
  'iotconnect-discovery': iotconnectDiscovery,
  iotconnect,
};

// ---------------------------------------------------------------------------------------------------------
// Control API (/__sim/…)

const FAULT_KINDS = ['status', 'html502', 'hang', 'redirect', 'reply'];
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
// Header values a fault may set: printable ASCII only, so that Node's http module accepts them.
const headerValue = (v) => typeof v === 'string' && /^[\x20-\x7e]*$/.test(v);

function validateFault(f) {
  if (typeof f !== 'object' || f === null) return 'expected a JSON object';
  if (f.vendor !== '*' && !VENDORS.includes(f.vendor)) return `vendor must be "*" or one of ${VENDORS.join(', ')}`;
  if (!FAULT_KINDS.includes(f.kind)) return `kind must be one of ${FAULT_KINDS.join(', ')}`;
  if (f.kind === 'status' && !(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599)) {
    return 'status must be an HTTP error status (400-599)';
  }
  if (f.kind === 'redirect') {
    if (f.status !== undefined && !REDIRECT_STATUSES.includes(f.status)) {
      return `status must be one of ${REDIRECT_STATUSES.join(', ')} for a redirect`;
    }
    if (!headerValue(f.location) || f.location === '') return 'location must be a non-empty string of printable ASCII';
  }
  if (f.kind === 'reply') {
    if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 200 && f.status <= 599)) {
      return 'status must be an HTTP status from 200 to 599';
    }
    if (f.contentType !== undefined && !headerValue(f.contentType)) return 'contentType must be a string';
    if (f.headers !== undefined) {
      if (typeof f.headers !== 'object' || f.headers === null || Array.isArray(f.headers)) {
        return 'headers must be an object';
      }
      for (const [name, value] of Object.entries(f.headers)) {
        if (!/^[A-Za-z0-9-]+$/.test(name) || !headerValue(value)) return `headers.${name} must be a printable string`;
      }
    }
  }
  if (f.match !== undefined && typeof f.match !== 'string') return 'match must be a string';
  if (f.times !== undefined && !(Number.isInteger(f.times) && f.times > 0)) return 'times must be a positive integer';
  return null;
}

function applyConfig(sim, patch) {
  if (typeof patch !== 'object' || patch === null) return 'expected a JSON object';
  const seconds = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  for (const key of Object.keys(patch)) {
    if (!Object.hasOwn(DEFAULT_CONFIG, key)) return `unknown setting ${key}`;
  }
  const lifetimes = patch.tokenLifetime ?? {};
  for (const [vendor, value] of Object.entries(lifetimes)) {
    if (!TOKEN_VENDORS.includes(vendor)) return `unknown vendor ${vendor} in tokenLifetime`;
    if (!seconds(value)) return `tokenLifetime.${vendor} must be a number of seconds`;
  }
  if (patch.refreshLifetime !== undefined && !seconds(patch.refreshLifetime)) {
    return 'refreshLifetime must be a number of seconds';
  }
  const count = patch.particleDeviceCount;
  if (count !== undefined && !(Number.isInteger(count) && count >= 0 && count <= MAX_PARTICLE_DEVICES)) {
    return `particleDeviceCount must be a whole number from 0 to ${MAX_PARTICLE_DEVICES}`;
  }
  const stream = patch.particleStream;
  if (stream !== undefined) {
    if (typeof stream !== 'object' || stream === null || Array.isArray(stream)) return 'particleStream must be an object';
    const limits = { keepAliveMs: [10, 3_600_000], retryMs: [0, 3_600_000], history: [0, 100_000] };
    for (const [key, value] of Object.entries(stream)) {
      const range = lookup(limits, key);
      if (!range) return `unknown setting particleStream.${key}`;
      if (!(Number.isInteger(value) && value >= range[0] && value <= range[1])) {
        return `particleStream.${key} must be a whole number from ${range[0]} to ${range[1]}`;
      }
    }
  }
  Object.assign(sim.config.particleStream, stream);
  Object.assign(sim.config.tokenLifetime, lifetimes);
  for (const vendor of Object.keys(lifetimes)) sim.configured.add(vendor);
  if (patch.refreshLifetime !== undefined) sim.config.refreshLifetime = patch.refreshLifetime;
  if (count !== undefined) sim.config.particleDeviceCount = count;
  return null;
}

/** What the demo page prefills its forms with: this simulator's base URLs and the credentials it accepts. */
function demoSettings(origin) {
  const { arduino, particle, cthings, iotconnect } = CREDENTIALS;
  return {
    simulator: 'iot-cloud-wasm',
    arduino: { baseUrl: `${origin}/arduino`, clientId: arduino.clientId, clientSecret: arduino.clientSecret,
      organization: arduino.organization },
    particle: { baseUrl: `${origin}/particle`, username: particle.username, password: particle.password,
      clientId: particle.clientId, clientSecret: particle.clientSecret },
    cthings: { authUrl: `${origin}/cthings-auth`, baseUrl: `${origin}/cthings`, clientId: cthings.clientId,
      clientSecret: cthings.clientSecret, devices: [...IDS.cthings.devices] },
    iotconnect: { discoveryUrl: `${origin}/iotconnect-discovery`, solutionKey: iotconnect.solutionKey,
      environment: iotconnect.env, platform: iotconnect.platform, username: iotconnect.username,
      password: iotconnect.password },
  };
}

async function control(sim, req, res, url, origin) {
  const op = `${req.method} ${url.pathname.slice('/__sim/'.length).replace(/\/$/, '')}`;
  const raw = (await readBody(req)).toString('utf8');
  const { value, error } = parseJson(raw);
  if (error) return send(res, 400, { ok: false, error: 'invalid JSON body' });
  const input = value ?? {};
  const bad = (message) => send(res, 400, { ok: false, error: message });

  // Rate limits and live data: /__sim/rate-limits…, /__sim/live (rate-limits.js, live.js).
  const extra = rateLimits.control(sim.rateLimiter, op, input) ?? live.control(sim.live, op, input);
  if (extra) return send(res, extra[0], extra[1]);

  switch (op) {
    case 'POST reset':
      sim.reset();
      return send(res, 200, { ok: true });
    case 'GET config':
      return send(res, 200, sim.config);
    case 'POST config': {
      const problem = applyConfig(sim, input);
      return problem ? bad(problem) : send(res, 200, { ok: true, config: sim.config });
    }
    case 'GET faults':
      return send(res, 200, sim.faults);
    case 'POST faults': {
      const problem = validateFault(input);
      if (problem) return bad(problem);
      const { vendor, match, kind, status, retryAfter, body, location, contentType, headers, times = 1 } = input;
      sim.faults.push({
        vendor, match, kind, status, retryAfter, body, location, contentType, headers, times, remaining: times,
      });
      return send(res, 200, { ok: true, pending: sim.faults.length });
    }
    case 'DELETE faults':
      sim.faults = [];
      return send(res, 200, { ok: true });
    case 'POST expire-tokens': {
      const { vendor } = input;
      if (vendor !== '*' && !TOKEN_VENDORS.includes(vendor)) {
        return bad(`vendor must be "*" or one of ${TOKEN_VENDORS.join(', ')}`);
      }
      let expired = 0;
      for (const session of sim.tokens.values()) {
        if ((vendor === '*' || session.vendor === vendor) && session.expiresAt > Date.now()) {
          session.expiresAt = 0;
          expired++;
        }
      }
      return send(res, 200, { ok: true, expired });
    }
    case 'GET requests': {
      const vendor = url.searchParams.get('vendor');
      return send(res, 200, vendor ? sim.log.filter((r) => r.vendor === vendor) : sim.log);
    }
    case 'DELETE requests':
      sim.log = [];
      return send(res, 200, { ok: true });
    case 'GET stats':
      return send(res, 200, {
        ...sim.stats, faultsPending: sim.faults.length,
        particleStreams: { ...sim.particleStore.streamStats, faultsPending: sim.particleStore.streamFaults.length },
      });
    case 'POST stream-faults': {
      const problem = particleApi.validateStreamFault(input);
      if (problem) return bad(problem);
      const fault = { ...input, times: input.times ?? 1, remaining: input.times ?? 1 };
      sim.particleStore.streamFaults.push(fault);
      return send(res, 200, { ok: true, pending: sim.particleStore.streamFaults.length });
    }
    case 'GET stream-faults':
      return send(res, 200, sim.particleStore.streamFaults);
    case 'DELETE stream-faults':
      sim.particleStore.streamFaults = [];
      return send(res, 200, { ok: true });
    case 'POST particle-events': {
      const result = particleApi.deviceEvent(sim, input);
      return result.error ? bad(result.error) : send(res, 200, { ok: true, id: result.id });
    }
    case 'POST close-streams': {
      const streams = [...sim.particleStore.streams];
      for (const stream of streams) stream.close();
      return send(res, 200, { ok: true, closed: streams.length });
    }
    case 'GET demo':
      return send(res, 200, demoSettings(origin));
    case 'GET iotconnect':
      return send(res, 200, iotconnectApi.summary(sim));
    default:
      return send(res, 404, { ok: false, error: `unknown control endpoint ${op}` });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Static files (the demo page at /, the built package at /pkg/)

// `.d.ts` files fall under `.ts`: served as text so a browser shows them instead of downloading them.
const mimeType = (file) => lookup(MIME_TYPES, path.extname(file).toLowerCase()) || 'application/octet-stream';

async function serveStatic(sim, req, res, url, origin) {
  const text = (status, message) => send(res, status, message, TEXT_TYPE);
  let root = sim.www;
  let rel = url.pathname;
  if (sim.pkg && (rel === '/pkg' || rel.startsWith('/pkg/'))) {
    root = sim.pkg;
    rel = rel.slice(4) || '/';
  }
  if (!root) {
    if (rel !== '/') return text(404, 'Not found');
    return send(res, 200, {
      simulator: 'iot-cloud-wasm',
      arduino: `${origin}/arduino`,
      particle: `${origin}/particle`,
      cthingsAuth: `${origin}/cthings-auth`,
      cthings: `${origin}/cthings`,
      iotconnectDiscovery: `${origin}/iotconnect-discovery`,
      control: `${origin}/__sim`,
    });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'Method not allowed');

  let decoded;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return text(400, 'Bad request');
  }
  let file = path.join(root, decoded);
  if (decoded.includes('\0') || (file !== root && !file.startsWith(root + path.sep))) return text(403, 'Forbidden');
  try {
    if ((await fs.stat(file)).isDirectory()) file = path.join(file, 'index.html');
    const content = await fs.readFile(file);
    res.writeHead(200, {
      'Content-Type': mimeType(file), 'Content-Length': content.length, 'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : content);
  } catch {
    text(404, 'Not found');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Server

/**
 * Starts the simulator on 127.0.0.1.
 * `rateLimits`: a preset name (`documented`, `per-second`) or `{vendor: {limit, windowMs}}`, see rate-limits.js;
 * off by default. `live`: `true` or live settings (live.js); off by default. Both are what POST /__sim/reset
 * comes back to.
 * @param {{port?: number, host?: string, www?: string, pkg?: string, quiet?: boolean, rateLimits?: string | object, live?: boolean | object}} [options]
 * @returns {Promise<{url: string, port: number, close(): Promise<void>}>}
 */
async function startSimulator({ port = 0, host = '127.0.0.1', www, pkg, quiet = true, rateLimits: limits, live: liveData } = {}) {
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error('the simulator only listens on 127.0.0.1');
  const dirs = {};
  for (const [name, dir] of Object.entries({ www, pkg })) {
    if (!dir) continue;
    dirs[name] = path.resolve(dir);
    const stat = await fs.stat(dirs[name]).catch(() => null);
    if (!stat?.isDirectory()) throw new Error(`${name} directory not found: ${dirs[name]}`);
  }
  arduinoApi.api(); // reads the Arduino OpenAPI spec now (once per process), so a missing spec fails here
  const sim = new Simulator({ ...dirs, quiet, rateLimits: limits, live: liveData });

  const server = http.createServer((req, res) => {
    const started = Date.now();
    if (!quiet) {
      res.on('close', () => {
        const status = res.writableFinished ? res.statusCode : '---';
        console.log(`${req.method} ${req.url} ${status} ${Date.now() - started}ms`);
      });
    }
    handle(sim, req, res).catch((err) => {
      if (res.headersSent) return res.destroy();
      const status = err.status || 500;
      send(res, status, { ok: false, error: status === 500 ? 'simulator error' : err.message });
      if (status === 500) console.error(err);
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', (err) => {
      sim.stopExtras();
      reject(err);
    });
    server.listen(port, '127.0.0.1', () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const actualPort = server.address().port;
  sim.url = `http://127.0.0.1:${actualPort}`;

  return {
    url: sim.url,
    port: actualPort,
    close: () => new Promise((resolve) => {
      sim.stopExtras();
      server.close(() => resolve());
      server.closeAllConnections(); // also ends keep-alive sockets and requests left hanging by a fault
    }),
  };
}

module.exports = { startSimulator, CREDENTIALS, IDS };
