#!/usr/bin/env node
// Benchmark of iot-cloud-wasm: package size, and the time per API call next to raw fetch and the
// vendors' official JavaScript clients, all against the local cloud simulator.
//
//   node bench/run.mjs [--calls 1000] [--rounds 10] [--warmup 50] [--concurrency 1000] [--concurrent-rounds 10]
//                      [--devices 10000] [--large-calls 30] [--large-rounds 10]
//
// Reads target/size-report.json and target/pack/latest.json (written by the pack step), loads the package
// installed from the tarball in target/consumers/cjs, prints a table and writes target/bench.json.
// Exits 1 when a client fails; timings are reported, never judged. See bench/README.md.

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator, simControl, table } from './simulator.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = path.join(ROOT, 'target');
const PKG_DIR = path.join(TARGET, 'consumers', 'cjs', 'node_modules', 'iot-cloud-wasm');
const OUT = path.join(TARGET, 'bench.json');

/** The extra row of the Particle suites while Node's default transport is still the global fetch. */
const OURS_HTTP = 'iot-cloud-wasm + node:http';

const USAGE = 'usage: node bench/run.mjs [--calls 1000] [--rounds 10] [--warmup 50] [--concurrency 1000] '
  + '[--concurrent-rounds 10] [--devices 10000] [--large-calls 30] [--large-rounds 10]';

// ---------------------------------------------------------------------------------------------------------
// Settings

function settings() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        calls: { type: 'string', default: '1000' },
        rounds: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '50' },
        concurrency: { type: 'string', default: '1000' },
        'concurrent-rounds': { type: 'string', default: '10' },
        devices: { type: 'string', default: '10000' },
        'large-calls': { type: 'string', default: '30' },
        'large-rounds': { type: 'string', default: '10' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const n = (name, min) => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) {
      console.error(`--${name} must be a whole number ≥ ${min}\n${USAGE}`);
      process.exit(2);
    }
    return v;
  };
  const calls = n('calls', 1);
  const rounds = n('rounds', 1);
  const warmup = n('warmup', 0);
  const multiple = (total, name, per, perName) => {
    if (total % per !== 0) {
      console.error(`--${name} (${total}) must be a multiple of --${perName} (${per})\n${USAGE}`);
      process.exit(2);
    }
    return total / per;
  };
  const concurrency = n('concurrency', 1);
  const concurrentRounds = n('concurrent-rounds', 1);
  const devices = n('devices', 1);
  const largeCalls = n('large-calls', 1);
  const largeRounds = n('large-rounds', 1);
  return {
    calls, rounds, perRound: multiple(calls, 'calls', rounds, 'rounds'), warmup,
    concurrent: { concurrency, rounds: concurrentRounds },
    large: {
      devices, calls: largeCalls, rounds: largeRounds,
      perRound: multiple(largeCalls, 'large-calls', largeRounds, 'large-rounds'),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Formatting

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const fixed = (x, digits) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (x) => `${x.toFixed(2)}×`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};


// ---------------------------------------------------------------------------------------------------------
// Package size

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function packageSize() {
  const sizes = readJson(path.join(TARGET, 'size-report.json'));
  const pack = readJson(path.join(TARGET, 'pack', 'latest.json'));
  const out = { sizeReport: sizes, tarball: pack && {
    id: pack.id, size: pack.size, unpackedSize: pack.unpackedSize, entryCount: pack.entryCount,
  } };
  console.log(`Package size${pack?.id ? ` (${pack.id})` : ''}`);
  if (sizes) {
    console.log(`  wasm binary           ${kb(sizes.wasmRaw).padStart(9)} raw   ${kb(sizes.wasmGzip).padStart(9)} gzip`);
    console.log(`  JS glue, browser      ${''.padStart(9)}       ${kb(sizes.webGlueGzip).padStart(9)} gzip`);
    console.log(`  JS glue, Node         ${''.padStart(9)}       ${kb(sizes.nodeGlueGzip).padStart(9)} gzip`);
    console.log(`  browser download      ${''.padStart(9)}       ${kb(sizes.wasmGzip + sizes.webGlueGzip).padStart(9)} gzip (wasm + glue)`);
  } else {
    console.log('  target/size-report.json not found (run the pack step first)');
  }
  if (pack) {
    console.log(`  npm tarball           ${kb(pack.size).padStart(9)} packed ${kb(pack.unpackedSize).padStart(9)} unpacked, ${pack.entryCount} files`);
  } else {
    console.log('  target/pack/latest.json not found (run the pack step first)');
  }
  console.log('  (1 KB = 1,024 bytes)');
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Timing

/**
 * Times the clients of one suite: `warmup` calls each, then `rounds` rounds of `perRound` calls per client,
 * the order rotating from round to round. The calls of a round are sequential (each awaited before the
 * next) or, with `suite.concurrent`, all started at once and awaited together (`Promise.all`; the warm-up
 * is then `warmup` such batches). Every result goes through `check`. A client that throws is dropped from
 * the rest of the suite and reported.
 */
async function runSuite(suite, { rounds, perRound, warmup }) {
  const state = suite.clients.map((c) => ({ ...c, roundsNs: [], callsNs: [], error: null }));
  const sequential = async (client, n, timed) => {
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      const body = await client.call();
      const t1 = process.hrtime.bigint();
      suite.check(body);
      if (timed) client.callsNs.push(Number(t1 - t0));
    }
  };
  const batch = async (client) => {
    const bodies = await Promise.all(Array.from({ length: perRound }, () => client.call()));
    for (const body of bodies) suite.check(body);
  };
  const attempt = async (client, timed) => {
    if (client.error) return;
    try {
      const start = process.hrtime.bigint();
      if (!suite.concurrent) await sequential(client, timed ? perRound : warmup, timed);
      else if (timed) await batch(client);
      else for (let i = 0; i < warmup; i++) await batch(client);
      if (timed) client.roundsNs.push(Number(process.hrtime.bigint() - start));
    } catch (err) {
      client.error = err;
    }
  };

  for (const client of state) await attempt(client, false);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < state.length; k++) await attempt(state[(k + r) % state.length], true);
  }

  const results = state.map((c) => {
    if (c.error) {
      const status = c.error.statusCode ?? c.error.status;
      return { name: c.name, role: c.role, error: `${c.error.name || 'Error'}: ${c.error.message}${status ? ` (HTTP ${status})` : ''}` };
    }
    const perCallUs = c.roundsNs.map((ns) => ns / perRound / 1000);
    const out = {
      name: c.name,
      role: c.role,
      medianUsPerCall: median(perCallUs),
      roundsUsPerCall: perCallUs.map((x) => Number(x.toFixed(1))),
      totalMs: c.roundsNs.reduce((a, b) => a + b, 0) / 1e6,
      calls: rounds * perRound,
    };
    if (suite.concurrent) {
      // The headline of a concurrent suite: how long all `perRound` calls took together.
      const roundsMs = c.roundsNs.map((ns) => ns / 1e6);
      out.medianMsPerRound = median(roundsMs);
      out.roundsMs = roundsMs.map((x) => Number(x.toFixed(2)));
    } else {
      const callsUs = c.callsNs.map((ns) => ns / 1000).sort((a, b) => a - b);
      out.p50UsPerCall = median(callsUs);
      out.p90UsPerCall = callsUs[Math.min(callsUs.length - 1, Math.floor(callsUs.length * 0.9))];
    }
    return out;
  });
  const raw = results.find((r) => r.role === 'raw' && !r.error);
  for (const r of results) {
    if (!r.error && raw) {
      r.vsRawFetch = r.medianUsPerCall / raw.medianUsPerCall;
      if (!suite.concurrent) r.p50VsRawFetch = r.p50UsPerCall / raw.p50UsPerCall;
    }
  }
  return {
    name: suite.name,
    request: suite.request,
    mode: suite.concurrent ? 'concurrent' : 'sequential',
    ...(suite.unit && { unit: suite.unit }),
    rounds,
    callsPerRound: perRound,
    warmup,
    results,
  };
}

function printSuite(suite) {
  const failed = (r) => [r.name, 'FAILED', ...Array(4).fill('')];
  const vs = (x) => (x === undefined ? '' : ratio(x));
  console.log(`\n${suite.name}: ${suite.request}`);
  if (suite.mode === 'concurrent') {
    console.log(`  ${suite.rounds} rounds per client of ${fixed(suite.callsPerRound, 0)} calls started together ` +
      `(Promise.all), order rotated each round, after ${suite.warmup} warm-up round${suite.warmup === 1 ? '' : 's'} each`);
    const rows = suite.results.map((r) => (r.error ? failed(r) : [
      r.name,
      fixed(r.medianMsPerRound, 1),
      `${fixed(Math.min(...r.roundsMs), 0)}–${fixed(Math.max(...r.roundsMs), 0)}`,
      fixed(r.medianUsPerCall, 1),
      vs(r.vsRawFetch),
    ]));
    console.log(table(['client', `ms per ${fixed(suite.callsPerRound, 0)}`, 'rounds ms', 'µs/call', 'vs raw'],
      rows, ['l', 'r', 'r', 'r', 'r']));
  } else {
    // Long responses take milliseconds per call: shown in ms rather than µs.
    const ms = suite.unit === 'ms';
    const unit = ms ? 'ms' : 'µs';
    const show = (us, digits) => (ms ? fixed(us / 1000, digits + 1) : fixed(us, digits));
    console.log(`  ${fixed(suite.rounds * suite.callsPerRound, 0)} sequential calls per client: ${suite.rounds} rounds × ` +
      `${suite.callsPerRound}, order rotated each round, after ${suite.warmup} warm-up call${suite.warmup === 1 ? '' : 's'} each`);
    const rows = suite.results.map((r) => (r.error ? [...failed(r), '', ''] : [
      r.name,
      show(r.medianUsPerCall, 1),
      `${show(Math.min(...r.roundsUsPerCall), 0)}–${show(Math.max(...r.roundsUsPerCall), 0)}`,
      fixed(r.totalMs, 1),
      vs(r.vsRawFetch),
      show(r.p50UsPerCall, 1),
      vs(r.p50VsRawFetch),
    ]));
    console.log(table(
      ['client', `${unit}/call`, `rounds ${unit}/call`, 'total ms', 'vs raw', `p50 ${unit}/call`, 'p50 vs raw'],
      rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r']));
  }
  for (const r of suite.results) {
    if (r.error) console.log(`  ✗ ${r.name} failed: ${r.error}`);
  }
}

/**
 * "iot-cloud-wasm 1.08× raw fetch", "iot-cloud-wasm 0.52× particle-api-js (1.92× faster)": every client
 * against raw fetch, and each of `ours` (names) against the official client.
 */
function comparisons(suite, ours, official) {
  const raw = suite.results.find((r) => r.role === 'raw' && !r.error);
  const b = suite.results.find((r) => r.name === official && !r.error);
  const out = {};
  const lines = [];
  if (raw) {
    for (const r of suite.results) {
      if (r.error || r === raw) continue;
      out[`${r.name} vs raw fetch`] = r.vsRawFetch;
      lines.push(`${r.name} ${ratio(r.vsRawFetch)} raw fetch`);
    }
  }
  for (const name of ours) {
    const a = suite.results.find((r) => r.name === name && !r.error);
    if (!a || !b) continue;
    const x = a.medianUsPerCall / b.medianUsPerCall;
    out[`${name} vs ${official}`] = x;
    let p50 = '';
    if (a.p50UsPerCall !== undefined && b.p50UsPerCall !== undefined) {
      out[`${name} vs ${official} (p50)`] = a.p50UsPerCall / b.p50UsPerCall;
      p50 = `; p50 per call ${ratio(a.p50UsPerCall / b.p50UsPerCall)}`;
    }
    lines.push(`${name} ${ratio(x)} ${official} ` +
      `(${x <= 1 ? `${(1 / x).toFixed(2)}× faster` : `${x.toFixed(2)}× slower`}${p50})`);
  }
  for (const line of lines) console.log(`  ${line}`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const cfg = settings();
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    settings: cfg,
    size: null,
    suites: [],
    errors: [],
  };

  report.size = packageSize();

  const requirePkg = createRequire(path.join(PKG_DIR, 'package.json'));
  const requireRoot = createRequire(path.join(ROOT, 'package.json'));
  let pkg;
  try {
    pkg = requirePkg(PKG_DIR);
  } catch (err) {
    console.error(`\ncannot load iot-cloud-wasm from ${PKG_DIR}: ${err.message}\n(run the pack step first)`);
    process.exit(1);
  }
  // The package's Node transport: the default when the wasm glue takes one, else shown through `fetch`.
  const transport = {
    defaultIsHttp: typeof requirePkg(path.join(PKG_DIR, 'node', 'iot_cloud_wasm.js')).__setDefaultFetch === 'function',
    httpFetch: (() => {
      try {
        return requirePkg(path.join(PKG_DIR, 'http-fetch.cjs')).httpFetch;
      } catch {
        return null;
      }
    })(),
  };
  report.nodeTransport = transport.defaultIsHttp ? 'node:http (http-fetch.cjs)' : 'global fetch';
  const ParticleApiJs = requireRoot('particle-api-js');
  const ArduinoIotClient = requireRoot('@arduino/arduino-iot-client');
  const versionOf = (dir) => readJson(path.join(dir, 'package.json'))?.version ?? 'unknown';
  const versions = {
    'iot-cloud-wasm': versionOf(PKG_DIR),
    'particle-api-js': versionOf(path.join(ROOT, 'node_modules', 'particle-api-js')),
    '@arduino/arduino-iot-client': versionOf(path.join(ROOT, 'node_modules', '@arduino', 'arduino-iot-client')),
  };
  report.versions = versions;

  const { CREDENTIALS, IDS } = requireRoot(path.join(ROOT, 'tests', 'simulator', 'fixtures.js'));
  const sim = await startSimulator();
  report.simulator = 'separate Node process on 127.0.0.1';
  try {
    await simControl(sim, 'POST', 'reset');
    // Long-lived tokens, so that no client renews one in the middle of a round.
    await simControl(sim, 'POST', 'config', { tokenLifetime: { arduino: 3600, particle: 86400 } });

    // ---- Particle: GET /v1/devices
    const particleBase = `${sim.url}/particle`;
    const login = await new pkg.Particle({ baseUrl: particleBase })
      .login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
    const pToken = login.body.access_token;
    const ours = new pkg.Particle({ baseUrl: particleBase, auth: pToken });
    const official = new ParticleApiJs({ baseUrl: particleBase });
    const pHeaders = { Authorization: `Bearer ${pToken}` };
    // Until the wasm takes a default fetch, the package's node:http transport is shown through the `fetch`
    // option too: the row is what the Node default becomes, measured with today's wasm.
    const ourHttp = transport.defaultIsHttp || !transport.httpFetch ? null
      : new pkg.Particle({ baseUrl: particleBase, auth: pToken, fetch: transport.httpFetch });
    const particleClients = [
      {
        name: 'raw fetch', role: 'raw',
        async call() {
          const res = await fetch(`${particleBase}/v1/devices`, { headers: pHeaders });
          const body = JSON.parse(await res.text());
          if (!res.ok) throw Object.assign(new Error(body.error || 'request failed'), { statusCode: res.status });
          return body;
        },
      },
      { name: 'iot-cloud-wasm', role: 'ours', call: async () => (await ours.listDevices({ auth: pToken })).body },
      ...(ourHttp ? [{
        name: OURS_HTTP, role: 'ours-http', call: async () => (await ourHttp.listDevices({ auth: pToken })).body,
      }] : []),
      { name: 'particle-api-js', role: 'official', call: async () => (await official.listDevices({ auth: pToken })).body },
    ];
    const devicesCheck = (count) => (body) => {
      if (!Array.isArray(body) || body.length !== count) throw new Error(`expected ${count} devices`);
      if (body[0]?.id !== IDS.particle.devices[0]) throw new Error('unexpected first device');
    };

    const particleSuite = {
      name: 'Particle',
      request: `listDevices (GET /v1/devices, ${IDS.particle.devices.length} devices)`,
      check: devicesCheck(IDS.particle.devices.length),
      clients: particleClients,
    };
    const particleConcurrentSuite = {
      name: 'Particle, concurrent',
      request: `${fixed(cfg.concurrent.concurrency, 0)} listDevices at once (GET /v1/devices, ${IDS.particle.devices.length} devices)`,
      concurrent: true,
      check: devicesCheck(IDS.particle.devices.length),
      clients: particleClients,
    };
    const particleLargeSuite = {
      name: 'Particle, long list',
      request: `listDevices (GET /v1/devices, ${fixed(cfg.large.devices, 0)} devices)`,
      unit: 'ms',
      check: devicesCheck(cfg.large.devices),
      clients: particleClients,
    };

    // ---- Arduino: GET /iot/v2/things/{id}/properties
    const arduinoBase = `${sim.url}/arduino`;
    const tokenRes = await fetch(`${arduinoBase}/iot/v1/clients/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: CREDENTIALS.arduino.clientId,
        client_secret: CREDENTIALS.arduino.clientSecret,
        audience: 'https://api2.arduino.cc/iot',
      }),
    });
    if (!tokenRes.ok) throw new Error(`Arduino token request answered ${tokenRes.status}`);
    const aToken = (await tokenRes.json()).access_token;
    const thingId = IDS.arduino.things.weatherStation;
    const arduino = new pkg.Arduino({
      clientId: CREDENTIALS.arduino.clientId,
      clientSecret: CREDENTIALS.arduino.clientSecret,
      accessToken: aToken,
      baseUrl: arduinoBase,
    });
    const dropInClient = new pkg.IotApi.ApiClient(arduinoBase);
    dropInClient.authentications.oauth2.accessToken = aToken;
    const dropIn = new pkg.IotApi.PropertiesV2Api(dropInClient);
    const officialClient = new ArduinoIotClient.ApiClient(arduinoBase);
    officialClient.authentications.oauth2.accessToken = aToken;
    const officialProps = new ArduinoIotClient.PropertiesV2Api(officialClient);
    const aHeaders = { Authorization: `Bearer ${aToken}` };

    const arduinoSuite = {
      name: 'Arduino IoT Cloud',
      request: 'properties list (GET /iot/v2/things/{id}/properties, 3 properties)',
      check(body) {
        if (!Array.isArray(body) || body.length !== 3) throw new Error('expected 3 properties');
      },
      clients: [
        {
          name: 'raw fetch', role: 'raw',
          async call() {
            const res = await fetch(`${arduinoBase}/iot/v2/things/${thingId}/properties`, { headers: aHeaders });
            const body = JSON.parse(await res.text());
            if (!res.ok) throw Object.assign(new Error(body.detail || 'request failed'), { statusCode: res.status });
            return body;
          },
        },
        { name: 'iot-cloud-wasm', role: 'ours', call: () => arduino.properties.list(thingId, {}) },
        { name: 'iot-cloud-wasm IotApi', role: 'ours-dropin', call: () => dropIn.propertiesV2List(thingId, {}) },
        { name: '@arduino/arduino-iot-client', role: 'official', call: () => officialProps.propertiesV2List(thingId, {}) },
      ],
    };

    // ---- Arduino, mixed: what a dashboard loop does — list things, show one, publish a value, read its
    // time series (4 requests per call).
    const lampId = IDS.arduino.things.deskLamp;
    const lampProps = await arduino.properties.list(lampId);
    const writable = lampProps.find((p) => p.permission === 'READ_WRITE') ?? lampProps[0];
    const propId = writable.id;
    const sample = (n) => (writable.type === 'FLOAT' || writable.type === 'INT' ? n % 100 : writable.type === 'STATUS' ? n % 2 === 0 : `v${n}`);
    let n = 0;
    const officialThings = new ArduinoIotClient.ThingsV2Api(officialClient);
    const dropInThings = new pkg.IotApi.ThingsV2Api(dropInClient);
    const series = { from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', interval: 3600 };
    const checkSeries = (r) => {
      if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new Error('expected a time series object');
      return r;
    };
    const rawJson = async (url, init) => {
      const res = await fetch(url, { ...init, headers: { ...aHeaders, ...init?.headers } });
      const text = await res.text();
      if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { statusCode: res.status });
      return text === '' ? null : JSON.parse(text);
    };
    const arduinoMixedSuite = {
      name: 'Arduino IoT Cloud, mixed',
      request: 'things list + thing show + property publish + property time series (4 requests)',
      check: checkSeries,
      clients: [
        {
          name: 'raw fetch', role: 'raw',
          async call() {
            await rawJson(`${arduinoBase}/iot/v2/things`);
            await rawJson(`${arduinoBase}/iot/v2/things/${lampId}`);
            await rawJson(`${arduinoBase}/iot/v2/things/${lampId}/properties/${propId}/publish`, {
              method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: sample(n++) }),
            });
            const q = new URLSearchParams(series);
            return rawJson(`${arduinoBase}/iot/v2/things/${lampId}/properties/${propId}/timeseries?${q}`);
          },
        },
        {
          name: 'iot-cloud-wasm', role: 'ours',
          async call() {
            await arduino.things.list();
            await arduino.things.show(lampId);
            await arduino.properties.publish(lampId, propId, { value: sample(n++) });
            return arduino.properties.timeseries(lampId, propId, series);
          },
        },
        {
          name: 'iot-cloud-wasm IotApi', role: 'ours-dropin',
          async call() {
            await dropInThings.thingsV2List();
            await dropInThings.thingsV2Show(lampId);
            await dropIn.propertiesV2Publish(lampId, propId, { value: sample(n++) });
            return dropIn.propertiesV2Timeseries(lampId, propId, series);
          },
        },
        {
          name: '@arduino/arduino-iot-client', role: 'official',
          async call() {
            await officialThings.thingsV2List();
            await officialThings.thingsV2Show(lampId);
            await officialProps.propertiesV2Publish(lampId, propId, { value: sample(n++) });
            return officialProps.propertiesV2Timeseries(lampId, propId, series);
          },
        },
      ],
    };

    // ---- Particle event stream: a burst of events on a fresh stream, until the last one arrived.
    const BURST = 2000;
    const burst = () => simControl(sim, 'POST', 'stream-faults', { burst: BURST, times: 1 });
    const receive = (stream, on) => new Promise((resolve, reject) => {
      let n = 0;
      const timer = setTimeout(() => reject(new Error(`only ${n} of ${BURST} events in 30 s`)), 30_000);
      on(stream, () => {
        if (++n === BURST) {
          clearTimeout(timer);
          resolve(n);
        }
      });
    });
    // Both clients take particle-api-js's getEventStream options and give an emitter with `abort()`.
    const streamClient = (name, role, client) => ({
      name, role,
      async call() {
        await burst();
        const stream = await client.getEventStream({ deviceId: 'mine', auth: pToken });
        try {
          return await receive(stream, (s, f) => s.on('event', f));
        } finally {
          stream.abort();
        }
      },
    });
    const eventsSuite = {
      name: 'Particle event stream',
      request: `${fixed(BURST, 0)} events in one burst on GET /v1/devices/events (open, receive all, abort)`,
      unit: 'ms',
      check(n) {
        if (n !== BURST) throw new Error(`expected ${BURST} events`);
      },
      clients: [
        {
          name: 'raw fetch', role: 'raw',
          async call() {
            await burst();
            const ctl = new AbortController();
            const res = await fetch(`${particleBase}/v1/devices/events`, { headers: pHeaders, signal: ctl.signal });
            const decoder = new TextDecoder();
            let n = 0;
            let text = '';
            for await (const chunk of res.body) {
              text += decoder.decode(chunk, { stream: true });
              let end;
              while ((end = text.indexOf('\n\n')) >= 0) {
                if (text.slice(0, end).includes('\ndata:') || text.startsWith('data:')) n++;
                text = text.slice(end + 2);
              }
              if (n >= BURST) break;
            }
            ctl.abort();
            return n;
          },
        },
        streamClient('iot-cloud-wasm', 'ours', ours),
        streamClient('particle-api-js', 'official', official),
      ],
    };

    const sequential = { rounds: cfg.rounds, perRound: cfg.perRound, warmup: cfg.warmup };
    const runs = [
      [particleSuite, sequential, 'particle-api-js'],
      [particleConcurrentSuite, { rounds: cfg.concurrent.rounds, perRound: cfg.concurrent.concurrency, warmup: 1 },
        'particle-api-js'],
      [particleLargeSuite, { rounds: cfg.large.rounds, perRound: cfg.large.perRound, warmup: cfg.large.perRound },
        'particle-api-js', { particleDeviceCount: cfg.large.devices }],
      [arduinoSuite, sequential, '@arduino/arduino-iot-client'],
      [arduinoMixedSuite, sequential, '@arduino/arduino-iot-client'],
      [eventsSuite, { rounds: 5, perRound: 2, warmup: 1 }, 'particle-api-js'],
    ];
    for (const [suite, settings, official, simConfig] of runs) {
      if (simConfig) await simControl(sim, 'POST', 'config', simConfig);
      const result = await runSuite(suite, settings);
      if (simConfig) await simControl(sim, 'POST', 'config', { particleDeviceCount: IDS.particle.devices.length });
      printSuite(result);
      result.comparisons = comparisons(result, ['iot-cloud-wasm', OURS_HTTP], official);
      report.suites.push(result);
      for (const r of result.results) if (r.error) report.errors.push(`${result.name} / ${r.name}: ${r.error}`);
    }
    if (!transport.defaultIsHttp && transport.httpFetch) {
      console.log(`\n  ${OURS_HTTP}: iot-cloud-wasm with the \`fetch\` option set to the package's node:http transport ` +
        '(http-fetch.cjs),\n  the default in Node once the wasm takes a default fetch (__setDefaultFetch).');
    }

    const stats = await simControl(sim, 'GET', 'stats');
    report.tokenRequests = stats.tokenRequests;
    // One login and one Arduino token above; a client that asked for more did extra work in the rounds.
    if (stats.tokenRequests.arduino !== 1 || stats.tokenRequests.particle !== 1) {
      console.log(`\n  note: token requests during the run: arduino ${stats.tokenRequests.arduino}, ` +
        `particle ${stats.tokenRequests.particle} (1 each expected)`);
    }
  } finally {
    await sim.close();
  }

  console.log(`\nNode ${process.version}, ${report.platform}, ${report.cpus} × ${report.cpu}`);
  console.log(`versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);

  mkdirSync(TARGET, { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results written to ${path.relative(process.cwd(), OUT) || OUT}`);

  if (report.errors.length > 0) {
    console.error(`\n${report.errors.length} client${report.errors.length > 1 ? 's' : ''} failed:`);
    for (const e of report.errors) console.error(`  ${e}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(`bench failed: ${err.stack || err.message}`);
  process.exitCode = 1;
});
