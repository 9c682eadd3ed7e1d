'use strict';
// The cThings Cloud of the simulator: the AuthServer's client-credentials token (HTTP Basic, multipart form)
// and the API, whose every answer is the `{api, code, data, links, message, request, websocket, version}`
// envelope. What cThings documents is `GET /v3/device/{id}`; the rest is served so that the generic
// `request` and its v3 → v2 fallback have something to talk to (see README.md in this folder):
//
//   GET   /v3/device/:id, /v2/device/:id    the device (v2 answers with a 2.x envelope)
//   PATCH /v3/device/:id, /v2/device/:id    changes name, active, watchlist, settings, configuration,
//                                           dataInterval or location; answers the changed device
//
// State (the devices as changed through the API) lives in the simulator and POST /__sim/reset restores it.

const data = require('./fixtures');
const { parseJson, basicAuth } = require('./util');

const { CREDENTIALS } = data;
const JSON_TYPE = 'application/json; charset=utf-8';
const VERSIONS = { v3: '3.13.1', v2: '2.19.4' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A fresh copy of the devices, for a new or reset simulator. */
function createStore() {
  return { devices: structuredClone(data.cthings.devices) };
}

/**
 * The envelope of an answer. `request` echoes the URL (with the simulator's loopback origin), the method and
 * the JSON body; `version` is the API version the path names.
 */
function envelope(ctx, code, payload, message) {
  const parsed = ctx.body ? parseJson(ctx.body) : { value: {} };
  const version = /^\/v2\//.test(ctx.path) ? VERSIONS.v2 : VERSIONS.v3;
  return {
    api: 'cThings Cloud API',
    code,
    data: payload,
    links: {},
    message,
    request: { url: `${ctx.origin}${ctx.url.pathname}${ctx.url.search}`, method: ctx.method, body: parsed.value ?? {} },
    websocket: false,
    version,
  };
}

const reply = (ctx, code, payload, message = null) => send(ctx.res, code, envelope(ctx, code, payload, message));

/** `POST SIM/cthings-auth/token`: Basic client credentials and `grant_type`, `scope` as multipart fields. */
function auth(ctx) {
  const { sim, req, res } = ctx;
  if (ctx.path !== '/token' || ctx.method !== 'POST') return send(res, 404, { error: 'not_found' });
  const basic = basicAuth(req);
  if (basic?.user !== CREDENTIALS.cthings.clientId || basic?.pass !== CREDENTIALS.cthings.clientSecret) {
    return send(res, 401, { error: 'invalid_client' });
  }
  const fields = ctx.multipartFields;
  if (!fields || fields.grant_type !== 'client_credentials' || fields.scope !== 'api') {
    return send(res, 400, { error: 'invalid_request' });
  }
  const seconds = sim.lifetime('cthings');
  const { clientId } = CREDENTIALS.cthings;
  const claims = { sub: clientId, iss: 'authserver.cthings.cloud', aud: clientId, scope: [] };
  const token = sim.issueJwt('cthings', seconds, claims);
  send(res, 200, { access_token: token, expires_in: ctx.wireSeconds(seconds), scope: ['api'], token_type: 'Bearer' });
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v, min, max) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/** The fields a PATCH may change, each with its check. */
const CHANGES = {
  name: (v) => typeof v === 'string' && v.trim() !== '' && v.length <= 100,
  active: (v) => typeof v === 'boolean',
  watchlist: (v) => typeof v === 'boolean',
  settings: isObject,
  configuration: isObject,
  dataInterval: (v) => Number.isInteger(v) && v >= 1 && v <= 86400,
  location: (v) => isObject(v) && finite(v.latitude, -90, 90) && finite(v.longitude, -180, 180)
    && Object.keys(v).length === 2,
};

/** Applies a PATCH body to `device`: an error message, or null when every field was changed. */
function change(device, body) {
  if (!isObject(body)) return 'The request body must be a JSON object';
  const keys = Object.keys(body);
  if (keys.length === 0) return 'Nothing to change';
  for (const key of keys) {
    const check = Object.hasOwn(CHANGES, key) ? CHANGES[key] : null;
    if (!check) return `Field '${key}' cannot be changed`;
    if (!check(body[key])) return `Invalid value for '${key}'`;
  }
  for (const key of keys) {
    // Settings and configuration are merged key by key; the other fields replaced.
    device[key] = key === 'settings' || key === 'configuration' ? { ...device[key], ...body[key] } : body[key];
  }
  return null;
}

function findDevice(ctx, id) {
  const device = UUID.test(id) && ctx.sim.cthingsStore.devices.find((d) => d.id === id.toLowerCase());
  if (!device) reply(ctx, 404, null, 'Device not found');
  return device || null;
}

const ROUTES = [
  ['GET', /^\/v[23]\/device\/([^/]+)$/, (ctx, id) => {
    const device = findDevice(ctx, id);
    if (device) reply(ctx, 200, data.cthings.device(device, Date.now()));
  }],
  ['PATCH', /^\/v[23]\/device\/([^/]+)$/, (ctx, id) => {
    const device = findDevice(ctx, id);
    if (!device) return;
    const parsed = parseJson(ctx.body);
    const problem = parsed.error ? 'The request body is not JSON' : change(device, parsed.value);
    if (problem) return reply(ctx, 400, null, problem);
    reply(ctx, 200, data.cthings.device(device, Date.now()));
  }],
];

/** Everything below `SIM/cthings`: a bearer token of the AuthServer, then the routes above. */
function handle(ctx) {
  if (!ctx.sim.session('cthings', ctx.req)) return reply(ctx, 401, null, 'Unauthorized');
  for (const [method, pattern, handler] of ROUTES) {
    const m = pattern.exec(ctx.path);
    if (m && method === ctx.method) return handler(ctx, decodeURIComponentSafe(m[1]));
  }
  reply(ctx, 404, null, 'Route not found');
}

function decodeURIComponentSafe(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

module.exports = { createStore, envelope, auth, handle };
