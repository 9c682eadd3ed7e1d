#!/usr/bin/env node
// Benchmark of iot-cloud-wasm: package size, and the time per API call next to raw fetch and the
// vendors' official JavaScript clients, all against the local cloud simulator.
//
//   node bench/run.mjs [--calls 1000] [--rounds 10] [--warmup 50]
//
// Reads target/size-report.json and target/pack/latest.json (written by the pack step), loads the package
// installed from the tarball in target/consumers/cjs, prints a table and writes target/bench.json.
// Exits 1 when a client fails; timings are reported, never judged. See bench/README.md.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = path.join(ROOT, 'target');
const PKG_DIR = path.join(TARGET, 'consumers', 'cjs', 'node_modules', 'iot-cloud-wasm');
const OUT = path.join(TARGET, 'bench.json');

const USAGE = 'usage: node bench/run.mjs [--calls 1000] [--rounds 10] [--warmup 50]';

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
  if (calls % rounds !== 0) {
    console.error(`--calls (${calls}) must be a multiple of --rounds (${rounds})\n${USAGE}`);
    process.exit(2);
  }
  return { calls, rounds, perRound: calls / rounds, warmup };
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

function table(headers, rows, align) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => '  ' + cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('   ');
  return [line(headers), '  ' + widths.map((w) => '─'.repeat(w)).join('   '), ...rows.map(line)].join('\n');
}

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
// Simulator, in its own process so that its work does not run on the clients' event loop

function startSimulator() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'tests', 'simulator', 'cli.js'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('the simulator did not start within 15 s'));
    }, 15_000);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the simulator exited (${code}) before listening`)); });
    child.stdout.setEncoding('utf8').on('data', (s) => {
      out += s;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout.resume();
        resolve({
          url: m[1],
          close: () => new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', done);
            child.kill('SIGTERM');
          }),
        });
      }
    });
  });
}

async function simControl(sim, method, route, body) {
  const res = await fetch(`${sim.url}/__sim/${route}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`simulator ${method} /__sim/${route} answered ${res.status}`);
  return res.json();
}

// ---------------------------------------------------------------------------------------------------------
// Timing

/**
 * Times the clients of one suite: `warmup` calls each, then `rounds` rounds of `perRound` sequential calls
 * per client, the order rotating from round to round. Every result goes through `check`. A client that
 * throws is dropped from the rest of the suite and reported.
 */
async function runSuite(suite, { rounds, perRound, warmup }) {
  const state = suite.clients.map((c) => ({ ...c, roundsNs: [], callsNs: [], error: null }));
  const attempt = async (client, n, timed) => {
    if (client.error) return;
    try {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        const body = await client.call();
        const t1 = process.hrtime.bigint();
        suite.check(body);
        if (timed) client.callsNs.push(Number(t1 - t0));
      }
      if (timed) client.roundsNs.push(Number(process.hrtime.bigint() - start));
    } catch (err) {
      client.error = err;
    }
  };

  for (const client of state) await attempt(client, warmup, false);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < state.length; k++) await attempt(state[(k + r) % state.length], perRound, true);
  }

  const results = state.map((c) => {
    if (c.error) {
      const status = c.error.statusCode ?? c.error.status;
      return { name: c.name, role: c.role, error: `${c.error.name || 'Error'}: ${c.error.message}${status ? ` (HTTP ${status})` : ''}` };
    }
    const perCallUs = c.roundsNs.map((ns) => ns / perRound / 1000);
    const callsUs = c.callsNs.map((ns) => ns / 1000).sort((a, b) => a - b);
    return {
      name: c.name,
      role: c.role,
      medianUsPerCall: median(perCallUs),
      roundsUsPerCall: perCallUs.map((x) => Number(x.toFixed(1))),
      p50UsPerCall: median(callsUs),
      p90UsPerCall: callsUs[Math.min(callsUs.length - 1, Math.floor(callsUs.length * 0.9))],
      totalMs: c.roundsNs.reduce((a, b) => a + b, 0) / 1e6,
      calls: rounds * perRound,
    };
  });
  const raw = results.find((r) => r.role === 'raw' && !r.error);
  for (const r of results) {
    if (!r.error && raw) {
      r.vsRawFetch = r.medianUsPerCall / raw.medianUsPerCall;
      r.p50VsRawFetch = r.p50UsPerCall / raw.p50UsPerCall;
    }
  }
  return { name: suite.name, request: suite.request, results };
}

function printSuite(suite, cfg) {
  console.log(`\n${suite.name}: ${suite.request}`);
  console.log(`  ${fixed(cfg.calls, 0)} sequential calls per client: ${cfg.rounds} rounds × ${cfg.perRound}, ` +
    `order rotated each round, after ${cfg.warmup} warm-up calls each`);
  const rows = suite.results.map((r) => r.error
    ? [r.name, 'FAILED', '', '', '', '', '']
    : [
      r.name,
      fixed(r.medianUsPerCall, 1),
      `${fixed(Math.min(...r.roundsUsPerCall), 0)}–${fixed(Math.max(...r.roundsUsPerCall), 0)}`,
      fixed(r.totalMs, 1),
      r.vsRawFetch === undefined ? '' : ratio(r.vsRawFetch),
      fixed(r.p50UsPerCall, 1),
      r.p50VsRawFetch === undefined ? '' : ratio(r.p50VsRawFetch),
    ]);
  console.log(table(
    ['client', 'µs/call', 'rounds µs/call', 'total ms', 'vs raw', 'p50 µs/call', 'p50 vs raw'],
    rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r']));
  for (const r of suite.results) {
    if (r.error) console.log(`  ✗ ${r.name} failed: ${r.error}`);
  }
}

/** "iot-cloud-wasm 1.08× raw fetch", "iot-cloud-wasm 0.52× particle-api-js (1.92× faster)". */
function comparisons(suite, ours, official) {
  const raw = suite.results.find((r) => r.role === 'raw' && !r.error);
  const a = suite.results.find((r) => r.name === ours && !r.error);
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
  if (a && b) {
    const x = a.medianUsPerCall / b.medianUsPerCall;
    const p50 = a.p50UsPerCall / b.p50UsPerCall;
    out[`${ours} vs ${official}`] = x;
    out[`${ours} vs ${official} (p50)`] = p50;
    lines.push(`${ours} ${ratio(x)} ${official} ` +
      `(${x <= 1 ? `${(1 / x).toFixed(2)}× faster` : `${x.toFixed(2)}× slower`}; p50 per call ${ratio(p50)})`);
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
    const deviceCount = IDS.particle.devices.length;

    const particleSuite = {
      name: 'Particle',
      request: 'listDevices (GET /v1/devices, 3 devices)',
      check(body) {
        if (!Array.isArray(body) || body.length !== deviceCount) throw new Error(`expected ${deviceCount} devices`);
      },
      clients: [
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
        { name: 'particle-api-js', role: 'official', call: async () => (await official.listDevices({ auth: pToken })).body },
      ],
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

    for (const [suite, official] of [[particleSuite, 'particle-api-js'], [arduinoSuite, '@arduino/arduino-iot-client']]) {
      const result = await runSuite(suite, cfg);
      printSuite(result, cfg);
      result.comparisons = comparisons(result, 'iot-cloud-wasm', official);
      report.suites.push(result);
      for (const r of result.results) if (r.error) report.errors.push(`${result.name} / ${r.name}: ${r.error}`);
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
