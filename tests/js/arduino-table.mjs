// The Arduino operation table as the tests see it: the rows of src/ops/arduino.rs, the JS surfaces of
// pkg-templates/arduino-api.mjs, the spec (through the simulator's compiled route table and the YAML) and
// sample arguments built from them. Shared by the wire, argument and call-option tests.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ROOT, IDS, FIXTURES, CREDENTIALS } from './support.mjs';
import { fullAccept, fullParams } from '../../tools/generate.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
export const SIM_API = require(path.join(ROOT, 'tests', 'simulator', 'arduino-api.js'));
const YAML = require('yaml');
export const SPEC = YAML.parse(fs.readFileSync(SIM_API.SPEC_PATH, 'utf8'));
const generated = await import(pathToFileURL(path.join(ROOT, 'pkg-templates', 'arduino-api.mjs')).href);
export const { PAGED } = generated;
/** `{group: {action: op}}` from the generated `group:action,… group:…`, the ops in order. */
function parse(text) {
  const out = {};
  text.split(' ').flatMap((part) => {
    const [group, actions] = part.split(':');
    return actions.split(',').map((action) => [group, action]);
  }).forEach(([group, action], op) => { (out[group] ??= {})[action] = op; });
  return out;
}
export const RESOURCES = parse(generated.RESOURCES);
/** `{class: {method: op}}` with the full names (as common.mjs makes them: `Api`, and a method written with a
 * capital after its class's name). */
export const IOT_API = Object.fromEntries(Object.entries(parse(generated.IOT_API)).map(([cls, methods]) => [`${cls}Api`,
  Object.fromEntries(Object.entries(methods).map(([m, op]) => [/^[A-Z]/.test(m) ? cls[0].toLowerCase() + cls.slice(1) + m : m, op]))]));

// Flags of a row (src/ops/mod.rs).
export const F = { BODY_MASK: 3, BODY_JSON: 1, BODY_MULTIPART: 2, RET_ARRAY: 4, RET_OBJECT: 8, ORG: 16, PAGE_LEK: 32 };
export const ORG = CREDENTIALS.arduino.organization;

/** `<where><type>[!]<name>[=<jsName>]` → {at, kind, required, name, js}. */
function param(entry) {
  const required = entry[2] === '!';
  const rest = entry.slice(required ? 3 : 2);
  const [name, js = name] = rest.split('=');
  return { at: entry[0], kind: entry[1], required, name, js };
}

const source = fs.readFileSync(path.join(ROOT, 'src', 'ops', 'arduino.rs'), 'utf8');
const table = /pub static OPS: &str = "\\\n([\s\S]*?)";/.exec(source)[1];

/** Every row: {op, method, template, params, accept, flags, operation (the simulator's), resource/action, cls/method}. */
export const ROWS = table.split('\n').map((line, op) => {
  const [route, params, accept, flags] = line.split('|');
  const [method, template] = route.split(' ');
  return {
    op, line, method, template, accept: fullAccept(accept), flags: Number(flags),
    params: params ? fullParams(route, params).split(',').map(param) : [],
  };
});

const simOps = SIM_API.operations();
for (const row of ROWS) {
  row.operation = simOps.find((o) => o.method === row.method && o.path === row.template);
  row.required = row.params.filter((p) => p.required);
  row.optional = row.params.filter((p) => !p.required);
  for (const [resource, actions] of Object.entries(RESOURCES)) {
    for (const [action, op] of Object.entries(actions)) if (op === row.op) Object.assign(row, { resource, action });
  }
  for (const [cls, methods] of Object.entries(IOT_API)) {
    for (const [method, op] of Object.entries(methods)) if (op === row.op) Object.assign(row, { cls, jsMethod: method });
  }
  row.modernName = row.resource && `arduino.${row.resource}.${row.action}`;
}

// ---------------------------------------------------------------------------------------------------------
// Sample values from the spec's schemas.

const schemas = SPEC.components.schemas;
export function resolve(s) {
  while (s?.$ref) s = schemas[s.$ref.split('/').pop()];
  if (s?.allOf) {
    const parts = s.allOf.map(resolve);
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p.properties)),
      required: parts.flatMap((p) => p.required || []),
    };
  }
  return s;
}

const UUID = '0f8e7d6c-5b4a-4392-8172-6a5b4c3d2e1f';
const WHEN = '2025-01-02T03:04:05Z';
const primitive = (s) => ['string', 'integer', 'number', 'boolean'].includes(s?.type);

/** A value of the schema's type: required fields and the first two optional primitive ones of objects. */
export function sample(schema, name = 'value', depth = 0) {
  const s = resolve(schema) || {};
  if (s.enum) return s.enum[0];
  const type = s.type ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
  switch (type) {
    case 'string':
      if (s.format === 'uuid') return UUID;
      if (s.format === 'date-time') return WHEN;
      return `sample ${name}`;
    case 'integer':
      return Math.max(s.minimum ?? 1, Math.min(s.maximum ?? 7, 7));
    case 'number':
      return s.minimum !== undefined ? s.minimum + 0.5 : 1.5;
    case 'boolean':
      return true;
    case 'array':
      return depth > 3 ? [] : [sample(s.items, name, depth + 1)];
    case 'object': {
      const props = s.properties || {};
      const required = s.required || [];
      const optional = Object.keys(props)
        .filter((k) => !required.includes(k) && !resolve(props[k])?.readOnly && primitive(resolve(props[k])))
        .slice(0, 2);
      const out = {};
      for (const k of [...required, ...optional]) if (props[k] || depth < 3) out[k] = sample(props[k], k, depth + 1);
      return out;
    }
    default:
      return 21.5; // any JSON value (a property value): a number
  }
}

// ---------------------------------------------------------------------------------------------------------
// Sample arguments of a row: seeded ids where the resource exists, the rest from the spec.

const A = IDS.arduino;
const THING = { personal: FIXTURES.arduino.things[0], org: FIXTURES.arduino.things[5] };
const tagKey = (thing) => Object.keys(thing.tags)[0];

/** Whether the row's sample call uses the organization: the things and devices of the organization space. */
export function usesOrg(row) {
  if (!(row.flags & F.ORG)) return false;
  return !/\/(dashboards|triggers|actions|certs)\/\{|network_credentials/.test(row.template);
}

/** The sample value of a path parameter (the organization's resources when `org`). */
export function pathValue(row, name, org = usesOrg(row)) {
  const thing = org ? THING.org : THING.personal;
  const t = row.template;
  if (name === 'type') return resolve(SPEC.paths[t]?.get?.parameters?.find((p) => p.name === 'type')?.schema)?.enum?.[0] ?? 'wifi';
  if (t.includes('/dashboards/')) return { id: A.dashboard, user_id: A.user, widgetId: UUID }[name];
  if (t.includes('/triggers/')) return A.trigger;
  if (t.includes('/actions/')) return A.action;
  if (t.includes('/devices/')) {
    return { id: thing.device_id, cid: A.cert, pid: thing.props[0].id, key: tagKey(thing) }[name];
  }
  // things (v1 and v2)
  return { id: thing.id, pid: thing.props[0].id, key: tagKey(thing), sketchId: 'sketch 1-é' }[name];
}

/** The sample value of an optional query parameter, typed as the row says (the spec's format and enum). */
export function queryValue(row, p) {
  const schema = row.operation?.queryParams.find((q) => q.name === p.name)?.schema || {};
  switch (p.kind) {
    case 'b': return true;
    case 'i': return Math.max(schema.minimum ?? 2, 2);
    case 'n': return 2.5;
    case 'a': return p.name === 'tags' ? ['kind:sensor', 'site:plant a'] : [UUID, THING.personal.id];
    default:
      if (schema.enum) return schema.enum[0];
      if (schema.format === 'date-time') return WHEN;
      if (schema.format === 'uuid') return UUID;
      // Times the spec types as plain strings: RFC 3339, the range around now.
      if (p.name === 'from') return '2020-01-01T00:00:00Z';
      if (p.name === 'start' || p.name === 'to') return '2099-01-01T00:00:00Z';
      if (/(^|_)id$/.test(p.name)) return UUID;
      return `a b&c=${p.name}`;
  }
}

// Bodies the seeded state answers with 2xx (the spec's types, values that name seeded resources).
function bodyValue(row, p, org) {
  const thing = org ? THING.org : THING.personal;
  const id = row.operation?.operationId;
  if (p.kind === 'F') return Buffer.from('firmware image \x00\x01\x02');
  const schema = schemaOf(row);
  let value = sample(schema, p.name);
  if (id === 'properties_v2#publishMulti') value = { properties: [{ property: thing.props[0].variable, value: 21.5 }] };
  if (id === 'devices_v2#updateProperties') value = { properties: [{ name: thing.props[0].variable, value: 21.5 }] };
  if (id === 'devices_v2_pass#check') value = { password: 'sim-device-password' };
  if (/^series_v\d#/.test(id) && value.requests) {
    for (const r of value.requests) {
      if ('q' in r) r.q = `property.${THING.personal.props[0].id}`;
      if ('properties' in r) r.properties = [THING.personal.props[0].id];
    }
  }
  if (id === 'series_v2#historic_data') value.properties = [THING.personal.props[0].id];
  // Fields the simulator's operation requires beyond the schema's own list (the v1 create needs a name).
  const props = resolve(schema)?.properties || {};
  for (const k of row.operation?.body?.requiredFields || []) if (value && !(k in value)) value[k] = sample(props[k], k);
  return value;
}

/** The request body schema of a row, from the spec (v1 rows: the simulator's schema name). */
export function schemaOf(row) {
  const name = row.operation?.body?.schema;
  if (name && schemas[name]) return schemas[name];
  const op = SPEC.paths[row.template]?.[row.method.toLowerCase()];
  return op?.requestBody?.content?.['application/json']?.schema;
}

/**
 * Sample arguments of a row: `{positional, options, org, pathValues}` with `options` holding every optional parameter (and
 * the organization, under `orgKey`, when `org`: by default when the row's resources are in the organization space).
 */
export function sampleArgs(row, orgKey = 'organization', org = usesOrg(row)) {
  const positional = [];
  const options = {};
  const pathValues = {};
  for (const p of row.params) {
    let v;
    if (p.at === 'p') v = pathValues[p.name] = pathValue(row, p.name, org);
    else if (p.at === 'q') v = queryValue(row, p);
    else if (p.at === 'f' && p.kind !== 'F') v = p.kind === 'b' ? true : 10;
    else v = bodyValue(row, p, org);
    if (p.required) positional.push(v);
    else options[p.js] = v;
  }
  if (org) options[orgKey] = ORG;
  return { positional, options, org, pathValues };
}

/** The path the simulator should see: the template with each value percent-encoded, under /arduino. */
export function expectedPath(row, values) {
  return `/arduino${row.template.replace(/\{([^}]+)\}/g, (_, n) => encodeURIComponent(values[n]))}`;
}

/** The parsed query the simulator should see for the options given (repeated keys as arrays). */
export function expectedQuery(row, options) {
  const q = {};
  for (const p of row.params) {
    if (p.at !== 'q' || options[p.js] === undefined) continue;
    const v = options[p.js];
    q[p.name] = Array.isArray(v) ? (v.length === 1 ? String(v[0]) : v.map(String)) : String(v);
  }
  return q;
}
