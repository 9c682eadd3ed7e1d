// Shared helpers of the JS test suite: where things live, the packed package as a consumer sees it, the
// cloud simulator (one per test file, reset before every test) and a few assertions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { before, after, beforeEach } from 'node:test';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONSUMERS = {
  cjs: path.join(ROOT, 'target', 'consumers', 'cjs'),
  esm: path.join(ROOT, 'target', 'consumers', 'esm'),
};
export const INSTALLED = {
  cjs: path.join(CONSUMERS.cjs, 'node_modules', 'iot-cloud-wasm'),
  esm: path.join(CONSUMERS.esm, 'node_modules', 'iot-cloud-wasm'),
};

const rootRequire = createRequire(path.join(ROOT, 'package.json'));
const simulator = rootRequire(path.join(ROOT, 'tests', 'simulator', 'index.js'));
export const { startSimulator, CREDENTIALS, IDS } = simulator;
/** The simulator's data, for values the public module does not export (the IoTConnect basic token). */
export const FIXTURES = rootRequire(path.join(ROOT, 'tests', 'simulator', 'fixtures.js'));

/** `require()` as seen from a project: resolves packages from that project's node_modules. */
export const requireFrom = (dir) => createRequire(path.join(dir, 'package.json'));

// The package as an ESM consumer imports it: the file its exports map gives for node + import.
const installedManifest = JSON.parse(fs.readFileSync(path.join(INSTALLED.esm, 'package.json'), 'utf8'));
const esmEntry = path.join(INSTALLED.esm, installedManifest.exports['.'].node.import);
export const pkg = await import(pathToFileURL(esmEntry).href);
export const { Arduino, Particle, CThings, IoTConnect, CloudError, IotApi } = pkg;

/** Default test options: no test may hang the run. */
export const T = { timeout: 30_000 };

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a simulator for the current test file and resets it before every test. Returns a handle whose
 * methods talk to the control API; `sim.url` is set once the `before` hook has run.
 */
export function useSimulator() {
  const sim = new SimHandle();
  before(async () => {
    sim.server = await startSimulator({ port: 0 });
    sim.url = sim.server.url;
  });
  after(async () => {
    await sim.server?.close();
  });
  beforeEach(async () => {
    await sim.reset();
  });
  return sim;
}

class SimHandle {
  async control(method, name, body) {
    const send = () => fetch(`${this.url}/__sim/${name}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // A test that kept the event loop busy for seconds (huge strings) can make a kept-alive socket expire
    // on both sides at once; a request on it fails before reaching the simulator and is sent again.
    const res = await send().catch((err) => {
      if (err?.message !== 'fetch failed') throw err;
      return send();
    });
    const json = await res.json();
    assert.equal(res.status, 200, `simulator control ${method} ${name}: ${JSON.stringify(json)}`);
    return json;
  }

  reset() { return this.control('POST', 'reset'); }
  config(patch) { return this.control('POST', 'config', patch); }
  fault(fault) { return this.control('POST', 'faults', fault); }
  expireTokens(vendor) { return this.control('POST', 'expire-tokens', { vendor }); }
  stats() { return this.control('GET', 'stats'); }
  clearLog() { return this.control('DELETE', 'requests'); }

  /** The request log, optionally for one vendor and/or only requests whose path contains `pathPart`. */
  async requests(vendor, pathPart) {
    const log = await this.control('GET', vendor ? `requests?vendor=${encodeURIComponent(vendor)}` : 'requests');
    return pathPart ? log.filter((r) => r.path.includes(pathPart)) : log;
  }

  /** Total number of recorded vendor requests. */
  async requestCount() {
    const { requests } = await this.stats();
    return Object.values(requests).reduce((a, b) => a + b, 0);
  }

  // Base URLs of each vendor and clients built against them.
  get arduinoBase() { return `${this.url}/arduino`; }
  get particleBase() { return `${this.url}/particle`; }

  arduino(options = {}) {
    const { clientId, clientSecret } = CREDENTIALS.arduino;
    return new Arduino({ clientId, clientSecret, baseUrl: this.arduinoBase, ...options });
  }

  particle(options = {}) {
    return new Particle({ baseUrl: this.particleBase, ...options });
  }

  cthings(options = {}) {
    const { clientId, clientSecret } = CREDENTIALS.cthings;
    return new CThings({
      clientId, clientSecret, authUrl: `${this.url}/cthings-auth`, baseUrl: `${this.url}/cthings`, ...options,
    });
  }

  iotconnect(options = {}) {
    const { solutionKey, env, platform, username, password } = CREDENTIALS.iotconnect;
    return new IoTConnect({
      solutionKey, environment: env, platform, username, password,
      discoveryUrl: `${this.url}/iotconnect-discovery`, ...options,
    });
  }

  /** An Arduino access token fetched directly from the token endpoint, as the vendor documents it. */
  async arduinoToken() {
    const { clientId, clientSecret } = CREDENTIALS.arduino;
    const res = await fetch(`${this.arduinoBase}/iot/v1/clients/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret,
        audience: 'https://api2.arduino.cc/iot',
      }),
    });
    assert.equal(res.status, 200);
    return (await res.json()).access_token;
  }
}

/** Checks that `err` is a CloudError with the given fields (only those given are compared). */
export function assertCloudError(err, expected = {}) {
  assert.ok(err instanceof CloudError, `expected a CloudError, got ${err?.constructor?.name}: ${err?.stack ?? err}`);
  assert.ok(err instanceof Error, 'a CloudError is an Error');
  assert.equal(err.name, 'CloudError');
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0, 'the error has a message');
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual(err[key], value, `CloudError.${key} (message: ${err.message})`);
  }
  return true;
}

/** Awaits a promise that must reject with a CloudError; returns the error. */
export async function rejectsWith(promise, expected = {}) {
  let err;
  await assert.rejects(
    (async () => { await promise; })(),
    (e) => { err = e; return assertCloudError(e, expected); },
  );
  return err;
}

/** Resolves with `promise`, or rejects when it takes longer than `ms` (a generous bound against hangs). */
export function within(ms, promise, what = 'operation') {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Splits a multipart/form-data body into `{name: value}`; fails the test when it is malformed. */
export function parseMultipart(contentType, body) {
  const m = /^multipart\/form-data\s*;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType || '');
  assert.ok(m, `multipart content type with a boundary, got ${contentType}`);
  const boundary = `--${m[1] || m[2]}`;
  const parts = body.split(boundary);
  assert.ok(parts.length >= 3, 'at least one part');
  assert.ok(parts[parts.length - 1].startsWith('--'), 'closing boundary');
  const fields = {};
  for (const part of parts.slice(1, -1)) {
    const split = part.indexOf('\r\n\r\n');
    assert.ok(part.startsWith('\r\n') && split > 0, 'well-formed part');
    const name = /content-disposition:\s*form-data;\s*name="([^"]*)"/i.exec(part.slice(0, split));
    assert.ok(name, 'part with a form-data name');
    fields[name[1]] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return fields;
}

/** `Basic base64(user:pass)` → {user, pass}. */
export function decodeBasic(header) {
  const m = /^Basic (\S+)$/.exec(header || '');
  assert.ok(m, `a Basic authorization header, got ${header}`);
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return { user: text.slice(0, colon), pass: text.slice(colon + 1) };
}

/** The token of a `Bearer <token>` header. */
export function bearer(header) {
  const m = /^Bearer (\S+)$/.exec(header || '');
  assert.ok(m, `a Bearer authorization header, got ${header}`);
  return m[1];
}

/** Every secret the simulator's credentials hold. */
export const SECRETS = [
  CREDENTIALS.arduino.clientSecret,
  CREDENTIALS.particle.password,
  CREDENTIALS.cthings.clientSecret,
  CREDENTIALS.iotconnect.password,
];
