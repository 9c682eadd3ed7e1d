'use strict';
// The Particle Device Cloud API of the simulator: every request particle-api-js 12.0.3 sends (user scope,
// /v1/products/:product/… and /v1/orgs/:org/… where they exist), logins, state that POST /__sim/reset
// restores, and Server-Sent Event streams with fault controls. See README.md in this folder.

const crypto = require('node:crypto');
const data = require('./fixtures');
const { parseJson, basicAuth } = require('./util');

const { CREDENTIALS, IDS } = data;
const C = CREDENTIALS.particle;

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';
const MFA_TOKEN_LIFETIME = 300_000;
const randomHex = (bytes) => crypto.randomBytes(bytes).toString('hex');
const iso = (ms) => new Date(ms).toISOString();
const own = (table, key) => (Object.hasOwn(table, key) ? table[key] : undefined);

function send(res, status, body, type = JSON_TYPE, headers = {}) {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    return res.end();
  }
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const fail = (res, status, error, extra = {}) => send(res, status, { ok: false, error, ...extra });
const oauthError = (res, status, error, description, extra = {}) =>
  send(res, status, { error, error_description: description, ...extra });


const mediaType = (req) => (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();

/** The request body as an object: JSON, form-encoded or (field values only) multipart. */
function bodyOf(ctx) {
  const type = mediaType(ctx.req);
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(ctx.body));
  if (type === 'multipart/form-data') return ctx.multipartFields || {};
  const parsed = parseJson(ctx.body);
  if (parsed.error) return null;
  return parsed.value && typeof parsed.value === 'object' ? parsed.value : {};
}

// ---------------------------------------------------------------------------------------------------------
// State

const USERS = {
  [C.username]: { password: C.password, mfa: false },
  [C.mfaUsername]: { password: C.mfaPassword, mfa: true },
};

function seedProduct() {
  return {
    id: IDS.particle.product, slug: IDS.particle.productSlug, name: 'Sim Fleet', platform_id: 13,
    description: 'Simulated Boron fleet', org: IDS.particle.org, subscription_id: 4242, mb_limit: null,
    groups: ['north', 'south', 'beta'], settings: { quarantine: true },
  };
}

function createStore() {
  const now = Date.now();
  const product = seedProduct();
  return {
    rev: 0,
    edits: new Map(), // account device id → changed fields
    removed: new Set(), // account device ids released (they become claimable)
    claimed: [], // devices claimed into the account
    productDevices: data.particle.productDevices.map((d) => ({ ...d, groups: [...d.groups] })),
    products: [product],
    orgs: [{ id: IDS.particle.orgId, slug: IDS.particle.org, name: 'Sim Org' }],
    teams: {
      [`product:${product.id}`]: [{ username: C.username, role: { name: 'Administrator' } }],
      [`org:${IDS.particle.org}`]: [{ username: C.username, role: { name: 'Administrator' } }],
    },
    customers: [{ id: 'c0ffee000000000000000001', username: C.customer, product_id: product.id }],
    clients: [{
      id: C.productClientId, secret: C.productClientSecret, name: 'Sim Fleet server', type: 'installed',
      scope: null, product_id: product.id,
    }],
    webhooks: [],
    integrations: [],
    sims: [
      { _id: IDS.particle.sims[0], iccid: IDS.particle.sims[0], status: 'active', device_id: IDS.particle.devices[1], device_name: 'greenhouse-boron', product_id: null, carrier: 'Particle', last_device_id: IDS.particle.devices[1] },
      { _id: IDS.particle.sims[1], iccid: IDS.particle.sims[1], status: 'inactive', device_id: null, device_name: null, product_id: null, carrier: 'Particle' },
      ...data.particle.productDevices.map((d) => ({
        _id: d.iccid, iccid: d.iccid, status: 'active', device_id: d.id, device_name: d.name, product_id: product.id, carrier: 'Particle',
      })),
    ],
    firmware: { [product.id]: [{ version: 3, title: 'Fleet 3', description: 'Seeded firmware', size: 4096, product_default: true, uploaded_on: iso(now - 86400000), uploaded_by: { username: C.username }, groups: [] }] },
    binaries: new Map(),
    libraries: [{ id: 'neopixel', type: 'libraries', attributes: { name: 'neopixel', version: '1.0.4', license: 'LGPL', author: 'Adafruit', sentence: 'NeoPixel LEDs', architectures: ['particle-photon', 'particle-argon'], visibility: 'public' } }],
    ledgers: new Map(), // scope key ('user' | 'org:<slug>') → Map name → ledger
    logic: new Map(), // scope key → Map id → logic function
    env: new Map(), // scope key → {key: value}
    config: { product: {}, devices: {} },
    agreements: [{
      id: 1701, type: 'service_agreement',
      attributes: { agreement_type: 'developer', name: 'Free plan', state: 'active', starts_on: '2025-01-01', ends_on: null, current_billing_period_start: '2025-06-01', current_billing_period_end: '2025-06-30', current_usage_summary: { data_operations: 1234, device_limit_reached: false } },
    }],
    reports: new Map(),
    user: { username: C.username, account_info: { first_name: 'Sim', last_name: 'Maker', business_account: false }, mfa: { enabled: false } },
    refreshTokens: new Map(), // refresh token → {user, clientId}
    mfaTokens: new Map(), // mfa token → {user, expiresAt, clientId}
    // Event streams
    events: [], // bounded history, oldest first
    nextEventId: 1,
    streams: new Set(),
    streamFaults: [],
    streamStats: { opens: 0, open: 0, refused: 0, eventsSent: 0, published: 0 },
    variables: new Map(), // device id → {variable: value} set by function calls (applyFunction)
  };
}

function scopeKey(p) {
  if (p.product) return `product:${p.productRecord.id}`;
  if (p.org) return `org:${p.org}`;
  return 'user';
}

/** The account's devices: the configured count of fixtures with renames/notes applied, removals and claims. */
function accountDevices(sim) {
  const st = sim.particleStore;
  const base = sim.particleDevices();
  if (st.rev === 0) return base;
  const key = `${base.length}:${st.rev}`;
  if (st.accountCache?.key === key) return st.accountCache.devices;
  const devices = base.filter((d) => !st.removed.has(d.id)).map((d) => (st.edits.has(d.id) ? { ...d, ...st.edits.get(d.id) } : d));
  for (const d of st.claimed) devices.push(st.edits.has(d.id) ? { ...d, ...st.edits.get(d.id) } : d);
  st.accountCache = { key, devices };
  return devices;
}

/** `GET /v1/devices` as JSON text, kept for 5 s (the list only changes when `last_heard` moves or state changes). */
function accountDeviceList(sim, now) {
  const devices = accountDevices(sim);
  const slot = now - (now % 5000);
  const cache = sim.particleListCache;
  if (!cache || cache.devices !== devices || cache.slot !== slot) {
    sim.particleListCache = {
      devices, slot, text: JSON.stringify(devices.map((d) => data.particle.device(d, now, sim.startedAt))),
    };
  }
  return sim.particleListCache.text;
}

const touch = (st) => { st.rev++; };

function showProductDevice(sim, d, now) {
  return {
    ...data.particle.device(d, now, sim.startedAt),
    groups: d.groups, development: Boolean(d.development), quarantined: false, denied: false,
    owner: d.owner ?? null, firmware_version: d.firmware_version ?? null,
    desired_firmware_version: d.desired_firmware_version ?? null, targeted_firmware_release_version: null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Logins

function lifetimeFor(ctx, form) {
  const { sim, res } = ctx;
  let seconds = sim.lifetime('particle');
  if (form.has('expires_in') && form.get('expires_in') !== '') {
    const requested = Number(form.get('expires_in'));
    if (!Number.isFinite(requested) || requested < 0) {
      oauthError(res, 400, 'invalid_request', 'expires_in must be a number of seconds');
      return null;
    }
    seconds = requested === 0 ? Infinity : requested;
  } else if (form.has('expires_at')) {
    const at = Date.parse(form.get('expires_at'));
    if (Number.isNaN(at) || at <= Date.now()) {
      oauthError(res, 400, 'invalid_request', 'expires_at must be a future ISO 8601 date');
      return null;
    }
    seconds = (at - Date.now()) / 1000;
  }
  // A lifetime set through /__sim/config wins, so tests can make tokens expire quickly.
  if (sim.configured.has('particle')) seconds = Math.min(seconds, sim.lifetime('particle'));
  return seconds;
}

function issue(ctx, seconds, session, withRefresh = true) {
  const { sim } = ctx;
  const token = sim.issueOpaque('particle', seconds, session);
  const body = { token_type: 'bearer', access_token: token, expires_in: ctx.wireSeconds(seconds) };
  if (withRefresh) {
    body.refresh_token = randomHex(20);
    sim.particleStore.refreshTokens.set(body.refresh_token, { ...session, seconds });
  }
  return body;
}

function findClient(st, id, secret) {
  return st.clients.find((c) => c.id === id && c.secret === secret) || null;
}

function token(ctx) {
  const { sim, req, res, body } = ctx;
  const st = sim.particleStore;
  if (mediaType(req) !== 'application/x-www-form-urlencoded') {
    return oauthError(res, 400, 'invalid_request', 'This endpoint only accepts application/x-www-form-urlencoded bodies');
  }
  const form = new URLSearchParams(body);
  const basic = basicAuth(req);
  const clientId = basic?.user || form.get('client_id');
  const clientSecret = basic?.pass || form.get('client_secret');
  if (!clientId || !clientSecret) return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
  const grant = form.get('grant_type');

  if (grant === 'password') {
    const user = own(USERS, form.get('username') ?? '');
    if (!user || form.get('password') !== user.password) {
      return oauthError(res, 400, 'invalid_grant', 'User credentials are invalid');
    }
    const seconds = lifetimeFor(ctx, form);
    if (seconds === null) return undefined;
    if (user.mfa) {
      const mfaToken = randomHex(20);
      st.mfaTokens.set(mfaToken, { user: form.get('username'), clientId, seconds, expiresAt: Date.now() + MFA_TOKEN_LIFETIME });
      return oauthError(res, 403, 'mfa_required', 'Multi-factor authentication required', { mfa_token: mfaToken });
    }
    return send(res, 200, issue(ctx, seconds, { user: form.get('username'), kind: 'user', clientId }));
  }
  if (grant === 'urn:custom:mfa-otp') {
    const pending = st.mfaTokens.get(form.get('mfa_token') ?? '');
    if (!pending || pending.expiresAt <= Date.now()) {
      return oauthError(res, 400, 'invalid_grant', 'The MFA token is invalid or has expired');
    }
    if (form.get('otp') !== C.mfaOtp) return oauthError(res, 400, 'invalid_grant', 'Invalid one-time password');
    st.mfaTokens.delete(form.get('mfa_token'));
    return send(res, 200, issue(ctx, pending.seconds, { user: pending.user, kind: 'user', clientId }));
  }
  if (grant === 'refresh_token') {
    const refresh = form.get('refresh_token') ?? '';
    const entry = st.refreshTokens.get(refresh);
    if (!entry) return oauthError(res, 400, 'invalid_grant', 'The refresh token is invalid');
    st.refreshTokens.delete(refresh); // a refresh token works once
    const { seconds, ...session } = entry;
    return send(res, 200, issue(ctx, seconds, session));
  }
  if (grant === 'client_credentials') {
    const client = findClient(st, clientId, clientSecret);
    if (!client) return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
    const seconds = lifetimeFor(ctx, form);
    if (seconds === null) return undefined;
    const scope = form.get('scope') || '';
    const m = /^customer=(.+)$/.exec(scope);
    if (m) {
      const customer = st.customers.find((c) => c.username === m[1] && c.product_id === client.product_id);
      if (!customer) return oauthError(res, 400, 'invalid_grant', 'Customer not found');
      return send(res, 200, issue(ctx, seconds, { kind: 'customer', customer: customer.username, product: client.product_id, clientId }));
    }
    if (scope) return oauthError(res, 400, 'invalid_scope', 'The requested scope is invalid');
    return send(res, 200, issue(ctx, seconds, { kind: 'product', product: client.product_id, clientId }, false));
  }
  return oauthError(res, 400, 'unsupported_grant_type', 'The authorization grant type is not supported');
}

function bearerToken(req) {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization || '');
  return m ? m[1] : null;
}

function deleteCurrentToken(ctx) {
  ctx.sim.tokens.delete(bearerToken(ctx.req));
  send(ctx.res, 200, { ok: true });
}

function deleteAllTokens(ctx) {
  const { user } = ctx.session;
  for (const [t, s] of ctx.sim.tokens) if (s.vendor === 'particle' && (s.user === user || t === bearerToken(ctx.req))) ctx.sim.tokens.delete(t);
  for (const [t, s] of ctx.sim.particleStore.refreshTokens) if (s.user === user) ctx.sim.particleStore.refreshTokens.delete(t);
  send(ctx.res, 200, { ok: true });
}

function deleteToken(ctx, p) {
  const session = ctx.sim.tokens.get(p.token);
  if (!session || session.vendor !== 'particle') return fail(ctx.res, 404, 'Token not found');
  ctx.sim.tokens.delete(p.token);
  send(ctx.res, 200, { ok: true });
}

function createCustomer(ctx, p) {
  const { res, req } = ctx;
  const st = ctx.sim.particleStore;
  const form = bodyOf(ctx) ?? {};
  const basic = basicAuth(req);
  const client = findClient(st, basic?.user || form.client_id, basic?.pass || form.client_secret);
  if (!client || client.product_id !== p.productRecord.id) {
    return oauthError(res, 401, 'invalid_client', 'Client authentication failed');
  }
  const email = form.email;
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) return oauthError(res, 400, 'invalid_request', 'email is required');
  if (!form.password && String(form.no_password) !== 'true') {
    return oauthError(res, 400, 'invalid_request', 'password or no_password=true is required');
  }
  if (st.customers.some((c) => c.username === email && c.product_id === client.product_id)) {
    return oauthError(res, 400, 'customer_exists', 'Customer already exists');
  }
  st.customers.push({ id: randomHex(12), username: email, product_id: client.product_id });
  const seconds = ctx.sim.lifetime('particle');
  send(res, 200, issue(ctx, seconds, { kind: 'customer', customer: email, product: client.product_id, clientId: client.id }));
}

// ---------------------------------------------------------------------------------------------------------
// Devices

function deviceNotFound(ctx) {
  return fail(ctx.res, 403, 'Permission Denied', {
    info: "I didn't recognize that device name or ID, try opening "
      + `${ctx.origin}/particle/v1/devices?access_token=<access_token>`,
  });
}

/** The device addressed by id or name, in the product (product scope) or the account; answers 403 otherwise. */
function findDevice(ctx, p) {
  const idOrName = p.device;
  const st = ctx.sim.particleStore;
  let list;
  if (p.product) list = st.productDevices.filter((d) => d.product_id === p.productRecord.id);
  else if (p.org) {
    const products = st.products.filter((x) => x.org === p.org).map((x) => x.id);
    list = st.productDevices.filter((d) => products.includes(d.product_id));
  } else list = accountDevices(ctx.sim);
  const device = list.find((d) => d.id === idOrName.toLowerCase() || d.name === idOrName);
  if (!device) deviceNotFound(ctx);
  return device;
}

const showDevice = (ctx, p, d) => (p.product || p.org ? showProductDevice(ctx.sim, d, Date.now())
  : data.particle.device(d, Date.now(), ctx.sim.startedAt));

function listDevices(ctx, p) {
  if (!p.product) return send(ctx.res, 200, accountDeviceList(ctx.sim, Date.now()));
  const q = ctx.query;
  const st = ctx.sim.particleStore;
  let list = st.productDevices.filter((d) => d.product_id === p.productRecord.id);
  const deviceId = q.get('deviceId');
  if (deviceId) list = list.filter((d) => d.id.includes(deviceId.toLowerCase()));
  const deviceName = q.get('deviceName');
  if (deviceName) list = list.filter((d) => d.name.toLowerCase().includes(deviceName.toLowerCase()));
  const groups = (q.get('groups') || '').split(',').filter(Boolean);
  if (groups.length) list = list.filter((d) => d.groups.some((g) => groups.includes(g)));
  const sortAttr = q.get('sortAttr');
  if (sortAttr) {
    const field = own({ deviceId: 'id', id: 'id', deviceName: 'name', name: 'name', firmwareVersion: 'firmware_version', lastConnection: 'last_heard' }, sortAttr);
    if (!field) return fail(ctx.res, 400, `sortAttr must be one of deviceId, deviceName, firmwareVersion, lastConnection`);
    const sign = q.get('sortDir') === 'desc' ? -1 : 1;
    list = [...list].sort((a, b) => sign * String(a[field] ?? '').localeCompare(String(b[field] ?? '')));
  }
  const page = Number(q.get('page') ?? 1);
  const perPage = Number(q.get('per_page') ?? q.get('perPage') ?? 25);
  if (!Number.isInteger(page) || page < 1) return fail(ctx.res, 400, 'page must be a positive integer');
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) return fail(ctx.res, 400, 'per_page must be from 1 to 100');
  const now = Date.now();
  const shown = list.slice((page - 1) * perPage, page * perPage).map((d) => showProductDevice(ctx.sim, d, now));
  const owners = new Set(shown.map((d) => d.owner).filter(Boolean));
  const customers = st.customers.filter((c) => owners.has(c.username)).map((c) => ({ id: c.id, username: c.username }));
  send(ctx.res, 200, { devices: shown, customers, meta: { total_pages: Math.max(1, Math.ceil(list.length / perPage)) } });
}

function getDevice(ctx, p) {
  const d = findDevice(ctx, p);
  if (d) send(ctx.res, 200, showDevice(ctx, p, d));
}

function editDevice(ctx, p, d, patch) {
  const st = ctx.sim.particleStore;
  if (p.product || p.org) Object.assign(d, patch);
  else st.edits.set(d.id, { ...st.edits.get(d.id), ...patch });
  touch(st);
}

function updateDevice(ctx, p) {
  if (mediaType(ctx.req) === 'multipart/form-data') return flashDevice(ctx, p);
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const d = findDevice(ctx, p);
  if (!d) return undefined;
  const now = iso(Date.now());
  if (body.name !== undefined && body.name !== null) {
    const name = String(body.name);
    if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) return fail(ctx.res, 400, 'Invalid device name');
    editDevice(ctx, p, d, { name });
    return send(ctx.res, 200, { id: d.id, name, updated_at: now });
  }
  if (body.notes !== undefined && body.notes !== null) {
    editDevice(ctx, p, d, { notes: String(body.notes) });
    return send(ctx.res, 200, { id: d.id, notes: String(body.notes), updated_at: now });
  }
  if (body.signal !== undefined && body.signal !== null) {
    if (!d.online) return fail(ctx.res, 408, 'timed out');
    const signaling = body.signal === '1' || body.signal === 1 || body.signal === true;
    return send(ctx.res, 200, { id: d.id, connected: true, signaling, updated_at: now });
  }
  if (p.product && (body.development !== undefined || body.desired_firmware_version !== undefined || body.flash !== undefined)) {
    const patch = {};
    if (body.development !== undefined) patch.development = Boolean(body.development);
    if (body.desired_firmware_version !== undefined) patch.desired_firmware_version = body.desired_firmware_version;
    editDevice(ctx, p, d, patch);
    return send(ctx.res, 200, { id: d.id, ...patch, updated_at: now });
  }
  if (body.build_target_version !== undefined || body.latest !== undefined) return flashDevice(ctx, p);
  return fail(ctx.res, 400, 'Nothing to update');
}

function flashDevice(ctx, p) {
  const d = findDevice(ctx, p);
  if (!d) return undefined;
  if (!d.online) return fail(ctx.res, 408, 'timed out');
  send(ctx.res, 200, { id: d.id, status: 'Update started' });
}

function ping(ctx, p) {
  const d = findDevice(ctx, p);
  if (d) send(ctx.res, 200, { online: d.online, ok: true });
}

function claimDevice(ctx) {
  const st = ctx.sim.particleStore;
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  if (body.product_id !== undefined && body.id === undefined) {
    const id = randomHex(12);
    return send(ctx.res, 200, { ok: true, id, product_id: Number(body.product_id) });
  }
  const id = String(body.id ?? '').toLowerCase();
  if (!id) return fail(ctx.res, 400, 'id is required');
  if (accountDevices(ctx.sim).some((d) => d.id === id)) return send(ctx.res, 200, { ok: true, user_id: 'sim-user', id, connected: true });
  const base = ctx.sim.particleDevices().find((d) => d.id === id);
  if (base && st.removed.has(id)) {
    st.removed.delete(id);
  } else if (id === data.particle.unclaimed.id && !st.claimed.some((d) => d.id === id)) {
    st.claimed.push({ ...data.particle.unclaimed });
  } else {
    return fail(ctx.res, 403, 'That belongs to someone else.');
  }
  touch(st);
  send(ctx.res, 200, { ok: true, user_id: 'sim-user', id, connected: true });
}

function removeDevice(ctx, p) {
  const st = ctx.sim.particleStore;
  const d = findDevice(ctx, p);
  if (!d) return undefined;
  if (p.product || p.org) {
    st.productDevices = st.productDevices.filter((x) => x !== d);
  } else {
    const i = st.claimed.findIndex((x) => x.id === d.id);
    if (i >= 0) st.claimed.splice(i, 1);
    else st.removed.add(d.id);
    st.edits.delete(d.id);
    touch(st);
  }
  send(ctx.res, 200, { ok: true });
}

function removeOwner(ctx, p) {
  const d = findDevice(ctx, p);
  if (!d) return undefined;
  d.owner = null;
  send(ctx.res, 200, { ok: true });
}

function importDevices(ctx, p) {
  const st = ctx.sim.particleStore;
  let ids;
  if (ctx.multipart) {
    const text = ctx.multipartFields?.file ?? '';
    ids = text.split(/[\s,]+/).filter(Boolean);
  } else {
    const body = bodyOf(ctx);
    if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
    ids = body.ids ?? (body.id ? [body.id] : []);
  }
  if (!Array.isArray(ids) || !ids.length) return fail(ctx.res, 400, 'id, ids or a file is required');
  const out = { updated: 0, updatedDeviceIds: [], existingDeviceIds: [], nonmemberDeviceIds: [], invalidDeviceIds: [] };
  for (const raw of ids) {
    const id = String(raw).toLowerCase();
    if (!/^[0-9a-f]{24}$/.test(id)) { out.invalidDeviceIds.push(String(raw)); continue; }
    if (st.productDevices.some((d) => d.id === id && d.product_id === p.productRecord.id)) { out.existingDeviceIds.push(id); continue; }
    const n = st.productDevices.length + 1;
    st.productDevices.push({
      ...data.particle.productDevices[0], id, name: `imported-${id.slice(-6)}`, serial_number: `B40IMPORT${n}`,
      iccid: `89014103279${String(n).padStart(9, '0')}`, groups: [], owner: null, product_id: p.productRecord.id,
      online: false, last_heard: null,
    });
    out.updated++;
    out.updatedDeviceIds.push(id);
  }
  send(ctx.res, 200, out);
}

function getVariable(ctx, p) {
  const device = findDevice(ctx, p);
  if (!device) return undefined;
  if (!device.online) return fail(ctx.res, 408, 'timed out');
  const { name } = p;
  const now = Date.now();
  const result = variableNow(ctx.sim, device, name, now);
  if (result === undefined) return fail(ctx.res, 404, `Unknown Variable: ${name}`);
  if (ctx.query.get('format') === 'raw') return send(ctx.res, 200, String(result), TEXT_TYPE);
  const shown = data.particle.device(device, now, ctx.sim.startedAt);
  send(ctx.res, 200, {
    cmd: 'VarReturn',
    name,
    result,
    coreInfo: {
      last_app: '',
      last_heard: shown.last_heard,
      connected: true,
      last_handshake_at: shown.last_handshake_at,
      deviceID: device.id,
      product_id: device.product_id,
    },
  });
}

const FUNCTIONS = {
  led: (arg) => (arg === 'on' || arg === 'off' ? 1 : -1),
  setColor: (arg) => (/^\d{1,3},\d{1,3},\d{1,3}$/.test(arg) ? 1 : 0),
};

// ---- What function calls change (live data, see live.js): a successful `led` or `setColor` call sets the
// device's `status` variable ("led on", "color 255,0,0"); with live events on, the device also publishes it.

/** The `status` a successful function call leaves, or undefined when the call changes nothing. */
function functionEffect(name, arg, returnValue) {
  if (returnValue !== 1) return undefined;
  if (name === 'led') return `led ${arg}`;
  if (name === 'setColor') return `color ${arg}`;
  return undefined;
}

/** A variable's value now: what a function call set, else the fixture's (drifting) reading. */
function variableNow(sim, device, name, now) {
  const set = sim.particleStore.variables.get(device.id);
  if (set && Object.hasOwn(set, name) && Object.hasOwn(device.variables, name)) return set[name];
  return data.particle.variable(device, name, now);
}

function applyFunction(ctx, p, device, name, arg, returnValue) {
  const status = functionEffect(name, arg, returnValue);
  if (status === undefined || !Object.hasOwn(device.variables, 'status')) return;
  const st = ctx.sim.particleStore;
  st.variables.set(device.id, { ...st.variables.get(device.id), status });
  if (!ctx.sim.live?.settings.particleEvents) return;
  const product = p.product || p.org ? device.product_id : null;
  emitEvent(ctx.sim, { name: 'status', data: status, ttl: 60, coreid: device.id, product, user: product === null, private: true });
}
// ---- end of what function calls change

function callFunction(ctx, p) {
  const device = findDevice(ctx, p);
  if (!device) return undefined;
  if (!device.online) return fail(ctx.res, 408, 'timed out');
  const { name } = p;
  if (!device.functions.includes(name)) return fail(ctx.res, 404, `Function ${name} not found`);
  const body = bodyOf(ctx);
  if (!body) return oauthError(ctx.res, 400, 'invalid_request', 'Malformed JSON body');
  // `arg` in the docs; particle-api-js sends `args`.
  const arg = body.arg ?? body.args;
  const returnValue = FUNCTIONS[name](arg == null ? '' : String(arg));
  applyFunction(ctx, p, device, name, arg == null ? '' : String(arg), returnValue);
  send(ctx.res, 200, { id: device.id, name: device.name, connected: true, return_value: returnValue });
}

// ---------------------------------------------------------------------------------------------------------
// Events: publishing, history and streams

function publish(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const name = body.name;
  if (typeof name !== 'string' || !name || name.length > 64) return fail(ctx.res, 400, 'Event name is required (1 to 64 characters)');
  if (body.data !== undefined && body.data !== null && String(body.data).length > 1024) {
    return fail(ctx.res, 400, 'Event data is limited to 1024 bytes');
  }
  const ttl = body.ttl === undefined ? 60 : Number(body.ttl);
  emitEvent(ctx.sim, {
    name, data: body.data === undefined || body.data === null ? null : String(body.data), ttl,
    coreid: 'api', product: p.product ? p.productRecord.id : null, user: !p.product,
    private: body.private === undefined ? true : body.private !== false && body.private !== 'false',
  });
  send(ctx.res, 200, { ok: true });
}

/** Records an event in the bounded history and writes it to every open stream it matches. */
function emitEvent(sim, event) {
  const st = sim.particleStore;
  const full = { ...event, id: st.nextEventId++, published_at: event.published_at || iso(Date.now()) };
  st.events.push(full);
  const limit = sim.config.particleStream.history;
  if (st.events.length > limit) st.events.splice(0, st.events.length - limit);
  st.streamStats.published++;
  for (const stream of st.streams) if (matches(stream.filter, full)) stream.push(full);
  return full;
}

/**
 * An event published by a device (control API `POST /__sim/particle-events`): `{name, data?, ttl?, deviceId}`
 * with an account or product device's id or name. Returns `{id}` or `{error}`.
 */
function deviceEvent(sim, input) {
  if (typeof input !== 'object' || input === null) return { error: 'expected a JSON object' };
  const { name, data: value = null, ttl = 60, deviceId } = input;
  if (typeof name !== 'string' || !name || name.length > 64) return { error: 'name must be a string of 1 to 64 characters' };
  if (value !== null && typeof value !== 'string') return { error: 'data must be a string or null' };
  if (!Number.isInteger(ttl) || ttl < 0) return { error: 'ttl must be a whole number of seconds' };
  if (typeof deviceId !== 'string') return { error: 'deviceId must be a device id or name' };
  const st = sim.particleStore;
  const own2 = accountDevices(sim).find((d) => d.id === deviceId.toLowerCase() || d.name === deviceId);
  const fleet = st.productDevices.find((d) => d.id === deviceId.toLowerCase() || d.name === deviceId);
  const d = own2 || fleet;
  if (!d) return { error: `unknown device ${deviceId}` };
  const e = emitEvent(sim, { name, data: value, ttl, coreid: d.id, product: own2 ? null : d.product_id, user: Boolean(own2), private: true });
  return { id: e.id };
}

function matches(filter, e) {
  if (filter.prefix && !e.name.startsWith(filter.prefix)) return false;
  if (filter.device && e.coreid !== filter.device) return false;
  if (filter.product !== undefined) return e.product === filter.product;
  if (filter.org) return e.product !== null && filter.orgProducts.includes(e.product);
  return e.user === true;
}

function frame(e, opts) {
  const payload = { data: e.data, ttl: e.ttl, published_at: e.published_at, coreid: e.coreid };
  const lines = [];
  if (opts.comments) lines.push(': event follows');
  lines.push(`id: ${e.id}`, `event: ${e.name}`);
  if (opts.multilineData) for (const l of JSON.stringify(payload, null, 1).split('\n')) lines.push(`data: ${l}`);
  else lines.push(`data: ${JSON.stringify(payload)}`);
  const eol = opts.crlf ? '\r\n' : '\n';
  return lines.join(eol) + eol + eol;
}

const STREAM_FAULT_KEYS = ['match', 'times', 'status', 'retryAfter', 'closeAfter', 'split', 'chunkSize', 'crlf',
  'comments', 'multilineData', 'silentMs', 'burst', 'withHeaders'];

function validateStreamFault(f) {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return 'expected a JSON object';
  for (const key of Object.keys(f)) if (!STREAM_FAULT_KEYS.includes(key)) return `unknown stream fault setting ${key}`;
  const count = (v, max) => Number.isInteger(v) && v >= 0 && v <= max;
  if (f.match !== undefined && typeof f.match !== 'string') return 'match must be a string';
  if (f.times !== undefined && !(Number.isInteger(f.times) && f.times > 0)) return 'times must be a positive integer';
  if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 400 && f.status <= 599)) return 'status must be from 400 to 599';
  if (f.retryAfter !== undefined && !count(f.retryAfter, 86400)) return 'retryAfter must be a number of seconds';
  if (f.closeAfter !== undefined && !count(f.closeAfter, 1e6)) return 'closeAfter must be a whole number of events';
  if (f.split !== undefined && !(Array.isArray(f.split) && f.split.length <= 10000 && f.split.every((n) => count(n, 1e8)))) {
    return 'split must be an array of byte offsets';
  }
  if (f.chunkSize !== undefined && !(Number.isInteger(f.chunkSize) && f.chunkSize >= 1 && f.chunkSize <= 65536)) return 'chunkSize must be from 1 to 65536';
  for (const key of ['crlf', 'comments', 'multilineData', 'withHeaders']) {
    if (f[key] !== undefined && typeof f[key] !== 'boolean') return `${key} must be a boolean`;
  }
  if (f.silentMs !== undefined && !count(f.silentMs, 3_600_000)) return 'silentMs must be a number of milliseconds';
  if (f.burst !== undefined && !count(f.burst, 10000)) return 'burst must be from 0 to 10000';
  return null;
}

function takeStreamFault(st, pathname) {
  const i = st.streamFaults.findIndex((f) => !f.match || pathname.includes(f.match));
  if (i < 0) return {};
  const fault = st.streamFaults[i];
  if (--fault.remaining <= 0) st.streamFaults.splice(i, 1);
  return fault;
}

function openStream(ctx, p) {
  const { sim, req, res } = ctx;
  const st = sim.particleStore;
  const fault = takeStreamFault(st, ctx.url.pathname);
  if (fault.status) {
    st.streamStats.refused++;
    const headers = fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
    const description = { 401: 'The access token provided is invalid.', 403: 'Permission Denied', 429: 'Too many requests', 500: 'Internal server error' }[fault.status] || 'Error';
    return send(res, fault.status, { ok: false, error: description, error_description: description }, JSON_TYPE, headers);
  }
  let device = null;
  if (p.device && p.device.toLowerCase() !== 'mine') {
    const d = findDevice(ctx, p);
    if (!d) return undefined;
    device = d.id;
  }
  const filter = { prefix: p.name || '', device };
  if (p.product) filter.product = p.productRecord.id;
  else if (p.org) {
    filter.org = p.org;
    filter.orgProducts = st.products.filter((x) => x.org === p.org).map((x) => x.id);
  }
  const cfg = sim.config.particleStream;
  const opts = { crlf: Boolean(fault.crlf), comments: Boolean(fault.comments), multilineData: Boolean(fault.multilineData) };
  const eol = opts.crlf ? '\r\n' : '\n';
  const splits = [...(fault.split || [])].sort((a, b) => a - b);
  let offset = 0; // bytes written so far (body)
  let sent = 0;
  let closed = false;
  let silentUntil = fault.silentMs ? Date.now() + fault.silentMs : 0;

  /** Writes bytes, cut at the fault's split offsets / chunk size: each piece is its own HTTP chunk. */
  const write = (text) => {
    if (closed) return;
    let buf = Buffer.from(text, 'utf8');
    const pieces = [];
    while (buf.length) {
      let cut = buf.length;
      if (fault.chunkSize) cut = Math.min(cut, fault.chunkSize - (offset % fault.chunkSize));
      while (splits.length && splits[0] <= offset) splits.shift();
      if (splits.length && splits[0] < offset + cut) cut = splits[0] - offset;
      pieces.push(buf.subarray(0, cut));
      buf = buf.subarray(cut);
      offset += cut;
    }
    for (const piece of pieces) res.write(piece);
  };
  let started = false;
  const early = []; // events published between the headers and the opening lines
  const stream = {
    filter,
    push(e) {
      if (closed) return;
      if (!started) { early.push(e); return; }
      write(frame(e, opts));
      sent++;
      st.streamStats.eventsSent++;
      if (fault.closeAfter !== undefined && sent >= fault.closeAfter) stream.close();
    },
    close() {
      if (closed) return;
      closed = true;
      res.end();
    },
  };

  st.streamStats.opens++;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no',
  });
  res.socket?.setNoDelay(true);
  // Without withHeaders the headers go out alone; with it they share the first write with the opening lines
  // and the first events (replayed, burst).
  if (!fault.withHeaders) res.flushHeaders();
  st.streams.add(stream);
  st.streamStats.open++;
  const timer = setInterval(() => {
    if (Date.now() < silentUntil) return;
    silentUntil = 0;
    write(eol);
  }, cfg.keepAliveMs);
  res.on('close', () => {
    closed = true;
    clearInterval(timer);
    if (st.streams.delete(stream)) st.streamStats.open--;
  });

  let opening = `:ok${eol}retry: ${cfg.retryMs}${eol}${eol}`;
  const lastId = Number(req.headers['last-event-id']);
  const backlog = [];
  if (req.headers['last-event-id'] !== undefined && Number.isInteger(lastId)) {
    for (const e of st.events) if (e.id > lastId && matches(filter, e)) backlog.push(e);
  }
  // Burst events are recorded like published ones (so ids stay unique and a reconnect can replay them) but
  // only this stream receives them now.
  for (let i = 0; i < (fault.burst || 0); i++) {
    const coreid = device || (filter.product !== undefined ? IDS.particle.productDevices[0] : IDS.particle.online);
    st.streams.delete(stream);
    backlog.push(emitEvent(sim, { name: `${filter.prefix}burst`, data: String(i), ttl: 60, coreid, product: filter.product ?? (filter.org ? filter.orgProducts[0] : null), user: filter.product === undefined && !filter.org }));
    st.streams.add(stream);
  }
  const closeAt = fault.closeAfter;
  for (const e of backlog) {
    if (closeAt !== undefined && sent >= closeAt) break;
    opening += frame(e, opts);
    sent++;
    st.streamStats.eventsSent++;
  }
  const start = () => {
    started = true;
    write(opening);
    if (closeAt !== undefined && sent >= closeAt) stream.close();
    for (const e of early) stream.push(e);
  };
  // Normally the headers go out on their own first; withHeaders puts them in the same write as the opening.
  if (fault.withHeaders) start();
  else setImmediate(start);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Generic collections (webhooks, integrations, OAuth clients, …)

const scopedOf = (list, p) => list.filter((x) => x.scope === scopeKey(p));

function listWebhooks(ctx, p) {
  send(ctx.res, 200, scopedOf(ctx.sim.particleStore.webhooks, p).map(({ scope, ...h }) => h));
}

function createWebhook(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  if (!body.event || !body.url) return fail(ctx.res, 400, 'event and url are required');
  const hook = {
    id: randomHex(12), event: body.event, url: body.url, requestType: body.requestType || 'POST',
    deviceID: body.deviceId ?? null, rejectUnauthorized: body.rejectUnauthorized ?? true, noDefaults: body.noDefaults ?? false,
    created_at: iso(Date.now()), scope: scopeKey(p),
  };
  for (const k of ['auth', 'headers', 'query', 'json', 'form', 'body', 'responseTemplate', 'responseTopic', 'errorResponseTopic']) {
    if (body[k] !== undefined) hook[k] = body[k];
  }
  ctx.sim.particleStore.webhooks.push(hook);
  send(ctx.res, 200, { ok: true, id: hook.id, url: hook.url, event: hook.event, created_at: hook.created_at });
}

function removeFrom(ctx, listName, p, id, notFound) {
  const st = ctx.sim.particleStore;
  const i = st[listName].findIndex((x) => x.id === id && x.scope === scopeKey(p));
  if (i < 0) return fail(ctx.res, 404, notFound);
  st[listName].splice(i, 1);
  return send(ctx.res, 204);
}

function integrationBody(ctx) {
  const body = bodyOf(ctx);
  if (!body) return null;
  return body;
}

function createIntegration(ctx, p) {
  const body = integrationBody(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  if (!body.event) return fail(ctx.res, 400, 'event is required');
  const item = { id: randomHex(12), integration_type: body.integration_type || 'Webhook', created_at: iso(Date.now()), ...body, scope: scopeKey(p) };
  ctx.sim.particleStore.integrations.push(item);
  const { scope, ...shown } = item;
  send(ctx.res, 201, shown);
}

function editIntegration(ctx, p) {
  const body = integrationBody(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const item = ctx.sim.particleStore.integrations.find((x) => x.id === p.id && x.scope === scopeKey(p));
  if (!item) return fail(ctx.res, 404, 'Integration not found');
  for (const [k, v] of Object.entries(body)) if (v !== undefined && k !== 'id' && k !== 'scope') item[k] = v;
  const { scope, ...shown } = item;
  send(ctx.res, 200, shown);
}

function listIntegrations(ctx, p) {
  send(ctx.res, 200, scopedOf(ctx.sim.particleStore.integrations, p).map(({ scope, ...x }) => x));
}

const showClient = ({ secret, ...c }) => c;

function listClients(ctx, p) {
  const st = ctx.sim.particleStore;
  const list = st.clients.filter((c) => (p.product ? c.product_id === p.productRecord.id : c.product_id === null));
  send(ctx.res, 200, { ok: true, clients: list.map(showClient) });
}

function createClient(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  if (!body.name || !['web', 'installed'].includes(body.type)) return fail(ctx.res, 400, 'name and type (web or installed) are required');
  if (body.type === 'web' && !body.redirect_uri) return fail(ctx.res, 400, 'redirect_uri is required for web clients');
  const client = {
    id: `${String(body.name).toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 40)}-${randomHex(4)}`,
    secret: randomHex(20), name: body.name, type: body.type, redirect_uri: body.redirect_uri ?? null,
    scope: body.scope ?? null, product_id: p.product ? p.productRecord.id : null,
  };
  ctx.sim.particleStore.clients.push(client);
  send(ctx.res, 200, { ok: true, client: { ...showClient(client), secret: client.secret } });
}

function findClientIn(ctx, p) {
  const c = ctx.sim.particleStore.clients.find((x) => x.id === p.id && x.product_id === (p.product ? p.productRecord.id : null));
  if (!c) fail(ctx.res, 404, 'Client not found');
  return c;
}

function updateClient(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const c = findClientIn(ctx, p);
  if (!c) return undefined;
  if (body.name !== undefined && body.name !== null) c.name = body.name;
  if (body.scope !== undefined) c.scope = body.scope;
  send(ctx.res, 200, { ok: true, client: showClient(c) });
}

function deleteClient(ctx, p) {
  const c = findClientIn(ctx, p);
  if (!c) return undefined;
  const st = ctx.sim.particleStore;
  st.clients.splice(st.clients.indexOf(c), 1);
  send(ctx.res, 204);
}

// ---------------------------------------------------------------------------------------------------------
// Products, organizations, teams, customers

const showProduct = (x) => ({ ...x, groups: undefined, settings: undefined });

function listProducts(ctx) {
  send(ctx.res, 200, { products: ctx.sim.particleStore.products.map(showProduct) });
}

function getProduct(ctx, p) {
  send(ctx.res, 200, { product: showProduct(p.productRecord) });
}

function listOrgs(ctx) {
  send(ctx.res, 200, { organizations: ctx.sim.particleStore.orgs });
}

function getOrg(ctx, p) {
  send(ctx.res, 200, { organization: ctx.sim.particleStore.orgs.find((o) => o.slug === p.org) });
}

function orgProducts(ctx, p) {
  send(ctx.res, 200, { products: ctx.sim.particleStore.products.filter((x) => x.org === p.org).map(showProduct) });
}

const teamKey = (p) => (p.product ? `product:${p.productRecord.id}` : `org:${p.org}`);

function listTeam(ctx, p) {
  send(ctx.res, 200, { ok: true, team: ctx.sim.particleStore.teams[teamKey(p)] });
}

function addTeamMember(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const team = ctx.sim.particleStore.teams[teamKey(p)];
  if (body.friendly_name !== undefined) {
    // An API user: a programmatic member with a token carrying the scopes.
    if (!Array.isArray(body.scopes) || !body.scopes.every((s) => typeof s === 'string')) {
      return fail(ctx.res, 400, 'scopes must be an array of strings');
    }
    const slug = p.product ? p.productRecord.slug : p.org;
    const username = `${slug}+${String(body.friendly_name).toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomHex(3)}@api.particle.io`;
    const apiToken = ctx.sim.issueOpaque('particle', Infinity, { kind: 'api_user', user: username, scopes: body.scopes });
    const member = { username, friendly_name: body.friendly_name, is_programmatic: true, scopes: body.scopes, tokens: [{ token: apiToken }] };
    team.push(member);
    return send(ctx.res, 200, { ok: true, created: member });
  }
  if (typeof body.username !== 'string' || !body.username.includes('@')) return fail(ctx.res, 400, 'username is required');
  if (team.some((m) => m.username === body.username)) return fail(ctx.res, 400, 'Already a team member');
  const member = { username: body.username, role: { name: 'Support' }, invited: true };
  team.push(member);
  send(ctx.res, 200, { ok: true, invited: member });
}

function findMember(ctx, p) {
  const m = ctx.sim.particleStore.teams[teamKey(p)].find((x) => x.username === p.user);
  if (!m) fail(ctx.res, 404, 'Team member not found');
  return m;
}

function updateTeamMember(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const m = findMember(ctx, p);
  if (!m) return undefined;
  if (body.friendly_name !== undefined) m.friendly_name = body.friendly_name;
  if (body.scopes !== undefined) {
    if (!Array.isArray(body.scopes)) return fail(ctx.res, 400, 'scopes must be an array of strings');
    m.scopes = body.scopes;
    for (const t of m.tokens || []) { const s = ctx.sim.tokens.get(t.token); if (s) s.scopes = body.scopes; }
  }
  send(ctx.res, 200, { ok: true, updated: m });
}

function removeTeamMember(ctx, p) {
  const m = findMember(ctx, p);
  if (!m) return undefined;
  const team = ctx.sim.particleStore.teams[teamKey(p)];
  team.splice(team.indexOf(m), 1);
  for (const t of m.tokens || []) ctx.sim.tokens.delete(t.token);
  send(ctx.res, 204);
}

function listCustomers(ctx, p) {
  const q = ctx.query;
  const all = ctx.sim.particleStore.customers.filter((c) => c.product_id === p.productRecord.id);
  const page = Math.max(1, Number(q.get('page')) || 1);
  const perPage = Math.min(100, Math.max(1, Number(q.get('perPage') ?? q.get('per_page')) || 25));
  const devices = ctx.sim.particleStore.productDevices;
  const customers = all.slice((page - 1) * perPage, page * perPage).map((c) => ({
    id: c.id, username: c.username, devices: devices.filter((d) => d.owner === c.username).map((d) => d.id),
  }));
  send(ctx.res, 200, { customers, meta: { total_pages: Math.max(1, Math.ceil(all.length / perPage)) } });
}

function deleteCustomer(ctx, p) {
  const st = ctx.sim.particleStore;
  const i = st.customers.findIndex((c) => c.username === p.user && c.product_id === p.productRecord.id);
  if (i < 0) return fail(ctx.res, 404, 'Customer not found');
  st.customers.splice(i, 1);
  send(ctx.res, 200, { ok: true });
}

function claimCode(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const code = crypto.randomBytes(48).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 63);
  const devices = p.product ? ctx.sim.particleStore.productDevices : accountDevices(ctx.sim);
  const ids = body.iccid || body.imei
    ? devices.filter((d) => (body.iccid && d.iccid === body.iccid) || (body.imei && d.imei === body.imei)).map((d) => d.id) : [];
  send(ctx.res, 200, { claim_code: code, device_ids: ids });
}

// ---------------------------------------------------------------------------------------------------------
// SIM cards

function simScope(ctx, p) {
  const st = ctx.sim.particleStore;
  return st.sims.filter((s) => (p.product ? s.product_id === p.productRecord.id : s.product_id === null));
}

function listSims(ctx, p) {
  let list = simScope(ctx, p);
  if (!p.product) return send(ctx.res, 200, { sims: list });
  const q = ctx.query;
  if (q.get('iccid')) list = list.filter((s) => s.iccid.includes(q.get('iccid')));
  if (q.get('deviceId')) list = list.filter((s) => (s.device_id || '').includes(q.get('deviceId')));
  if (q.get('deviceName')) list = list.filter((s) => (s.device_name || '').includes(q.get('deviceName')));
  const page = Math.max(1, Number(q.get('page')) || 1);
  const perPage = Math.min(100, Math.max(1, Number(q.get('per_page')) || 25));
  send(ctx.res, 200, { sims: list.slice((page - 1) * perPage, page * perPage), meta: { total_pages: Math.max(1, Math.ceil(list.length / perPage)) } });
}

function findSim(ctx, p) {
  const s = simScope(ctx, p).find((x) => x.iccid === p.iccid);
  if (!s) fail(ctx.res, 404, 'SIM card not found');
  return s;
}

function usageByDay(iccid) {
  const seed = Number(iccid.slice(-4)) || 1;
  let total = 0;
  return Array.from({ length: 7 }, (_, i) => {
    const mbs = Number((((seed + i * 7) % 13) / 10 + 0.1).toFixed(3));
    total = Number((total + mbs).toFixed(3));
    return { date: `2025-06-0${i + 1}`, mbs_used: mbs, mbs_used_cumulative: total };
  });
}

function simUsage(ctx, p) {
  const s = findSim(ctx, p);
  if (s) send(ctx.res, 200, { iccid: s.iccid, usage_by_day: usageByDay(s.iccid) });
}

function fleetUsage(ctx, p) {
  const sims = simScope(ctx, p);
  const days = sims.map((s) => usageByDay(s.iccid));
  const usage = days[0] ? days[0].map((d, i) => ({ date: d.date, mbs_used: Number(days.reduce((n, x) => n + x[i].mbs_used, 0).toFixed(3)) })) : [];
  const total = Number(usage.reduce((n, d) => n + d.mbs_used, 0).toFixed(3));
  send(ctx.res, 200, { total_mbs_used: total, total_active_sim_cards: sims.filter((s) => s.status === 'active').length, usage_by_day: usage });
}

function getSim(ctx, p) {
  const s = findSim(ctx, p);
  if (!s) return undefined;
  if (ctx.method === 'HEAD') return send(ctx.res, 204);
  send(ctx.res, 200, s);
}

function removeSim(ctx, p) {
  const s = findSim(ctx, p);
  if (!s) return undefined;
  const st = ctx.sim.particleStore;
  st.sims.splice(st.sims.indexOf(s), 1);
  send(ctx.res, 200, { ok: true });
}

function updateSim(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const s = findSim(ctx, p);
  if (!s) return undefined;
  if (body.action === 'activate' || body.action === 'reactivate') s.status = 'active';
  else if (body.action === 'deactivate') s.status = 'inactive';
  if (body.mb_limit !== undefined) s.mb_limit = body.mb_limit;
  send(ctx.res, 200, s);
}

// ---------------------------------------------------------------------------------------------------------
// Vitals (diagnostics)

function vital(d, at) {
  const t = at / 1000;
  return {
    updated_at: iso(at),
    deviceID: d.id,
    payload: {
      device: {
        network: { signal: { rssi: -60 - Math.round(10 * Math.abs(Math.sin(t / 600))), strength: 80, quality: 70 }, connection: { status: 'connected', attempts: 1, disconnects: 0 } },
        cloud: { connection: { status: 'connected', attempts: 1, disconnects: 0 }, publish: { rate_limited: 0 } },
        system: { uptime: Math.floor(t) % 86400, memory: { used: 60000, total: 160000 } },
        power: { battery: { charge: 87.5, state: 'charged' }, source: 'USB host' },
      },
      service: { device: { status: d.online ? 'ok' : 'unknown' }, cloud: { uptime: 3600, publish: { sent: 42 } } },
    },
  };
}

function vitalsLast(ctx, p) {
  const d = findDevice(ctx, p);
  if (d) send(ctx.res, 200, { diagnostics: vital(d, Date.now() - (Date.now() % 3600000)) });
}

function vitalsHistory(ctx, p) {
  const d = findDevice(ctx, p);
  if (!d) return undefined;
  const now = Date.now();
  const end = ctx.query.get('end_date') ? Date.parse(ctx.query.get('end_date')) : now;
  const start = ctx.query.get('start_date') ? Date.parse(ctx.query.get('start_date')) : end - 86400000;
  if (Number.isNaN(start) || Number.isNaN(end) || start > end) return fail(ctx.res, 400, 'start_date and end_date must be ISO 8601 dates, start before end');
  if (now - start > 31 * 86400000) return fail(ctx.res, 400, 'start_date must be within the last month');
  const hour = 3600000;
  const rows = [];
  for (let at = Math.ceil(start / hour) * hour; at <= end && rows.length < 744; at += hour) rows.push(vital(d, at));
  if (/text\/csv/.test(ctx.req.headers.accept || '')) {
    const head = 'updated_at,deviceID,rssi,signal_strength,battery_charge,uptime,memory_used';
    const lines = rows.map((r) => [r.updated_at, r.deviceID, r.payload.device.network.signal.rssi, r.payload.device.network.signal.strength,
      r.payload.device.power.battery.charge, r.payload.device.system.uptime, r.payload.device.system.memory.used].join(','));
    return send(ctx.res, 200, `${[head, ...lines].join('\n')}\n`, 'text/csv; charset=utf-8');
  }
  send(ctx.res, 200, { diagnostics: rows });
}

function vitalsRefresh(ctx, p) {
  const d = findDevice(ctx, p);
  if (!d) return undefined;
  if (!d.online) return fail(ctx.res, 408, 'timed out');
  send(ctx.res, 202, { ok: true });
}

// ---------------------------------------------------------------------------------------------------------
// Service agreements and usage reports

function agreements(ctx) {
  send(ctx.res, 200, { data: ctx.sim.particleStore.agreements });
}

function createReport(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const st = ctx.sim.particleStore;
  if (!st.agreements.some((a) => String(a.id) === p.id)) return fail(ctx.res, 404, 'Service agreement not found');
  if (!['devices', 'products'].includes(body.report_type)) return fail(ctx.res, 400, 'report_type must be devices or products');
  const id = String(9000 + st.reports.size + 1);
  const report = {
    id, type: 'usage_report',
    attributes: {
      state: 'pending', service_agreement_id: Number(p.id), report_type: body.report_type,
      date_period_start: body.date_period_start ?? null, date_period_end: body.date_period_end ?? null,
      created_at: iso(Date.now()), download_url: null, report_params: { devices: body.devices ?? [], products: body.products ?? [] },
    },
  };
  st.reports.set(id, report);
  send(ctx.res, 201, { data: report });
}

function getReport(ctx, p) {
  const report = ctx.sim.particleStore.reports.get(p.id);
  if (!report) return fail(ctx.res, 404, 'Usage report not found');
  // A report is ready by the time it is asked for again.
  report.attributes.state = 'available';
  report.attributes.download_url = `${ctx.origin}/particle/v1/usage_reports/${report.id}/download.csv`;
  send(ctx.res, 200, { data: report });
}

// ---------------------------------------------------------------------------------------------------------
// Firmware, binaries, libraries, build targets, Device OS

function compile(ctx) {
  if (!ctx.multipart) return fail(ctx.res, 400, 'Expected multipart/form-data with source files');
  const files = ctx.multipart.files || [];
  if (!files.length) return fail(ctx.res, 400, 'No source files');
  const id = randomHex(12);
  const size = files.reduce((n, f) => n + f.size, 0) + 2048;
  ctx.sim.particleStore.binaries.set(id, crypto.createHash('sha256').update(id).digest());
  send(ctx.res, 200, {
    ok: true, binary_id: id, binary_url: `/v1/binaries/${id}`, expires_at: iso(Date.now() + 86400000),
    sizeInfo: `   text\t   data\t    bss\t    dec\t    hex\tfilename\n   ${size}\t    108\t   1092\t   ${size + 1200}\t   0\tout.elf`,
  });
}

function binary(ctx, p) {
  const bin = ctx.sim.particleStore.binaries.get(p.id);
  if (!bin) return fail(ctx.res, 404, 'Binary not found');
  send(ctx.res, 200, bin, 'application/octet-stream');
}

function productFirmware(ctx, p) {
  const st = ctx.sim.particleStore;
  return (st.firmware[p.productRecord.id] ||= []);
}

function listFirmware(ctx, p) {
  send(ctx.res, 200, productFirmware(ctx, p));
}

function uploadFirmware(ctx, p) {
  if (!ctx.multipart) return fail(ctx.res, 400, 'Expected multipart/form-data with the firmware binary');
  const f = ctx.multipartFields || {};
  const file = (ctx.multipart.files || [])[0];
  const version = Number(f.version);
  if (!file) return fail(ctx.res, 400, 'binary is required');
  if (!Number.isInteger(version) || version < 1) return fail(ctx.res, 400, 'version must be a positive integer');
  if (!f.title) return fail(ctx.res, 400, 'title is required');
  const list = productFirmware(ctx, p);
  if (list.some((x) => x.version === version)) return fail(ctx.res, 400, 'version already exists');
  const fw = { version, title: f.title, description: f.description ?? '', size: file.size, product_default: false, uploaded_on: iso(Date.now()), uploaded_by: { username: ctx.session.user ?? null }, groups: [] };
  list.push(fw);
  send(ctx.res, 200, fw);
}

function findFirmware(ctx, p) {
  const fw = productFirmware(ctx, p).find((x) => String(x.version) === p.version);
  if (!fw) fail(ctx.res, 404, 'Firmware version not found');
  return fw;
}

function getFirmware(ctx, p) {
  const fw = findFirmware(ctx, p);
  if (fw) send(ctx.res, 200, fw);
}

function updateFirmware(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const fw = findFirmware(ctx, p);
  if (!fw) return undefined;
  if (body.title !== undefined && body.title !== null) fw.title = body.title;
  if (body.description !== undefined && body.description !== null) fw.description = body.description;
  send(ctx.res, 200, fw);
}

function firmwareBinary(ctx, p) {
  const fw = findFirmware(ctx, p);
  if (fw) send(ctx.res, 200, Buffer.alloc(Math.min(fw.size, 65536), 0x5a), 'application/octet-stream');
}

function releaseFirmware(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const list = productFirmware(ctx, p);
  const fw = list.find((x) => x.version === Number(body.version));
  if (!fw) return fail(ctx.res, 404, 'Firmware version not found');
  if (body.product_default) for (const x of list) x.product_default = x === fw;
  if (Array.isArray(body.groups)) fw.groups = body.groups;
  fw.intelligent = Boolean(body.intelligent);
  send(ctx.res, 200, { ok: true, ...fw });
}

function backupFiles(ctx, p) {
  const d = findDevice(ctx, p);
  if (d) send(ctx.res, 200, Buffer.from(`backup of ${d.id}\n`), 'application/zip');
}

const BUILD_TARGETS = ['6.2.1', '5.9.0', '2.3.1'];

function buildTargets(ctx) {
  const featured = ctx.query.get('featured') === 'true';
  const targets = BUILD_TARGETS.filter((v, i) => !featured || i === 0).map((version) => ({
    version, platforms: [6, 12, 13, 32], prereleases: [], firmware_vendor: 'Particle',
  }));
  send(ctx.res, 200, { targets, platforms: { Photon: 6, Argon: 12, Boron: 13, P2: 32 } });
}

function deviceOsVersions(ctx) {
  const q = ctx.query;
  const platform = q.get('platform_id') ? Number(q.get('platform_id')) : null;
  const all = BUILD_TARGETS.map((version, i) => ({ version, internal_version: 6000 - i * 100, main_platform_ids: [6, 12, 13, 32], platform_ids: [6, 12, 13, 32] }))
    .filter((v) => platform === null || v.platform_ids.includes(platform));
  const page = Math.max(1, Number(q.get('page')) || 1);
  const perPage = Math.max(1, Number(q.get('per_page')) || 25);
  send(ctx.res, 200, all.slice((page - 1) * perPage, page * perPage));
}

function deviceOsVersion(ctx, p) {
  const i = BUILD_TARGETS.indexOf(p.version);
  if (i < 0) return fail(ctx.res, 404, 'Device OS version not found');
  send(ctx.res, 200, { version: p.version, internal_version: 6000 - i * 100, platform_ids: [6, 12, 13, 32], modules: [] });
}

function listLibraries(ctx) {
  const filter = (ctx.query.get('filter') || '').toLowerCase();
  const list = ctx.sim.particleStore.libraries.filter((l) => l.id.includes(filter));
  send(ctx.res, 200, { data: list });
}

function findLibrary(ctx, p) {
  const lib = ctx.sim.particleStore.libraries.find((l) => l.id === p.name);
  if (!lib) fail(ctx.res, 404, `Library ${p.name} not found`);
  return lib;
}

function getLibrary(ctx, p) {
  const lib = findLibrary(ctx, p);
  if (lib) send(ctx.res, 200, { data: lib });
}

function libraryVersions(ctx, p) {
  const lib = findLibrary(ctx, p);
  if (lib) send(ctx.res, 200, { data: [lib] });
}

function contributeLibrary(ctx) {
  if (!ctx.multipart) return fail(ctx.res, 400, 'Expected multipart/form-data with the library archive');
  const file = (ctx.multipart.files || [])[0];
  if (!file) return fail(ctx.res, 400, 'archive is required');
  const name = (file.filename || 'library').replace(/\.tar\.gz$|\.tgz$/, '').toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
  const lib = { id: name, type: 'libraries', attributes: { name, version: '0.0.1', visibility: 'private', size: file.size } };
  const st = ctx.sim.particleStore;
  st.libraries = st.libraries.filter((l) => l.id !== name);
  st.libraries.push(lib);
  send(ctx.res, 200, { data: lib });
}

function publishLibrary(ctx, p) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const lib = findLibrary(ctx, p);
  if (!lib) return undefined;
  if (body.visibility) lib.attributes.visibility = body.visibility;
  send(ctx.res, 200, { data: lib });
}

function deleteLibrary(ctx, p) {
  const lib = findLibrary(ctx, p);
  if (!lib) return undefined;
  const st = ctx.sim.particleStore;
  st.libraries = st.libraries.filter((l) => l !== lib);
  send(ctx.res, 204);
}

// ---------------------------------------------------------------------------------------------------------
// Ledgers, logic functions, environment variables

function mapOf(store, p) {
  const key = scopeKey(p);
  if (!store.has(key)) store.set(key, new Map());
  return store.get(key);
}

function createLedger(ctx, p) {
  const body = bodyOf(ctx);
  const ledger = body?.ledger;
  if (!ledger || typeof ledger !== 'object' || typeof ledger.name !== 'string' || !ledger.name) return fail(ctx.res, 400, 'ledger.name is required');
  const ledgers = mapOf(ctx.sim.particleStore.ledgers, p);
  if (ledgers.has(ledger.name)) return fail(ctx.res, 400, 'A ledger with that name already exists');
  const now = iso(Date.now());
  const item = { scope: 'Owner', direction: 'CloudOnly', description: '', ...ledger, created_at: now, updated_at: now, archived: false, instances: new Map() };
  ledgers.set(ledger.name, item);
  send(ctx.res, 201, { ledger: showLedger(item) });
}

const showLedger = ({ instances, ...l }) => l;

function findLedger(ctx, p) {
  const l = mapOf(ctx.sim.particleStore.ledgers, p).get(p.ledger);
  if (!l) fail(ctx.res, 404, 'Ledger not found');
  return l;
}

function getLedger(ctx, p) {
  const l = findLedger(ctx, p);
  if (l) send(ctx.res, 200, { ledger: showLedger(l) });
}

function updateLedger(ctx, p) {
  const body = bodyOf(ctx);
  if (!body?.ledger || typeof body.ledger !== 'object') return fail(ctx.res, 400, 'ledger is required');
  const l = findLedger(ctx, p);
  if (!l) return undefined;
  for (const [k, v] of Object.entries(body.ledger)) if (!['name', 'created_at', 'instances'].includes(k)) l[k] = v;
  l.updated_at = iso(Date.now());
  send(ctx.res, 200, { ledger: showLedger(l) });
}

function archiveLedger(ctx, p) {
  const l = findLedger(ctx, p);
  if (!l) return undefined;
  l.archived = true;
  send(ctx.res, 204);
}

function pageOf(ctx, list) {
  const page = Math.max(1, Number(ctx.query.get('page')) || 1);
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page')) || 25));
  return { items: list.slice((page - 1) * perPage, page * perPage), meta: { page, per_page: perPage, total: list.length, total_pages: Math.max(1, Math.ceil(list.length / perPage)) } };
}

function listLedgers(ctx, p) {
  const archived = ctx.query.get('archived') === 'true';
  const scope = ctx.query.get('scope');
  const list = [...mapOf(ctx.sim.particleStore.ledgers, p).values()]
    .filter((l) => l.archived === archived && (!scope || l.scope.toLowerCase() === scope.toLowerCase()));
  const { items, meta } = pageOf(ctx, list);
  send(ctx.res, 200, { ledgers: items.map(showLedger), meta });
}

function getInstance(ctx, p) {
  const l = findLedger(ctx, p);
  if (!l) return undefined;
  const inst = l.instances.get(p.scopeValue);
  if (!inst) return fail(ctx.res, 404, 'Ledger instance not found');
  send(ctx.res, 200, { instance: inst.current });
}

function setInstance(ctx, p) {
  const body = bodyOf(ctx);
  const data2 = body?.instance?.data;
  if (!data2 || typeof data2 !== 'object' || Array.isArray(data2)) return fail(ctx.res, 400, 'instance.data must be an object');
  const l = findLedger(ctx, p);
  if (!l) return undefined;
  const mode = ctx.query.get('set_mode') || 'Replace';
  if (!['Replace', 'Merge'].includes(mode)) return fail(ctx.res, 400, 'set_mode must be Replace or Merge');
  const now = iso(Date.now());
  const prev = l.instances.get(p.scopeValue);
  const merged = mode === 'Merge' && prev ? { ...prev.current.data, ...data2 } : data2;
  const current = { name: l.name, scope: { type: l.scope, value: p.scopeValue }, size_bytes: JSON.stringify(merged).length, data: merged, created_at: prev?.current.created_at ?? now, updated_at: now };
  const versions = prev ? [...prev.versions, { ...prev.current, version_id: String(prev.versions.length + 1), replaced_at: now }] : [];
  l.instances.set(p.scopeValue, { current, versions });
  send(ctx.res, 200, { instance: current });
}

function deleteInstance(ctx, p) {
  const l = findLedger(ctx, p);
  if (!l) return undefined;
  if (!l.instances.delete(p.scopeValue)) return fail(ctx.res, 404, 'Ledger instance not found');
  send(ctx.res, 204);
}

function listInstances(ctx, p) {
  const l = findLedger(ctx, p);
  if (!l) return undefined;
  const { items, meta } = pageOf(ctx, [...l.instances.values()].map((x) => x.current));
  send(ctx.res, 200, { instances: items, meta });
}

function listVersions(ctx, p) {
  const l = findLedger(ctx, p);
  if (!l) return undefined;
  const inst = l.instances.get(p.scopeValue);
  if (!inst) return fail(ctx.res, 404, 'Ledger instance not found');
  const before = ctx.query.get('replaced_before') ? Date.parse(ctx.query.get('replaced_before')) : Infinity;
  const after = ctx.query.get('replaced_after') ? Date.parse(ctx.query.get('replaced_after')) : -Infinity;
  const versions = inst.versions.filter((v) => Date.parse(v.replaced_at) < before && Date.parse(v.replaced_at) > after);
  send(ctx.res, 200, { versions });
}

function getVersion(ctx, p) {
  const l = findLedger(ctx, p);
  if (!l) return undefined;
  const v = l.instances.get(p.scopeValue)?.versions.find((x) => x.version_id === p.version);
  if (!v) return fail(ctx.res, 404, 'Ledger instance version not found');
  send(ctx.res, 200, { instance: v });
}

function validLogic(body) {
  const f = body?.logic_function;
  if (!f || typeof f !== 'object' || typeof f.name !== 'string' || !f.name) return null;
  return f;
}

function createLogic(ctx, p) {
  const f = validLogic(bodyOf(ctx));
  if (!f) return fail(ctx.res, 400, 'logic_function.name is required');
  const now = iso(Date.now());
  const item = { enabled: true, description: '', source: { type: 'JavaScript', code: '' }, logic_triggers: [], ...f, id: crypto.randomUUID(), version: 1, created_at: now, updated_at: now };
  mapOf(ctx.sim.particleStore.logic, p).set(item.id, item);
  send(ctx.res, 201, { logic_function: item });
}

function findLogic(ctx, p) {
  const f = mapOf(ctx.sim.particleStore.logic, p).get(p.id);
  if (!f) fail(ctx.res, 404, 'Logic function not found');
  return f;
}

function getLogic(ctx, p) {
  const f = findLogic(ctx, p);
  if (f) send(ctx.res, 200, { logic_function: f });
}

function updateLogic(ctx, p) {
  const body = bodyOf(ctx);
  if (!body?.logic_function || typeof body.logic_function !== 'object') return fail(ctx.res, 400, 'logic_function is required');
  const f = findLogic(ctx, p);
  if (!f) return undefined;
  Object.assign(f, body.logic_function, { id: f.id, version: f.version + 1, updated_at: iso(Date.now()) });
  send(ctx.res, 200, { logic_function: f });
}

function deleteLogic(ctx, p) {
  const f = findLogic(ctx, p);
  if (!f) return undefined;
  mapOf(ctx.sim.particleStore.logic, p).delete(f.id);
  send(ctx.res, 204);
}

function listLogic(ctx, p) {
  const list = [...mapOf(ctx.sim.particleStore.logic, p).values()];
  const withStats = ctx.query.get('today_stats') === 'true';
  send(ctx.res, 200, { logic_functions: withStats ? list.map((f) => ({ ...f, today_stats: { executions: 0, failures: 0 } })) : list });
}

function logicRuns(ctx, p) {
  const f = findLogic(ctx, p);
  if (f) send(ctx.res, 200, { logic_runs: [] });
}

function logicRun(ctx, p) {
  const f = findLogic(ctx, p);
  if (f) fail(ctx.res, 404, 'Logic run not found');
}

function executeLogic(ctx) {
  const body = bodyOf(ctx);
  if (!body || typeof body.source?.code !== 'string') return fail(ctx.res, 400, 'source.code is required');
  send(ctx.res, 200, { result: { status: 'Success', logs: [], err: '', emitted_events: [], ledgers_accessed: [] } });
}

function envScope(p) {
  if (p.product) return `product:${p.productRecord.id}`;
  if (p.org) return `org:${p.org}`;
  if (p.device) return `device:${p.device}`;
  return 'sandbox';
}

function envOf(ctx, p) {
  const st = ctx.sim.particleStore;
  const key = envScope(p);
  if (!st.env.has(key)) st.env.set(key, {});
  return st.env.get(key);
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const showEnv = (env) => ({ env: { own: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, { value: v }])), inherited: {} } });

function checkEnvDevice(ctx, p) {
  if (!p.device) return true;
  return Boolean(findDevice(ctx, { device: p.device }));
}

function listEnv(ctx, p) {
  if (checkEnvDevice(ctx, p)) send(ctx.res, 200, showEnv(envOf(ctx, p)));
}

function patchEnv(ctx, p) {
  const body = bodyOf(ctx);
  if (!body || !Array.isArray(body.ops)) return fail(ctx.res, 400, 'ops must be an array');
  for (const op of body.ops) {
    if (!op || !['Set', 'Unset'].includes(op.op) || !ENV_KEY.test(op.key ?? '')) return fail(ctx.res, 400, 'each op is {op: "Set"|"Unset", key, value?}');
    if (op.op === 'Set' && typeof op.value !== 'string') return fail(ctx.res, 400, `value of ${op.key} must be a string`);
  }
  if (!checkEnvDevice(ctx, p)) return undefined;
  const env = envOf(ctx, p);
  for (const op of body.ops) {
    if (op.op === 'Set') env[op.key] = op.value;
    else delete env[op.key];
  }
  send(ctx.res, 200, showEnv(env));
}

function setEnv(ctx, p) {
  const body = bodyOf(ctx);
  if (!ENV_KEY.test(p.key)) return fail(ctx.res, 400, 'invalid key');
  if (!body || typeof body.value !== 'string') return fail(ctx.res, 400, 'value must be a string');
  if (!checkEnvDevice(ctx, p)) return undefined;
  envOf(ctx, p)[p.key] = body.value;
  send(ctx.res, 200, showEnv(envOf(ctx, p)));
}

function deleteEnv(ctx, p) {
  if (!checkEnvDevice(ctx, p)) return undefined;
  const env = envOf(ctx, p);
  if (!Object.hasOwn(env, p.key)) return fail(ctx.res, 404, 'Environment variable not found');
  delete env[p.key];
  send(ctx.res, 200, showEnv(env));
}

function renderEnv(ctx, p) {
  if (checkEnvDevice(ctx, p)) send(ctx.res, 200, { env: { ...envOf(ctx, p) } });
}

function envRollout(ctx, p) {
  if (!checkEnvDevice(ctx, p)) return undefined;
  if (ctx.method === 'GET') return send(ctx.res, 200, { rollout: { changes: Object.keys(envOf(ctx, p)).map((key) => ({ op: 'Added', key })), devices: 0 } });
  const body = bodyOf(ctx);
  if (!body || !['Immediate', 'Connect'].includes(body.when)) return fail(ctx.res, 400, 'when must be Immediate or Connect');
  send(ctx.res, 200, { ok: true, when: body.when });
}

// ---------------------------------------------------------------------------------------------------------
// Configuration and locations

const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft-07/schema', type: 'object',
  properties: { location: { type: 'object', properties: { interval_min_seconds: { type: 'integer', minimum: 0 }, radius: { type: 'number' } } } },
};

function getConfig(ctx, p) {
  if (p.device && !findDevice(ctx, p)) return undefined;
  if (/application\/schema\+json/.test(ctx.req.headers.accept || '')) return send(ctx.res, 200, CONFIG_SCHEMA, 'application/schema+json');
  const st = ctx.sim.particleStore;
  const base = { location: { interval_min_seconds: 900, radius: 0 }, ...st.config.product };
  send(ctx.res, 200, p.device ? { ...base, ...st.config.devices[p.device] } : base);
}

function setConfig(ctx, p) {
  const body = bodyOf(ctx);
  if (!body || Array.isArray(body)) return fail(ctx.res, 400, 'the configuration must be a JSON object');
  const st = ctx.sim.particleStore;
  if (p.device) {
    const d = findDevice(ctx, p);
    if (!d) return undefined;
    st.config.devices[p.device] = { ...st.config.devices[p.device], ...body };
  } else {
    st.config.product = { ...st.config.product, ...body };
  }
  getConfig(ctx, p);
}

function locationOf(sim, d) {
  const n = parseInt(d.id.slice(-4), 16) || 1;
  return {
    device_id: d.id, device_name: d.name, product_id: d.product_id, groups: d.groups || [],
    last_heard: d.last_heard ?? iso(Date.now() - (Date.now() % 5000)), online: d.online,
    gps_lock: true, timestamps: [iso(Date.now() - (Date.now() % 900000))],
    geometry: { type: 'Point', coordinates: [-122.4 + n / 1000, 37.7 + n / 1000] },
  };
}

function productLocations(ctx, p) {
  const q = ctx.query;
  let list = ctx.sim.particleStore.productDevices.filter((d) => d.product_id === p.productRecord.id);
  if (q.get('device_id')) list = list.filter((d) => d.id.includes(q.get('device_id')));
  if (q.get('device_name')) list = list.filter((d) => d.name.includes(q.get('device_name')));
  const groups = (q.get('groups') || '').split(',').filter(Boolean);
  if (groups.length) list = list.filter((d) => d.groups.some((g) => groups.includes(g)));
  const { items, meta } = pageOf(ctx, list.map((d) => locationOf(ctx.sim, d)));
  send(ctx.res, 200, { locations: items, meta });
}

function deviceLocation(ctx, p) {
  const d = findDevice(ctx, p);
  if (d) send(ctx.res, 200, { location: locationOf(ctx.sim, d) });
}

// ---------------------------------------------------------------------------------------------------------
// The user

function showUser(ctx) {
  const st = ctx.sim.particleStore;
  const username = ctx.session.user ?? st.user.username;
  return { username, subscription_ids: [4242], account_info: st.user.account_info, mfa: { enabled: username === C.mfaUsername || st.user.mfa.enabled }, scim_provisioned: false, no_password: false };
}

function getUser(ctx) {
  send(ctx.res, 200, showUser(ctx));
}

function putUser(ctx) {
  const body = bodyOf(ctx);
  if (!body) return fail(ctx.res, 400, 'Malformed JSON body');
  const st = ctx.sim.particleStore;
  const user = own(USERS, ctx.session.user ?? '');
  if (body.username !== undefined || body.password !== undefined) {
    if (!user || body.current_password !== user.password) return fail(ctx.res, 403, 'Invalid password');
  }
  if (body.account_info && typeof body.account_info === 'object') st.user.account_info = { ...st.user.account_info, ...body.account_info };
  if (body.invalidate_tokens) {
    const current = bearerToken(ctx.req);
    for (const [t, s] of ctx.sim.tokens) if (s.vendor === 'particle' && s.user === ctx.session.user && t !== current) ctx.sim.tokens.delete(t);
  }
  send(ctx.res, 200, { ok: true, message: 'User\'s account has been updated' });
}

function deleteUser(ctx) {
  const body = bodyOf(ctx);
  const user = own(USERS, ctx.session.user ?? '');
  if (!user || body?.password !== user.password) return fail(ctx.res, 403, 'Invalid password');
  // The simulated account is never really deleted; its tokens are.
  for (const [t, s] of ctx.sim.tokens) if (s.vendor === 'particle' && s.user === ctx.session.user) ctx.sim.tokens.delete(t);
  send(ctx.res, 200, { ok: true, message: 'User deleted' });
}

function identify(ctx) {
  const user = showUser(ctx);
  const out = { id: crypto.createHash('sha256').update(user.username).digest('hex').slice(0, 24) };
  if (ctx.query.get('tracking') !== '1') out.email = user.username;
  send(ctx.res, 200, out);
}

function mfaEnable(ctx) {
  const st = ctx.sim.particleStore;
  if (ctx.method === 'GET') {
    const mfaToken = randomHex(20);
    st.mfaTokens.set(mfaToken, { user: ctx.session.user, enrol: true, expiresAt: Date.now() + MFA_TOKEN_LIFETIME });
    return send(ctx.res, 200, { mfa_token: mfaToken, qr_code: 'data:image/png;base64,iVBORw0KGgo=', secret: 'SIMSECRET' });
  }
  const body = bodyOf(ctx);
  const pending = st.mfaTokens.get(body?.mfa_token ?? '');
  if (!pending || !pending.enrol || pending.expiresAt <= Date.now()) return fail(ctx.res, 400, 'The MFA token is invalid or has expired');
  if (body.otp !== C.mfaOtp) return fail(ctx.res, 400, 'Invalid one-time password');
  st.mfaTokens.delete(body.mfa_token);
  st.user.mfa.enabled = true;
  send(ctx.res, 200, { recovery_codes: ['SIMREC01', 'SIMREC02', 'SIMREC03'] });
}

function mfaDisable(ctx) {
  const body = bodyOf(ctx);
  const user = own(USERS, ctx.session.user ?? '');
  if (!user || body?.current_password !== user.password) return fail(ctx.res, 403, 'Invalid password');
  ctx.sim.particleStore.user.mfa.enabled = false;
  send(ctx.res, 200, { ok: true });
}

function createUser(ctx) {
  const body = bodyOf(ctx);
  if (!body || typeof body.username !== 'string' || !body.username.includes('@') || typeof body.password !== 'string') {
    return fail(ctx.res, 400, 'username (an email) and password are required');
  }
  if (own(USERS, body.username)) return fail(ctx.res, 400, 'That username is already taken');
  send(ctx.res, 200, { ok: true });
}

function passwordReset(ctx) {
  const body = bodyOf(ctx);
  if (!body?.username) return fail(ctx.res, 400, 'username is required');
  send(ctx.res, 200, { ok: true, message: 'Password reset email sent' });
}

function serialNumber(ctx, p) {
  const st = ctx.sim.particleStore;
  const d = [...accountDevices(ctx.sim), ...st.productDevices].find((x) => x.serial_number === p.serial);
  if (!d) return fail(ctx.res, 404, 'Serial number not found');
  send(ctx.res, 200, { ok: true, device_id: d.id, platform_id: d.platform_id, ...(d.iccid && { iccid: d.iccid }) });
}

function provisioning(ctx, p) {
  const body = bodyOf(ctx);
  if (!body?.publicKey) return fail(ctx.res, 400, 'publicKey is required');
  send(ctx.res, 200, { ok: true, device_id: p.device });
}

function unprotect(ctx, p) {
  const body = bodyOf(ctx);
  if (!body || !['prepare', 'confirm', 'cancel'].includes(body.action)) return fail(ctx.res, 400, 'action must be prepare, confirm or cancel');
  const d = findDevice(ctx, p);
  if (!d) return undefined;
  if (body.action === 'prepare') return send(ctx.res, 200, { server_nonce: randomHex(16), server_signature: randomHex(32), server_public_key_fingerprint: randomHex(20) });
  send(ctx.res, 200, { ok: true });
}

// ---------------------------------------------------------------------------------------------------------
// Routes

// `{s}` expands to the scopes a route exists in: '' (user), '/products/:product', '/orgs/:org'.
const U = 'u';
const P = 'p';
const O = 'o';
const ROUTES = [
  // [scopes, method, path, handler, options]
  [U, 'DELETE', '/v1/access_tokens/current', deleteCurrentToken],
  [U, 'DELETE', '/v1/access_tokens', deleteAllTokens],
  [U, 'DELETE', '/v1/access_tokens/:token', deleteToken, { noAuth: true }],
  [U, 'POST', '/v1/users', createUser, { noAuth: true }],
  [U, 'POST', '/v1/user/password-reset', passwordReset, { noAuth: true }],
  [U, 'GET', '/v1/user', getUser],
  [U, 'PUT', '/v1/user', putUser],
  [U, 'DELETE', '/v1/user', deleteUser],
  [U, 'GET', '/v1/user/identify', identify],
  [U, 'GET', '/v1/user/mfa-enable', mfaEnable],
  [U, 'POST', '/v1/user/mfa-enable', mfaEnable],
  [U, 'PUT', '/v1/user/mfa-disable', mfaDisable],
  [U, 'GET', '/v1/user/products', listProducts],
  [U, 'GET', '/v1/user/service_agreements', agreements],
  [O, 'GET', '/v1/service_agreements', agreements],
  [U, 'POST', '/v1/user/service_agreements/:id/usage_reports', createReport],
  [U, 'GET', '/v1/user/usage_reports/:id', getReport],
  [O, 'POST', '/v1/service_agreements/:id/usage_reports', createReport],
  [O, 'GET', '/v1/usage_reports/:id', getReport],
  // Event streams and publishing (before the device routes they would otherwise shadow)
  [U, 'POST', '/v1/devices/events', publish],
  [P, 'POST', '/v1/events', publish],
  // Devices
  [U + P, 'GET', '/v1/devices', listDevices],
  [U, 'POST', '/v1/devices', claimDevice],
  [P, 'POST', '/v1/devices', importDevices],
  [P, 'DELETE', '/v1/devices/:device/owner', removeOwner],
  [U + P + O, 'PUT', '/v1/devices/:device/ping', ping],
  [U + P + O, 'PUT', '/v1/devices/:device/unprotect', unprotect],
  [U, 'PUT', '/v1/devices/:device/backup_files', backupFiles],
  [U + P + O, 'GET', '/v1/devices/:device', getDevice],
  [U + P + O, 'PUT', '/v1/devices/:device', updateDevice],
  [U + P + O, 'DELETE', '/v1/devices/:device', removeDevice],
  [U + P + O, 'GET', '/v1/devices/:device/:name', getVariable],
  [U + P + O, 'POST', '/v1/devices/:device/:name', callFunction],
  [U + P, 'POST', '/v1/device_claims', claimCode],
  [U, 'POST', '/v1/provisioning/:device', provisioning],
  [U, 'GET', '/v1/serial_numbers/:serial', serialNumber],
  // Vitals
  [U + P, 'GET', '/v1/diagnostics/:device/last', vitalsLast],
  [U + P, 'POST', '/v1/diagnostics/:device/update', vitalsRefresh],
  [U + P, 'GET', '/v1/diagnostics/:device', vitalsHistory],
  // Products, organizations, teams, customers
  [U, 'GET', '/v1/products', listProducts],
  [P, 'GET', '', getProduct],
  [U, 'GET', '/v1/orgs', listOrgs],
  [O, 'GET', '', getOrg],
  [O, 'GET', '/v1/products', orgProducts],
  [P + O, 'GET', '/v1/team', listTeam],
  [P + O, 'POST', '/v1/team', addTeamMember],
  [P + O, 'PUT', '/v1/team/:user', updateTeamMember],
  [P + O, 'DELETE', '/v1/team/:user', removeTeamMember],
  [P, 'POST', '/v1/customers', createCustomer, { noAuth: true }],
  [P, 'GET', '/v1/customers', listCustomers],
  [P, 'DELETE', '/v1/customers/:user', deleteCustomer],
  // SIM cards
  [P, 'GET', '/v1/sims/data_usage', fleetUsage],
  [U + P, 'GET', '/v1/sims', listSims],
  [U + P, 'GET', '/v1/sims/:iccid/data_usage', simUsage],
  [U + P, 'GET', '/v1/sims/:iccid', getSim],
  [U + P, 'HEAD', '/v1/sims/:iccid', getSim],
  [U + P, 'PUT', '/v1/sims/:iccid', updateSim],
  [U + P, 'DELETE', '/v1/sims/:iccid', removeSim],
  // Webhooks, integrations, OAuth clients
  [U + P, 'GET', '/v1/webhooks', listWebhooks],
  [U + P, 'POST', '/v1/webhooks', createWebhook],
  [U + P, 'DELETE', '/v1/webhooks/:id', (ctx, p) => removeFrom(ctx, 'webhooks', p, p.id, 'Webhook not found')],
  [U + P + O, 'GET', '/v1/integrations', listIntegrations],
  [U + P + O, 'POST', '/v1/integrations', createIntegration],
  [U + P + O, 'PUT', '/v1/integrations/:id', editIntegration],
  [U + P + O, 'DELETE', '/v1/integrations/:id', (ctx, p) => removeFrom(ctx, 'integrations', p, p.id, 'Integration not found')],
  [U + P, 'GET', '/v1/clients', listClients],
  [U + P, 'POST', '/v1/clients', createClient],
  [U + P, 'PUT', '/v1/clients/:id', updateClient],
  [U + P, 'DELETE', '/v1/clients/:id', deleteClient],
  // Firmware, binaries, libraries, build targets, Device OS
  [U, 'POST', '/v1/binaries', compile],
  [U, 'GET', '/v1/binaries/:id', binary],
  [P, 'GET', '/v1/firmware', listFirmware],
  [P, 'POST', '/v1/firmware', uploadFirmware],
  [P, 'PUT', '/v1/firmware/release', releaseFirmware],
  [P, 'GET', '/v1/firmware/:version', getFirmware],
  [P, 'PUT', '/v1/firmware/:version', updateFirmware],
  [P, 'GET', '/v1/firmware/:version/binary', firmwareBinary],
  [U, 'GET', '/v1/build_targets', buildTargets],
  [U, 'GET', '/v1/device-os/versions', deviceOsVersions],
  [U, 'GET', '/v1/device-os/versions/:version', deviceOsVersion],
  [U, 'GET', '/v1/libraries', listLibraries],
  [U, 'POST', '/v1/libraries', contributeLibrary],
  [U, 'GET', '/v1/libraries/:name', getLibrary],
  [U, 'PATCH', '/v1/libraries/:name', publishLibrary],
  [U, 'DELETE', '/v1/libraries/:name', deleteLibrary],
  [U, 'GET', '/v1/libraries/:name/versions', libraryVersions],
  // Ledgers, logic, environment variables
  [U + O, 'POST', '/v1/ledgers', createLedger],
  [U + O, 'GET', '/v1/ledgers', listLedgers],
  [U + O, 'GET', '/v1/ledgers/:ledger', getLedger],
  [U + O, 'PUT', '/v1/ledgers/:ledger', updateLedger],
  [U + O, 'DELETE', '/v1/ledgers/:ledger', archiveLedger],
  [U + O, 'GET', '/v1/ledgers/:ledger/instances', listInstances],
  [U + O, 'GET', '/v1/ledgers/:ledger/instances/:scopeValue', getInstance],
  [U + O, 'PUT', '/v1/ledgers/:ledger/instances/:scopeValue', setInstance],
  [U + O, 'DELETE', '/v1/ledgers/:ledger/instances/:scopeValue', deleteInstance],
  [U + O, 'GET', '/v1/ledgers/:ledger/instances/:scopeValue/versions', listVersions],
  [U + O, 'GET', '/v1/ledgers/:ledger/instances/:scopeValue/versions/:version', getVersion],
  [U + O, 'POST', '/v1/logic/execute', executeLogic],
  [U + O, 'POST', '/v1/logic/functions', createLogic],
  [U + O, 'GET', '/v1/logic/functions', listLogic],
  [U + O, 'GET', '/v1/logic/functions/:id', getLogic],
  [U + O, 'PUT', '/v1/logic/functions/:id', updateLogic],
  [U + O, 'DELETE', '/v1/logic/functions/:id', deleteLogic],
  [U + O, 'GET', '/v1/logic/functions/:id/runs', logicRuns],
  [U + O, 'GET', '/v1/logic/functions/:id/runs/:run', logicRun],
  [U + O, 'GET', '/v1/logic/functions/:id/runs/:run/logs', logicRun],
  [U + P + O, 'GET', '/v1/env', listEnv],
  [U + P + O, 'PATCH', '/v1/env', patchEnv],
  [U + P + O, 'GET', '/v1/env/render', renderEnv],
  [U + P + O, 'GET', '/v1/env/rollout', envRollout],
  [U + P + O, 'POST', '/v1/env/rollout', envRollout],
  [U + P + O, 'PUT', '/v1/env/:key', setEnv],
  [U + P + O, 'DELETE', '/v1/env/:key', deleteEnv],
  // Device-scoped env vars: /v1/env/:device (user scope only)
  [U, 'GET', '/v1/env/:device', listEnv],
  [U, 'PATCH', '/v1/env/:device', patchEnv],
  [U, 'GET', '/v1/env/:device/render', renderEnv],
  [U, 'GET', '/v1/env/:device/rollout', envRollout],
  [U, 'POST', '/v1/env/:device/rollout', envRollout],
  [U, 'PUT', '/v1/env/:device/:key', setEnv],
  [U, 'DELETE', '/v1/env/:device/:key', deleteEnv],
  // Configuration and locations
  [P, 'GET', '/v1/config', getConfig],
  [P, 'PUT', '/v1/config', setConfig],
  [P, 'GET', '/v1/config/:device', getConfig],
  [P, 'PUT', '/v1/config/:device', setConfig],
  [P, 'GET', '/v1/locations', productLocations],
  [P, 'GET', '/v1/locations/:device', deviceLocation],
];

/** Compiles ROUTES: each row once per scope, `/v1/x` becoming `/v1/products/:product/x` or `/v1/orgs/:org/x`. */
function compile2() {
  const out = [];
  for (const [scopes, method, template, handler, options = {}] of ROUTES) {
    for (const scope of scopes) {
      let path = template;
      if (scope === P) path = template ? template.replace(/^\/v1/, '/v1/products/:product') : '/v1/products/:product';
      if (scope === O) path = template ? template.replace(/^\/v1/, '/v1/orgs/:org') : '/v1/orgs/:org';
      const names = [];
      const source = path.split('/').map((seg) => {
        if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
        names.push(seg.slice(1));
        return '([^/]+)';
      }).join('/');
      out.push({ method, regexp: new RegExp(`^${source}$`), names, handler, options, scope, template: path });
    }
  }
  return out;
}
const TABLE = compile2();

// Event streams: /v1/[orgs/:org/][products/:p/][devices/[:id/]]events[/:prefix]
const STREAM = /^\/v1\/(?:orgs\/([^/]+)\/)?(?:products\/([^/]+)\/)?(?:(devices)\/(?:([^/]+)\/)?)?events(?:\/([^/]+))?$/;

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The matching route for a method and path: `{route, params}`, `{stream, params}` or null. */
function match(method, path) {
  const m = STREAM.exec(path);
  if (m && method === 'GET') {
    const [, org, product, devices, device, name] = m.map((x) => (x === undefined ? undefined : safeDecode(x)));
    return { stream: true, params: { org, product, device: devices ? (device || 'mine') : undefined, name } };
  }
  for (const route of TABLE) {
    const r = route.regexp.exec(path);
    if (!r) continue;
    if (route.method !== method) continue;
    const params = {};
    route.names.forEach((n, i) => { params[n] = safeDecode(r[i + 1]); });
    return { route, params };
  }
  return null;
}

/** Resolves `:product` (id or slug) and `:org`; answers 404 and returns false when either is unknown. */
function resolveScope(ctx, params) {
  const st = ctx.sim.particleStore;
  if (params.org !== undefined) {
    const org = st.orgs.find((o) => o.slug === params.org || o.id === params.org);
    if (!org) { fail(ctx.res, 404, 'Organization not found'); return false; }
    params.org = org.slug;
  }
  if (params.product !== undefined) {
    const product = st.products.find((x) => String(x.id) === params.product || x.slug === params.product);
    if (!product) { fail(ctx.res, 404, 'Product not found'); return false; }
    if (params.org !== undefined && product.org !== params.org) { fail(ctx.res, 404, 'Product not found'); return false; }
    params.productRecord = product;
  }
  return true;
}

function handle(ctx) {
  if (ctx.path === '/oauth/token' && ctx.method === 'POST') return token(ctx);
  const { res, req, query } = ctx;
  const found = match(ctx.method, ctx.path);
  if (!found) return fail(res, 404, 'Not Found');
  if (query.has('access_token')) {
    return oauthError(res, 400, 'invalid_request', 'access_token in query is not allowed');
  }
  if (mediaType(req) === 'application/x-www-form-urlencoded' && new URLSearchParams(ctx.body).has('access_token')) {
    return oauthError(res, 400, 'invalid_request', 'access_token in body is not allowed');
  }
  if (ctx.multipart) ctx.multipartFields = ctx.multipartFields || {};
  const session = ctx.sim.session('particle', req);
  if (!session && !found.route?.options.noAuth) {
    if (found.stream) ctx.sim.particleStore.streamStats.refused++;
    return oauthError(res, 401, 'invalid_token', 'The access token provided is invalid.');
  }
  ctx.session = session || {};
  const params = found.params;
  if (!resolveScope(ctx, params)) return undefined;
  if (found.stream) return openStream(ctx, params);
  return found.route.handler(ctx, params);
}

module.exports = {
  createStore, handle, match, accountDevices, accountDeviceList, emitEvent, deviceEvent, validateStreamFault, STREAM_FAULT_KEYS,
  routes: () => TABLE.map((r) => `${r.method} ${r.template}`),
};
