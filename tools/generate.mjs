#!/usr/bin/env node
// Generates the Arduino IoT Cloud operation table and everything derived from it:
//   src/ops/arduino.rs               the Rust table (format: the operation-table contract, see README)
//   pkg-templates/arduino-api.mjs    RESOURCES, IOT_API, PAGED, DATES and reviveDates for the JS glue
//   pkg-templates/arduino-api.d.ts   TypeScript declarations of both surfaces and of every schema
//   README.md                        the operation table between the arduino-operations markers
// Inputs: ../shared/specs/arduino-iot-openapi.yaml (the OpenAPI spec) and the files of
// @arduino/arduino-iot-client in node_modules, read as data (class, method and argument names, paths,
// accepts, which model fields become Dates).
//
//   node tools/generate.mjs              write the files
//   node tools/generate.mjs --check      exit 1 and list the files that differ from a fresh generation
//   --spec FILE                          read another spec (tests); --client DIR another client package
//
// Anything in the spec this generator does not understand stops it with exit code 2 and a message.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

class GenError extends Error {}
const fail = (msg) => {
  throw new GenError(msg);
};

// ---------------------------------------------------------------------------------------------------
// Names

/** openapi-generator's camelize: split on _ - . # and spaces, capitalize every following part. */
function camelize(name, lowerFirst) {
  const parts = String(name).split(/[_\-.#\s]+/).filter(Boolean);
  let out = parts.map((p, i) => (i === 0 ? p : p[0].toUpperCase() + p.slice(1))).join('');
  out = lowerFirst ? out[0].toLowerCase() + out.slice(1) : out[0].toUpperCase() + out.slice(1);
  return out;
}
const lowerCamel = (s) => camelize(s, true);
const modelName = (schemaName) => camelize(schemaName, false);
const jsMethodOf = (operationId) => lowerCamel(operationId.replace('#', '_'));
const resourceOf = (operationId) => lowerCamel(operationId.split('#')[0]).replace(/V2/g, '');
const actionOf = (operationId) => lowerCamel(operationId.split('#')[1]);
const classOfTag = (tag) => camelize(tag, false) + 'Api';
const checkName = (name, where) => {
  if (typeof name !== 'string' || !name || /[,=!\s"\\]/.test(name)) fail(`${where}: name ${JSON.stringify(name)} cannot be written in the table (it contains , = ! a space, a quote or a backslash)`);
  return name;
};

/** The official client's JSON test (ApiClient.isJsonMime) and its Accept / Content-Type choice. */
const isJsonMime = (m) => /^application\/json(;.*)?$/i.test(m);
const jsonPreferredMime = (list) => list.find(isJsonMime) ?? list[0] ?? '';

// ---------------------------------------------------------------------------------------------------
// The spec

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const STRING_FORMATS = new Set([undefined, 'date-time', 'uuid', 'email', 'uri', 'password']);

function loadSpec(file) {
  let spec;
  try {
    spec = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    fail(`cannot read the spec ${file}: ${err.message}`);
  }
  if (!spec || !/^3\.0\./.test(String(spec.openapi))) fail(`${file}: not an OpenAPI 3.0 document`);
  return spec;
}

function makeResolver(spec) {
  const resolve = (obj, where) => {
    let seen = 0;
    while (obj && obj.$ref) {
      if (!obj.$ref.startsWith('#/components/')) fail(`${where}: unsupported $ref ${obj.$ref}`);
      const target = obj.$ref.slice(2).split('/').reduce((o, k) => o?.[k], spec);
      if (!target) fail(`${where}: $ref ${obj.$ref} points at nothing`);
      obj = target;
      if (++seen > 20) fail(`${where}: $ref loop`);
    }
    return obj;
  };
  return resolve;
}
const refName = (schema) => (schema && schema.$ref && schema.$ref.startsWith('#/components/schemas/') ? schema.$ref.slice('#/components/schemas/'.length) : null);

const SCHEMA_KEYS = new Set(['type', 'format', 'description', 'title', 'example', 'enum', 'default', 'properties', 'required', 'items', 'additionalProperties', 'maxLength', 'minLength', 'pattern', 'maximum', 'minimum', 'maxItems', 'minItems', 'x-formData-name', 'nullable', 'readOnly', 'writeOnly', '$ref']);
const SCHEMA_TYPES = new Set([undefined, 'string', 'integer', 'number', 'boolean', 'array', 'object']);

/** Every keyword of every schema is one this generator knows how to type. */
function checkSchemas(spec) {
  const walk = (s, where) => {
    if (!s || typeof s !== 'object') fail(`${where}: a schema must be an object`);
    for (const k of Object.keys(s)) {
      if (!SCHEMA_KEYS.has(k) && !k.startsWith('x-')) fail(`${where}: schema keyword "${k}" is not supported`);
    }
    if (!SCHEMA_TYPES.has(s.type)) fail(`${where}: schema type ${JSON.stringify(s.type)} is not supported`);
    if (s.type === 'string' && !STRING_FORMATS.has(s.format) && s.format !== 'binary') fail(`${where}: string format "${s.format}" is not supported`);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${where}.${k}`);
    if (s.items) walk(s.items, `${where}[]`);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${where}{}`);
    if (s.type === 'array' && !s.items) fail(`${where}: array without items`);
  };
  for (const [name, s] of Object.entries(spec.components?.schemas ?? {})) walk(s, `components.schemas.${name}`);
}

/** The one-letter type of a path/query/header/form value. */
function scalarType(schema, loc, where) {
  switch (schema.type) {
    case 'string':
      if (schema.format === 'binary') {
        if (loc === 'f') return 'F';
        fail(`${where}: a binary value can only be a multipart field`);
      }
      if (!STRING_FORMATS.has(schema.format)) fail(`${where}: string format "${schema.format}" is not supported`);
      return schema.format === 'date-time' ? 'd' : 's';
    case 'boolean':
      return 'b';
    case 'integer':
      return 'i';
    case 'number':
      return 'n';
    case 'array':
      if (loc !== 'q') fail(`${where}: arrays are supported in the query only`);
      if (schema.items?.type !== 'string' || schema.items.format === 'date-time' || schema.items.format === 'binary') fail(`${where}: only arrays of strings are supported`);
      return 'a';
    default:
      fail(`${where}: parameter type ${JSON.stringify(schema.type)} is not supported`);
  }
}

const JSONISH = /^(application\/(json|[\w.+-]+\+json)(\s*;.*)?|text\/plain(\s*;.*)?)$/i;

function readSpecOps(spec) {
  const resolve = makeResolver(spec);
  const ops = [];
  for (const [route, item] of Object.entries(spec.paths ?? {})) {
    let pathParams = [];
    for (const key of Object.keys(item)) {
      if (METHODS.includes(key) || key === 'summary' || key === 'description') continue;
      if (key === 'parameters') pathParams = item.parameters;
      else fail(`paths.${route}: "${key}" is not supported`);
    }
    for (const method of Object.keys(item).filter((k) => METHODS.includes(k))) {
      const op = item[method];
      const where = `${method.toUpperCase()} ${route}`;
      for (const k of Object.keys(op)) {
        if (!['description', 'summary', 'operationId', 'parameters', 'requestBody', 'responses', 'security', 'tags', 'deprecated'].includes(k) && !k.startsWith('x-')) fail(`${where}: operation field "${k}" is not supported`);
      }
      if (!op.operationId || !/^[a-z0-9_]+#[A-Za-z0-9_]+$/.test(op.operationId)) fail(`${where}: operationId ${JSON.stringify(op.operationId)} does not have the form resource#action`);
      if (!op.tags?.length) fail(`${where}: no tag`);
      const entries = [];
      let org = false;
      const params = [...pathParams.filter((p) => !(op.parameters ?? []).some((q) => q.name === p.name && q.in === p.in)), ...(op.parameters ?? [])];
      for (const raw of params) {
        const p = resolve(raw, where);
        const pw = `${where} parameter ${p.name}`;
        for (const k of Object.keys(p)) {
          if (!['name', 'in', 'description', 'required', 'schema', 'style', 'explode', 'example', 'deprecated'].includes(k) && !k.startsWith('x-')) fail(`${pw}: field "${k}" is not supported`);
        }
        checkName(p.name, pw);
        if (!p.schema) fail(`${pw}: no schema`);
        const schema = resolve(p.schema, pw);
        if (p.in === 'path' || p.in === 'header') {
          if ((p.style ?? 'simple') !== 'simple') fail(`${pw}: style "${p.style}" is not supported in the ${p.in}`);
          if (p.explode === true) fail(`${pw}: explode: true is not supported in the ${p.in}`);
        } else if (p.in === 'query') {
          if ((p.style ?? 'form') !== 'form') fail(`${pw}: style "${p.style}" is not supported in the query`);
          if (p.explode === false) fail(`${pw}: explode: false is not supported in the query`);
        } else {
          fail(`${pw}: parameters in "${p.in}" are not supported`);
        }
        if (p.in === 'header' && p.name.toLowerCase() === 'x-organization') {
          if (p.required) fail(`${pw}: a required X-Organization header is not supported`);
          if (schema.type !== 'string') fail(`${pw}: X-Organization must be a string`);
          org = true;
          continue;
        }
        if (p.in === 'path' && !p.required) fail(`${pw}: path parameters must be required`);
        if (p.in === 'path' && !route.includes(`{${p.name}}`)) fail(`${pw}: not a placeholder of the path`);
        const loc = { path: 'p', query: 'q', header: 'h' }[p.in];
        entries.push({ loc, type: scalarType(schema, loc, pw), required: !!p.required, name: p.name, js: lowerCamel(p.name), schema });
      }
      for (const m of route.matchAll(/\{([^}]*)\}/g)) {
        if (!entries.some((e) => e.loc === 'p' && e.name === m[1])) fail(`${where}: placeholder {${m[1]}} has no path parameter`);
      }
      let body = 0;
      let bodySchemaName = null;
      if (op.requestBody) {
        const rb = resolve(op.requestBody, where);
        const types = Object.keys(rb.content ?? {});
        if (types.length !== 1) fail(`${where}: request bodies with ${types.length} media types are not supported`);
        const mt = types[0];
        const media = rb.content[mt];
        for (const k of Object.keys(media)) if (k !== 'schema') fail(`${where}: request body field "${k}" is not supported`);
        const schema = resolve(media.schema, where);
        bodySchemaName = refName(media.schema);
        if (mt === 'application/json') {
          body = 1;
          const type = schema.type === 'array' ? 'l' : schema.type === 'object' || schema.properties || schema.additionalProperties ? 'o' : 'j';
          const js = rb['x-codegen-request-body-name'] ?? (bodySchemaName ? lowerCamel(modelName(bodySchemaName)) : 'body');
          entries.push({ loc: 'b', type, required: rb.required === true, name: checkName(js, `${where} body`), js, schema, schemaRef: bodySchemaName, bodySchema: media.schema });
        } else if (mt === 'multipart/form-data' || mt === 'application/x-www-form-urlencoded') {
          body = mt === 'multipart/form-data' ? 2 : 3;
          if (schema.type !== 'object' || !schema.properties) fail(`${where}: a ${mt} body must be an object schema with properties`);
          for (const [name, raw] of Object.entries(schema.properties)) {
            const fw = `${where} form field ${name}`;
            const ps = resolve(raw, fw);
            checkName(name, fw);
            if (ps['x-formData-name'] !== undefined && ps['x-formData-name'] !== name) fail(`${fw}: x-formData-name differs from the property name`);
            const type = scalarType(ps, 'f', fw);
            if (type === 'F' && body === 3) fail(`${fw}: files cannot be sent url-encoded`);
            entries.push({ loc: 'f', type, required: (schema.required ?? []).includes(name), name, js: lowerCamel(name), schema: ps });
          }
        } else {
          fail(`${where}: request body media type "${mt}" is not supported`);
        }
      }
      // Responses: what the success returns, and the media types the generated client would accept.
      const success = [];
      const errors = [];
      for (const [code, raw] of Object.entries(op.responses ?? {})) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) fail(`${where}: response code ${code} is not supported`);
        const r = resolve(raw, `${where} response ${code}`);
        for (const mt of Object.keys(r.content ?? {})) {
          if (!JSONISH.test(mt)) fail(`${where} response ${code}: media type "${mt}" is not supported`);
        }
        (/^2/.test(code) ? success : errors).push([code, r]);
      }
      if (!success.length) fail(`${where}: no success response`);
      const produces = [];
      for (const [, r] of [...success, ...errors]) for (const mt of Object.keys(r.content ?? {})) if (!produces.includes(mt)) produces.push(mt);
      const withContent = success.filter(([, r]) => r.content && Object.keys(r.content).length);
      let retRef = null;
      let retSchema = null;
      if (withContent.length) {
        const [, r] = withContent[0];
        const first = Object.values(r.content)[0];
        if (!first.schema) fail(`${where}: success response without a schema`);
        retSchema = resolve(first.schema, where);
        retRef = first.schema;
        for (const [code, r2] of withContent) {
          for (const media of Object.values(r2.content)) {
            const s = resolve(media.schema, where);
            if ((s.type === 'array') !== (retSchema.type === 'array')) fail(`${where} response ${code}: success responses disagree on array / object`);
          }
        }
      }
      let flags = body;
      if (retSchema) {
        if (retSchema.type === 'array') flags |= 4;
        else if (retSchema.type === 'object' || retSchema.properties) flags |= 8;
      }
      if (org) flags |= 16;
      if (retSchema?.properties?.last_evaluated_key && entries.some((e) => e.loc === 'q' && e.name === 'start')) flags |= 32;
      // openapi-generator's argument order: the parameters in spec order, then the body, required first.
      const ordered = [...entries.filter((e) => e.required), ...entries.filter((e) => !e.required)];
      ops.push({
        route: `${method.toUpperCase()} ${route}`, method: method.toUpperCase(), path: route, operationId: op.operationId,
        tag: op.tags[0], jsMethod: jsMethodOf(op.operationId), entries: ordered, flags, produces,
        accept: jsonPreferredMime(produces), retRef, retSchema, bodySchemaName, summary: op.summary ?? '',
      });
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------------
// The official client, read as data

function readClient(dir) {
  const apiDir = path.join(dir, 'dist', 'api');
  const modelDir = path.join(dir, 'dist', 'model');
  if (!fs.existsSync(apiDir)) fail(`${apiDir} not found: run npm ci`);
  const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  const classes = [];
  for (const file of fs.readdirSync(apiDir).filter((f) => f.endsWith('.js')).sort()) {
    const src = fs.readFileSync(path.join(apiDir, file), 'utf8');
    const cls = src.match(/var (\w+) = exports\["default"\] = \/\*#__PURE__\*\/function/)?.[1];
    if (!cls || `${cls}.js` !== file) fail(`${file}: class name not found`);
    const models = Object.fromEntries([...src.matchAll(/var (_\w+) = _interopRequireDefault\(require\("\.\.\/model\/(\w+)"\)\)/g)].map((m) => [m[1], m[2]]));
    const keys = [...src.matchAll(/key: "(\w+)",\s*value: function \w+\(([^)]*)\) \{/g)];
    const docs = {};
    const infos = {};
    const order = [];
    keys.forEach((m, i) => {
      const name = m[1];
      const before = src.slice(i ? keys[i - 1].index : 0, m.index);
      const doc = before.slice(before.lastIndexOf('/**'));
      const bodyText = src.slice(m.index, i + 1 < keys.length ? keys[i + 1].index : src.length);
      const args = m[2].split(',').map((s) => s.trim()).filter(Boolean);
      if (name.endsWith('WithHttpInfo')) infos[name.slice(0, -12)] = { args, text: bodyText };
      else {
        docs[name] = doc;
        order.push(name);
      }
    });
    const methods = [];
    for (const name of order) {
      const info = infos[name];
      if (!info) fail(`${file}: ${name} has no WithHttpInfo variant`);
      const t = info.text;
      const w = `${cls}.${name}`;
      const call = t.match(/callApi\('([^']+)', '(\w+)'/);
      if (!call) fail(`${w}: callApi not found`);
      const block = (v) => {
        const b = t.match(new RegExp(`var ${v} = \\{([\\s\\S]*?)\\};`));
        if (!b) fail(`${w}: ${v} not found`);
        return [...b[1].matchAll(/'([^']+)': ([^\n]+?),?\n/g)].map((e) => {
          const value = e[2].trim();
          let mm;
          if ((mm = value.match(/^opts\['(\w+)'\]$/))) return { name: e[1], js: mm[1], required: false };
          if ((mm = value.match(/^this\.apiClient\.buildCollectionParam\((?:opts\['(\w+)'\]|(\w+)), '(\w+)'\)$/))) {
            if (mm[3] !== 'multi') fail(`${w}: collection format ${mm[3]} is not supported`);
            return { name: e[1], js: mm[1] ?? mm[2], required: !mm[1], multi: true };
          }
          if ((mm = value.match(/^(\w+)$/)) && info.args.includes(mm[1])) return { name: e[1], js: mm[1], required: true };
          fail(`${w}: cannot read ${v} value ${value}`);
        });
      };
      const list = (v) => {
        const b = t.match(new RegExp(`var ${v} = \\[([^\\]]*)\\];`));
        if (!b) fail(`${w}: ${v} not found`);
        return [...b[1].matchAll(/'([^']*)'/g)].map((x) => x[1]);
      };
      const pb = t.match(/var postBody = (?:opts\['(\w+)'\]|(\w+));/);
      if (!pb) fail(`${w}: postBody not found`);
      const postBody = pb[1] ?? pb[2];
      const rt = t.match(/var returnType = ([^;]+);/)?.[1];
      let returnType;
      if (rt === 'null') returnType = null;
      else if (/^_\w+\["default"\]$/.test(rt)) returnType = { model: models[rt.slice(0, -11)] };
      else if (/^\[_\w+\["default"\]\]$/.test(rt)) returnType = { model: models[rt.slice(1, -12)], array: true };
      else fail(`${w}: return type ${rt} is not supported`);
      if (returnType && !returnType.model) fail(`${w}: return model of ${rt} not found`);
      const doc = docs[name];
      const jsdoc = [...doc.matchAll(/@param \{([^}]+)\} (\S+)/g)].map((x) => ({ type: x[1], name: x[2] }));
      const headers = block('headerParams');
      methods.push({
        cls, name, path: call[1], method: call[2], args: info.args.filter((a) => a !== 'opts'), hasOpts: info.args.includes('opts'),
        pathParams: block('pathParams'), queryParams: block('queryParams'), formParams: block('formParams'),
        headerParams: headers.filter((h) => h.name !== 'X-Organization'), org: headers.some((h) => h.name === 'X-Organization'),
        postBody: postBody === 'null' ? null : postBody, contentTypes: list('contentTypes'), accepts: list('accepts'), returnType,
        positional: jsdoc.filter((p) => !p.name.includes('.') && p.name !== 'opts'),
        optional: jsdoc.filter((p) => p.name.startsWith('opts.')).map((p) => ({ type: p.type, name: p.name.slice(5) })),
      });
    }
    classes.push({ name: cls, methods });
  }
  // Models: which fields constructFromObject converts, and to what.
  const modelCache = new Map();
  const readModel = (name) => {
    if (modelCache.has(name)) return modelCache.get(name);
    const file = path.join(modelDir, `${name}.js`);
    if (!fs.existsSync(file)) fail(`model ${name} not found in the client`);
    const src = fs.readFileSync(file, 'utf8');
    const imports = Object.fromEntries([...src.matchAll(/var (_\w+) = _interopRequireDefault\(require\("\.\/(\w+)"\)\)/g)].map((m) => [m[1], m[2]]));
    const cfo = src.slice(src.indexOf('key: "constructFromObject"'));
    const fields = [];
    for (const m of cfo.matchAll(/obj\['([^']+)'\] = (?:_ApiClient\["default"\]\.convertToType\(data\['[^']+'\], ([\s\S]*?)\);\n|(_\w+)\["default"\]\.constructFromObject\(data\['[^']+'\]\);)/g)) {
      const expr = m[3] ? `${m[3]}["default"]` : m[2].replace(/\s+/g, ' ');
      const type = (e) => {
        let mm;
        if (/^'(String|Number|Boolean|Date)'$/.test(e)) return e.slice(1, -1);
        if (e === 'Object' || e === 'File') return e;
        if ((mm = e.match(/^\[(.*)\]$/))) return { array: type(mm[1]) };
        if ((mm = e.match(/^(_\w+)\["default"\]$/))) {
          if (!imports[mm[1]]) fail(`model ${name}: import ${mm[1]} not found`);
          return { model: imports[mm[1]] };
        }
        if ((mm = e.match(/^\{ 'String': (.*) \}$/))) return { map: type(mm[1]) };
        fail(`model ${name}: field ${m[1]} has type ${e}, which is not supported`);
      };
      fields.push({ name: m[1], type: type(expr) });
    }
    const init = src.match(/function initialize\(obj(?:, ([^)]*))?\) \{([\s\S]*?)\n {4}\}/);
    const required = init ? [...init[2].matchAll(/obj\['([^']+)'\] = \w+;/g)].map((m) => m[1]) : [];
    const model = { name, fields, required };
    modelCache.set(name, model);
    return model;
  };
  return { version, classes, readModel };
}

// ---------------------------------------------------------------------------------------------------
// The table

const ENTRY_TYPES = { String: 's', Boolean: 'b', Number: 'n', Date: 'd', 'Array.<String>': 'a', File: 'F', 'module:model/String': 's' };

function compatible(specType, docType) {
  if (docType.startsWith('module:model/') && docType !== 'module:model/String') return specType === 'o' || specType === 'l' || specType === 'j';
  const t = ENTRY_TYPES[docType];
  if (t === 'n') return specType === 'n' || specType === 'i';
  if (t === 's') return specType === 's' || specType === 'd';
  return t === specType;
}

function buildRows(specOps, client, notes) {
  const official = new Map();
  for (const c of client.classes) for (const m of c.methods) official.set(m.name, m);
  const rows = [];
  const shared = new Set();
  for (const op of specOps) {
    const m = official.get(op.jsMethod);
    const row = { ...op, entries: op.entries.map((e) => ({ ...e })), official: m ?? null };
    if (m) {
      shared.add(m.name);
      const w = `${m.cls}.${m.name} (${op.operationId})`;
      if (m.method !== op.method || m.path !== op.path) fail(`${w}: the client sends ${m.method} ${m.path}, the spec says ${op.route}`);
      if (classOfTag(op.tag) !== m.cls) fail(`${w}: tag ${op.tag} does not name the class ${m.cls}`);
      // Where the client puts each of its arguments.
      const locOf = new Map();
      for (const [loc, list] of [['p', m.pathParams], ['q', m.queryParams], ['h', m.headerParams], ['f', m.formParams]]) {
        for (const p of list) locOf.set(p.js, { loc, name: p.name, multi: p.multi });
      }
      if (m.postBody) locOf.set(m.postBody, { loc: 'b', name: m.postBody });
      const find = (js) => {
        const at = locOf.get(js);
        if (!at) fail(`${w}: argument ${js} is sent nowhere`);
        const e = row.entries.find((x) => x.loc === at.loc && (at.loc === 'b' || x.name === at.name));
        if (!e) fail(`${w}: the client sends ${at.loc} ${at.name}, which the spec does not have`);
        if (at.loc === 'b') {
          if (e.js !== js) notes.bodyNames.push(`${m.name}: the client names the body ${js}, the schema rule gives ${e.js}`);
          e.js = js;
          e.name = js;
        } else if (e.js !== js) fail(`${w}: the client calls ${at.name} ${js}, camelCase gives ${e.js}`);
        if ((at.multi ?? false) !== (e.type === 'a')) fail(`${w}: ${at.name} is an array on one side only`);
        return e;
      };
      const positional = m.args.map((js) => find(js));
      const optional = m.optional.filter((p) => p.name !== 'xOrganization').map((p) => find(p.name));
      for (const [list, docs, req] of [[positional, m.positional, true], [optional, m.optional.filter((p) => p.name !== 'xOrganization'), false]]) {
        list.forEach((e, i) => {
          if (e.required !== req) fail(`${w}: ${e.name} is ${e.required ? 'required' : 'optional'} in the spec, ${req ? 'positional' : 'in opts'} in the client`);
          const doc = docs.find((d) => d.name === e.js);
          if (!doc) fail(`${w}: ${e.js} not documented by the client`);
          if (!compatible(e.type, doc.type)) fail(`${w}: ${e.name} is ${e.type} in the spec, ${doc.type} in the client`);
        });
      }
      const used = new Set([...positional, ...optional]);
      if (used.size !== positional.length + optional.length) fail(`${w}: an entry is used twice`);
      // Optional parameters newer than the client go last (its positional arguments stay as they are).
      const left = row.entries.filter((e) => !used.has(e));
      const leftRequired = left.filter((e) => e.required);
      if (leftRequired.length) fail(`${w}: the client lacks the required ${leftRequired.map((e) => e.name).join(', ')}`);
      for (const e of left) notes.params.push(`${m.name}: the spec's optional ${e.loc === 'q' ? 'query' : e.loc} parameter ${e.name} is not in the client (kept, in the options after the client's)`);
      row.entries = [...positional, ...optional, ...left];
      const orgSpec = !!(op.flags & 16);
      if (orgSpec !== m.org) {
        if (orgSpec && !m.org) notes.org.push(`${m.name}: the spec has X-Organization, the client 3.0.0 does not send it (row keeps ORG)`);
        else fail(`${w}: the client sends X-Organization, the spec does not have it`);
      }
      const ct = jsonPreferredMime(m.contentTypes);
      const bodyKind = { '': 0, 'application/json': 1, 'multipart/form-data': 2, 'application/x-www-form-urlencoded': 3 }[m.postBody || m.formParams.length ? ct : ''];
      if (bodyKind !== (op.flags & 3)) fail(`${w}: body kind ${bodyKind} in the client, ${op.flags & 3} in the spec`);
      const accept = jsonPreferredMime(m.accepts);
      if (accept !== op.accept || m.accepts.join(',') !== op.produces.join(',')) notes.accept.push(`${m.name}: client accepts [${m.accepts.join(', ')}] (sends ${JSON.stringify(accept)}), the spec gives [${op.produces.join(', ')}] (${JSON.stringify(op.accept)}); the row uses the client's`);
      row.accept = accept;
      const specRet = op.flags & 12;
      const clientRet = !m.returnType ? 0 : m.returnType.array ? 4 : 8;
      if (specRet !== clientRet) notes.ret.push(`${m.name}: the client returns ${JSON.stringify(m.returnType)}, the spec ${refName(op.retRef) ?? 'nothing'}`);
      if (m.returnType && modelName(refName(op.retRef) ?? '') !== m.returnType.model && !(m.returnType.array && op.retSchema?.items && modelName(refName(op.retSchema.items) ?? '') === m.returnType.model)) {
        notes.ret.push(`${m.name}: the client returns model ${m.returnType.model}, the spec ${refName(op.retRef)}`);
      }
    }
    rows.push(row);
  }
  // The client's operations the spec lacks (v1 classes), in the contract's class order.
  const v1Order = ['ThingsV1Api', 'PropertiesV1Api', 'SeriesV1Api'];
  const extraClasses = client.classes.filter((c) => c.methods.some((m) => !shared.has(m.name)));
  for (const c of extraClasses) {
    if (!v1Order.includes(c.name)) fail(`${c.name}: methods ${c.methods.filter((m) => !shared.has(m.name)).map((m) => m.name).join(', ')} are not in the spec`);
    if (c.methods.some((m) => shared.has(m.name))) fail(`${c.name}: mixes spec and non-spec methods`);
  }
  for (const cn of v1Order) {
    const c = client.classes.find((x) => x.name === cn);
    if (!c) fail(`${cn} not found in the client`);
    for (const m of c.methods) {
      const w = `${cn}.${m.name}`;
      const entries = [];
      const entry = (p, required, docType) => {
        let loc = null;
        let name = p;
        for (const [l, list] of [['p', m.pathParams], ['q', m.queryParams], ['h', m.headerParams], ['f', m.formParams]]) {
          const hit = list.find((x) => x.js === p);
          if (hit) {
            loc = l;
            name = hit.name;
          }
        }
        if (m.postBody === p) loc = 'b';
        if (!loc) fail(`${w}: argument ${p} is sent nowhere`);
        let type = ENTRY_TYPES[docType];
        if (loc === 'b') type = /^Array/.test(docType) ? 'l' : 'o';
        if (!type) fail(`${w}: type ${docType} of ${p} is not supported`);
        return { loc, type, required, name: checkName(name, w), js: p, docType };
      };
      for (const d of m.positional) entries.push(entry(d.name, true, d.type));
      for (const d of m.optional) if (d.name !== 'xOrganization') entries.push(entry(d.name, false, d.type));
      const ct = jsonPreferredMime(m.contentTypes);
      let flags = m.postBody || m.formParams.length ? { 'application/json': 1, 'multipart/form-data': 2, 'application/x-www-form-urlencoded': 3 }[ct] : 0;
      if (flags === undefined) fail(`${w}: content type ${ct} is not supported`);
      if (m.returnType) flags |= m.returnType.array ? 4 : 8;
      if (m.org) flags |= 16;
      rows.push({
        route: `${m.method} ${m.path}`, method: m.method, path: m.path, operationId: null, tag: null, jsMethod: m.name,
        entries, flags, accept: jsonPreferredMime(m.accepts), official: m, v1: true,
      });
    }
  }
  return rows;
}

/** A row's parameters as the table writes them. A required path parameter named like the route's next
 * `{name}` after those so written before it is written without its name (`ps!`: `crate::ops::Entries`). */
const paramsString = (row) => {
  const placeholders = [...row.route.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  let taken = 0;
  return row.entries.map((e) => {
    const head = `${e.loc}${e.type}${e.required ? '!' : ''}`;
    if (e.loc === 'p' && e.required && e.js === e.name && placeholders[taken] === e.name) {
      taken++;
      return head;
    }
    return head + (e.loc === 'b' ? e.js : e.name + (e.js !== e.name ? `=${e.js}` : ''));
  }).join(',');
};

/** The parameters of a table's row with the names of its path entries written out (the inverse of the
 * shortening in `paramsString`). */
export function fullParams(route, params) {
  const placeholders = [...route.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);
  let taken = 0;
  return params.split(',').map((e) => (/^p.!$/.test(e) ? e + placeholders[taken++] : e)).join(',');
}

/** The `Accept` of a row as the table writes it: `.name` for `application/vnd.arduino.name` (`crate::ops::prepare`). */
export function shortAccept(accept) {
  if (accept.startsWith('.')) fail(`the Accept ${JSON.stringify(accept)} cannot be written in the table`);
  return accept.startsWith('application/vnd.arduino.') ? accept.slice('application/vnd.arduino'.length) : accept;
}

/** A table's `Accept` written out (the inverse of `shortAccept`). */
export const fullAccept = (short) => (short.startsWith('.') ? `application/vnd.arduino${short}` : short);

function renderRust(rows, specRel, version) {
  const field = (s) => {
    if (!/^[\x20-\x7e]*$/.test(s) || /["\\|]/.test(s)) fail(`cannot write ${JSON.stringify(s)} into the Rust table`);
    return s;
  };
  let out = `// @generated by tools/generate.mjs from ${specRel} and\n// @arduino/arduino-iot-client ${version}; do not edit.\n\n`;
  out += `/// ${rows.length} operations, one a line: \`route|params|accept|flags\` (see \`crate::ops::Op\`; flags in decimal).\n`;
  out += `/// Text rather than an array of structs: it compresses to a fraction of the pointers a struct array holds.\n`;
  out += 'pub static OPS: &str = "\\\n';
  out += rows.map((r) => [r.route, paramsString(r), shortAccept(r.accept), String(r.flags)].map(field).join('|')).join('\n');
  return `${out}";\n`;
}

// ---------------------------------------------------------------------------------------------------
// Surfaces

function buildSurfaces(rows, client) {
  const resources = {};
  const iotApi = {};
  for (const c of client.classes) iotApi[c.name] = {};
  for (const c of client.classes) for (const m of c.methods) {
    const i = rows.findIndex((r) => r.official === m);
    if (i < 0) fail(`${c.name}.${m.name} has no row`);
    iotApi[c.name][m.name] = i;
  }
  rows.forEach((r, i) => {
    if (r.operationId) {
      const res = resourceOf(r.operationId);
      const act = actionOf(r.operationId);
      r.resource = res;
      r.action = act;
      resources[res] ??= {};
      if (resources[res][act] !== undefined) fail(`${r.operationId}: ${res}.${act} is taken by another operation`);
      resources[res][act] = i;
      if (!r.official) {
        const cls = classOfTag(r.tag);
        iotApi[cls] ??= {};
        if (iotApi[cls][r.jsMethod] !== undefined) fail(`${r.operationId}: ${cls}.${r.jsMethod} is taken`);
        iotApi[cls][r.jsMethod] = i;
        r.iotClass = cls;
      } else r.iotClass = r.official.cls;
    } else r.iotClass = r.official.cls;
  });
  return { resources, iotApi };
}

/** Where Date objects appear: trees of 'D' | {model, fields} | {array}; null when no Date inside. */
function dateTrees(spec, client) {
  const resolve = makeResolver(spec);
  const specMemo = new Map();
  const fromSpec = (schema, stack = []) => {
    const name = refName(schema);
    if (name) {
      if (specMemo.has(name)) return specMemo.get(name);
      if (stack.includes(name)) return null;
      const t = fromSpec(resolve(schema, name), [...stack, name]);
      const tree = t && t.fields ? { ...t, model: modelName(name) } : t;
      specMemo.set(name, tree);
      return tree;
    }
    if (schema.type === 'string' && schema.format === 'date-time') return 'D';
    if (schema.type === 'array') {
      const t = fromSpec(schema.items, stack);
      return t && { array: t };
    }
    if (schema.properties) {
      const fields = {};
      for (const [k, v] of Object.entries(schema.properties)) {
        const t = fromSpec(v, stack);
        if (t) fields[k] = t;
      }
      return Object.keys(fields).length ? { fields } : null;
    }
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object' && fromSpec(schema.additionalProperties, stack)) {
      fail('dates inside maps are not supported');
    }
    return null;
  };
  const clientMemo = new Map();
  const fromClient = (type, stack = []) => {
    if (type === 'Date') return 'D';
    if (typeof type === 'string') return null;
    if (type.array) {
      const t = fromClient(type.array, stack);
      return t && { array: t };
    }
    if (type.map) {
      if (fromClient(type.map, stack)) fail('dates inside maps are not supported');
      return null;
    }
    const name = type.model;
    if (clientMemo.has(name)) return clientMemo.get(name);
    if (stack.includes(name)) return null;
    const fields = {};
    for (const f of client.readModel(name).fields) {
      const t = fromClient(f.type, [...stack, name]);
      if (t) fields[f.name] = t;
    }
    const tree = Object.keys(fields).length ? { model: name, fields } : null;
    clientMemo.set(name, tree);
    return tree;
  };
  return { fromSpec, fromClient };
}

function buildDates(rows, spec, client, notes) {
  const { fromSpec, fromClient } = dateTrees(spec, client);
  const schemas = [];
  const index = new Map();
  const encode = (t) => {
    if (t === 'D') return 0;
    if (t.array) return [encode(t.array)];
    const d = {};
    for (const [k, v] of Object.entries(t.fields)) d[k] = encode(v);
    const key = JSON.stringify(d);
    if (!index.has(key)) {
      schemas.push(d);
      index.set(key, schemas.length);
    }
    return index.get(key);
  };
  const strip = (t) => (t === 'D' || !t ? t : t.array ? { array: strip(t.array) } : { fields: Object.fromEntries(Object.entries(t.fields).map(([k, v]) => [k, strip(v)])) });
  const ops = {};
  rows.forEach((r, i) => {
    let tree = null;
    if (r.official) {
      const rt = r.official.returnType;
      tree = rt ? fromClient(rt.array ? { array: { model: rt.model } } : { model: rt.model }) : null;
      if (r.retRef) {
        const s = fromSpec(r.retRef);
        if (JSON.stringify(strip(s)) !== JSON.stringify(strip(tree))) notes.dates.push(`${r.official.name}: the client converts ${JSON.stringify(strip(tree))}, the spec's date-time fields are ${JSON.stringify(strip(s))}; DATES follows the client`);
      }
    } else if (r.retRef) tree = fromSpec(r.retRef);
    if (tree) ops[i] = encode(tree);
  });
  return { ops, schemas };
}

// ---------------------------------------------------------------------------------------------------
// arduino-api.mjs

/** `{group: {action: op}}` as \`group:action,… group:…\`, every op from 0 on in order. */
function runs(resources) {
  const byOp = [];
  for (const [group, actions] of Object.entries(resources)) {
    for (const [action, op] of Object.entries(actions)) byOp[op] = [group, action];
  }
  let out = '';
  let last;
  byOp.forEach(([group, action], op) => {
    if (!group) fail(`op ${op} has no name`);
    out += group === last ? `,${action}` : `${op ? ' ' : ''}${group}:${action}`;
    last = group;
  });
  return out;
}

/** The IotApi table, each class without its `Api` and each method named after its class without the prefix. */
function short(iotApi) {
  const out = {};
  for (const [cls, methods] of Object.entries(iotApi)) {
    const prefix = cls[0].toLowerCase() + cls.slice(1, -3);
    out[cls.slice(0, -3)] = Object.fromEntries(Object.entries(methods).map(([m, op]) => {
      const rest = m.slice(prefix.length);
      if (m.startsWith(prefix) && /^[A-Z]/.test(rest)) return [rest, op];
      if (/^[A-Z]/.test(m)) fail(`${cls}.${m}: a method name that starts with a capital`);
      return [m, op];
    }));
  }
  return out;
}

function renderJs(surfaces, dates, paged, specRel, version) {
  const obj = (o) => `{ ${Object.entries(o).map(([k, v]) => `${k}: ${v}`).join(', ')} }`;
  const nested = (o) => `{\n${Object.entries(o).map(([k, v]) => `  ${k}: ${obj(v)},\n`).join('')}}`;
  // \`{op: type}\` as an array with a hole where an op has no type.
  const sparse = (o) => {
    const a = [];
    for (const [op, t] of Object.entries(o)) a[op] = t;
    return `[${Array.from(a, (t) => (t === undefined ? '' : lit(t))).join(',')}]`;
  };
  const lit = (v) => (Array.isArray(v) ? `[${v.map(lit).join(',')}]` : typeof v === 'object' ? `{${Object.entries(v).map(([k, x]) => `${/^([A-Za-z_$][\w$]*|\d+)$/.test(k) ? k : JSON.stringify(k)}:${lit(x)}`).join(',')}}` : String(v));
  return `// @generated by tools/generate.mjs from ${specRel} and @arduino/arduino-iot-client ${version}; do not edit.
// Op numbers are the row indexes of src/ops/arduino.rs.
// The modern surface, \`group:action,action group:action,…\` with the ops numbered in order (a group comes
// back where its rows do).
export const RESOURCES = '${runs(surfaces.resources)}';
// The IotApi classes and their methods as RESOURCES, every op once: a class is named without its \`Api\`,
// and a method named after its class (DashboardsV2Api's dashboardsV2Create) without that prefix (Create):
// its name is the class's with a small first letter, followed by the method's.
export const IOT_API = '${runs(short(surfaces.iotApi))}';
// Ops paged by the response's last_evaluated_key (their items: the response's array field).
export const PAGED = ${lit(paged)};
// Where the official client's models make Date objects (IotApi surface): ops has each op's type (a hole:
// none); a type is 0 (a Date), n (the fields of schemas[n - 1], each with its type) or [type] (an array).
export const DATES = { ops: ${sparse(dates.ops)}, schemas: ${lit(dates.schemas)} };
const toDate = (s) => (isNaN(s) ? new Date(s) : new Date(+s));
function revive(v, t) {
  if (v == null) return v;
  if (Array.isArray(t)) return Array.isArray(v) ? v.map((x) => revive(x, t[0])) : v;
  if (t === 0) return toDate(String(v));
  if (typeof v === 'object') {
    const fields = DATES.schemas[t - 1];
    for (const k in fields) if (Object.prototype.hasOwnProperty.call(v, k)) v[k] = revive(v[k], fields[k]);
  }
  return v;
}
/** Turns the date-time fields of op's response into Dates, in place, as the official client's models do. */
export function reviveDates(op, data) {
  const t = DATES.ops[op];
  return t === undefined ? data : revive(data, t);
}
`;
}

// ---------------------------------------------------------------------------------------------------
// arduino-api.d.ts

function buildTypes(spec, client, rows, surfaces) {
  const resolve = makeResolver(spec);
  const schemas = spec.components?.schemas ?? {};
  // Names: the client's model name, prefixed with Arduino when it lacks it; Payload on a clash.
  const tsNames = new Map(); // key: 'spec:<schema>' or 'model:<model>'
  const taken = new Map();
  const modelToSchema = new Map();
  for (const s of Object.keys(schemas)) {
    const m = modelName(s);
    if (modelToSchema.has(m)) fail(`schemas ${modelToSchema.get(m)} and ${s} share the model name ${m}`);
    modelToSchema.set(m, s);
  }
  const assign = (key, m) => {
    let n = m.startsWith('Arduino') ? m : `Arduino${m}`;
    if (taken.has(n)) n += 'Payload';
    if (taken.has(n)) fail(`type name ${n} is taken twice (${taken.get(n)}, ${key})`);
    taken.set(n, key);
    tsNames.set(key, n);
  };
  const schemaKeys = Object.keys(schemas);
  for (const s of schemaKeys) if (modelName(s).startsWith('Arduino')) assign(`spec:${s}`, modelName(s));
  for (const s of schemaKeys) if (!modelName(s).startsWith('Arduino')) assign(`spec:${s}`, modelName(s));

  // Which schemas hold date-time fields (they get a <D = string> parameter).
  const datesMemo = new Map();
  const hasDates = (schema, stack = []) => {
    const name = refName(schema);
    if (name) {
      if (datesMemo.has(name)) return datesMemo.get(name);
      if (stack.includes(name)) return false;
      const v = hasDates(schemas[name], [...stack, name]);
      datesMemo.set(name, v);
      return v;
    }
    if (schema.type === 'string') return schema.format === 'date-time';
    if (schema.items) return hasDates(schema.items, stack);
    if (schema.properties && Object.values(schema.properties).some((p) => hasDates(p, stack))) return true;
    return !!(schema.additionalProperties && typeof schema.additionalProperties === 'object' && hasDates(schema.additionalProperties, stack));
  };
  // Schemas reachable from success responses get an index signature (servers add fields).
  const open = new Set();
  const mark = (schema) => {
    const name = refName(schema);
    if (name) {
      if (open.has(name)) return;
      open.add(name);
      return mark(schemas[name]);
    }
    if (schema.items) mark(schema.items);
    for (const p of Object.values(schema.properties ?? {})) mark(p);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') mark(schema.additionalProperties);
  };
  for (const r of rows) if (r.retRef) mark(r.retRef);

  // \`{op: type}\` as an array with a hole where an op has no type.
  const sparse = (o) => {
    const a = [];
    for (const [op, t] of Object.entries(o)) a[op] = t;
    return `[${Array.from(a, (t) => (t === undefined ? '' : lit(t))).join(',')}]`;
  };
  const lit = (v) => JSON.stringify(v).replace(/"/g, "'");
  const paren = (t) => (/[|&]/.test(t) ? `(${t})` : t);
  const prop = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : lit(k));
  const doc = (text, indent) => {
    // The spec's boilerplate ("… media type (default view)") says nothing the type name does not.
    const line = String(text ?? '').split('\n')[0].replace(/\*\//g, '* /').trim().replace(/^.*\bmedia type\b.*$/i, '');
    return line ? `${indent}/** ${line.length > 140 ? line.slice(0, 137) + '...' : line} */\n` : '';
  };
  const D = (name) => (hasDates({ $ref: `#/components/schemas/${name}` }) ? '<D>' : '');
  const tsOf = (schema, indent) => {
    const name = refName(schema);
    if (name) {
      if (!schemas[name]) fail(`schema ${name} not found`);
      return tsNames.get(`spec:${name}`) + D(name);
    }
    if (schema.enum) return schema.enum.map(lit).join(' | ');
    switch (schema.type) {
      case 'string':
        return schema.format === 'date-time' ? 'D' : schema.format === 'binary' ? 'ArduinoFile' : 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array':
        return `${paren(tsOf(schema.items, indent))}[]`;
      default:
        if (schema.properties) return objectBody(schema, indent, false);
        if (schema.additionalProperties && typeof schema.additionalProperties === 'object') return `Record<string, ${tsOf(schema.additionalProperties, indent)}>`;
        if (schema.type === 'object' || schema.additionalProperties) return 'Record<string, unknown>';
        return 'unknown';
    }
  };
  const objectBody = (schema, indent, isOpen) => {
    const inner = indent + '  ';
    let out = '{\n';
    for (const [k, v] of Object.entries(schema.properties ?? {})) {
      out += doc(v.description, inner);
      out += `${inner}${prop(k)}${(schema.required ?? []).includes(k) ? '' : '?'}: ${tsOf(v, inner)};\n`;
    }
    if (isOpen || (schema.additionalProperties && !schema.properties)) {
      const ap = schema.additionalProperties && typeof schema.additionalProperties === 'object' ? tsOf(schema.additionalProperties, inner) : 'unknown';
      out += `${inner}[key: string]: ${isOpen ? 'unknown' : ap};\n`;
    }
    return out + `${indent}}`;
  };
  let out = '';
  for (const s of schemaKeys) {
    const schema = schemas[s];
    const n = tsNames.get(`spec:${s}`);
    const g = hasDates({ $ref: `#/components/schemas/${s}` }) ? '<D = string>' : '';
    out += doc(schema.description ?? schema.title, '');
    if (schema.properties) out += `export interface ${n}${g} ${objectBody(schema, '', open.has(s))}\n`;
    else out += `export type ${n}${g} = ${tsOf(schema, '')};\n`;
  }

  // The client's models the spec lacks (v1 payloads and results), typed from the model files.
  const extra = [];
  const modelType = (modelNameStr) => {
    const s = modelToSchema.get(modelNameStr);
    if (s) return { ts: tsNames.get(`spec:${s}`), dates: hasDates({ $ref: `#/components/schemas/${s}` }) };
    const key = `model:${modelNameStr}`;
    if (!tsNames.has(key)) {
      assign(key, modelNameStr);
      const m = client.readModel(modelNameStr);
      const entry = { name: tsNames.get(key), model: m, dates: false };
      extra.push(entry);
      const fieldTs = (t) => {
        if (typeof t === 'string') return { String: 'string', Number: 'number', Boolean: 'boolean', Date: 'D', Object: 'unknown', File: 'ArduinoFile' }[t];
        if (t.array) return `${paren(fieldTs(t.array))}[]`;
        if (t.map) return `Record<string, ${fieldTs(t.map)}>`;
        const mt = modelType(t.model);
        return mt.ts + (mt.dates ? '<D>' : '');
      };
      entry.fields = m.fields.map((f) => ({ name: f.name, ts: fieldTs(f.type), required: m.required.includes(f.name) }));
      entry.dates = entry.fields.some((f) => /\bD\b/.test(f.ts));
    }
    const e = extra.find((x) => x.name === tsNames.get(key));
    return { ts: e.name, dates: e.dates };
  };

  // Per-row parameter types.
  const entryTs = (r, e, surface) => {
    if (e.loc === 'b') {
      if (r.v1) {
        const mt = modelType(e.docType.replace(/^module:model\//, ''));
        return mt.ts + (mt.dates ? (surface === 'iot' ? '<string | Date>' : '') : '');
      }
      const t = tsOf(e.bodySchema, '  ');
      return surface === 'iot' ? t.replace(/<D>/g, '<string | Date>') : t.replace(/<D>/g, '');
    }
    if (e.schema?.enum) return e.schema.enum.map(lit).join(' | ');
    if (e.schema?.type === 'array' && e.schema.items?.enum) return `(${e.schema.items.enum.map(lit).join(' | ')})[]`;
    return { s: 'string', b: 'boolean', i: 'number', n: 'number', d: 'string | Date', a: 'string[]', o: 'Record<string, unknown>', l: 'unknown[]', j: 'unknown', F: 'ArduinoFile' }[e.type];
  };
  const retTs = (r, surface) => {
    if (surface === 'iot' && r.official && (r.official.returnType || !r.retRef)) {
      // The client's model; where it returns nothing but the spec has a result, the spec's type.
      const rt = r.official.returnType;
      if (!rt) return 'null';
      const mt = modelType(rt.model);
      return mt.ts + (mt.dates ? '<Date>' : '') + (rt.array ? '[]' : '');
    }
    if (!r.retRef) return surface === 'iot' ? 'null' : 'void';
    const t = tsOf(r.retRef, '  ');
    return surface === 'iot' ? t.replace(/<D>/g, '<Date>') : t.replace(/<D>/g, '');
  };
  const optionsTs = (r, surface, named) => {
    const opt = r.entries.filter((e) => !e.required);
    const fields = opt.map((e) => `${prop(e.js)}?: ${entryTs(r, e, surface)}`);
    if (surface === 'iot') {
      if (r.flags & 16) fields.push('xOrganization?: string');
      return fields.length ? `{ ${fields.join('; ')} }` : null;
    }
    const base = r.flags & 16 ? 'ArduinoOrgCallOptions' : 'ArduinoCallOptions';
    if (named) return named;
    return fields.length ? `{ ${fields.join('; ')} } & ${base}` : base;
  };
  const NAMED_OPTIONS = { 'things_v2#list': 'ArduinoThingsListOptions', 'properties_v2#list': 'ArduinoPropertiesListOptions' };
  let named = '';
  for (const [opId, n] of Object.entries(NAMED_OPTIONS)) {
    const r = rows.find((x) => x.operationId === opId);
    if (!r) fail(`${opId} not found for ${n}`);
    const opt = r.entries.filter((e) => !e.required);
    named += `/** Options of ${r.resource}.${r.action}. */\nexport interface ${n} extends ${r.flags & 16 ? 'ArduinoOrgCallOptions' : 'ArduinoCallOptions'} {\n${opt.map((e) => `  ${prop(e.js)}?: ${entryTs(r, e, 'modern')};\n`).join('')}}\n`;
  }
  const args = (r, surface) => r.entries.filter((e) => e.required).map((e) => `${prop(e.js)}: ${entryTs(r, e, surface)}`);

  let api = '';
  const resourceIface = (res) => `Arduino${res[0].toUpperCase()}${res.slice(1)}Api`;
  for (const [res, actions] of Object.entries(surfaces.resources)) {
    api += `export interface ${resourceIface(res)} {\n`;
    for (const [act, i] of Object.entries(actions)) {
      const r = rows[i];
      const o = optionsTs(r, 'modern', NAMED_OPTIONS[r.operationId]);
      api += doc(`${r.route}${r.summary ? ` — ${r.summary}` : ''}`, '  ');
      api += `  ${act}(${[...args(r, 'modern'), `options?: ${o}`].join(', ')}): Promise<${retTs(r, 'modern')}>;\n`;
      if (r.flags & 32) {
        const s = r.retSchema;
        const arrays = Object.entries(s.properties).filter(([, v]) => resolve(v, r.route).type === 'array');
        if (arrays.length !== 1) fail(`${r.operationId}: a paged response needs exactly one array field`);
        const item = tsOf(resolve(arrays[0][1], r.route).items, '  ').replace(/<D>/g, '');
        const it = `iterate${act[0].toUpperCase()}${act.slice(1)}`;
        if (actions[it] !== undefined) fail(`${res}.${it} clashes with an operation`);
        api += doc(`Every item of every page of ${act} (the pages' \`${arrays[0][0]}\`), following last_evaluated_key.`, '  ');
        api += `  ${it}(${[...args(r, 'modern'), `options?: Omit<${o}, 'start'>`].join(', ')}): AsyncIterableIterator<${item}>;\n`;
      }
    }
    api += '}\n';
  }
  api += `/** The modern surface: \`arduino.<resource>.<action>(...)\`. */\nexport interface ArduinoResources {\n${Object.keys(surfaces.resources).map((res) => `  ${res}: ${resourceIface(res)};\n`).join('')}}\n`;

  // One interface of plain signatures per class; IotApiMethods adds the promises and WithHttpInfo twins.
  let iot = '';
  for (const [cls, methods] of Object.entries(surfaces.iotApi)) {
    iot += `interface ${cls}Methods {\n`;
    for (const [m, i] of Object.entries(methods)) {
      const r = rows[i];
      const o = optionsTs(r, 'iot');
      const hasOpts = r.official ? r.official.hasOpts || !!o : !!o;
      const a = [...args(r, 'iot'), ...(hasOpts ? [`opts?: ${o ?? 'Record<string, never>'}`] : [])].join(', ');
      iot += `  ${m}(${a}): ${retTs(r, 'iot')};\n`;
    }
    iot += `}\n/** IotApi.${cls}, as in @arduino/arduino-iot-client: each method and its WithHttpInfo twin. */\n`;
    iot += `export declare class ${cls} {\n  constructor(apiClient?: IotApiClientLike);\n  apiClient: IotApiClientLike;\n}\n`;
    iot += `export interface ${cls} extends IotApiMethods<${cls}Methods> {}\n`;
  }
  iot += `/** The classes of the IotApi surface. */\nexport interface IotApiClasses {\n${Object.keys(surfaces.iotApi).map((c) => `  ${c}: typeof ${c};\n`).join('')}}\n`;

  let extraOut = '';
  for (const e of extra) {
    extraOut += `/** ${e.model.name} of @arduino/arduino-iot-client (not in the OpenAPI spec). */\nexport interface ${e.name}${e.dates ? '<D = string>' : ''} {\n`;
    for (const f of e.fields) extraOut += `  ${prop(f.name)}${f.required ? '' : '?'}: ${f.ts};\n`;
    extraOut += '  [key: string]: unknown;\n}\n';
  }
  return { schemasTs: out, named, api, iot, extraOut, count: schemaKeys.length };
}

function renderDts(types, specRel, version) {
  return `// @generated by tools/generate.mjs from ${specRel} and @arduino/arduino-iot-client ${version}; do not edit.
// Types of the Arduino IoT Cloud operations. Schema types are named after the official client's models,
// with an Arduino prefix where the model has none and a Payload suffix where that name is taken
// (schema \`devicev2\` -> ArduinoDevicev2Payload). Types holding date-time fields take a parameter D:
// string on the modern surface (as the JSON has it), Date on the IotApi surface (as the official client
// converts them).
import type { IotApiClientLike } from './iot_cloud_wasm.js';

/** A file to upload: a Blob or File, or bytes (Uint8Array, Node's Buffer). */
export type ArduinoFile = Blob | Uint8Array;

/** Settings of one call. */
export interface ArduinoCallOptions {
  /** Aborts this call when it fires. */
  signal?: AbortSignal;
  /** Timeout of this call in milliseconds; overrides the client's. */
  timeoutMs?: number;
}

/** Settings of one call of an operation that takes an organization. */
export interface ArduinoOrgCallOptions extends ArduinoCallOptions {
  /** Organization (space) id sent as X-Organization; defaults to the client's. */
  organization?: string;
}

/** The response part of the IotApi \`…WithHttpInfo\` results. */
export interface IotApiResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The IotApi methods of a signature list M: each returns a promise, and has a WithHttpInfo twin. */
export type IotApiMethods<M> = {
  [K in keyof M]: M[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
} & {
  [K in keyof M & string as \`\${K}WithHttpInfo\`]: M[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<{ data: R; response: IotApiResponse }>
    : never;
};

${types.named}
${types.schemasTs}
${types.extraOut}
${types.api}
${types.iot}`;
}

// ---------------------------------------------------------------------------------------------------
// README table

function renderReadme(readme, rows) {
  const START = '<!-- arduino-operations:start -->';
  const END = '<!-- arduino-operations:end -->';
  let table = `${START}\n`;
  table += 'Naming rule of the modern surface: `arduino.<resource>.<action>`; the resource is the operationId\'s part\n';
  table += 'before `#` in camelCase with `V2` dropped (`devices_v2_certs` → `devicesCerts`, `dashboards_v3` →\n';
  table += '`dashboardsV3`, `triggers_v1` → `triggersV1`), the action the part after `#` in camelCase\n';
  table += '(`batch_query_raw` → `batchQueryRaw`). On the `IotApi` surface the class and method are the official\n';
  table += 'client\'s; for operations it lacks, the class is the tag in PascalCase + `Api` (`DashboardsV3Api`) and the\n';
  table += 'method the operationId in camelCase (`dashboardsV3List`). Every method also has `<method>WithHttpInfo`.\n';
  table += 'Required parameters are positional; the others go in the trailing options object.\n\n';
  table += '| modern call | IotApi method | HTTP | in the official client |\n|---|---|---|---|\n';
  for (const r of rows) {
    table += `| ${r.resource ? `\`${r.resource}.${r.action}\`` : '—'} | \`${r.iotClass}.${r.jsMethod}\` | \`${r.route}\` | ${r.official ? 'Y' : 'N'} |\n`;
  }
  table += END;
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a >= 0 && b > a) return readme.slice(0, a) + table + readme.slice(b + END.length);
  if (a >= 0 || b >= 0) fail('README.md: only one of the arduino-operations markers is present');
  const anchor = '### Particle Device Cloud';
  const at = readme.indexOf(anchor);
  if (at < 0) fail(`README.md: "${anchor}" not found, cannot place the operation table`);
  const section = `### Arduino IoT Cloud operations\n\nEvery operation of Arduino's OpenAPI spec, and the official client's v1 calls the spec no longer has.\n\n${table}\n\n`;
  return readme.slice(0, at) + section + readme.slice(at);
}

// ---------------------------------------------------------------------------------------------------

export function generate({ specFile, clientDir, readme }) {
  const spec = loadSpec(specFile);
  checkSchemas(spec);
  const specOps = readSpecOps(spec);
  const client = readClient(clientDir);
  const notes = { params: [], org: [], accept: [], ret: [], bodyNames: [], dates: [] };
  const rows = buildRows(specOps, client, notes);
  const surfaces = buildSurfaces(rows, client);
  const dates = buildDates(rows, spec, client, notes);
  const paged = rows.map((r, i) => (r.flags & 32 ? i : -1)).filter((i) => i >= 0);
  const specRel = '../shared/specs/arduino-iot-openapi.yaml';
  const types = buildTypes(spec, client, rows, surfaces);
  const files = {
    'src/ops/arduino.rs': renderRust(rows, specRel, client.version),
    'pkg-templates/arduino-api.mjs': renderJs(surfaces, dates, paged, specRel, client.version),
    'pkg-templates/arduino-api.d.ts': renderDts(types, specRel, client.version),
    'README.md': renderReadme(readme, rows),
  };
  return { files, rows, specOps, surfaces, notes, client, schemaCount: types.count };
}

function main(argv) {
  const args = { check: false, verbose: false, spec: path.join(root, '..', 'shared', 'specs', 'arduino-iot-openapi.yaml'), client: path.join(root, 'node_modules', '@arduino', 'arduino-iot-client') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') args.check = true;
    else if (a === '--verbose') args.verbose = true;
    else if (a === '--spec') args.spec = path.resolve(argv[++i] ?? fail('--spec needs a file'));
    else if (a === '--client') args.client = path.resolve(argv[++i] ?? fail('--client needs a directory'));
    else fail(`unknown argument ${a}`);
  }
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const out = generate({ specFile: args.spec, clientDir: args.client, readme });
  if (args.verbose) {
    for (const [k, list] of Object.entries(out.notes)) for (const n of list) console.log(`note (${k}): ${n}`);
    const classes = Object.keys(out.surfaces.iotApi).length;
    const methods = Object.values(out.surfaces.iotApi).reduce((n, c) => n + Object.keys(c).length, 0);
    console.log(`${out.rows.length} rows (${out.specOps.length} spec operations), ${classes} IotApi classes with ${methods} methods, ${out.schemaCount} schemas`);
  }
  const stale = [];
  for (const [rel, text] of Object.entries(out.files)) {
    const file = path.join(root, rel);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (current === text) continue;
    if (args.check) stale.push(rel);
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      console.log(`wrote ${rel}`);
    }
  }
  if (stale.length) {
    console.error(`stale generated files (run \`make generate\`):\n${stale.map((s) => `  ${s}`).join('\n')}`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof GenError)) throw err;
    console.error(`tools/generate.mjs: ${err.message}`);
    process.exitCode = 2;
  }
}
