// The generator (tools/generate.mjs) and what it writes: coverage of the spec and of the official client,
// routes, freshness of the committed files, failure on a spec it does not understand, date revival
// identical to the official models', and a TypeScript check of the declarations.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const generator = path.join(root, 'tools', 'generate.mjs');
const specFile = path.join(root, '..', 'shared', 'specs', 'arduino-iot-openapi.yaml');
const require = createRequire(import.meta.url);
const official = require('@arduino/arduino-iot-client');
const { DATES, reviveDates } = await import('../../pkg-templates/arduino-api.mjs');
const { RESOURCES, IOT_API, PAGED } = await import('./arduino-table.mjs');
const rust = fs.readFileSync(path.join(root, 'src', 'ops', 'arduino.rs'), 'utf8');
// The table is text: one operation a line, `route|params|accept|flags`, between `"\` and `";`.
const table = rust.slice(rust.indexOf('"\\\n') + 3, rust.lastIndexOf('";'));
const routes = table.split('\n').map((line) => line.split('|')[0]);

const run = (...args) => spawnSync(process.execPath, [generator, ...args], { cwd: root, encoding: 'utf8' });

test('the committed files are what the generator writes (--check)', () => {
  const r = run('--check');
  assert.equal(r.status, 0, r.stderr);
});

test('94 modern operations, one per spec operation', () => {
  const ops = Object.values(RESOURCES).flatMap((actions) => Object.values(actions));
  assert.equal(ops.length, 94);
  assert.deepEqual([...ops].sort((a, b) => a - b), [...Array(94).keys()]);
  const tsv = fs.readFileSync(path.join(root, '..', 'shared', 'specs', 'arduino-operations.tsv'), 'utf8').trim().split('\n').slice(1);
  assert.equal(tsv.length, 94);
  tsv.forEach((line, i) => {
    const [, , jsMethod, method, route] = line.split('\t');
    assert.equal(routes[i], `${method} ${route}`, `row ${i}`);
    const [cls] = Object.entries(IOT_API).find(([, methods]) => methods[jsMethod] === i) ?? [];
    assert.ok(cls, `${jsMethod} is row ${i} of IOT_API`);
  });
});

// The package's index exports 16 classes; ThingsV1Api, PropertiesV1Api and SeriesV1Api are only in dist/api.
const apiDir = path.join(path.dirname(require.resolve('@arduino/arduino-iot-client/package.json')), 'dist', 'api');
const officialClasses = Object.fromEntries(fs.readdirSync(apiDir).filter((f) => f.endsWith('.js')).map((f) => [f.slice(0, -3), require(path.join(apiDir, f)).default]));

test('every method of every class of the official client is in IOT_API, on its own row', () => {
  assert.equal(Object.keys(officialClasses).length, 19);
  for (const k of Object.keys(official)) if (/Api$/.test(k)) assert.ok(officialClasses[k], k);
  let n = 0;
  for (const [cls, ctor] of Object.entries(officialClasses)) {
    const methods = Object.getOwnPropertyNames(ctor.prototype).filter((m) => m !== 'constructor' && !m.endsWith('WithHttpInfo'));
    for (const m of methods) {
      assert.equal(typeof IOT_API[cls]?.[m], 'number', `${cls}.${m}`);
      n++;
    }
  }
  assert.equal(n, 98);
  const all = Object.values(IOT_API).flatMap((c) => Object.values(c));
  assert.equal(new Set(all).size, all.length, 'no row twice');
  assert.equal(all.length, routes.length, 'every row has an IotApi method');
});

test('no route twice on a surface', () => {
  const modern = Object.values(RESOURCES).flatMap((a) => Object.values(a)).map((i) => routes[i]);
  assert.equal(new Set(modern).size, modern.length);
  const iot = Object.values(IOT_API).flatMap((c) => Object.values(c)).map((i) => routes[i]);
  assert.equal(new Set(iot).size, iot.length);
  assert.equal(new Set(routes).size, routes.length);
});

test('paged operations are flagged in the table', () => {
  assert.ok(PAGED.length >= 1);
  const PAGE_LEK = 32;
  const rows = table.split('\n');
  assert.equal(rows.length, 111);
  rows.forEach((row, i) => assert.equal((Number(row.split('|')[3]) & PAGE_LEK) !== 0, PAGED.includes(i), `row ${i}`));
});

test('a spec with something the generator does not understand makes it fail', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arduino-spec-'));
  try {
    const spec = fs.readFileSync(specFile, 'utf8');
    const cases = [
      ['cookie parameter', spec.replace('        in: header\n        name: X-Organization', '        in: cookie\n        name: X-Organization'), /cookie/],
      ['deepObject style', spec.replace(/style: form/, 'style: deepObject'), /deepObject/],
      ['XML body', spec.replace('      requestBody:\n        content:\n          application/json:', '      requestBody:\n        content:\n          application/xml:'), /application\/xml/],
      ['comma in a name', spec.replace('name: show_deleted', 'name: show,deleted'), /show,deleted/],
      ['unknown schema keyword', spec.replace('  schemas:\n', '  schemas:\n    Odd:\n      oneOf:\n      - type: string\n'), /oneOf/],
    ];
    for (const [what, text, message] of cases) {
      assert.notEqual(text, spec, `${what}: the corruption applies`);
      const file = path.join(dir, 'spec.yaml');
      fs.writeFileSync(file, text);
      const r = run('--check', '--spec', file);
      assert.equal(r.status, 2, `${what}: ${r.stderr}`);
      assert.match(r.stderr, message, what);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A response that fills every field of the official model, with ISO strings where Dates go. */
function sample(type, depth = 0) {
  if (type === 'Date') return '2024-05-06T07:08:09.123Z';
  if (type === 'Number') return 1;
  if (type === 'Boolean') return true;
  if (type === 'Object') return { k: 'v' };
  if (Array.isArray(type)) return [sample(type[0], depth), sample(type[0], depth)];
  if (typeof type === 'function' && depth < 5) {
    const src = fs.readFileSync(path.join(apiDir, '..', 'model', `${type.name}.js`), 'utf8');
    const imports = Object.fromEntries([...src.matchAll(/var (_\w+) = _interopRequireDefault\(require\("\.\/(\w+)"\)\)/g)].map((m) => [m[1], m[2]]));
    const model = (v) => require(path.join(apiDir, '..', 'model', `${imports[v]}.js`)).default;
    const out = {};
    const body = src.slice(src.indexOf('key: "constructFromObject"'));
    for (const m of body.matchAll(/obj\['([^']+)'\] = (?:_ApiClient\["default"\]\.convertToType\(data\['[^']+'\], ([^)]*)\)|(_\w+)\["default"\]\.constructFromObject)/g)) {
      const expr = m[3] ? `${m[3]}["default"]` : m[2].trim();
      let t = 'String';
      let mm;
      if (expr === 'Object' || expr === '[Object]') t = expr === 'Object' ? 'Object' : ['Object'];
      else if ((mm = expr.match(/^'(\w+)'$/))) t = mm[1];
      else if ((mm = expr.match(/^\['(\w+)'\]$/))) t = [mm[1]];
      else if ((mm = expr.match(/^(_\w+)\["default"\]$/))) t = model(mm[1]);
      else if ((mm = expr.match(/^\[(_\w+)\["default"\]\]$/))) t = [model(mm[1])];
      out[m[1]] = sample(t, depth + 1);
    }
    return out;
  }
  return 'x';
}

test('reviveDates makes Dates exactly where the official models do', () => {
  let checked = 0;
  for (const [cls, methods] of Object.entries(IOT_API)) {
    if (!officialClasses[cls]) continue;
    for (const [method, op] of Object.entries(methods)) {
      if (!officialClasses[cls].prototype[method]) continue;
      const src = officialClasses[cls].prototype[`${method}WithHttpInfo`].toString();
      const rt = src.match(/var returnType = ([^;]+);/)[1];
      if (rt === 'null') {
        assert.equal(DATES.ops[op], undefined, `${cls}.${method}`);
        continue;
      }
      const modelVar = rt.match(/_(\w+)\["default"\]/)[1];
      const file = fs.readFileSync(require.resolve(`@arduino/arduino-iot-client/dist/api/${cls}.js`), 'utf8');
      const modelFile = file.match(new RegExp(`var _${modelVar} = _interopRequireDefault\\(require\\("\\.\\./model/(\\w+)"\\)\\)`))[1];
      const model = require(path.join(apiDir, '..', 'model', `${modelFile}.js`)).default;
      const type = rt.startsWith('[') ? [model] : model;
      const data = sample(type);
      const expected = official.ApiClient.convertToType(structuredClone(data), type);
      const actual = reviveDates(op, structuredClone(data));
      const dates = (v, at = '$', out = []) => {
        if (v instanceof Date) out.push(`${at}=${v.getTime()}`);
        else if (v && typeof v === 'object') for (const k of Object.keys(v)) dates(v[k], `${at}.${k}`, out);
        return out;
      };
      assert.deepEqual(dates(actual), dates(expected), `${cls}.${method}`);
      checked++;
    }
  }
  assert.ok(checked > 60, `${checked} operations checked`);
});

test('the declarations type-check with the sample usage', () => {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tests', 'types', 'arduino-generated.tsconfig.json')], { encoding: 'utf8' });
  } catch (err) {
    output = `${err.stdout}${err.stderr}`;
  }
  assert.equal(output, '', output);
});
