'use strict';
// The Arduino IoT Cloud API of the simulator, learnt from the OpenAPI spec the generator also reads
// (../shared/specs/arduino-iot-openapi.yaml next to the repository). The spec is parsed once into a route
// table; each request is matched against it (404 unknown path, 405 known path with another method),
// validated (400 in the Goa error shape) and answered by a handler: stateful for things, properties,
// devices, dashboards, triggers, actions, certificates, tags and time series, and otherwise with an example
// built from the operation's success response schema. See README.md, "Arduino IoT Cloud API".

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const data = require('./fixtures');

const REPO_ROOT = path.join(__dirname, '..', '..');
const SPEC_PATH = path.join(REPO_ROOT, '..', 'shared', 'specs', 'arduino-iot-openapi.yaml');

const GOA_ERROR_TYPE = 'application/vnd.goa.error+json';
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const USER = data.IDS.arduino.user;
const EXAMPLE_TIME = '2025-01-01T00:00:00.000Z';

// Requests the official client @arduino/arduino-iot-client 3.0.0 sends without the /iot prefix (its v1 APIs).
// Each behaves like the spec operation named in the third column; `body` overrides the required body fields.
const V1_OPERATIONS = [
  ['GET', '/v1/things', 'things_v1#list', 'things_v2#list'],
  ['PUT', '/v1/things', 'things_v1#create', 'things_v2#create', { required: ['name'] }],
  ['GET', '/v1/things/{id}', 'things_v1#show', 'things_v2#show'],
  ['POST', '/v1/things/{id}', 'things_v1#update', 'things_v2#update'],
  ['DELETE', '/v1/things/{id}', 'things_v1#delete', 'things_v2#delete'],
  ['GET', '/v1/things/{id}/layout', 'things_v1#layout', 'things_v2#show',
    { contentType: 'application/vnd.arduino.thinglayout+json', handler: 'things_v1#layout' }],
  ['PUT', '/v1/things/{id}/sketch', 'things_v1#createSketch', 'things_v2#createSketch'],
  ['DELETE', '/v1/things/{id}/sketch', 'things_v1#deleteSketch', 'things_v2#deleteSketch'],
  ['PUT', '/v1/things/{id}/sketch/{sketchId}', 'things_v1#updateSketch', 'things_v2#updateSketch', { noBody: true }],
  ['GET', '/v1/things/{id}/properties', 'properties_v1#list', 'properties_v2#list'],
  ['PUT', '/v1/things/{id}/properties', 'properties_v1#create', 'properties_v2#create'],
  ['GET', '/v1/things/{id}/properties/{pid}', 'properties_v1#show', 'properties_v2#show'],
  ['POST', '/v1/things/{id}/properties/{pid}', 'properties_v1#update', 'properties_v2#update'],
  ['DELETE', '/v1/things/{id}/properties/{pid}', 'properties_v1#delete', 'properties_v2#delete'],
  ['PUT', '/v1/things/{id}/properties/{pid}/send', 'properties_v1#send', 'properties_v2#publish'],
  ['POST', '/v1/series/batch_query', 'series_v1#batch_query', 'series_v2#batch_query'],
  ['POST', '/v1/series/batch_query_raw', 'series_v1#batch_query_raw', 'series_v2#batch_query_raw'],
];

// ---------------------------------------------------------------------------------------------------------
// Small helpers

const iso = (ms) => new Date(ms).toISOString();
const clone = (value) => (value === undefined ? undefined : structuredClone(value));
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const uuid = () => crypto.randomUUID();
const mediaEssence = (type) => (type || '').split(';')[0].trim().toLowerCase();

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A uuid derived from a name: the same spec always gives the same example ids. */
function stableUuid(name) {
  const h = crypto.createHash('sha1').update(name).digest('hex');
  const variant = '89ab'[parseInt(h[16], 16) % 4];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fields of a multipart/form-data body (a Buffer), or null when it is not well-formed multipart. */
function parseMultipart(contentType, raw) {
  const m = /^multipart\/form-data\s*;.*?\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType || '');
  if (!m) return null;
  const boundary = m[1] || m[2];
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  let pos = raw.indexOf(delimiter);
  if (pos < 0) return null;
  pos += delimiter.length;
  const parts = [];
  for (;;) {
    if (raw[pos] === 0x2d && raw[pos + 1] === 0x2d) break; // closing "--"
    if (raw[pos] !== 0x0d || raw[pos + 1] !== 0x0a) return null;
    const headerEnd = raw.indexOf('\r\n\r\n', pos + 2);
    if (headerEnd < 0) return null;
    const head = raw.subarray(pos + 2, headerEnd).toString('utf8');
    const end = raw.indexOf(next, headerEnd + 4);
    if (end < 0) return null;
    const content = raw.subarray(headerEnd + 4, end);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(head)?.[1] || '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]*)/i.exec(head)?.[1]?.trim();
    if (name === undefined) return null;
    parts.push({ name, filename, contentType: type, size: content.length, content });
    pos = end + next.length;
  }
  return parts;
}

/** What the request log keeps of a multipart body: field names and, for files, name, type and size. */
function multipartSummary(parts) {
  return {
    fields: parts.map((p) => p.name),
    files: parts.filter((p) => p.filename !== undefined)
      .map((p) => ({ name: p.name, filename: p.filename, contentType: p.contentType ?? null, size: p.size })),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Spec → route table

function loadSpec(file = SPEC_PATH) {
  let YAML;
  try {
    YAML = require('yaml');
  } catch {
    throw new Error('the simulator needs the npm package "yaml" (a dev dependency): run npm install');
  }
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`the Arduino OpenAPI spec was not found at ${file} (${err.code})`);
  }
  return YAML.parse(text);
}

/** Builds example values from the spec's schemas, caching one per component schema. */
function exampleBuilder(spec) {
  const schemas = spec.components.schemas;
  const cache = new Map();
  const refName = (ref) => ref.split('/').pop();
  const resolve = (schema) => {
    let s = schema;
    for (let i = 0; s && s.$ref && i < 20; i++) s = schemas[refName(s.$ref)];
    return s;
  };

  function build(schema, name, depth, stack, seed) {
    if (!schema) return null;
    if (schema.$ref) {
      const ref = refName(schema.$ref);
      if (stack.includes(ref)) return undefined;
      return build(schemas[ref], name, depth, [...stack, ref], `${seed}/${ref}`);
    }
    if (schema.allOf) {
      const merged = {};
      for (const part of schema.allOf) Object.assign(merged, build(part, name, depth, stack, seed));
      return merged;
    }
    if (schema.oneOf || schema.anyOf) return build((schema.oneOf || schema.anyOf)[0], name, depth, stack, seed);
    if (schema.enum) return schema.enum[0];
    const type = schema.type || (schema.properties ? 'object' : schema.items ? 'array' : undefined);
    if (schema.default !== undefined && type !== 'object' && type !== 'array') return clone(schema.default);
    switch (type) {
      case 'object': {
        const out = {};
        const required = new Set(schema.required || []);
        for (const [key, sub] of Object.entries(schema.properties || {})) {
          if (depth >= 4 && !required.has(key)) continue;
          const value = build(sub, key, depth + 1, stack, `${seed}.${key}`);
          if (value !== undefined) out[key] = value;
          else if (required.has(key)) out[key] = resolve(sub)?.type === 'array' ? [] : {};
        }
        return out;
      }
      case 'array': {
        const count = depth === 0 ? 2 : 1;
        const items = [];
        for (let i = 0; i < count; i++) {
          const item = build(schema.items || {}, name, depth + 1, stack, `${seed}[${i}]`);
          if (item !== undefined) items.push(item);
        }
        return items;
      }
      case 'string':
        switch (schema.format) {
          case 'uuid': return stableUuid(seed);
          case 'date-time': return EXAMPLE_TIME;
          case 'date': return EXAMPLE_TIME.slice(0, 10);
          case 'email': return 'maker@example.com';
          case 'uri': return 'https://example.com/';
          case 'binary': case 'byte': return 'c2ltdWxhdG9y';
          default: {
            const text = `example_${name || 'value'}`;
            return schema.minLength && text.length < schema.minLength ? text.padEnd(schema.minLength, '0') : text;
          }
        }
      case 'integer': return schema.minimum ?? 1;
      case 'number': return schema.minimum ?? 1.5;
      case 'boolean': return true;
      default: return 1; // a value of any type (e.g. a property value)
    }
  }

  const example = (schema, seed = 'example') => build(schema, '', 0, [], seed);
  const ofSchema = (name) => {
    if (!cache.has(name)) cache.set(name, example({ $ref: `#/components/schemas/${name}` }, name));
    return clone(cache.get(name));
  };
  return { example, ofSchema, resolve, schemas };
}

function splitPath(p) {
  const segments = p.split('/').slice(1);
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop(); // a trailing slash
  return segments;
}

/** One spec operation, compiled: its template, parameters, body rules and success answer. */
function compileOperation(ex, method, template, op) {
  const params = { path: [], query: [], header: [] };
  for (const raw of op.parameters || []) {
    const p = ex.resolve(raw);
    if (!params[p.in]) continue;
    const schema = ex.resolve(p.schema) || {};
    const items = schema.type === 'array' ? ex.resolve(schema.items) || {} : null;
    params[p.in].push({ name: p.name, required: !!p.required, schema, items });
  }
  let body = null;
  if (op.requestBody) {
    const rb = ex.resolve(op.requestBody);
    const content = rb.content || {};
    const types = Object.keys(content).map(mediaEssence);
    const first = content[Object.keys(content)[0]] || {};
    const schema = ex.resolve(first.schema) || {};
    const itemSchema = schema.type === 'array' ? ex.resolve(schema.items) : null;
    body = {
      required: !!rb.required,
      types,
      schemaName: first.schema?.$ref?.split('/').pop() ?? null,
      type: schema.type || (schema.properties ? 'object' : undefined),
      fields: schema.required || [],
      itemFields: itemSchema?.required || [],
      example: ex.example(first.schema || {}, `${op.operationId}:body`),
    };
  }
  const statuses = Object.keys(op.responses || {}).filter((s) => /^2\d\d$/.test(s)).sort();
  const status = Number(statuses[0] || 200);
  const response = ex.resolve(op.responses?.[statuses[0]]) || {};
  const contentType = Object.keys(response.content || {}).find((t) => t !== GOA_ERROR_TYPE) || null;
  const schemaRef = contentType ? response.content[contentType].schema : null;
  return {
    operationId: op.operationId,
    method,
    template,
    segments: splitPath(template).map((s) => (/^\{.+\}$/.test(s) ? { param: s.slice(1, -1) } : { literal: s })),
    params,
    body,
    success: {
      status,
      contentType,
      schemaName: schemaRef?.$ref?.split('/').pop() ?? null,
      example: schemaRef ? ex.example(schemaRef, op.operationId) : undefined,
    },
    handler: op.operationId,
  };
}

/** The spec's operations (plus the official client's v1 requests) as a route table. */
function compileSpec(spec) {
  const ex = exampleBuilder(spec);
  const operations = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      if (item[method]) operations.push(compileOperation(ex, method.toUpperCase(), template, item[method]));
    }
  }
  const byId = new Map(operations.map((op) => [op.operationId, op]));
  for (const [method, template, operationId, like, extra = {}] of V1_OPERATIONS) {
    const base = byId.get(like);
    const op = {
      ...base,
      operationId,
      method,
      template,
      segments: splitPath(template).map((s) => (/^\{.+\}$/.test(s) ? { param: s.slice(1, -1) } : { literal: s })),
      handler: extra.handler || base.handler,
      v1: true,
    };
    if (extra.noBody) op.body = null;
    if (extra.required && op.body) op.body = { ...op.body, fields: extra.required };
    if (extra.contentType) op.success = { ...op.success, contentType: extra.contentType };
    operations.push(op);
  }

  // Templates grouped by segment count; a literal segment is more specific than a parameter.
  const templates = new Map();
  for (const op of operations) {
    if (!templates.has(op.template)) {
      templates.set(op.template, { template: op.template, segments: op.segments, methods: new Map() });
    }
    templates.get(op.template).methods.set(op.method, op);
  }
  const byLength = new Map();
  for (const t of templates.values()) {
    const list = byLength.get(t.segments.length) || [];
    list.push(t);
    byLength.set(t.segments.length, list);
  }
  const rank = (t) => t.segments.map((s) => (s.literal !== undefined ? '0' : '1')).join('');
  for (const list of byLength.values()) list.sort((a, b) => rank(a).localeCompare(rank(b)));
  return { ex, operations, byLength, spec };
}

let compiled = null;
/** The compiled spec; the YAML is read and walked only the first time. */
function api() {
  if (!compiled) compiled = compileSpec(loadSpec());
  return compiled;
}

/**
 * Matches a request path (below /arduino) against the route table: `{op, params}`, or `{status: 404}`, or
 * `{status: 405, allow}` when the path is known but not with this method.
 */
function match(method, pathname) {
  const segments = splitPath(pathname);
  const candidates = api().byLength.get(segments.length) || [];
  const allow = new Set();
  for (const t of candidates) {
    const params = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const s = t.segments[i];
      if (s.literal !== undefined) ok = s.literal === segments[i];
      else if (segments[i] === '') ok = false;
      else params[s.param] = safeDecode(segments[i]);
    }
    if (!ok) continue;
    const op = t.methods.get(method);
    if (op) return { op, params };
    for (const m of t.methods.keys()) allow.add(m);
  }
  return allow.size ? { status: 405, allow: [...allow].sort() } : { status: 404 };
}

// ---------------------------------------------------------------------------------------------------------
// Validation

function checkValue(value, schema, label) {
  const bad = (what) => `invalid value ${JSON.stringify(value)} for ${label}: must be ${what}`;
  switch (schema.type) {
    case 'boolean':
      if (value !== 'true' && value !== 'false') return bad('a boolean (true or false)');
      break;
    case 'integer': {
      if (!/^-?\d+$/.test(value)) return bad('an integer');
      if (schema.minimum !== undefined && Number(value) < schema.minimum) return bad(`at least ${schema.minimum}`);
      if (schema.maximum !== undefined && Number(value) > schema.maximum) return bad(`at most ${schema.maximum}`);
      break;
    }
    case 'number': {
      if (value.trim() === '' || !Number.isFinite(Number(value))) return bad('a number');
      if (schema.minimum !== undefined && Number(value) < schema.minimum) return bad(`at least ${schema.minimum}`);
      if (schema.maximum !== undefined && Number(value) > schema.maximum) return bad(`at most ${schema.maximum}`);
      break;
    }
    default:
      if (schema.format === 'date-time' && !(DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))) {
        return bad('an RFC 3339 date-time');
      }
      if (schema.format === 'uuid' && !UUID.test(value)) return bad('a uuid');
  }
  const typed = schema.type === 'integer' || schema.type === 'number' ? Number(value) : value;
  if (schema.enum && !schema.enum.includes(typed)) return bad(`one of ${schema.enum.join(', ')}`);
  return null;
}

/**
 * Checks a request against its operation. Returns `{error}` (the 400 detail) or `{body}`: the parsed body
 * (JSON value, multipart parts or form fields), undefined when there is none.
 */
function validate(op, { params, searchParams, headers, raw }) {
  for (const p of op.params.path) {
    const problem = checkValue(params[p.name] ?? '', p.schema, `path parameter "${p.name}"`);
    if (problem) return { error: problem };
  }
  for (const p of op.params.header) {
    const value = headers[p.name.toLowerCase()];
    if (value === undefined || value === '') {
      if (p.required) return { error: `missing required header "${p.name}"` };
      continue;
    }
    const problem = checkValue(value, p.schema, `header "${p.name}"`);
    if (problem) return { error: problem };
  }
  for (const p of op.params.query) {
    const values = searchParams.getAll(p.name);
    if (!values.length) {
      if (p.required) return { error: `missing required query parameter "${p.name}"` };
      continue;
    }
    for (const value of values) {
      const problem = checkValue(value, p.items || p.schema, `query parameter "${p.name}"`);
      if (problem) return { error: problem };
    }
  }
  if (!op.body) return { body: undefined };
  const contentType = headers['content-type'] || '';
  if (raw.length === 0) {
    return op.body.required ? { error: 'missing required request body' } : { body: undefined };
  }
  const type = mediaEssence(contentType);
  if (!op.body.types.includes(type)) {
    const expected = op.body.types.join(' or ');
    return { error: `unsupported content type "${type || '(none)'}" for the request body: expected ${expected}` };
  }
  let body;
  let names;
  if (type === 'application/json') {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return { error: 'the request body is not valid JSON' };
    }
  } else if (type === 'multipart/form-data') {
    body = parseMultipart(contentType, raw);
    if (!body) return { error: 'the request body is not valid multipart/form-data' };
    names = new Set(body.map((part) => part.name));
  } else if (type === 'application/x-www-form-urlencoded') {
    body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    names = new Set(Object.keys(body));
  } else {
    body = raw;
  }
  if (names) {
    for (const field of op.body.fields) if (!names.has(field)) return { error: `"${field}" is missing from body` };
    return { body };
  }
  if (op.body.type === 'array') {
    if (!Array.isArray(body)) return { error: 'the request body must be a JSON array' };
    for (const [i, item] of body.entries()) {
      for (const field of op.body.itemFields) {
        if (!isObject(item) || !(field in item)) return { error: `"${field}" is missing from body[${i}]` };
      }
    }
  } else if (op.body.type === 'object') {
    if (!isObject(body)) return { error: 'the request body must be a JSON object' };
    for (const field of op.body.fields) {
      if (!(field in body) || body[field] === null) return { error: `"${field}" is missing from body` };
    }
  }
  return { body };
}

// ---------------------------------------------------------------------------------------------------------
// State: the things of the fixtures (same records, so responses stay the same) and the other resources.

const SEED = data.IDS.arduino;

function createStore() {
  const { ex } = api();
  const things = structuredClone(data.arduino.things);
  const store = {
    things,
    devices: new Map(),
    certs: new Map(), // device id → Map(cert id → cert)
    passwords: new Map(), // device id → password
    dashboards: new Map(),
    triggers: new Map(),
    actions: new Map(),
  };
  for (const thing of things) {
    if (!thing.device_id) continue; // the devices carry their thing's tags
    const name = thing.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const device = newDevice(ex, {
      id: thing.device_id, name, type: 'mkrwifi1010', fqbn: 'arduino:samd:mkrwifi1010', connection_type: 'wifi',
      serial: thing.device_id.slice(0, 8).toUpperCase(), created_at: thing.created_at, updated_at: thing.updated_at,
      device_status: 'ONLINE', tags: { ...thing.tags },
    }, thing.organization_id || null);
    store.devices.set(device.id, device);
  }
  const firstDevice = things[0].device_id;
  store.certs.set(firstDevice, new Map([[SEED.cert, newCert(ex, firstDevice, { id: SEED.cert })]]));
  store.passwords.set(firstDevice, 'sim-device-password');
  const dashboard = {
    ...ex.ofSchema('ArduinoDashboardv3'), id: SEED.dashboard, name: 'Weather', widgets: [], pages: [],
    created_by: { user_id: USER, username: 'sim-maker' }, shared_with: [], updated_at: things[0].updated_at,
  };
  delete dashboard.organization_id;
  delete dashboard.shared_by;
  store.dashboards.set(dashboard.id, dashboard);
  const temperature = things[0].props[0];
  const action = {
    ...ex.ofSchema('ArduinoAction'), id: SEED.action, name: 'Frost alert', kind: 'NOTIFY-EMAIL',
    trigger_id: SEED.trigger, created_by: USER,
  };
  delete action.organization_id;
  store.actions.set(action.id, action);
  const trigger = {
    ...ex.ofSchema('ArduinoTrigger'), id: SEED.trigger, name: 'Frost', description: 'temperature below 0',
    active: true, property_id: temperature.id, actions: [clone(action)], created_by: USER,
    created_at: things[0].created_at, updated_at: things[0].updated_at,
  };
  delete trigger.organization_id;
  delete trigger.deleted_at;
  delete trigger.device_status_source;
  store.triggers.set(trigger.id, trigger);
  return store;
}

function newDevice(ex, fields, org) {
  const device = { ...ex.ofSchema('ArduinoDevicev2'), events: [], webhooks: [], tags: {}, metadata: {}, ...fields };
  delete device.thing;
  delete device.deleted_at;
  delete device.unique_hardware_id;
  device.href = `/iot/v2/devices/${device.id}`;
  device.label = fields.label || device.name;
  device.user_id = fields.user_id || USER;
  if (org) device.organization_id = org;
  else delete device.organization_id;
  return device;
}

function newCert(ex, deviceId, fields) {
  const cert = { ...ex.ofSchema('ArduinoDevicev2Cert'), ...fields, device_id: deviceId };
  cert.href = `/iot/v2/devices/${deviceId}/certs/${cert.id}`;
  return cert;
}

// ---------------------------------------------------------------------------------------------------------
// Answers

function goaBody(status, code, detail) {
  return { id: crypto.randomBytes(6).toString('base64url'), code, status, detail, meta: {} };
}

function send(res, status, body, type, headers = {}) {
  if (body === undefined) {
    res.writeHead(status, { 'Content-Length': 0, ...headers });
    return res.end();
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const goa = (res, status, code, detail, headers) => send(res, status, goaBody(status, code, detail), GOA_ERROR_TYPE,
  headers);
const notFound = (c, what) => goa(c.res, 404, 'not_found', `${what} not found`);
const badRequest = (c, detail) => goa(c.res, 400, 'bad_request', detail);

/** The operation's success answer: its status and media type, `body` or no body for operations without one. */
function ok(c, body) {
  const { status, contentType } = c.op.success;
  if (!contentType) return send(c.res, status, undefined);
  return send(c.res, status, body === undefined ? clone(c.op.success.example) : body, contentType);
}

/** `record` reduced to the fields of a response schema, with its required fields always present. */
function view(c, record, schemaName = c.op.success.schemaName) {
  const schema = c.ex.schemas[schemaName];
  if (!schema?.properties) return record;
  const out = {};
  for (const key of Object.keys(schema.properties)) if (record[key] !== undefined) out[key] = record[key];
  const template = c.ex.ofSchema(schemaName);
  for (const key of schema.required || []) if (out[key] === undefined) out[key] = template[key];
  return out;
}

/** The fields of `body` a resource schema knows, minus read-only bookkeeping. */
function pickFields(c, body, schemaName, skip = []) {
  const props = c.ex.schemas[schemaName]?.properties || {};
  const ignored = ['id', 'href', 'created_at', 'updated_at', 'deleted_at', ...skip];
  const out = {};
  for (const [k, v] of Object.entries(body || {})) if (Object.hasOwn(props, k) && !ignored.includes(k)) out[k] = v;
  return out;
}

const flag = (c, name) => c.query.get(name) === 'true';
const intParam = (c, name, fallback) => (c.query.has(name) ? Number(c.query.get(name)) : fallback);
const inSpace = (c, record) => (record.organization_id || null) === c.org;

// ---------------------------------------------------------------------------------------------------------
// Things and properties (fixture records: see fixtures.js)

function findThing(c, id, showDeleted = false) {
  const thing = c.store.things.find((t) => t.id === id && inSpace(c, t) && (showDeleted || !t.deleted_at));
  if (!thing) notFound(c, 'thing');
  return thing;
}

function findProperty(c, thing, pid, showDeleted = false) {
  const prop = thing.props.find((p) => p.id === pid && (showDeleted || !p.deleted_at));
  if (!prop) notFound(c, 'property');
  return prop;
}

const thingView = (c, thing, withProperties = false) => data.arduino.thing(thing, c.now, withProperties);
const propertyView = (c, thing, p) => data.arduino.property(thing, p, c.now);

function tagsObject(tags) {
  if (isObject(tags)) return { ...tags };
  const out = {};
  for (const t of Array.isArray(tags) ? tags : []) {
    if (isObject(t) && t.key !== undefined) out[t.key] = String(t.value ?? '');
  }
  return out;
}

function newProperty(thing, body, now) {
  const tags = thing.props.map((p) => p.tag).filter(Number.isInteger);
  const fields = pickProperty(body);
  return {
    id: uuid(),
    variable: body.variable_name || body.name,
    type: body.type,
    permission: body.permission,
    tag: Number.isInteger(body.tag) ? body.tag : (tags.length ? Math.max(...tags) : 0) + 1,
    value: 'N/A',
    update_strategy: body.update_strategy,
    ...(body.update_parameter !== undefined && { update_parameter: body.update_parameter }),
    fields: { name: body.name, variable_name: body.variable_name || body.name, persist: body.persist ?? true,
      ...fields, created_at: iso(now), updated_at: iso(now) },
  };
}

function pickProperty(body) {
  const out = {};
  for (const k of ['name', 'variable_name', 'persist', 'min_value', 'max_value']) {
    if (body[k] !== undefined) out[k] = body[k];
  }
  return out;
}

function updateProperty(p, body, now) {
  for (const k of ['type', 'permission', 'update_strategy', 'update_parameter', 'tag']) {
    if (body[k] !== undefined) p[k] = body[k];
  }
  if (body.variable_name !== undefined) p.variable = body.variable_name;
  p.fields = { ...p.fields, ...pickProperty(body), updated_at: iso(now) };
}

/** Appends values to a property's history ({time, value}, oldest first) and moves its last value. */
function publish(thing, p, values, now) {
  if (!p.history) p.history = data.arduino.history(thing, p, now);
  let last = p.history.length ? p.history[p.history.length - 1].time : -Infinity;
  for (const { value, time } of values) {
    let t = time ?? now;
    if (time === undefined && t <= last) t = last + 1; // values published in one millisecond keep their order
    p.history.push({ time: t, value });
    last = Math.max(last, t);
  }
  p.history.sort((a, b) => a.time - b.time);
  const newest = p.history[p.history.length - 1];
  p.last = { value: newest.value, at: iso(newest.time) };
}

const historyOf = (c, thing, p) => p.history || data.arduino.history(thing, p, c.now);

function numeric(value) {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function aggregate(values, how = 'AVG') {
  if (!values.length) return null;
  switch (how) {
    case 'MIN': return Math.min(...values);
    case 'MAX': return Math.max(...values);
    case 'SUM': return values.reduce((a, b) => a + b, 0);
    case 'COUNT': return values.length;
    case 'BOOL_OR': return values.some(Boolean) ? 1 : 0;
    case 'BOOL_AND': return values.every(Boolean) ? 1 : 0;
    default: {
      const pct = /^PCT_(\d+)$/.exec(how);
      if (pct) {
        const sorted = [...values].sort((a, b) => a - b);
        return sorted[Math.min(sorted.length - 1, Math.floor((Number(pct[1]) / 100) * sorted.length))];
      }
      return values.reduce((a, b) => a + b, 0) / values.length;
    }
  }
}

/** History points in [from, to] (ms; either may be undefined), binned by `interval` seconds when given. */
function series(points, { from, to, interval, aggregation, sample = false }) {
  let list = points.filter((p) => (from === undefined || p.time >= from) && (to === undefined || p.time <= to));
  if (!interval) return list;
  const bins = new Map();
  for (const p of list) {
    const start = p.time - (p.time % (interval * 1000));
    if (!bins.has(start)) bins.set(start, []);
    bins.get(start).push(p);
  }
  list = [];
  for (const [start, group] of [...bins.entries()].sort((a, b) => a[0] - b[0])) {
    if (sample) list.push({ time: start, value: group[group.length - 1].value });
    else {
      const value = aggregate(group.map((g) => numeric(g.value)).filter((v) => v !== null), aggregation);
      if (value !== null) list.push({ time: start, value });
    }
  }
  return list;
}

const parseTime = (value) => (value === undefined || value === null || value === '' ? undefined : Date.parse(value));

/** The property a series query names (`property.<id>`), with its thing, in the caller's space. */
function seriesTarget(c, q, propertyId) {
  const id = propertyId || /^property\.(.+)$/.exec(String(q || '').trim())?.[1];
  if (!id) return null;
  for (const thing of c.store.things) {
    if (!inSpace(c, thing)) continue;
    const p = thing.props.find((x) => x.id === id);
    if (p) return { thing, p };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Handlers by operation id; operations without one answer the example of their success schema.

const H = {};

H['things_v2#list'] = (c) => {
  let list = c.store.things.filter((t) => inSpace(c, t) && (flag(c, 'show_deleted') || !t.deleted_at));
  if (c.query.has('device_id')) list = list.filter((t) => t.device_id === c.query.get('device_id'));
  const ids = c.query.getAll('ids').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (ids.length) list = list.filter((t) => ids.includes(t.id));
  for (const tag of c.query.getAll('tags')) {
    const [key, ...rest] = tag.split(':');
    list = list.filter((t) => Object.hasOwn(t.tags, key) && (!rest.length || t.tags[key] === rest.join(':')));
  }
  ok(c, list.map((t) => thingView(c, t, flag(c, 'show_properties'))));
};

H['things_v2#show'] = (c) => {
  const thing = findThing(c, c.params.id, flag(c, 'show_deleted'));
  if (thing) ok(c, thingView(c, thing, flag(c, 'show_properties')));
};

H['things_v1#layout'] = (c) => {
  const thing = findThing(c, c.params.id, flag(c, 'show_deleted'));
  if (thing) ok(c, thingView(c, thing, true));
};

H['things_v2#create'] = (c) => {
  const b = c.body;
  const id = typeof b.id === 'string' && b.id ? b.id : uuid();
  if (c.store.things.some((t) => t.id === id)) return goa(c.res, 409, 'conflict', 'a thing with this id exists');
  const now = iso(c.now);
  const thing = {
    id, name: b.name ?? `Thing ${id.slice(0, 8)}`, href: `/iot/v1/things/${id}`, user_id: USER,
    timezone: b.timezone || 'America/New_York', tags: tagsObject(b.tags),
    ...(b.device_id && { device_id: b.device_id }),
    ...(b.assistant && { assistant: b.assistant }),
    ...(b.webhook_active !== undefined && { webhook_active: b.webhook_active }),
    ...(b.webhook_uri !== undefined && { webhook_uri: b.webhook_uri }),
    ...(c.org && { organization_id: c.org }),
    created_at: now, updated_at: now, props: [],
  };
  for (const p of Array.isArray(b.properties) ? b.properties : []) {
    if (isObject(p)) thing.props.push(newProperty(thing, p, c.now));
  }
  c.store.things.push(thing);
  ok(c, thingView(c, thing));
};

H['things_v2#update'] = (c) => {
  const b = c.body || {};
  const thing = findThing(c, c.params.id, b.soft_deleted === false);
  if (!thing) return;
  for (const k of ['name', 'device_id', 'timezone', 'assistant', 'webhook_active', 'webhook_uri']) {
    if (b[k] !== undefined) thing[k] = b[k];
  }
  if (b.soft_deleted === false) delete thing.deleted_at;
  thing.updated_at = iso(c.now);
  ok(c, thingView(c, thing));
};

H['things_v2#delete'] = (c) => {
  const thing = findThing(c, c.params.id);
  if (!thing) return;
  if (flag(c, 'force')) c.store.things.splice(c.store.things.indexOf(thing), 1);
  else thing.deleted_at = thing.updated_at = iso(c.now);
  ok(c);
};

H['things_v2#clone'] = (c) => {
  const source = findThing(c, c.params.id);
  if (!source) return;
  const now = iso(c.now);
  const id = uuid();
  const thing = {
    ...structuredClone(source), id, name: c.body.name, href: `/iot/v1/things/${id}`,
    tags: c.body.include_tags ? { ...source.tags } : {}, created_at: now, updated_at: now,
  };
  delete thing.device_id;
  delete thing.sketch_id;
  thing.props = thing.props.filter((p) => !p.deleted_at).map((p) => {
    const copy = { ...p, id: uuid(), value: Array.isArray(p.value) ? 'N/A' : p.value };
    delete copy.history;
    delete copy.last;
    return copy;
  });
  c.store.things.push(thing);
  ok(c, thingView(c, thing));
};

H['things_v2#createSketch'] = (c) => {
  const thing = findThing(c, c.params.id);
  if (!thing) return;
  thing.sketch_id = uuid();
  thing.updated_at = iso(c.now);
  ok(c, thingView(c, thing));
};

H['things_v2#updateSketch'] = (c) => {
  const thing = findThing(c, c.params.id);
  if (!thing) return;
  thing.sketch_id = c.params.sketchId;
  thing.updated_at = iso(c.now);
  ok(c, thingView(c, thing));
};

H['things_v2#deleteSketch'] = (c) => {
  const thing = findThing(c, c.params.id);
  if (!thing) return;
  delete thing.sketch_id;
  thing.updated_at = iso(c.now);
  ok(c, thingView(c, thing));
};

H['things_v2#template'] = (c) => {
  const thing = findThing(c, c.params.id);
  if (!thing) return;
  ok(c, {
    ...clone(c.op.success.example), id: thing.id, name: thing.name, timezone: thing.timezone,
    tags: Object.entries(thing.tags).map(([key, value]) => ({ key, value })),
    variables: thing.props.filter((p) => !p.deleted_at).map((p) => ({
      name: p.variable, variable_name: p.variable, permission: p.permission, type: p.type,
      update_strategy: p.update_strategy || 'ON_CHANGE',
      ...(p.update_parameter !== undefined && { update_parameter: p.update_parameter }),
    })),
  });
};

function tagHandlers(kind, find) {
  H[`${kind}_tags#list`] = (c) => {
    const r = find(c);
    if (r) ok(c, { tags: Object.entries(r.tags || {}).map(([key, value]) => ({ key, value })) });
  };
  H[`${kind}_tags#upsert`] = (c) => {
    const r = find(c);
    if (!r) return;
    r.tags = { ...r.tags, [c.body.key]: String(c.body.value) };
    r.updated_at = iso(c.now);
    ok(c);
  };
  H[`${kind}_tags#delete`] = (c) => {
    const r = find(c);
    if (!r) return;
    if (!Object.hasOwn(r.tags || {}, c.params.key)) return notFound(c, 'tag');
    delete r.tags[c.params.key];
    r.updated_at = iso(c.now);
    ok(c);
  };
}
tagHandlers('things_v2', (c) => findThing(c, c.params.id));
tagHandlers('devices_v2', (c) => findDevice(c, c.params.id));

H['properties_v2#list'] = (c) => {
  const thing = findThing(c, c.params.id);
  if (thing) ok(c, data.arduino.properties(thing, c.now, flag(c, 'show_deleted')));
};

H['properties_v2#show'] = (c) => {
  const thing = findThing(c, c.params.id);
  const p = thing && findProperty(c, thing, c.params.pid, flag(c, 'show_deleted'));
  if (p) ok(c, propertyView(c, thing, p));
};

H['properties_v2#create'] = (c) => {
  const thing = findThing(c, c.params.id);
  if (!thing) return;
  const p = newProperty(thing, c.body, c.now);
  thing.props.push(p);
  ok(c, propertyView(c, thing, p));
};

H['properties_v2#update'] = (c) => {
  const thing = findThing(c, c.params.id);
  const p = thing && findProperty(c, thing, c.params.pid);
  if (!p) return;
  updateProperty(p, c.body, c.now);
  ok(c, propertyView(c, thing, p));
};

H['properties_v2#delete'] = (c) => {
  const thing = findThing(c, c.params.id);
  const p = thing && findProperty(c, thing, c.params.pid);
  if (!p) return;
  if (flag(c, 'force')) thing.props.splice(thing.props.indexOf(p), 1);
  else p.deleted_at = iso(c.now);
  ok(c);
};

H['properties_v2#publish'] = (c) => {
  const thing = findThing(c, c.params.id);
  const p = thing && findProperty(c, thing, c.params.pid);
  if (!p) return;
  publish(thing, p, [{ value: c.body.value }], c.now);
  ok(c);
};

H['properties_v2#publishBatch'] = (c) => {
  const thing = findThing(c, c.params.id);
  const p = thing && findProperty(c, thing, c.params.pid);
  if (!p) return;
  const values = [];
  for (const [i, item] of c.body.entries()) {
    const time = Date.parse(item.timestamp);
    if (Number.isNaN(time)) {
      return badRequest(c, `invalid value for body[${i}].timestamp: must be an RFC 3339 date-time`);
    }
    values.push({ value: item.value, time });
  }
  if (values.length) publish(thing, p, values, c.now);
  ok(c);
};

/** Publishes `[{name, value}]` to the thing's properties by name or variable name; unknown names are 400. */
function publishByName(c, thing, list) {
  const live = thing.props.filter((p) => !p.deleted_at);
  const targets = [];
  for (const item of list) {
    const p = live.find((x) => x.variable === item.name || (x.fields?.name ?? x.variable) === item.name);
    if (!p) return badRequest(c, `unknown property "${item.name}"`) && false;
    targets.push([p, item.value]);
  }
  for (const [p, value] of targets) publish(thing, p, [{ value }], c.now);
  return true;
}

H['properties_v2#publishMulti'] = (c) => {
  const thing = findThing(c, c.params.id);
  if (!thing) return;
  const list = (Array.isArray(c.body.properties) ? c.body.properties : [])
    .map((d) => ({ name: d?.property, value: d?.value }));
  if (publishByName(c, thing, list)) ok(c);
};

H['properties_v2#timeseries'] = (c) => {
  const thing = findThing(c, c.params.id);
  const p = thing && findProperty(c, thing, c.params.pid);
  if (!p) return;
  const from = parseTime(c.query.get('from'));
  const to = parseTime(c.query.get('to'));
  if (Number.isNaN(from) || Number.isNaN(to)) return badRequest(c, 'from and to must be RFC 3339 date-times');
  const points = series(historyOf(c, thing, p), {
    from, to, interval: intParam(c, 'interval'), aggregation: c.query.get('aggregation') || 'AVG',
  });
  const out = points.map((x) => ({ time: iso(x.time), value: numeric(x.value) })).filter((x) => x.value !== null);
  if (flag(c, 'desc')) out.reverse();
  ok(c, { data: out });
};

// Devices

function findDevice(c, id, showDeleted = false) {
  const d = c.store.devices.get(id);
  if (!d || !inSpace(c, d) || (d.deleted_at && !showDeleted)) return notFound(c, 'device') && null;
  return d;
}

/** The thing a device is attached to, if any. */
const boundThing = (c, device) => c.store.things
  .find((t) => t.device_id === device.id && !t.deleted_at && inSpace(c, t));

function deviceView(c, device) {
  const thing = boundThing(c, device);
  return { ...device, ...(thing && { thing: thingView(c, thing) }) };
}

H['devices_v2#list'] = (c) => {
  let list = [...c.store.devices.values()].filter((d) => inSpace(c, d) && (flag(c, 'show_deleted') || !d.deleted_at));
  if (c.query.has('serial')) list = list.filter((d) => d.serial === c.query.get('serial'));
  const hardwareId = c.query.get('unique_hardware_id');
  if (hardwareId !== null) list = list.filter((d) => d.unique_hardware_id === hardwareId);
  for (const tag of c.query.getAll('tags')) {
    const [key, ...rest] = tag.split(':');
    list = list.filter((d) => Object.hasOwn(d.tags, key) && (!rest.length || d.tags[key] === rest.join(':')));
  }
  ok(c, list.map((d) => deviceView(c, d)));
};

function createDevice(c, fields) {
  const id = typeof fields.id === 'string' && fields.id ? fields.id : uuid();
  if (c.store.devices.has(id)) return goa(c.res, 409, 'conflict', 'a device with this id exists');
  const now = iso(c.now);
  const device = newDevice(c.ex, {
    ...pickFields(c, fields, 'ArduinoDevicev2', ['thing', 'events', 'webhooks', 'organization_id']),
    id, name: fields.name || `device-${id.slice(0, 8)}`, serial: fields.serial || id.slice(0, 8).toUpperCase(),
    created_at: now, updated_at: now, device_status: 'OFFLINE',
  }, c.org);
  c.store.devices.set(id, device);
  ok(c, deviceView(c, device));
}

H['devices_v2#create'] = (c) => createDevice(c, c.body);
H['devices_v2#createClaimed'] = (c) => createDevice(c, { ...c.body, id: c.body.ID });

H['devices_v2#show'] = (c) => {
  const d = findDevice(c, c.params.id);
  if (d) ok(c, deviceView(c, d));
};

H['devices_v2#update'] = (c) => {
  const d = findDevice(c, c.params.id, c.body.soft_deleted === false);
  if (!d) return;
  const skip = ['thing', 'events', 'webhooks', 'organization_id', 'user_id'];
  Object.assign(d, pickFields(c, c.body, 'ArduinoDevicev2', skip));
  if (c.body.name !== undefined) d.label = c.body.name;
  if (c.body.soft_deleted === false) delete d.deleted_at;
  d.updated_at = iso(c.now);
  ok(c, deviceView(c, d));
};

H['devices_v2#delete'] = (c) => {
  const d = findDevice(c, c.params.id);
  if (!d) return;
  if (flag(c, 'force')) c.store.devices.delete(d.id);
  else d.deleted_at = d.updated_at = iso(c.now);
  ok(c);
};

H['devices_v2#removeHardwareID'] = (c) => {
  const d = findDevice(c, c.params.id);
  if (!d) return;
  delete d.unique_hardware_id;
  d.updated_at = iso(c.now);
  ok(c, deviceView(c, d));
};

H['devices_v2#getProperties'] = (c) => {
  const d = findDevice(c, c.params.id);
  if (!d) return;
  const thing = boundThing(c, d);
  ok(c, {
    deviceId: d.id, user_id: d.user_id, data_retention_days: 30,
    properties: thing ? data.arduino.properties(thing, c.now, flag(c, 'show_deleted')) : [],
  });
};

H['devices_v2#updateProperties'] = (c) => {
  const d = findDevice(c, c.params.id);
  if (!d) return;
  const thing = boundThing(c, d);
  if (!thing) return badRequest(c, 'the device is not attached to a thing');
  const list = (Array.isArray(c.body.properties) ? c.body.properties : [])
    .map((v) => ({ name: v?.name, value: v?.value }));
  if (publishByName(c, thing, list)) ok(c);
};

/** The device's property `pid` (of the thing it is attached to, else of any thing in the space). */
function deviceProperty(c, d, pid) {
  const bound = boundThing(c, d);
  const things = bound ? [bound, ...c.store.things.filter((t) => t !== bound)] : c.store.things;
  for (const thing of things) {
    if (!inSpace(c, thing)) continue;
    const p = thing.props.find((x) => x.id === pid && !x.deleted_at);
    if (p) return { thing, p };
  }
  return null;
}

H['devices_v2#timeseries'] = (c) => {
  const d = findDevice(c, c.params.id);
  if (!d) return;
  const target = deviceProperty(c, d, c.params.pid);
  if (!target) return notFound(c, 'property');
  const { thing, p } = target;
  const limit = intParam(c, 'limit', 100);
  if (limit < 1) return badRequest(c, 'invalid value for query parameter "limit": must be at least 1');
  const start = parseTime(c.query.get('start'));
  if (Number.isNaN(start)) {
    return badRequest(c, 'invalid value for query parameter "start": must be an RFC 3339 date-time');
  }
  const history = historyOf(c, thing, p);
  const seqno = new Map(history.map((x, i) => [x, i + 1]));
  const newestFirst = [...history].reverse().filter((x) => start === undefined || x.time < start);
  const page = newestFirst.slice(0, limit);
  const name = p.fields?.name ?? p.variable;
  const more = newestFirst.length > page.length;
  const lastItem = page[page.length - 1];
  ok(c, {
    id: p.id,
    name,
    values: page.map((x) => ({
      created_at: iso(x.time),
      value: { payload: typeof x.value === 'string' ? x.value : JSON.stringify(x.value), seqno: seqno.get(x) },
    })),
    last_evaluated_key: more ? { created_at: iso(lastItem.time), id: p.id, name } : {},
  });
};

H['devices_v2#getEvents'] = (c) => {
  const d = findDevice(c, c.params.id);
  if (!d) return;
  const thing = boundThing(c, d);
  const props = thing ? data.arduino.properties(thing, c.now) : [];
  const events = props.filter((p) => p.value_updated_at)
    .map((p) => ({ name: p.variable_name, updated_at: p.value_updated_at, value: p.last_value }))
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  ok(c, { id: d.id, events: events.slice(0, intParam(c, 'limit', events.length)) });
};

H['devices_v2#GetStatusEvents'] = (c) => {
  const d = findDevice(c, c.params.id);
  if (!d) return;
  const value = d.device_status === 'ONLINE' ? 'CONNECTED' : 'DISCONNECTED';
  const events = [{ updated_at: d.updated_at || EXAMPLE_TIME, value }];
  ok(c, { id: d.id, events: events.slice(0, intParam(c, 'limit', 30)) });
};

// Every other device operation needs the device to exist.
for (const id of ['devices_v2_ota#send', 'devices_v2_ota#url']) {
  H[id] = (c) => {
    if (findDevice(c, c.params.id)) ok(c);
  };
}

H['devices_v2_ota#upload'] = (c) => {
  const d = findDevice(c, c.params.id);
  if (!d) return;
  const file = Array.isArray(c.body) ? c.body.find((p) => p.name === 'ota_file') : null;
  ok(c, {
    ...clone(c.op.success.example), ota_id: uuid(), ota_version: 1, status: 'pending',
    ...(file && { file_sha: crypto.createHash('sha256').update(file.content).digest('hex') }),
  });
};

H['devices_v2_pass#get'] = (c) => {
  if (!findDevice(c, c.params.id)) return;
  ok(c, {
    set: c.store.passwords.has(c.params.id),
    ...(flag(c, 'suggested_password') && { suggested_password: crypto.randomBytes(12).toString('base64url') }),
  });
};

H['devices_v2_pass#set'] = (c) => {
  if (!findDevice(c, c.params.id)) return;
  c.store.passwords.set(c.params.id, c.body.password ?? crypto.randomBytes(12).toString('base64url'));
  ok(c, { set: true });
};

H['devices_v2_pass#check'] = (c) => {
  if (!findDevice(c, c.params.id)) return;
  if (c.store.passwords.get(c.params.id) !== c.body.password) return badRequest(c, 'wrong password');
  ok(c);
};

H['devices_v2_pass#delete'] = (c) => {
  if (!findDevice(c, c.params.id)) return;
  c.store.passwords.delete(c.params.id);
  ok(c);
};

// Device certificates

function certsOf(c) {
  const d = findDevice(c, c.params.id);
  if (!d) return null;
  if (!c.store.certs.has(d.id)) c.store.certs.set(d.id, new Map());
  return c.store.certs.get(d.id);
}

function findCert(c) {
  const certs = certsOf(c);
  const cert = certs?.get(c.params.cid);
  if (certs && !cert) notFound(c, 'certificate');
  return cert;
}

H['devices_v2_certs#list'] = (c) => {
  const certs = certsOf(c);
  if (certs) ok(c, [...certs.values()]);
};

H['devices_v2_certs#create'] = (c) => {
  const certs = certsOf(c);
  if (!certs) return;
  const cert = newCert(c.ex, c.params.id, { id: uuid(), enabled: c.body.enabled, ...(c.body.ca && { ca: c.body.ca }) });
  certs.set(cert.id, cert);
  ok(c, cert);
};

H['devices_v2_certs#show'] = (c) => {
  const cert = findCert(c);
  if (cert) ok(c, cert);
};

H['devices_v2_certs#update'] = (c) => {
  const cert = findCert(c);
  if (!cert) return;
  if (c.body.enabled !== undefined) cert.enabled = c.body.enabled;
  if (c.body.ca !== undefined) cert.ca = c.body.ca;
  ok(c, cert);
};

H['devices_v2_certs#delete'] = (c) => {
  const cert = findCert(c);
  if (!cert) return;
  c.store.certs.get(c.params.id).delete(cert.id);
  ok(c);
};

// Dashboards (one store; v2 and v3 show the fields of their own schema)

function findDashboard(c) {
  const r = c.store.dashboards.get(c.params.id);
  if (!r || !inSpace(c, r)) return notFound(c, 'dashboard') && null;
  return r;
}

const dashboardFields = (c, body) => pickFields(c, body, 'dashboardv3', ['soft_deleted']);

for (const v of ['v2', 'v3']) {
  const schema = `ArduinoDashboard${v}`;
  H[`dashboards_${v}#list`] = (c) => {
    let list = [...c.store.dashboards.values()].filter((r) => inSpace(c, r));
    const name = c.query.get('name');
    if (name) list = list.filter((r) => r.name.toLowerCase().includes(name.toLowerCase()));
    const user = c.query.get('user_id');
    if (user) list = list.filter((r) => r.created_by?.user_id === user);
    const thing = c.query.get('thing_id');
    if (thing) list = list.filter((r) => JSON.stringify(r.widgets || []).includes(thing));
    ok(c, list.map((r) => view(c, r, schema)));
  };
  H[`dashboards_${v}#create`] = (c) => {
    const r = {
      id: uuid(), widgets: [], ...(v === 'v3' && { pages: [] }), ...dashboardFields(c, c.body),
      created_by: { user_id: USER, username: 'sim-maker' }, shared_with: [], updated_at: iso(c.now),
      ...(c.org && { organization_id: c.org }),
    };
    if (r.name === undefined) r.name = `Dashboard ${r.id.slice(0, 8)}`;
    c.store.dashboards.set(r.id, r);
    ok(c, view(c, r, schema));
  };
  H[`dashboards_${v}#show`] = (c) => {
    const r = findDashboard(c);
    if (r) ok(c, view(c, r, schema));
  };
  H[`dashboards_${v}#update`] = H[`dashboards_${v}#patch`] = (c) => {
    const r = findDashboard(c);
    if (!r) return;
    Object.assign(r, dashboardFields(c, c.body), { updated_at: iso(c.now) });
    ok(c, view(c, r, schema));
  };
  H[`dashboards_${v}#clone`] = (c) => {
    const r = findDashboard(c);
    if (!r) return;
    const copy = { ...structuredClone(r), id: uuid(), name: `${r.name} copy`, shared_with: [], updated_at: iso(c.now) };
    c.store.dashboards.set(copy.id, copy);
    ok(c, view(c, copy, schema));
  };
  H[`dashboards_${v}#template`] = (c) => {
    const r = findDashboard(c);
    if (r) ok(c, { ...clone(c.op.success.example), id: r.id, name: r.name });
  };
}

H['dashboards_v2#delete'] = (c) => {
  const r = findDashboard(c);
  if (!r) return;
  c.store.dashboards.delete(r.id);
  ok(c);
};

H['dashboards_v2#listShares'] = (c) => {
  const r = findDashboard(c);
  if (r) ok(c, r.shared_with || []);
};

H['dashboards_v2#share'] = (c) => {
  const r = findDashboard(c);
  if (!r) return;
  const users = [c.body, ...(Array.isArray(c.body.users) ? c.body.users : [])].filter((u) => isObject(u) && u.user_id);
  r.shared_with = [...(r.shared_with || []).filter((s) => !users.some((u) => u.user_id === s.user_id)),
    ...users.map((u) => ({ user_id: u.user_id, ...(u.username && { username: u.username }) }))];
  ok(c);
};

H['dashboards_v2#deleteShare'] = (c) => {
  const r = findDashboard(c);
  if (!r) return;
  r.shared_with = (r.shared_with || []).filter((s) => s.user_id !== c.params.user_id);
  ok(c);
};

H['dashboards_v2#requestAccess'] = (c) => {
  if (findDashboard(c)) ok(c);
};

H['dashboards_v2#link'] = (c) => {
  const r = findDashboard(c);
  if (!r) return;
  const widget = (r.widgets || []).find((w) => w.id === c.params.widgetId);
  if (widget) widget.variables = c.body.variables || [];
  ok(c, { variables: c.body.variables || [] });
};

// Triggers and actions

function findIn(c, map, id, what, showDeleted = false) {
  const r = map.get(id);
  if (!r || !inSpace(c, r) || (r.deleted_at && !showDeleted)) return notFound(c, what) && null;
  return r;
}

function newAction(c, body) {
  return {
    id: uuid(), ...pickFields(c, body, 'ArduinoAction'), created_by: USER, ...(c.org && { organization_id: c.org }),
  };
}

H['triggers_v1#list'] = (c) => {
  let list = [...c.store.triggers.values()].filter((r) => inSpace(c, r) && (flag(c, 'show_deleted') || !r.deleted_at));
  const pid = c.query.get('property_id');
  if (pid) list = list.filter((r) => r.property_id === pid);
  const did = c.query.get('device_id');
  if (did) list = list.filter((r) => JSON.stringify(r.device_status_source || {}).includes(did));
  const source = c.query.get('source_type');
  if (source === 'PROPERTY') list = list.filter((r) => r.property_id);
  else if (source) list = list.filter((r) => r.device_status_source);
  ok(c, list.map((r) => view(c, r)));
};

H['triggers_v1#create'] = (c) => {
  const now = iso(c.now);
  const r = {
    id: uuid(), ...pickFields(c, c.body, 'ArduinoTrigger', ['actions']), created_by: USER, created_at: now,
    updated_at: now, ...(c.org && { organization_id: c.org }),
  };
  if (typeof c.body.id === 'string' && c.body.id) r.id = c.body.id;
  if (r.active === undefined) r.active = true;
  r.actions = (Array.isArray(c.body.actions) ? c.body.actions : []).map((a) => {
    const action = newAction(c, { ...a, trigger_id: r.id });
    c.store.actions.set(action.id, action);
    return action;
  });
  c.store.triggers.set(r.id, r);
  ok(c, view(c, r));
};

H['triggers_v1#show'] = (c) => {
  const r = findIn(c, c.store.triggers, c.params.id, 'trigger');
  if (!r) return;
  let linked;
  if (r.property_id) {
    const target = seriesTarget(c, null, r.property_id);
    if (target) {
      linked = { id: target.p.id, name: target.p.fields?.name ?? target.p.variable, thing_id: target.thing.id,
        thing_name: target.thing.name, variable_name: target.p.variable };
    }
  }
  ok(c, view(c, { ...r, ...(linked && { linked_property: linked }) }));
};

H['triggers_v1#update'] = H['triggers_v1#patch'] = (c) => {
  const r = findIn(c, c.store.triggers, c.params.id, 'trigger', c.body.soft_deleted === false);
  if (!r) return;
  Object.assign(r, pickFields(c, c.body, 'ArduinoTrigger', ['actions']), { updated_at: iso(c.now) });
  if (c.body.soft_deleted === false) delete r.deleted_at;
  ok(c, view(c, r));
};

H['triggers_v1#delete'] = (c) => {
  const r = findIn(c, c.store.triggers, c.params.id, 'trigger');
  if (!r) return;
  if (flag(c, 'force')) c.store.triggers.delete(r.id);
  else r.deleted_at = iso(c.now);
  ok(c);
};

H['triggers_v1#template'] = (c) => {
  const r = findIn(c, c.store.triggers, c.params.id, 'trigger');
  if (r) ok(c, { ...clone(c.op.success.example), id: r.id, name: r.name, description: r.description });
};

H['triggers_v1#unsubscribe'] = (c) => {
  if (findIn(c, c.store.triggers, c.params.id, 'trigger')) ok(c);
};

H['actions_v1#list'] = (c) => ok(c, [...c.store.actions.values()].filter((a) => inSpace(c, a)).map((a) => view(c, a)));

H['actions_v1#create'] = (c) => {
  const a = newAction(c, c.body);
  c.store.actions.set(a.id, a);
  ok(c, view(c, a));
};

H['actions_v1#show'] = (c) => {
  const a = findIn(c, c.store.actions, c.params.id, 'action');
  if (a) ok(c, view(c, a));
};

H['actions_v1#update'] = (c) => {
  const a = findIn(c, c.store.actions, c.params.id, 'action');
  if (!a) return;
  Object.assign(a, pickFields(c, c.body, 'ArduinoAction', ['kind']));
  ok(c, view(c, a));
};

H['actions_v1#Unsubscribe'] = (c) => {
  const a = findIn(c, c.store.actions, c.params.id, 'action');
  if (a) ok(c, view(c, a));
};

H['actions_v1#delete'] = (c) => {
  const a = findIn(c, c.store.actions, c.params.id, 'action');
  if (!a) return;
  c.store.actions.delete(a.id);
  ok(c);
};

// Series

function seriesRequests(c) {
  return Array.isArray(c.body.requests) ? c.body.requests.filter(isObject) : [];
}

function checkRange(c, requests) {
  for (const [i, r] of requests.entries()) {
    for (const k of ['from', 'to']) {
      if (r[k] !== undefined && Number.isNaN(Date.parse(r[k]))) {
        badRequest(c, `invalid value for requests[${i}].${k}: must be an RFC 3339 date-time`);
        return false;
      }
    }
  }
  return true;
}

function seriesHeader(c, r, target, from, to) {
  return {
    query: r.q ?? `property.${r.property_id}`,
    from_date: iso(from ?? 0),
    to_date: iso(to ?? c.now),
    status: target ? 'ok' : 'error',
    message: target ? '' : 'no property matches the query',
    ...(target && {
      property_id: target.p.id, property_name: target.p.fields?.name ?? target.p.variable,
      property_type: target.p.type, thing_id: target.thing.id,
    }),
  };
}

H['series_v2#batch_query'] = (c) => {
  const requests = seriesRequests(c);
  if (!checkRange(c, requests)) return;
  const respVersion = c.body.resp_version ?? 1;
  ok(c, {
    resp_version: respVersion,
    responses: requests.map((r) => {
      const target = seriesTarget(c, r.q);
      const from = parseTime(r.from);
      const to = parseTime(r.to);
      const aggregation = r.aggregation || 'AVG';
      const history = target ? historyOf(c, target.thing, target.p) : [];
      const points = series(history, { from, to, interval: r.interval, aggregation });
      const numericPoints = points.map((p) => ({ time: p.time, value: numeric(p.value) }))
        .filter((p) => p.value !== null).slice(-(r.series_limit || 300));
      return {
        ...seriesHeader(c, r, target, from, to), aggregation, interval: r.interval ?? 0, resp_version: respVersion,
        series_limit: r.series_limit ?? 300, count_values: numericPoints.length,
        times: numericPoints.map((p) => iso(p.time)), values: numericPoints.map((p) => p.value),
      };
    }),
  });
};

H['series_v2#batch_query_sampling'] = (c) => {
  const requests = seriesRequests(c);
  if (!checkRange(c, requests)) return;
  const respVersion = c.body.resp_version ?? 1;
  ok(c, {
    resp_version: respVersion,
    responses: requests.map((r) => {
      const target = seriesTarget(c, r.q);
      const to = parseTime(r.to) ?? c.now;
      const from = parseTime(r.from) ?? to - 86400000;
      const interval = r.interval ?? 300;
      const points = target ? series(historyOf(c, target.thing, target.p), { from, to, interval, sample: true }) : [];
      const page = points.slice(-(r.series_limit || 300));
      return {
        ...seriesHeader(c, r, target, from, to), interval, resp_version: respVersion,
        series_limit: r.series_limit ?? 300, count_values: page.length,
        times: page.map((p) => iso(p.time)), values: page.map((p) => p.value),
      };
    }),
  });
};

H['series_v2#batch_query_raw'] = (c) => {
  const requests = seriesRequests(c);
  if (!checkRange(c, requests)) return;
  const respVersion = c.body.resp_version ?? 1;
  ok(c, {
    resp_version: respVersion,
    responses: requests.map((r) => {
      const target = seriesTarget(c, r.q);
      const from = parseTime(r.from);
      const to = parseTime(r.to);
      const sort = r.sort === 'ASC' ? 'ASC' : 'DESC';
      let points = target ? series(historyOf(c, target.thing, target.p), { from, to }) : [];
      if (sort === 'DESC') points = [...points].reverse();
      points = points.slice(0, r.series_limit || 1000);
      return {
        ...seriesHeader(c, r, target, from, to), resp_version: respVersion, series_limit: r.series_limit ?? 1000, sort,
        series: { metric: target ? `property.${target.p.id}` : String(r.q ?? '') },
        count_values: points.length, times: points.map((p) => iso(p.time)), values: points.map((p) => p.value),
      };
    }),
  });
};

H['series_v2#batch_query_raw_last_value'] = (c) => {
  const responses = seriesRequests(c).map((r) => {
    const target = seriesTarget(c, null, r.property_id);
    const history = target && target.thing.id === r.thing_id ? historyOf(c, target.thing, target.p) : [];
    const last = history.slice(-1);
    return {
      property_id: r.property_id, thing_id: r.thing_id, count_values: last.length,
      times: last.map((p) => iso(p.time)), values: last.map((p) => p.value),
    };
  });
  ok(c, { status: 'ok', responses });
};

H['series_v2#historic_data'] = (c) => {
  if (!checkRange(c, [c.body])) return;
  ok(c);
};

// ---------------------------------------------------------------------------------------------------------
// Entry point

/**
 * Answers an Arduino API request (the token endpoint is handled by index.js). `ctx` is the dispatch context
 * of index.js; `ctx.arduinoMatch` is the route match computed when the request was logged.
 */
function handle(ctx) {
  const { sim, req, res } = ctx;
  const m = ctx.arduinoMatch || match(ctx.method, ctx.path);
  if (m.status === 404) return goa(res, 404, 'not_found', `no such endpoint: ${ctx.method} ${ctx.path}`);
  if (m.status === 405) {
    const allow = m.allow.join(', ');
    return goa(res, 405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}; allowed: ${allow}`,
      { Allow: allow });
  }
  const session = sim.session('arduino', req);
  if (!session) return goa(res, 401, 'unauthorized', 'invalid token');
  const org = req.headers['x-organization'] || session.organization || null;
  if (org && org !== data.CREDENTIALS.arduino.organization) {
    return goa(res, 403, 'forbidden', 'you are not a member of this organization');
  }
  const { op, params } = m;
  const checked = validate(op, { params, searchParams: ctx.query, headers: req.headers, raw: ctx.raw });
  if (checked.error) return goa(res, 400, 'bad_request', checked.error);
  const c = {
    sim, res, op, params, org, ex: api().ex, store: sim.arduinoStore, query: ctx.query, body: checked.body,
    now: Date.now(),
  };
  const handler = H[op.handler];
  return handler ? handler(c) : ok(c);
}

/** The compiled operations, for tests: what a valid request to each one looks like and what it answers. */
function operations() {
  return api().operations.map((op) => ({
    operationId: op.operationId,
    method: op.method,
    path: op.template,
    v1: !!op.v1,
    pathParams: op.params.path.map((p) => ({ name: p.name, schema: clone(p.schema) })),
    queryParams: op.params.query.map((p) => ({ name: p.name, required: p.required, schema: clone(p.schema) })),
    headerParams: op.params.header.map((p) => ({ name: p.name, required: p.required })),
    body: op.body && {
      required: op.body.required, mediaTypes: [...op.body.types], schema: op.body.schemaName,
      requiredFields: [...op.body.fields], example: clone(op.body.example),
    },
    success: {
      status: op.success.status, contentType: op.success.contentType, schema: op.success.schemaName,
      required: requiredOf(op.success.schemaName),
    },
  }));
}

/** The required fields of a response schema (of its items for a collection). */
function requiredOf(schemaName) {
  const { ex } = api();
  const schema = schemaName ? ex.schemas[schemaName] : null;
  if (!schema) return [];
  const target = schema.type === 'array' ? ex.resolve(schema.items) : schema;
  return [...(target?.required || [])];
}

module.exports = {
  SPEC_PATH, api, match, validate, handle, createStore, operations, parseMultipart, multipartSummary,
};
