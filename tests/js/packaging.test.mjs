// The package as npm installs it: the manifest, its files, and loading it with require() and import from
// fresh consumer projects (child processes whose working directory is the consumer project).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import {
  useSimulator, T, CONSUMERS, INSTALLED, CREDENTIALS, IDS, pkg, requireFrom,
} from './support.mjs';

const run = promisify(execFile);
const sim = useSimulator();

// Logs in to the four simulated clouds and lists their devices; prints one JSON line. Used by both the
// CommonJS and the ESM consumer, after they have loaded the package their own way.
const FLOW = `
async function flow(lib, sim, creds, ids) {
  const { Arduino, Particle, CThings, IoTConnect, CloudError, IotApi } = lib;
  const arduino = new Arduino({ ...creds.arduino, organization: undefined, baseUrl: sim + '/arduino' });
  const things = await arduino.things.list({});
  const particle = new Particle({ baseUrl: sim + '/particle' });
  const login = await particle.login({ username: creds.particle.username, password: creds.particle.password });
  const devices = await particle.listDevices({});
  const cthings = new CThings({ ...creds.cthings, authUrl: sim + '/cthings-auth', baseUrl: sim + '/cthings' });
  const cdevices = [];
  for (const id of ids.cthings.devices) cdevices.push(await cthings.devices.get(id));
  const { env, ...iotc } = creds.iotconnect;
  const iotconnect = new IoTConnect({ ...iotc, environment: env, discoveryUrl: sim + '/iotconnect-discovery' });
  const { data: idevices } = await iotconnect.devices.list({ pageSize: 1000 });
  let invalid;
  try { await arduino.properties.list('', {}); } catch (e) { invalid = e; }
  return {
    exports: Object.keys(lib).sort(),
    types: { Arduino: typeof Arduino, Particle: typeof Particle, CThings: typeof CThings,
      IoTConnect: typeof IoTConnect, CloudError: typeof CloudError, IotApi: typeof IotApi },
    arduino: things.map((t) => t.id),
    particleLogin: { statusCode: login.statusCode, tokenType: login.body.token_type },
    particle: { statusCode: devices.statusCode, ids: devices.body.map((d) => d.id) },
    cthings: cdevices.map((d) => d.id),
    iotconnect: idevices.length,
    invalidIsCloudError: invalid instanceof CloudError && invalid instanceof Error && invalid.code === 'invalid_argument',
  };
}
`;

const CJS_SCRIPT = `${FLOW}
const resolved = require.resolve('iot-cloud-wasm');
const lib = require('iot-cloud-wasm');
flow(lib, process.env.SIM_URL, JSON.parse(process.env.SIM_CREDENTIALS), JSON.parse(process.env.SIM_IDS))
  .then((out) => console.log(JSON.stringify({ resolved, ...out })))
  .catch((e) => { console.error(e); process.exit(1); });
`;

const ESM_SCRIPT = `${FLOW}
import * as lib from 'iot-cloud-wasm';
import { Arduino, CloudError } from 'iot-cloud-wasm';
import { createRequire } from 'node:module';
const resolved = import.meta.resolve('iot-cloud-wasm');
const required = createRequire(import.meta.url)('iot-cloud-wasm');
const named = { ...lib };
const out = await flow(named, process.env.SIM_URL, JSON.parse(process.env.SIM_CREDENTIALS), JSON.parse(process.env.SIM_IDS));
console.log(JSON.stringify({
  resolved, ...out,
  hasDefault: 'default' in lib,
  sharedWithRequire: required.Arduino === Arduino && required.CloudError === CloudError,
}));
`;

async function runConsumer(kind) {
  const args = kind === 'esm' ? ['--input-type=module', '-e', ESM_SCRIPT] : ['--input-type=commonjs', '-e', CJS_SCRIPT];
  // A plain environment: the child is an ordinary script, not part of the test run.
  const { NODE_TEST_CONTEXT, NODE_OPTIONS, ...env } = process.env;
  const { stdout } = await run(process.execPath, args, {
    cwd: CONSUMERS[kind],
    timeout: 25_000,
    env: {
      ...env,
      SIM_URL: sim.url,
      SIM_CREDENTIALS: JSON.stringify(CREDENTIALS),
      SIM_IDS: JSON.stringify(IDS),
    },
  });
  return JSON.parse(stdout.trim().split('\n').pop());
}

function assertFlow(out) {
  assert.deepEqual(out.exports, ['Arduino', 'CAPABILITIES', 'CThings', 'CloudError', 'IoTConnect', 'IotApi', 'Particle', 'connect', 'init']);
  assert.deepEqual(out.types, {
    Arduino: 'function', Particle: 'function', CThings: 'function', IoTConnect: 'function',
    CloudError: 'function', IotApi: 'object',
  });
  const t = IDS.arduino.things;
  assert.deepEqual(new Set(out.arduino), new Set([t.weatherStation, t.greenhouse, t.deskLamp]));
  assert.deepEqual(out.particleLogin, { statusCode: 200, tokenType: 'bearer' });
  assert.equal(out.particle.statusCode, 200);
  assert.deepEqual(new Set(out.particle.ids), new Set(IDS.particle.devices));
  assert.deepEqual(out.cthings, IDS.cthings.devices);
  assert.equal(out.iotconnect, IDS.iotconnect.deviceCount);
  assert.equal(out.invalidIsCloudError, true);
}

async function assertEveryVendorCalled() {
  const { requests, tokenRequests } = await sim.stats();
  for (const vendor of ['arduino', 'particle', 'cthings', 'iotconnect', 'iotconnect-discovery']) {
    assert.ok(requests[vendor] > 0, `the simulated ${vendor} cloud was called`);
  }
  assert.deepEqual(tokenRequests, { arduino: 1, particle: 1, cthings: 1, iotconnect: 1 });
}

test('require() from a CommonJS project loads the node/require entry and talks to all four clouds', T, async () => {
  const out = await runConsumer('cjs');
  assert.equal(out.resolved, path.join(INSTALLED.cjs, 'index.cjs'));
  assertFlow(out);
  await assertEveryVendorCalled();
});

test('import from an ESM project loads the node/import entry and talks to all four clouds', T, async () => {
  const out = await runConsumer('esm');
  assert.equal(out.resolved, pathToFileURL(path.join(INSTALLED.esm, 'index.mjs')).href);
  assertFlow(out);
  assert.equal(out.hasDefault, false, 'named exports only, as in the browser entry');
  assert.equal(out.sharedWithRequire, true, 'import and require share one instance of the package');
  await assertEveryVendorCalled();
});

for (const kind of ['cjs', 'esm']) {
  test(`installed package.json (${kind} consumer)`, T, () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(INSTALLED[kind], 'package.json'), 'utf8'));
    assert.equal(manifest.name, 'iot-cloud-wasm');
    assert.equal(manifest.engines?.node, '>=18');
    for (const hook of ['preinstall', 'install', 'postinstall']) {
      assert.equal(manifest.scripts?.[hook], undefined, `no ${hook} script`);
    }
    assert.equal(manifest.dependencies, undefined, 'no runtime dependencies');
    assert.equal(manifest.bundleDependencies ?? manifest.bundledDependencies, undefined);

    const root = manifest.exports?.['.'];
    assert.equal(typeof root, 'object', 'an exports map for "."');
    assert.deepEqual(Object.keys(root), ['types', 'node', 'browser', 'default'], 'conditions, types first');
    assert.equal(typeof root.node, 'object');
    assert.deepEqual(new Set(Object.keys(root.node)), new Set(['require', 'import']));
    const targets = [root.types, root.node.require, root.node.import, root.browser, root.default];
    for (const target of targets) {
      assert.equal(typeof target, 'string');
      assert.ok(target.startsWith('./'), `${target} is package-relative`);
      assert.ok(fs.statSync(path.join(INSTALLED[kind], target)).isFile(), `${target} is in the package`);
    }
    assert.match(root.types, /\.d\.ts$/);
    assert.match(root.node.require, /\.cjs$/);
    assert.match(root.node.import, /\.mjs$/);
  });
}

test('the package ships exactly one .wasm file', T, () => {
  const wasm = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.wasm')) wasm.push(path.relative(INSTALLED.esm, full));
    }
  };
  walk(INSTALLED.esm);
  assert.equal(wasm.length, 1, `wasm files: ${wasm.join(', ')}`);
  const bytes = fs.readFileSync(path.join(INSTALLED.esm, wasm[0]));
  assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], 'a WebAssembly module');
});

test('the public exports exist in both module systems', T, () => {
  const required = requireFrom(CONSUMERS.cjs)('iot-cloud-wasm');
  for (const lib of [pkg, required]) {
    for (const name of ['Arduino', 'Particle', 'CThings', 'IoTConnect', 'CloudError']) {
      assert.equal(typeof lib[name], 'function', `${name} is a class`);
    }
    assert.equal(typeof lib.IotApi, 'object');
    assert.equal(typeof lib.IotApi.ApiClient, 'function');
    assert.equal(typeof lib.IotApi.PropertiesV2Api, 'function');
    assert.equal(typeof lib.IotApi.ThingsV2Api, 'function');
    assert.ok(lib.IotApi.ApiClient.instance instanceof lib.IotApi.ApiClient);
    assert.ok(new lib.CloudError('x') instanceof Error);
  }
});
