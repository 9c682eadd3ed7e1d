#!/usr/bin/env node
// The HTTP stack alone, without any client: Node's global fetch (undici), node-fetch (what particle-api-js
// uses, over Node's global http agent) and the package's node:http transport (pkg-templates/http-fetch.cjs)
// at several pool sizes, each doing GET /particle/v1/devices against the simulator and parsing the JSON.
//
//   node bench/transport.mjs [--calls 1000] [--rounds 10] [--concurrency 1000] [--devices 3]
//
// Sequential: rounds of calls/rounds awaited calls per transport, the order rotating each round.
// Concurrent: rounds of Promise.all over `concurrency` calls per transport, also rotating.
// Prints the median per round; nothing is written. See bench/README.md.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '1000' },
    devices: { type: 'string', default: '3' },
  },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const devices = Number(values.devices);
const perRound = Math.max(1, Math.round(calls / rounds));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function startSimulator() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'tests', 'simulator', 'cli.js'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.on('error', reject);
    child.stdout.setEncoding('utf8').on('data', (s) => {
      out += s;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        child.stdout.resume();
        resolve({ url: m[1], close: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }) });
      }
    });
  });
}

/** A fresh copy of the package's transport, with its own agents of `maxSockets` sockets. */
function httpFetchWith(maxSockets) {
  const file = require.resolve(path.join(ROOT, 'pkg-templates', 'http-fetch.cjs'));
  delete require.cache[file];
  const mod = require(file);
  mod.agents.http.maxSockets = maxSockets;
  mod.agents.https.maxSockets = maxSockets;
  return mod.httpFetch;
}

const sim = await startSimulator();
try {
  const control = (route, body) => fetch(`${sim.url}/__sim/${route}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  await control('config', { tokenLifetime: { particle: 86400 }, particleDeviceCount: devices });
  const { CREDENTIALS } = require(path.join(ROOT, 'tests', 'simulator', 'fixtures.js'));
  const login = await fetch(`${sim.url}/particle/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('particle:particle').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'password', ...CREDENTIALS.particle }),
  });
  const token = (await login.json()).access_token;
  const url = `${sim.url}/particle/v1/devices`;
  const headers = { Authorization: `Bearer ${token}` };
  const nodeFetch = require(path.join(ROOT, 'node_modules', 'node-fetch'));

  const via = (f) => async () => {
    const res = await f(url, { method: 'GET', headers });
    const body = JSON.parse(await res.text());
    if (res.status !== 200 || body.length !== devices) throw new Error(`unexpected answer ${res.status}`);
  };
  const transports = [
    ['global fetch (undici)', via(fetch)],
    ['node-fetch, global agent', via(nodeFetch)],
    ...[8, 16, 32, 64, 128, 256, Infinity].map((n) => [`node:http keep-alive, maxSockets ${n}`, via(httpFetchWith(n))]),
  ];

  const run = async (label, once) => {
    const times = transports.map(() => []);
    for (const [, call] of transports) await once(call); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < transports.length; k++) {
        const i = (k + r) % transports.length;
        const t0 = process.hrtime.bigint();
        await once(transports[i][1]);
        times[i].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    console.log(`\n${label}`);
    const base = median(times[0]);
    transports.forEach(([name], i) => {
      const m = median(times[i]);
      console.log(`  ${name.padEnd(38)} ${m.toFixed(1).padStart(8)} ms   ${(m / base).toFixed(2)}× global fetch` +
        `   (rounds ${Math.min(...times[i]).toFixed(1)}–${Math.max(...times[i]).toFixed(1)})`);
    });
  };

  console.log(`GET /particle/v1/devices (${devices} devices) against the simulator, ${rounds} rounds, order rotated`);
  await run(`sequential: ${perRound} awaited calls per round (median round time)`, async (call) => {
    for (let i = 0; i < perRound; i++) await call();
  });
  await run(`concurrent: Promise.all of ${concurrency} calls per round (median round time)`, async (call) => {
    await Promise.all(Array.from({ length: concurrency }, call));
  });
} finally {
  await sim.close();
}
