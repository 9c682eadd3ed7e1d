#!/usr/bin/env node
// Rate-limit benchmark of iot-cloud-wasm: many devices of each cloud polled through the package for a few
// seconds against the simulator with its rate limiter on; how many requests a second the package achieved
// next to the vendor's limit, and how many 429s the simulator answered.
//
//   node bench/scheduler.mjs [--seconds 5] [--devices 500] [--vendors arduino,particle,iotconnect,cthings]
//                            [--limits per-second|documented] [--concurrency 16] [--rate vendor=N,…]
//                            [--unpaced] [--api connect|client] [--package DIR]
//
// Through the unified API: `connect(vendor, options)` at the vendor's default rate (`CAPABILITIES[vendor]
// .rateLimit`; `--rate` sets `rateLimit`), `cloud.iterateDevices()`, `cloud.readings(id)`. `--api client`:
// the vendor clients with their `maxRequestsPerSecond` option at the same rates. Loads the package installed
// by the pack step (target/consumers/cjs), or pkg/ from `make build`. Prints a table and writes
// target/bench-scheduler.json. See bench/README.md.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSimulator, simControl, table } from './simulator.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = path.join(ROOT, 'target');
const PACKED = path.join(TARGET, 'consumers', 'cjs', 'node_modules', 'iot-cloud-wasm');
const BUILT = path.join(ROOT, 'pkg');
const OUT = path.join(TARGET, 'bench-scheduler.json');
const VENDORS = ['arduino', 'particle', 'iotconnect', 'cthings'];

const USAGE = 'usage: node bench/scheduler.mjs [--seconds 5] [--devices 500] [--vendors arduino,particle,iotconnect,cthings]\n'
  + '                              [--limits per-second|documented] [--concurrency 16] [--rate vendor=N,…]\n'
  + '                              [--unpaced] [--api connect|client] [--package DIR]';

// ---------------------------------------------------------------------------------------------------------
// Settings

function settings() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        seconds: { type: 'string', default: '5' },
        devices: { type: 'string', default: '500' },
        vendors: { type: 'string', default: VENDORS.join(',') },
        limits: { type: 'string', default: 'per-second' },
        concurrency: { type: 'string', default: '16' },
        rate: { type: 'string', default: '' },
        unpaced: { type: 'boolean', default: false },
        api: { type: 'string', default: 'connect' },
        package: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    fail(err.message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const seconds = Number(values.seconds);
  if (!(seconds > 0 && seconds <= 600)) fail('--seconds must be a number from 0 to 600');
  const whole = (name, min, max) => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min || v > max) fail(`--${name} must be a whole number from ${min} to ${max}`);
    return v;
  };
  const vendors = values.vendors.split(',').map((v) => v.trim()).filter(Boolean);
  for (const v of vendors) if (!VENDORS.includes(v)) fail(`--vendors: unknown vendor ${v}`);
  if (!['per-second', 'documented'].includes(values.limits)) fail('--limits must be per-second or documented');
  if (!['connect', 'client'].includes(values.api)) fail('--api must be connect or client');
  // The rates given (`rateLimit`); the others are the package's defaults.
  const rates = {};
  for (const pair of values.rate.split(',').filter(Boolean)) {
    const [vendor, n] = pair.split('=');
    if (!VENDORS.includes(vendor) || !(Number.isInteger(Number(n)) && Number(n) >= 1 && Number(n) <= 1000)) {
      fail(`--rate: expected vendor=N (N from 1 to 1000), got ${pair}`);
    }
    rates[vendor] = Number(n);
  }
  return {
    seconds, devices: whole('devices', 1, 100_000), vendors, limits: values.limits,
    concurrency: whole('concurrency', 1, 1000), rates, unpaced: values.unpaced, api: values.api,
    packageDir: values.package ? path.resolve(values.package) : null,
  };
}

function fail(message) {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------------
// The package: the unified API, or the vendor clients

function loadPackage(packageDir) {
  for (const dir of packageDir ? [packageDir] : [PACKED, BUILT]) {
    if (!existsSync(path.join(dir, 'package.json'))) continue;
    try {
      return { pkg: createRequire(path.join(dir, 'package.json'))(dir), dir };
    } catch (err) {
      console.error(`cannot load iot-cloud-wasm from ${dir}: ${err.message}`);
    }
  }
  console.error('iot-cloud-wasm not found: run the pack step (node tests/js/pack.mjs) or make build first');
  process.exit(1);
}

/** Each vendor's client options on the simulator, with the client's rate (`maxRequestsPerSecond`) when paced. */
function clientOptions(vendor, sim, C, extra) {
  switch (vendor) {
    case 'arduino':
      return { baseUrl: `${sim.url}/arduino`, clientId: C.arduino.clientId, clientSecret: C.arduino.clientSecret, ...extra };
    case 'particle':
      return { baseUrl: `${sim.url}/particle`, ...extra };
    case 'iotconnect':
      return {
        discoveryUrl: `${sim.url}/iotconnect-discovery`, solutionKey: C.iotconnect.solutionKey, environment: C.iotconnect.env,
        platform: C.iotconnect.platform, username: C.iotconnect.username, password: C.iotconnect.password, ...extra,
      };
    case 'cthings':
      return {
        authUrl: `${sim.url}/cthings-auth`, baseUrl: `${sim.url}/cthings`, clientId: C.cthings.clientId,
        clientSecret: C.cthings.clientSecret, ...extra,
      };
    default:
      throw new Error(vendor);
  }
}

/** A Particle token, from a client of its own (not paced): the polling client then starts with it. */
async function particleToken(pkg, sim, C) {
  const login = await new pkg.Particle({ baseUrl: `${sim.url}/particle` })
    .login({ username: C.particle.username, password: C.particle.password });
  return login.body.access_token;
}

/**
 * `{devices: [{id, …}], read(device)}` for a vendor through the unified API: `connect(vendor, options)` at its
 * default rate (`rate` undefined) or with `rateLimit: rate` (`null`, unpaced: 1000/s, the most `rateLimit`
 * takes); every device from `iterateDevices`; `readings(id)` per poll.
 */
async function unifiedPoller(pkg, vendor, sim, C, IDS, rate) {
  const extra = vendor === 'particle' ? { auth: await particleToken(pkg, sim, C) } : {};
  // cThings has no device list: connect() is given the ids to read.
  if (vendor === 'cthings') extra.devices = IDS.cthings.devices;
  const options = clientOptions(vendor, sim, C, extra);
  const cloud = pkg.connect(vendor, { ...options, ...(rate !== undefined && { rateLimit: rate ?? 1000 }) });
  const devices = [];
  for await (const d of cloud.iterateDevices({ pageSize: 100 })) devices.push({ id: d.id });
  return { devices, read: (d) => cloud.readings(d.id) };
}

/** The same with the vendor clients: what `readings` amounts to, with the client's `maxRequestsPerSecond`. */
async function clientPoller(pkg, vendor, sim, C, IDS, rate) {
  const extra = rate ? { maxRequestsPerSecond: rate } : {};
  switch (vendor) {
    case 'arduino': {
      const arduino = new pkg.Arduino(clientOptions(vendor, sim, C, extra));
      const things = await arduino.things.list();
      return { devices: things.map((t) => ({ id: t.id })), read: (d) => arduino.properties.list(d.id) };
    }
    case 'particle': {
      const auth = await particleToken(pkg, sim, C);
      const particle = new pkg.Particle(clientOptions(vendor, sim, C, { ...extra, auth }));
      const { body } = await particle.listDevices({});
      // A device's readings are its variables, each read (an offline device answers 408 to each).
      const devices = body.map((d) => ({ id: d.id, variables: Object.keys(d.variables || {}) }));
      return {
        devices,
        async read(d) {
          const results = await Promise.allSettled(d.variables.map((name) => particle.getVariable({ deviceId: d.id, name })));
          const refused = results.find((r) => r.status === 'rejected');
          if (refused) throw refused.reason;
          return results.map((r) => r.value.body);
        },
      };
    }
    case 'iotconnect': {
      const iotc = new pkg.IoTConnect(clientOptions(vendor, sim, C, extra));
      const devices = [];
      for await (const d of iotc.devices.iterate({ pageSize: 100 })) devices.push({ id: d.guid });
      return { devices, read: (d) => iotc.telemetry.latest(d.id) };
    }
    case 'cthings': {
      const cthings = new pkg.CThings(clientOptions(vendor, sim, C, extra));
      return { devices: IDS.cthings.devices.map((id) => ({ id })), read: (d) => cthings.devices.get(d.id) };
    }
    default:
      throw new Error(vendor);
  }
}

// ---------------------------------------------------------------------------------------------------------
// One run: `concurrency` loops polling the devices in turn for `seconds`

async function run(poller, vendor, sim, { seconds, concurrency }) {
  const { devices, read } = poller;
  // Polls by outcome: resolved, answered 408 (a Particle device offline), rejected with 429 (after the client's
  // retries), anything else.
  const outcome = { pollsOk: 0, pollsOffline: 0, polls429: 0, pollsFailed: 0, firstError: null };
  let next = 0;
  let done = 0;
  await simControl(sim, 'POST', 'rate-limits/reset');
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const device = devices[next++ % devices.length];
      let answered = false; // a reading, or a device's own answer that it is offline
      try {
        await read(device);
        outcome.pollsOk++;
        answered = true;
      } catch (err) {
        const status = err?.statusCode ?? err?.status;
        answered = status === 408;
        if (status === 408) outcome.pollsOffline++;
        else if (status === 429) outcome.polls429++;
        else {
          outcome.pollsFailed++;
          outcome.firstError ??= `${err?.name || 'Error'}: ${err?.message}${status ? ` (HTTP ${status})` : ''}`;
        }
      }
      if (answered && performance.now() <= deadline) done++;
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  // The simulator's counters when the time is up (the requests still in flight finish after it).
  const atDeadline = new Promise((resolve) => {
    setTimeout(() => resolve(simControl(sim, 'GET', 'rate-limits')), Math.max(0, deadline - performance.now()));
  });
  const snapshot = (await atDeadline).vendors[vendor];
  await Promise.all(loops);
  const drainMs = performance.now() - deadline;
  const final = (await simControl(sim, 'GET', 'rate-limits')).vendors[vendor];
  return {
    devices: devices.length,
    seconds,
    requests: snapshot.requests,
    requestsPerSecond: snapshot.requests / seconds,
    peakPerSecond: final.peakPerSecond,
    limited: final.limited,
    requestsWithDrain: final.requests,
    drainMs: Math.round(drainMs),
    polls: done,
    pollsPerSecond: done / seconds,
    ...outcome,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Formatting

const fixed = (x, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });


/** `10/s`, `10,000/300 s (33.3/s)`. */
function describeLimit(windows) {
  if (!windows?.length) return 'none';
  return windows.map(({ limit, windowMs }) => (windowMs === 1000 ? `${fixed(limit)}/s`
    : `${fixed(limit)}/${fixed(windowMs / 1000)} s (${fixed(limit / (windowMs / 1000), 1)}/s)`)).join(' + ');
}

/** The tightest of a vendor's windows as requests per second (Infinity: none). */
const perSecond = (windows) => Math.min(Infinity, ...(windows ?? []).map((w) => w.limit / (w.windowMs / 1000)));

// ---------------------------------------------------------------------------------------------------------

async function main() {
  const cfg = settings();
  const { pkg, dir } = loadPackage(cfg.packageDir);
  if (typeof pkg.connect !== 'function') {
    console.error('this build of iot-cloud-wasm exports no connect()');
    process.exit(1);
  }
  const { api } = cfg;
  const requireRoot = createRequire(path.join(ROOT, 'package.json'));
  const { CREDENTIALS, IDS } = requireRoot(path.join(ROOT, 'tests', 'simulator', 'fixtures.js'));

  console.log(`Rate limits: ${cfg.devices} Particle devices (IoTConnect: ${IDS.iotconnect.deviceCount}, Arduino and cThings: all the simulator has), `
    + `${cfg.seconds} s per run, ${cfg.concurrency} polls in flight, simulator limits "${cfg.limits}"`);
  console.log(api === 'connect'
    ? '  through connect(vendor, options) at its default rate (or --rate\'s rateLimit), cloud.readings(id)'
    : '  through the vendor clients with maxRequestsPerSecond');
  console.log(`  package: ${path.relative(ROOT, dir)}`);

  const sim = await startSimulator(['--rate-limits', cfg.limits]);
  const report = {
    date: new Date().toISOString(), node: process.version, platform: `${os.platform()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown', cpus: os.cpus().length, settings: cfg, api, runs: [],
  };
  let failures = 0;
  try {
    await simControl(sim, 'POST', 'config', {
      particleDeviceCount: cfg.devices, tokenLifetime: { arduino: 3600, particle: 86400, cthings: 3600, iotconnect: 3600 },
    });
    const { limits } = await simControl(sim, 'GET', 'rate-limits');
    report.limits = limits;
    const modes = cfg.unpaced ? ['paced', 'unpaced'] : ['paced'];
    for (const vendor of cfg.vendors) {
      for (const mode of modes) {
        // Paced: the rate given, else the package's default for the vendor (connect() picks it itself).
        const given = mode === 'paced' ? cfg.rates[vendor] : null;
        const rate = mode === 'paced' ? given ?? pkg.CAPABILITIES[vendor].rateLimit : null;
        const entry = { vendor, mode, clientRate: rate, limit: limits[vendor] ?? null };
        try {
          const poller = api === 'connect'
            ? await unifiedPoller(pkg, vendor, sim, CREDENTIALS, IDS, given)
            : await clientPoller(pkg, vendor, sim, CREDENTIALS, IDS, rate);
          Object.assign(entry, await run(poller, vendor, sim, cfg));
          if (entry.pollsFailed) failures++;
        } catch (err) {
          entry.error = `${err?.name || 'Error'}: ${err?.message}`;
          failures++;
        }
        report.runs.push(entry);
      }
    }
  } finally {
    await sim.close();
  }

  console.log('');
  const rows = report.runs.map((r) => {
    const limitPerSecond = perSecond(r.limit);
    if (r.error) return [r.vendor, r.clientRate ? `${r.clientRate}/s` : 'unpaced', '', describeLimit(r.limit), 'FAILED', '', '', '', '', '', ''];
    return [
      r.vendor,
      r.clientRate ? `${r.clientRate}/s` : 'unpaced',
      fixed(r.devices),
      describeLimit(r.limit),
      fixed(r.requests),
      fixed(r.requestsPerSecond, 1),
      Number.isFinite(limitPerSecond) ? `${fixed((100 * r.requestsPerSecond) / limitPerSecond)} %` : '–',
      fixed(r.peakPerSecond),
      fixed(r.limited),
      fixed(r.pollsPerSecond, 1),
      `${fixed(r.pollsOk)} / ${fixed(r.pollsOffline)} / ${fixed(r.polls429)}`,
    ];
  });
  console.log(table(
    ['vendor', 'client rate', 'devices', 'simulator limit', 'requests', 'req/s', 'of limit', 'peak 1 s', '429s', 'polls/s', 'ok / offline / 429'],
    rows, ['l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  ));
  console.log(`\n  requests, req/s: what the simulator received from the client in the ${cfg.seconds} s (token requests included);`
    + ' peak 1 s: the most requests it accepted within one second;');
  console.log('  429s: the requests it refused, the drain after the deadline included (the client retries them after Retry-After);');
  console.log('  polls/s: devices read through the package per second, 408s included, 429s not (Particle: one request per variable of the device);');
  console.log('  ok / offline / 429: every poll by outcome, the drain included (offline: Particle\'s 408; 429: still refused after the client\'s retries).');
  for (const r of report.runs) {
    if (r.error) console.log(`  ✗ ${r.vendor} (${r.mode}) failed: ${r.error}`);
    else if (r.pollsFailed) console.log(`  ✗ ${r.vendor} (${r.mode}): ${r.pollsFailed} polls failed, the first with ${r.firstError}`);
  }
  mkdirSync(TARGET, { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n  written to ${path.relative(ROOT, OUT)}`);
  process.exit(failures ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
