// Runs every Node example in examples/node/ as a child process against the cloud simulator, the way a
// user would run it, and checks its exit status, its output and the requests it made.
//
//   node --test tests/examples/
//
// The examples `require('iot-cloud-wasm')`; NODE_PATH points them at the copy installed from the packed
// tarball in target/consumers/cjs (made by `node tests/js/pack.mjs`).

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLES = path.join(ROOT, 'examples', 'node');
const NODE_PATH = path.join(ROOT, 'target', 'consumers', 'cjs', 'node_modules');
const { startSimulator, CREDENTIALS, IDS } = require(path.join(ROOT, 'tests', 'simulator'));

// The settings the examples read; none is inherited from the environment the tests run in.
const VENDOR_PREFIXES = ['ARDUINO_', 'PARTICLE_', 'CTHINGS_', 'IOTCONNECT_', 'WATCH_', 'DEVICES_PER_CLOUD'];
const SECRETS = [
  CREDENTIALS.arduino.clientSecret,
  CREDENTIALS.particle.password,
  CREDENTIALS.cthings.clientSecret,
  CREDENTIALS.iotconnect.password,
];

let sim;

before(async () => {
  assert.ok(existsSync(path.join(NODE_PATH, 'iot-cloud-wasm', 'package.json')),
    `iot-cloud-wasm is not installed in ${NODE_PATH}; run \`node tests/js/pack.mjs\` first`);
  sim = await startSimulator({ port: 0 });
});

after(async () => {
  await sim?.close();
});

async function control(method, route, body) {
  const res = await fetch(`${sim.url}/__sim/${route}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `simulator control ${method} ${route} answered ${res.status}`);
  return res.json();
}

/** Runs `node <args>` in examples/node with only the given vendor variables set. */
function runNode(args, vars, { timeoutMs = 60_000 } = {}) {
  const script = args.join(' ');
  const env = { ...process.env, NODE_PATH };
  for (const key of Object.keys(env)) {
    if (VENDOR_PREFIXES.some((p) => key.startsWith(p))) delete env[key];
  }
  Object.assign(env, vars);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: EXAMPLES, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s) => { stderr += s; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

const runExample = (script, vars) => runNode([script], vars);

/** Resets the simulator, runs the example and returns its result with the requests it made. */
async function run(script, vars) {
  await control('POST', 'reset');
  const result = await runExample(script, vars);
  result.requests = await control('GET', 'requests');
  return result;
}

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** The credentials each request carried (the part after "Bearer " / "Basic "). */
function credentialsSent(requests) {
  const values = new Set();
  for (const r of requests) {
    const auth = r.headers.authorization;
    if (auth) values.add(auth.replace(/^\S+\s+/, ''));
  }
  return [...values];
}

/**
 * No access token, password or client secret in the example's output: neither what its requests carried
 * in Authorization headers, nor the simulator's secrets, nor the `also` values (e.g. a wrong password the
 * test passed in).
 */
function assertNothingLeaked(result, { expectTokens = true, also = [] } = {}) {
  const output = result.stdout + result.stderr;
  const sent = credentialsSent(result.requests);
  if (expectTokens) assert.ok(sent.length > 0, 'expected the example to send credentials');
  for (const value of [...sent, ...SECRETS, ...also]) {
    assert.ok(!output.includes(value), `output contains a credential (${value.slice(0, 4)}…)\n${show(result)}`);
  }
}

const simUrl = (suffix) => `${sim.url}${suffix}`;

function arduinoVars(extra = {}) {
  return {
    ARDUINO_CLIENT_ID: CREDENTIALS.arduino.clientId,
    ARDUINO_CLIENT_SECRET: CREDENTIALS.arduino.clientSecret,
    ARDUINO_THING_ID: IDS.arduino.things.weatherStation,
    ARDUINO_BASE_URL: simUrl('/arduino'),
    ...extra,
  };
}

function particleVars(extra = {}) {
  return {
    PARTICLE_USERNAME: CREDENTIALS.particle.username,
    PARTICLE_PASSWORD: CREDENTIALS.particle.password,
    PARTICLE_BASE_URL: simUrl('/particle'),
    ...extra,
  };
}

function cthingsVars(extra = {}) {
  return {
    CTHINGS_CLIENT_ID: CREDENTIALS.cthings.clientId,
    CTHINGS_CLIENT_SECRET: CREDENTIALS.cthings.clientSecret,
    CTHINGS_DEVICE_ID: IDS.cthings.devices[0],
    CTHINGS_AUTH_URL: simUrl('/cthings-auth'),
    CTHINGS_BASE_URL: simUrl('/cthings'),
    ...extra,
  };
}

function iotconnectVars(extra = {}) {
  return {
    IOTCONNECT_SOLUTION_KEY: CREDENTIALS.iotconnect.solutionKey,
    IOTCONNECT_ENVIRONMENT: CREDENTIALS.iotconnect.env,
    IOTCONNECT_PLATFORM: CREDENTIALS.iotconnect.platform,
    IOTCONNECT_USERNAME: CREDENTIALS.iotconnect.username,
    IOTCONNECT_PASSWORD: CREDENTIALS.iotconnect.password,
    IOTCONNECT_DISCOVERY_URL: simUrl('/iotconnect-discovery'),
    ...extra,
  };
}

const byPath = (requests, fragment, method) =>
  requests.filter((r) => r.path.includes(fragment) && (!method || r.method === method));

test('the examples load iot-cloud-wasm from the installed tarball', async () => {
  const r = await runNode(['-e', 'console.log(require.resolve("iot-cloud-wasm"))'], {});
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout.trim(), path.join(NODE_PATH, 'iot-cloud-wasm', 'index.cjs'),
    'require(\'iot-cloud-wasm\') in examples/node resolves elsewhere (remove examples/node/node_modules)');
});

describe('arduino-main.js', () => {
  test('lists the properties with IotApi, prints data[0].last_value, then with the Arduino client', async () => {
    const r = await run('arduino-main.js', arduinoVars());
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));

    const [viaIotApi, viaClient] = r.stdout.split('Arduino.properties.list');
    assert.ok(viaClient, `no Arduino.properties.list section\n${show(r)}`);
    assert.match(viaIotApi, /access token received \(\d+ characters\)/);
    assert.match(viaIotApi, /propertiesV2List: 4 properties of thing 6366de97-f549-43f8-9dd5-5a56c5ef95f5/);
    assert.match(viaClient, /^: 4 properties of thing 6366de97-f549-43f8-9dd5-5a56c5ef95f5 \("Weather Station"\)/);
    for (const section of [viaIotApi, viaClient]) {
      for (const name of ['temperature', 'humidity', 'status']) {
        assert.match(section, new RegExp(`^  ${name} .*last_value=`, 'm'), `${name} missing\n${section}`);
      }
      // showDeleted: true brings the soft-deleted property along, marked as such.
      assert.match(section, /^ {2}pressure .*last_value=1013\.2 {2}\(deleted 2024-11-02T10:01:44\.310Z\)$/m);
    }
    // The first property is the temperature, a number that drifts around 14.2.
    const m = viaIotApi.match(/^data\[0\]\.last_value: (-?\d+(?:\.\d+)?)$/m);
    assert.ok(m, `no data[0].last_value line\n${show(r)}`);
    assert.ok(Math.abs(Number(m[1]) - 14.2) <= 2.6, `temperature ${m[1]} out of range`);

    // One token by the form POST, one by the Arduino client; both lists asked for deleted properties.
    const tokens = byPath(r.requests, '/iot/v1/clients/token', 'POST');
    assert.equal(tokens.length, 2);
    for (const t of tokens) {
      const form = new URLSearchParams(t.body);
      assert.equal(form.get('grant_type'), 'client_credentials');
      assert.equal(form.get('client_id'), CREDENTIALS.arduino.clientId);
      assert.equal(form.get('audience'), 'https://api2.arduino.cc/iot');
    }
    assert.match(tokens[0].headers['content-type'], /^application\/x-www-form-urlencoded/);
    const lists = byPath(r.requests, `/iot/v2/things/${IDS.arduino.things.weatherStation}/properties`, 'GET');
    assert.equal(lists.length, 2);
    for (const l of lists) assert.equal(l.query.show_deleted, 'true');
    assertNothingLeaked(r);
  });

  test('ARDUINO_ORGANIZATION reaches a thing of the organization space', async () => {
    const r = await run('arduino-main.js', arduinoVars({
      ARDUINO_THING_ID: IDS.arduino.things.packagingLine,
      ARDUINO_ORGANIZATION: IDS.arduino.organization,
    }));
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /propertiesV2List: 2 properties/);
    assert.match(r.stdout, /Arduino\.properties\.list: 2 properties .*\("Packaging Line 1"\)/);
    assert.match(r.stdout, /^ {2}throughput /m);
    assert.match(r.stdout, /^ {2}running /m);
    const lists = byPath(r.requests, '/properties', 'GET');
    assert.equal(lists.length, 2);
    for (const l of lists) assert.equal(l.headers['x-organization'], IDS.arduino.organization);
    assertNothingLeaked(r);
  });

  test('a thing of an organization space asked for without ARDUINO_ORGANIZATION: 404 and a hint', async () => {
    for (const script of ['arduino-main.js', 'arduino-telemetry.js']) {
      const r = await run(script, arduinoVars({ ARDUINO_THING_ID: IDS.arduino.things.packagingLine }));
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /Arduino IoT Cloud error: 404 /, script);
      assert.match(r.stderr, /^hint: if the thing belongs to an organization, set ARDUINO_ORGANIZATION to its id$/m);
    }
    // With the organization given, a 404 is only the 404.
    const r = await run('arduino-main.js', arduinoVars({
      ARDUINO_THING_ID: '00000000-0000-4000-8000-000000000000', ARDUINO_ORGANIZATION: IDS.arduino.organization,
    }));
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /Arduino IoT Cloud error: 404 /);
    assert.doesNotMatch(r.stderr, /hint:/);
  });

  test('a wrong client secret fails with status 1 and a readable message', async () => {
    const r = await run('arduino-main.js', arduinoVars({ ARDUINO_CLIENT_SECRET: 'not-the-secret' }));
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /Failed getting an access token: HTTP 401/);
    assert.ok(!r.stderr.includes('not-the-secret'));
    assert.equal(byPath(r.requests, '/properties').length, 0);
    // The secret went in the form body of the token request, which has no Authorization header.
    assert.equal(byPath(r.requests, '/iot/v1/clients/token', 'POST').length, 1);
    assertNothingLeaked(r, { expectTokens: false, also: ['not-the-secret'] });
  });
});

describe('particle.js', () => {
  test('logs in, lists the devices, reads a variable, calls a function and handles the 408', async () => {
    const r = await run('particle.js', particleVars({
      PARTICLE_DEVICE_ID: IDS.particle.online,
      PARTICLE_VARIABLE: 'temperature',
      PARTICLE_FUNCTION: 'led',
      PARTICLE_ARGUMENT: 'on',
    }));
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, /logged in as maker@example\.com: token received \(\d+ characters/);
    assert.match(r.stdout, /^3 devices:$/m);
    assert.match(r.stdout, /^ {2}kitchen-argon +e00fce6844969b121f176368 +online /m);
    assert.match(r.stdout, /^ {2}greenhouse-boron +e00fce68bfa6e5c9aad6a626 +online /m);
    assert.match(r.stdout, /^ {2}attic-photon +3a0029b4ff28a12d04139eb2 +offline /m);
    assert.match(r.stdout, /^ {2}kitchen-argon\.temperature = -?\d+(\.\d+)?$/m);
    assert.match(r.stdout, /^ {2}kitchen-argon\.led\("on"\) returned 1$/m);
    assert.match(r.stdout,
      /offline device attic-photon:\n {2}attic-photon\.temperature: device offline \(HTTP 408 "timed out"\), try again later/);

    assert.equal(byPath(r.requests, '/oauth/token', 'POST').length, 1);
    const calls = byPath(r.requests, `/v1/devices/${IDS.particle.online}/led`, 'POST');
    assert.equal(calls.length, 1);
    assert.match(calls[0].body, /on/);
    assert.equal(byPath(r.requests, `/v1/devices/${IDS.particle.offline}/temperature`, 'GET').length, 1);
    // The token travels in the header only.
    for (const req of byPath(r.requests, '/v1/')) {
      assert.match(req.headers.authorization, /^Bearer /);
      assert.equal(req.query.access_token, undefined);
    }
    assertNothingLeaked(r);
  });

  test('without a device or function it reads the first online device and calls nothing', async () => {
    const r = await run('particle.js', particleVars());
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^device kitchen-argon:$/m);
    assert.match(r.stdout, /^ {2}kitchen-argon\.temperature = /m);
    assert.match(r.stdout, /no function called \(set PARTICLE_FUNCTION to call one\)/);
    assert.equal(r.requests.filter((q) => q.method === 'POST' && q.path.includes('/v1/devices/')).length, 0);
    assertNothingLeaked(r);
  });

  test('an offline device chosen by name: variable and function both answer 408, handled', async () => {
    const r = await run('particle.js', particleVars({ PARTICLE_DEVICE_ID: 'attic-photon', PARTICLE_FUNCTION: 'led' }));
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^ {2}attic-photon\.temperature: device offline \(HTTP 408 "timed out"\), try again later$/m);
    assert.match(r.stdout, /^ {2}attic-photon\.led: device offline \(HTTP 408 "timed out"\), not called$/m);
    // The offline device is the chosen one, so it is not read a second time.
    assert.doesNotMatch(r.stdout, /^offline device/m);
    assertNothingLeaked(r);
  });

  test('PARTICLE_ACCESS_TOKEN skips the login', async () => {
    await control('POST', 'reset');
    const res = await fetch(simUrl('/particle/oauth/token'), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('particle:particle').toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'password',
        username: CREDENTIALS.particle.username,
        password: CREDENTIALS.particle.password,
      }),
    });
    assert.equal(res.status, 200);
    const token = (await res.json()).access_token;
    const result = await runExample('particle.js', {
      PARTICLE_ACCESS_TOKEN: token,
      PARTICLE_BASE_URL: simUrl('/particle'),
    });
    result.requests = await control('GET', 'requests');
    assert.equal(result.code, 0, show(result));
    assert.match(result.stdout, /using the access token from PARTICLE_ACCESS_TOKEN/);
    assert.match(result.stdout, /^3 devices:$/m);
    assert.equal(byPath(result.requests, '/oauth/token').length, 1); // the test's own login only
    assert.ok(!(result.stdout + result.stderr).includes(token));
    assertNothingLeaked(result);
  });

  test('a wrong password fails with status 1 and the cloud\'s error', async () => {
    const r = await run('particle.js', particleVars({ PARTICLE_PASSWORD: 'wrong-password' }));
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^Particle error: 400 invalid_grant: /m);
    assert.ok(!(r.stdout + r.stderr).includes('wrong-password'));
    assert.equal(byPath(r.requests, '/v1/devices').length, 0);
    // The login carried the OAuth client in its form, as particle-api-js sends it: no header credential.
    assertNothingLeaked(r, { expectTokens: false, also: ['wrong-password'] });
  });
});

describe('cthings.js', () => {
  test('prints name, connection status and location of each device', async () => {
    const r = await run('cthings.js', cthingsVars({
      CTHINGS_DEVICE_ID: `${IDS.cthings.devices[0]}, ${IDS.cthings.devices[2]}`,
    }));
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    const [first, second] = r.stdout.split('\n\n');
    assert.match(first, /^Boiler Room Sensor\n/);
    assert.match(first, /id +d5d60237-be30-4ca6-bc8b-e9d5a947404c/);
    assert.match(first, /type +Temperature & Humidity \(temperature_humidity\)/);
    assert.match(first, /connection +connected, last connected \d{4}-\d\d-\d\dT[\d:]+Z, signal -71\.5 dBm/);
    assert.match(first, /location +52\.205337, 0\.121817/);
    assert.match(second, /^Water Meter 12\n/);
    assert.match(second, /connection +not connected, last connected 2024-12-28T03:14:09Z/);
    assert.match(second, /location +52\.207021, 0\.118402/);

    // One token (HTTP Basic, multipart), then one GET per device.
    const tokens = byPath(r.requests, '/cthings-auth/token', 'POST');
    assert.equal(tokens.length, 1);
    assert.match(tokens[0].headers.authorization, /^Basic /);
    assert.match(tokens[0].headers['content-type'], /^multipart\/form-data/);
    assert.deepEqual(byPath(r.requests, '/v3/device/', 'GET').map((q) => q.path.split('/').pop()),
      [IDS.cthings.devices[0], IDS.cthings.devices[2]]);
    assertNothingLeaked(r);
  });

  test('an unknown device fails with status 1 and a 404', async () => {
    const r = await run('cthings.js', cthingsVars({ CTHINGS_DEVICE_ID: '00000000-0000-4000-8000-000000000000' }));
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^cThings error: 404 /m);
    assertNothingLeaked(r);
  });

  test('a wrong client secret fails with status 1 and the 401, without showing credentials', async () => {
    const r = await run('cthings.js', cthingsVars({ CTHINGS_CLIENT_SECRET: 'not-the-cthings-secret' }));
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^cThings error: 401 /m);
    assert.equal(byPath(r.requests, '/cthings-auth/token', 'POST').length, 1);
    assert.equal(byPath(r.requests, '/v3/device/').length, 0);
    assertNothingLeaked(r, { also: ['not-the-cthings-secret'] });
  });
});

describe('iotconnect.js', () => {
  test('logs in and lists all 250 devices, printing the first five', async () => {
    const r = await run('iotconnect.js', iotconnectVars());
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, /^services: auth http:\/\/127\.0\.0\.1:\d+\/iotconnect\/auth\//m);
    assert.match(r.stdout, /^logged in as sim\.user@example\.com, token valid until \d{4}-/m);
    assert.match(r.stdout, /^250 devices \(\d+ connected\)$/m);
    const listed = [...r.stdout.matchAll(/^ {2}(sim-dev-\d{3}) +Sim Device \d{3} /gm)].map((m) => m[1]);
    assert.deepEqual(listed, ['sim-dev-001', 'sim-dev-002', 'sim-dev-003', 'sim-dev-004', 'sim-dev-005']);
    assert.match(r.stdout, /… and 245 more/);

    // The three documented steps, then every page of /Device.
    const stats = await control('GET', 'stats');
    assert.equal(stats.iotconnectAuth.basicToken, 1);
    assert.equal(stats.iotconnectAuth.login, 1);
    const login = byPath(r.requests, '/Auth/login', 'POST')[0];
    assert.equal(login.headers['solution-key'], CREDENTIALS.iotconnect.solutionKey);
    assert.ok(byPath(r.requests, '/Device', 'GET').length >= 3);
    assertNothingLeaked(r);
  });

  test('a wrong password fails with status 1 and the cloud\'s message, without showing credentials', async () => {
    const r = await run('iotconnect.js', iotconnectVars({ IOTCONNECT_PASSWORD: 'Not-The-Passw0rd' }));
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^IoTConnect error: 401 .*Invalid username or password/m);
    assert.equal(byPath(r.requests, '/Auth/login', 'POST').length, 1);
    assert.equal(byPath(r.requests, '/Device').length, 0);
    assertNothingLeaked(r, { also: ['Not-The-Passw0rd'] });
  });

  test('IOTCONNECT_SHOW sets how many devices are printed', async () => {
    const r = await run('iotconnect.js', iotconnectVars({ IOTCONNECT_SHOW: '2' }));
    assert.equal(r.code, 0, show(r));
    assert.equal([...r.stdout.matchAll(/^ {2}sim-dev-\d{3} /gm)].length, 2);
    assert.match(r.stdout, /… and 248 more/);
  });
});

describe('arduino-telemetry.js', () => {
  test('prints every property\'s last value, then the history of the numeric ones', async () => {
    const r = await run('arduino-telemetry.js', arduinoVars());
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, /^thing 6366de97-f549-43f8-9dd5-5a56c5ef95f5 \("Weather Station"\): 3 properties$/m);
    assert.match(r.stdout, /^ {2}temperature +FLOAT +last_value=-?\d+(\.\d+)? +updated \d{4}-\d\d-\d\dT/m);
    assert.match(r.stdout, /^ {2}status +CHARSTRING +last_value="ok"/m);
    // The drifting readings have a history; the text property has none to print.
    for (const name of ['temperature', 'humidity']) {
      const m = r.stdout.match(new RegExp(`^${name}: (\\d+) points in the last 10 minutes$`, 'm'));
      assert.ok(m && Number(m[1]) >= 1, `${name} history\n${show(r)}`);
    }
    assert.match(r.stdout, /^ {2}min -?[\d.]+ {2}max -?[\d.]+ {2}avg -?[\d.]+$/m);
    assert.doesNotMatch(r.stdout, /^status:/m);
    const series = byPath(r.requests, '/timeseries', 'GET');
    assert.equal(series.length, 2);
    for (const q of series) {
      assert.equal(q.query.interval, '60');
      assert.ok(Date.parse(q.query.to) - Date.parse(q.query.from) === 600_000, JSON.stringify(q.query));
    }
    assertNothingLeaked(r);
  });

  test('ARDUINO_MINUTES sets the history; a bad one is refused', async () => {
    const r = await run('arduino-telemetry.js', arduinoVars({ ARDUINO_MINUTES: '2' }));
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^temperature: \d+ points in the last 2 minutes$/m);
    const bad = await run('arduino-telemetry.js', arduinoVars({ ARDUINO_MINUTES: 'ten' }));
    assert.equal(bad.code, 2, show(bad));
    assert.match(bad.stderr, /^invalid setting: ARDUINO_MINUTES/);
    assert.equal(bad.requests.length, 0);
  });
});

describe('arduino-command.js', () => {
  const lamp = (extra) => arduinoVars({ ARDUINO_THING_ID: IDS.arduino.things.deskLamp, ...extra });

  test('sets a READ_WRITE property and reads it back', async () => {
    const r = await run('arduino-command.js', lamp({ ARDUINO_PROPERTY: 'brightness', ARDUINO_VALUE: '35' }));
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.equal(r.stdout, 'Desk Lamp.brightness (INT): 70 → 35\n');
    const [publish] = byPath(r.requests, '/publish', 'PUT');
    assert.match(publish.path, new RegExp(`/iot/v2/things/${IDS.arduino.things.deskLamp}/properties/[0-9a-f-]+/publish$`));
    assert.deepEqual(JSON.parse(publish.body), { value: 35 });
    assertNothingLeaked(r);

    const off = await run('arduino-command.js', lamp({ ARDUINO_PROPERTY: 'lamp', ARDUINO_VALUE: 'false' }));
    assert.equal(off.stdout, 'Desk Lamp.lamp (BOOL): true → false\n', show(off));
    assert.deepEqual(JSON.parse(byPath(off.requests, '/publish', 'PUT')[0].body), { value: false });
  });

  test('an unknown or read-only property fails with status 1, nothing published', async () => {
    const unknown = await run('arduino-command.js', lamp({ ARDUINO_PROPERTY: 'fan', ARDUINO_VALUE: '1' }));
    assert.equal(unknown.code, 1, show(unknown));
    assert.match(unknown.stderr, /has no property fan; it has: lamp, brightness/);
    const readOnly = await run('arduino-command.js', arduinoVars({ ARDUINO_PROPERTY: 'temperature', ARDUINO_VALUE: '1' }));
    assert.equal(readOnly.code, 1, show(readOnly));
    assert.match(readOnly.stderr, /^Weather Station\.temperature is READ_ONLY/m);
    for (const r of [unknown, readOnly]) assert.equal(byPath(r.requests, '/publish').length, 0);
  });
});

describe('particle-telemetry.js', () => {
  test('prints the device, its variables and the events it publishes while listening', async () => {
    await control('POST', 'reset');
    const running = runExample('particle-telemetry.js', particleVars({ PARTICLE_LISTEN_SECONDS: '4' }));
    // Once the example's event stream is open, the device publishes.
    for (let i = 0; i < 100 && (await control('GET', 'stats')).particleStreams.open < 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await control('POST', 'particle-events', { name: 'reading', data: '21.5', deviceId: IDS.particle.online });
    const r = await running;
    r.requests = await control('GET', 'requests');
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, /^kitchen-argon \(e00fce6844969b121f176368\)$/m);
    assert.match(r.stdout, /^ {2}online +yes$/m);
    assert.match(r.stdout, /^ {2}temperature = -?\d+(\.\d+)?$/m);
    assert.match(r.stdout, /^ {2}status = "ok"$/m);
    assert.match(r.stdout, /^events of kitchen-argon for 4 s:$/m);
    assert.match(r.stdout, /^ {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}reading = "21\.5"$/m);
    assert.match(r.stdout, /^1 event$/m);
    assert.equal(byPath(r.requests, `/v1/devices/${IDS.particle.online}/events`, 'GET').length, 1);
    assertNothingLeaked(r);
  });

  test('an offline device: its variables answer 408, reported; no events with PARTICLE_LISTEN_SECONDS=0', async () => {
    const r = await run('particle-telemetry.js', particleVars({
      PARTICLE_DEVICE_ID: 'attic-photon', PARTICLE_LISTEN_SECONDS: '0',
    }));
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^ {2}online +no$/m);
    assert.match(r.stdout, /^ {2}temperature: device offline \(HTTP 408 "timed out"\)$/m);
    assert.doesNotMatch(r.stdout, /^events of/m);
    assert.equal(byPath(r.requests, '/events').length, 0);
  });
});

describe('particle-command.js', () => {
  test('calls a function and publishes an event', async () => {
    const r = await run('particle-command.js', particleVars({
      PARTICLE_DEVICE_ID: 'kitchen-argon', PARTICLE_FUNCTION: 'led', PARTICLE_ARGUMENT: 'on',
      PARTICLE_EVENT: 'lights', PARTICLE_EVENT_DATA: 'off',
    }));
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, /^kitchen-argon\.led\("on"\) returned 1$/m);
    assert.match(r.stdout, /^published event "lights" with data "off" \(private\)$/m);
    const [call] = byPath(r.requests, '/v1/devices/kitchen-argon/led', 'POST');
    assert.match(call.body, /on/);
    const [event] = byPath(r.requests, '/v1/devices/events', 'POST');
    assert.ok(event, show(r));
    assertNothingLeaked(r);
  });

  test('an offline device answers 408: reported, exit 0; an unknown function: the cloud\'s 404, exit 1', async () => {
    const offline = await run('particle-command.js', particleVars({
      PARTICLE_DEVICE_ID: 'attic-photon', PARTICLE_FUNCTION: 'led',
    }));
    assert.equal(offline.code, 0, show(offline));
    assert.match(offline.stdout, /^attic-photon\.led: device offline \(HTTP 408 "timed out"\), not called$/m);
    const unknown = await run('particle-command.js', particleVars({
      PARTICLE_DEVICE_ID: 'kitchen-argon', PARTICLE_FUNCTION: 'brew',
    }));
    assert.equal(unknown.code, 1, show(unknown));
    assert.match(unknown.stderr, /^Particle error: 404 .*Function brew not found/m);
  });
});

describe('cthings-telemetry.js', () => {
  test('prints the envelope, then connection and data of each device', async () => {
    const r = await run('cthings-telemetry.js', cthingsVars({
      CTHINGS_DEVICE_ID: `${IDS.cthings.devices[0]},${IDS.cthings.devices[2]}`,
    }));
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, /^cThings Cloud API 3\.\d+\.\d+, code 200$/m);
    const [, boiler, meter] = r.stdout.split('\n\n');
    assert.match(boiler, /^Boiler Room Sensor \(Temperature & Humidity, 70b3d57ed0051a2c\)$/m);
    assert.match(boiler, /connection +connected, on time \(reports every 600 s\)/);
    assert.match(boiler, /signal +-71\.5 dBm/);
    assert.match(boiler, /route +a84041ffff1f8a30 → a84041ffff1f8a31/);
    assert.match(meter, /^Water Meter 12 /);
    assert.match(meter, /connection +not connected, late: nothing for \d+ s \(reports every 3600 s\)/);
    assert.match(meter, /last connected +2024-12-28T03:14:09Z/);
    assert.deepEqual(byPath(r.requests, '/v3/device/', 'GET').map((q) => q.path.split('/').pop()),
      [IDS.cthings.devices[0], IDS.cthings.devices[2]]);
    assertNothingLeaked(r);
  });

  test('a device id that is not a UUID is refused before anything is sent', async () => {
    const r = await run('cthings-telemetry.js', cthingsVars({ CTHINGS_DEVICE_ID: 'boiler-room' }));
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /^invalid setting: cthings\.devices\.getEnvelope: `deviceId` must be a UUID/);
    assert.equal(r.requests.length, 0);
  });
});

describe('cthings-command.js', () => {
  const change = (extra) => cthingsVars({ CTHINGS_CONFIGURATION: '{"reportingInterval":300}', ...extra });

  test('changes the configuration through request (PATCH, version auto) and prints before and after', async () => {
    const r = await run('cthings-command.js', change());
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.equal(r.stdout, [
      `PATCH /device/${IDS.cthings.devices[0]} (version auto)`,
      'Boiler Room Sensor',
      '  configuration before  {"reportingInterval":600,"units":"celsius"}',
      '  configuration now     {"reportingInterval":300,"units":"celsius"}',
      '',
    ].join('\n'));
    const [patch] = byPath(r.requests, '/v3/device/', 'PATCH');
    assert.deepEqual(JSON.parse(patch.body), { configuration: { reportingInterval: 300 } });
    assert.match(patch.headers['content-type'], /^application\/json/);
    assert.equal(byPath(r.requests, '/v2/').length, 0);
    assertNothingLeaked(r);
  });

  test('CTHINGS_VERSION=v2 sends the change to v2', async () => {
    const r = await run('cthings-command.js', change({ CTHINGS_VERSION: 'v2' }));
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^PATCH \/device\/\S+ \(version v2\)$/m);
    assert.match(r.stdout, /configuration now +\{"reportingInterval":300,"units":"celsius"\}/);
    assert.equal(byPath(r.requests, '/v2/device/', 'PATCH').length, 1);
    assert.equal(byPath(r.requests, '/v3/device/', 'PATCH').length, 0);
  });

  test('a change the cloud refuses fails with status 1 and the envelope\'s message', async () => {
    const r = await run('cthings-command.js', change({ CTHINGS_PATH: `/device/${IDS.cthings.devices[0]}/firmware` }));
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^cThings error: 404 \S+: Route not found$/m);
    // version auto: v3 answered 404, so the change was sent once more, to v2.
    assert.deepEqual(byPath(r.requests, '/firmware').map((q) => q.path.split('/')[2]), ['v3', 'v2']);
  });

  test('settings request refuses are reported like missing ones', async () => {
    for (const [extra, reason] of [
      [{ CTHINGS_CONFIGURATION: '[1]' }, /CTHINGS_CONFIGURATION must be a JSON object/],
      [{ CTHINGS_METHOD: 'FETCH' }, /`method` must be GET, POST, PUT, PATCH or DELETE/],
      [{ CTHINGS_PATH: '/v3/device/x' }, /`path` must not begin with a version/],
      [{ CTHINGS_PATH: '/device/../token' }, /`path` must be a path/],
      [{ CTHINGS_VERSION: 'v9' }, /`version` must be 'v3', 'v2' or 'auto'/],
    ]) {
      const r = await run('cthings-command.js', change(extra));
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr.split('\n')[0], reason, show(r));
      assert.equal(byPath(r.requests, '/cthings/', 'PATCH').length, 0);
    }
  });
});

describe('iotconnect-telemetry.js', () => {
  const devices = require(path.join(ROOT, 'tests', 'simulator', 'fixtures.js')).iotconnect.devices;

  test('the first connected device: latest values, 10 recent messages and an hour of history', async () => {
    const r = await run('iotconnect-telemetry.js', iotconnectVars());
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, /^Sim Device 001 \(sim-dev-001\), connected$/m);
    for (const name of ['temperature', 'humidity', 'battery']) {
      assert.match(r.stdout, new RegExp(`^ {2}${name} +-?\\d+(\\.\\d+)? (°C|%) {2}\\(\\d{4}-`, 'm'), name);
    }
    assert.match(r.stdout, /^ {2}led +"off"/m);
    assert.match(r.stdout, /^10 recent messages:$/m);
    assert.equal([...r.stdout.matchAll(/^ {2}\d{4}-\d\d-\d\dT[\d:.]+Z temperature=/gm)].length, 10);
    assert.match(r.stdout, /^history of the last 1 hour: (59|60|61) readings$/m);
    assert.match(r.stdout, /^ {2}temperature +min -?[\d.]+ {2}max -?[\d.]+ {2}mean -?[\d.]+$/m);

    const guid = devices[0].guid;
    assert.equal(byPath(r.requests, `/Telemetry/device/${guid}`, 'GET').length, 1);
    const [recent] = byPath(r.requests, '/Telemetry/device/sim-dev-001/recent/10', 'POST');
    assert.deepEqual(JSON.parse(recent.body), {});
    const [history] = byPath(r.requests, '/Telemetry/attribute-history/device/sim-dev-001/from/', 'GET');
    const [, from, to] = /\/from\/([^/]+)\/to\/([^/]+)$/.exec(history.path).map(decodeURIComponent);
    assert.match(from, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(Date.parse(`${to.replace(' ', 'T')}Z`) - Date.parse(`${from.replace(' ', 'T')}Z`), 3_600_000);
    assertNothingLeaked(r);
  });

  test('IOTCONNECT_DEVICE, IOTCONNECT_RECENT and IOTCONNECT_HOURS', async () => {
    const r = await run('iotconnect-telemetry.js', iotconnectVars({
      IOTCONNECT_DEVICE: 'sim-dev-005', IOTCONNECT_RECENT: '12', IOTCONNECT_HOURS: '3',
    }));
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Sim Device 005 \(sim-dev-005\), connected$/m);
    assert.match(r.stdout, /^ {2}latitude +[\d.]+ ° {2}\(/m);
    assert.match(r.stdout, /^12 recent messages:$/m);
    assert.match(r.stdout, /^history of the last 3 hours: (179|180|181) readings$/m);
    assert.equal(byPath(r.requests, '/recent/12', 'POST').length, 1);
    assert.equal(r.requests.filter((q) => q.path.endsWith('/Device')).length, 0, 'no list: the device was named');
  });

  test('a recent count or a window the API would refuse: exit 2, nothing sent', async () => {
    for (const [name, value] of [['IOTCONNECT_RECENT', '9'], ['IOTCONNECT_RECENT', '51'], ['IOTCONNECT_HOURS', '169'], ['IOTCONNECT_HOURS', 'x']]) {
      const r = await run('iotconnect-telemetry.js', iotconnectVars({ [name]: value }));
      assert.equal(r.code, 2, show(r));
      assert.match(r.stderr, new RegExp(`^${name} must be a whole number from \\d+ to \\d+, not "${value}"\n`));
      assert.equal(r.requests.length, 0);
    }
  });

  test('an unknown device fails with status 1 and the cloud\'s 409', async () => {
    const r = await run('iotconnect-telemetry.js', iotconnectVars({ IOTCONNECT_DEVICE: 'sim-dev-999' }));
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^IoTConnect error: 409 http_409: Device not found$/m);
    assertNothingLeaked(r);
  });
});

describe('iotconnect-command.js', () => {
  const devices = require(path.join(ROOT, 'tests', 'simulator', 'fixtures.js')).iotconnect.devices;
  const commandVars = (extra) => iotconnectVars({ IOTCONNECT_DEVICE: 'sim-dev-001', ...extra });

  test('without IOTCONNECT_COMMAND: the commands of the device\'s template, nothing sent', async () => {
    const r = await run('iotconnect-command.js', commandVars());
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, /^Sim Device 001 \(sim-dev-001\), connected$/m);
    assert.match(r.stdout, /^2 commands of its template:$/m);
    assert.match(r.stdout, /^ {2}led +LED +takes a parameter$/m);
    assert.match(r.stdout, /^ {2}reboot +Reboot +no parameter$/m);
    assert.match(r.stdout, /no command sent \(set IOTCONNECT_COMMAND to send one\)/);
    assert.equal(byPath(r.requests, `/template-command/${devices[0].templateGuid}`, 'GET').length, 1);
    assert.equal(byPath(r.requests, '/send').length, 0);
    assertNothingLeaked(r);
  });

  test('sends the command; the device acknowledges it and its latest values show it', async () => {
    const r = await run('iotconnect-command.js', commandVars({ IOTCONNECT_COMMAND: 'led', IOTCONNECT_PARAMETER: 'on' }));
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^sent led\("on"\) to sim-dev-001: acknowledged$/m);
    assert.match(r.stdout, /^latest values: .*led="on"/m);
    const [send] = byPath(r.requests, `/template-command/device/${devices[0].guid}/send`, 'POST');
    const body = JSON.parse(send.body);
    assert.equal(body.parameterValue, 'on');
    assert.match(body.commandGuid, /^[0-9a-f-]{36}$/);
    const { commands } = await control('GET', 'iotconnect');
    assert.deepEqual(commands.map((c) => [c.uniqueId, c.command, c.parameterValue, c.ack]), [['sim-dev-001', 'led', 'on', true]]);
    assertNothingLeaked(r);
  });

  test('a device that is not connected: the command is queued', async () => {
    const r = await run('iotconnect-command.js', iotconnectVars({ IOTCONNECT_DEVICE: 'sim-dev-003', IOTCONNECT_COMMAND: 'reboot' }));
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^Sim Device 003 \(sim-dev-003\), not connected$/m);
    assert.match(r.stdout, /^sent reboot to sim-dev-003: queued, the device has not acknowledged it$/m);
  });

  test('a command the cloud refuses, and one the template does not have: status 1', async () => {
    const missing = await run('iotconnect-command.js', commandVars({ IOTCONNECT_COMMAND: 'LED' }));
    assert.equal(missing.code, 1, show(missing));
    assert.match(missing.stderr, /^IoTConnect error: 400 http_400: Invalid request \(parameterValue: LED needs a parameter value\)$/m);
    const unknown = await run('iotconnect-command.js', commandVars({ IOTCONNECT_COMMAND: 'launch' }));
    assert.equal(unknown.code, 1, show(unknown));
    assert.match(unknown.stderr, /sim-dev-001 has no command "launch"/);
    assert.equal(byPath(unknown.requests, '/send').length, 0);
  });
});

/**
 * Only the base URL variables, pointing at the simulator. Every run that expects the example to stop before
 * sending anything still gets them, so that a broken check ends up at the simulator (and fails the test on
 * the request log) instead of calling a real cloud.
 */
/** The four clouds' settings, each pointing at the simulator. */
const allVars = (extra = {}) => ({ ...arduinoVars(), ...particleVars(), ...cthingsVars(), ...iotconnectVars(), ...extra });

describe('all-clouds.js', () => {
  test('every configured cloud: its first devices with their readings, in one loop', async () => {
    const r = await run('all-clouds.js', allVars({ CTHINGS_DEVICE_ID: IDS.cthings.devices.join(',') }));
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, /^4 clouds: Arduino IoT Cloud, Particle, cThings, Avnet IoTConnect$/m);
    const sections = Object.fromEntries(r.stdout.split('\n\n').slice(1).map((s) => [s.split('\n')[0], s]));
    assert.deepEqual(Object.keys(sections), ['Arduino IoT Cloud', 'Particle', 'cThings', 'Avnet IoTConnect']);
    // Arduino: the things of the personal space, with their devices' status; the properties as readings.
    const arduino = sections['Arduino IoT Cloud'];
    assert.match(arduino, new RegExp(`^ {2}Weather Station {2}\\(${IDS.arduino.things.weatherStation}\\) {2}online, last seen \\d{4}-`, 'm'));
    assert.match(arduino, /^ {4}temperature = -?\d+(\.\d+)? {2}\(FLOAT, \d{4}-[\d-]+T[\d:.]+Z\)$/m);
    assert.match(arduino, /^ {4}brightness = 70 {2}\(INT, /m);
    // Particle: the variables, each read; the offline device's 408 reported.
    const particle = sections.Particle;
    assert.match(particle, /^ {2}kitchen-argon {2}\(e00fce6844969b121f176368\) {2}online, /m);
    assert.match(particle, /^ {4}status = "ok" {2}\(string, /m);
    assert.match(particle, /^ {2}attic-photon .* offline, last seen 2025-01-02T07:31:12\.000Z\n {4}device offline \(HTTP 408 "timed out"\): no readings$/m);
    // cThings: the devices of CTHINGS_DEVICE_ID, their connection as readings.
    const cthings = sections.cThings;
    assert.equal(cthings.match(/^ {2}\S/gm).length, 3, cthings);
    assert.match(cthings, /^ {2}Boiler Room Sensor .*\n {4}status = true {2}\(boolean, /m);
    assert.match(cthings, /^ {4}signalStrength = -71\.5 {2}\(number, /m);
    // IoTConnect: 5 devices of one page of 6, and the note that there are more.
    const iotc = sections['Avnet IoTConnect'];
    assert.equal(iotc.match(/^ {2}Sim Device \d+/gm).length, 5, iotc);
    assert.match(iotc, /^ {4}temperature = -?\d+(\.\d+)? {2}\(DECIMAL, /m);
    assert.match(iotc, /^ {2}… and more \(DEVICES_PER_CLOUD=5\)$/m);
    const pages = r.requests.filter((q) => q.vendor === 'iotconnect' && /\/Device$/i.test(q.path));
    assert.deepEqual(pages.map((q) => [q.query.pageNumber, q.query.pageSize]), [['1', '6']]);
    assert.equal(byPath(r.requests, '/iot/v2/devices', 'GET').length, 1);
    assertNothingLeaked(r);
  });

  test('only the configured clouds; DEVICES_PER_CLOUD caps the devices', async () => {
    const r = await run('all-clouds.js', { ...loopbackUrls(), ...iotconnectVars({ DEVICES_PER_CLOUD: '2' }) });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^1 cloud: Avnet IoTConnect$/m);
    assert.equal(r.stdout.match(/^ {2}Sim Device \d+/gm).length, 2, show(r));
    assert.match(r.stdout, /… and more \(DEVICES_PER_CLOUD=2\)/);
    assert.ok(r.requests.every((q) => q.vendor.startsWith('iotconnect')), 'only IoTConnect was asked');
    assertNothingLeaked(r);
  });

  test('a cloud that fails is reported and the others are still listed: exit 1', async () => {
    const r = await run('all-clouds.js', {
      ...particleVars({ PARTICLE_PASSWORD: 'not-the-password' }), ...cthingsVars(),
    });
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^Particle: 400 invalid_grant: /m);
    assert.match(r.stdout, /^cThings\n {2}Boiler Room Sensor /m);
    assertNothingLeaked(r, { also: ['not-the-password'] });
  });

  test('no cloud, a cloud half set up, a bad count or a refused URL: one line, usage, exit 2, nothing sent', async () => {
    const cases = [
      [loopbackUrls(), /^no cloud configured: set the variables of at least one$/],
      [{ ...loopbackUrls(), ARDUINO_CLIENT_ID: CREDENTIALS.arduino.clientId, ...iotconnectVars() },
        /^missing environment variable: ARDUINO_CLIENT_SECRET$/],
      [{ ...loopbackUrls(), PARTICLE_USERNAME: CREDENTIALS.particle.username }, /^missing environment variable: PARTICLE_PASSWORD$/],
      [allVars({ DEVICES_PER_CLOUD: '0' }), /^invalid setting: DEVICES_PER_CLOUD must be a whole number from 1 to 100$/],
      [allVars({ ARDUINO_BASE_URL: 'api2-arduino-simulator' }), /^invalid setting: Arduino: `baseUrl` must be/],
    ];
    for (const [vars, reason] of cases) {
      const r = await run('all-clouds.js', vars);
      assert.equal(r.code, 2, show(r));
      assert.equal(r.stdout, '', show(r));
      assert.match(r.stderr.split('\n')[0], reason, show(r));
      assert.match(r.stderr, usageLine('all-clouds.js'));
      assert.equal(r.requests.length, 0, 'nothing sent');
      for (const secret of SECRETS) assert.ok(!r.stderr.includes(secret));
    }
  });
});

/** Starts `node watch.js` with the given settings; `stop()` sends it Ctrl-C (SIGINT). */
function startWatch(vars) {
  const env = { ...process.env, NODE_PATH };
  for (const key of Object.keys(env)) {
    if (VENDOR_PREFIXES.some((p) => key.startsWith(p))) delete env[key];
  }
  Object.assign(env, vars);
  const child = spawn(process.execPath, ['watch.js'], { cwd: EXAMPLES, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (s) => { out.stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s) => { out.stderr += s; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, ...out }); });
  });
  return { out, done, stop: () => child.kill('SIGINT') };
}

/** Waits until `check()` holds (polled every 50 ms, for up to 20 s). */
async function until(check, what) {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Changes an Arduino property as a device would (a token of the simulator's, then publish). */
async function arduinoPublish(thingId, propertyId, value) {
  const token = await fetch(simUrl('/arduino/iot/v1/clients/token'), {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: CREDENTIALS.arduino.clientId,
      client_secret: CREDENTIALS.arduino.clientSecret, audience: 'https://api2.arduino.cc/iot',
    }),
  }).then((res) => res.json());
  const res = await fetch(simUrl(`/arduino/iot/v2/things/${thingId}/properties/${propertyId}/publish`), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ value }),
  });
  assert.equal(res.status, 200);
}

describe('watch.js', () => {
  test('Particle: the event stream, each event printed as it comes, for WATCH_SECONDS', async () => {
    await control('POST', 'reset');
    const watch = startWatch(particleVars({ WATCH_SECONDS: '4' }));
    await until(async () => (await control('GET', 'stats')).particleStreams.open >= 1, 'the event stream');
    await control('POST', 'particle-events', { name: 'reading', data: '21.5', deviceId: IDS.particle.online });
    const r = await watch.done;
    r.requests = await control('GET', 'requests');
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, /^watching Particle, every device: its event stream\nfor 4 s \(Ctrl-C to stop sooner\)$/m);
    assert.match(r.stdout, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z {2}${IDS.particle.online} {2}reading = "21\\.5"$`, 'm'));
    assert.match(r.stdout, /^1 event$/m);
    assert.equal(byPath(r.requests, '/v1/devices/events', 'GET').length, 1);
    assertNothingLeaked(r);
  });

  test('a polled cloud: an event per changed reading; Ctrl-C ends the watch with status 0', async () => {
    await control('POST', 'reset');
    const lamp = IDS.arduino.things.deskLamp;
    const watch = startWatch(arduinoVars({ WATCH_DEVICE: lamp, WATCH_INTERVAL_MS: '200' }));
    const polls = async () => (await control('GET', 'requests')).filter((q) => q.path.endsWith(`/things/${lamp}/properties`)).length;
    // After the first poll (the baseline) has been answered.
    await until(async () => (await polls()) >= 2, 'two polls');
    await arduinoPublish(lamp, 'd20f9436-73cc-4e96-be0a-3a81b7049f7e', 35);
    await until(() => /brightness = 35$/m.test(watch.out.stdout), 'the event');
    watch.stop();
    const r = await watch.done;
    r.requests = await control('GET', 'requests');
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.match(r.stdout, new RegExp(`^watching Arduino IoT Cloud, device ${lamp}: readings polled every 0\\.2 s, an event per changed value\n\\(Ctrl-C to stop\\)$`, 'm'));
    assert.match(r.stdout, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z {2}${lamp} {2}brightness = 35$`, 'm'));
    assert.match(r.stdout, /^1 event$/m);
    assertNothingLeaked(r);
  });

  test('a bad cloud name, a cloud not set up, no cloud, a bad duration: one line, usage, exit 2, nothing sent', async () => {
    const cases = [
      [{ ...particleVars(), WATCH_CLOUD: 'aws' }, /^invalid setting: WATCH_CLOUD must be one of arduino, particle, cthings, iotconnect$/],
      [{ ...particleVars(), WATCH_CLOUD: 'cthings' },
        /^missing environment variables: CTHINGS_CLIENT_ID, CTHINGS_CLIENT_SECRET, CTHINGS_DEVICE_ID$/],
      [loopbackUrls(), /^no cloud configured: set the variables of one$/],
      [{ ...particleVars(), WATCH_SECONDS: '0' }, /^invalid setting: WATCH_SECONDS must be a whole number from 1 to 86400$/],
      [{ ...particleVars(), WATCH_INTERVAL_MS: 'often' }, /^invalid setting: WATCH_INTERVAL_MS must be a whole number/],
      [{ ...iotconnectVars(), IOTCONNECT_PLATFORM: 'gcp' }, /^invalid setting: IoTConnect: `platform` must be "aws" or "az"/],
    ];
    for (const [vars, reason] of cases) {
      const r = await run('watch.js', vars);
      assert.equal(r.code, 2, show(r));
      assert.equal(r.stdout, '', show(r));
      assert.match(r.stderr.split('\n')[0], reason, show(r));
      assert.match(r.stderr, usageLine('watch.js'));
      assert.equal(r.requests.length, 0, 'nothing sent');
    }
  });
});

function loopbackUrls() {
  return {
    ARDUINO_BASE_URL: simUrl('/arduino'),
    PARTICLE_BASE_URL: simUrl('/particle'),
    CTHINGS_AUTH_URL: simUrl('/cthings-auth'),
    CTHINGS_BASE_URL: simUrl('/cthings'),
    IOTCONNECT_DISCOVERY_URL: simUrl('/iotconnect-discovery'),
  };
}

const usageLine = (script) => new RegExp(`^usage: .*node ${script.replace('.', '\\.')}$`, 'm');

describe('missing settings', () => {
  const cases = [
    ['arduino-main.js', arduinoVars, ['ARDUINO_CLIENT_ID', 'ARDUINO_CLIENT_SECRET', 'ARDUINO_THING_ID']],
    ['particle.js', particleVars, ['PARTICLE_USERNAME', 'PARTICLE_PASSWORD']],
    ['cthings.js', cthingsVars, ['CTHINGS_CLIENT_ID', 'CTHINGS_CLIENT_SECRET', 'CTHINGS_DEVICE_ID']],
    ['arduino-telemetry.js', arduinoVars, ['ARDUINO_CLIENT_ID', 'ARDUINO_CLIENT_SECRET', 'ARDUINO_THING_ID']],
    ['arduino-command.js', (extra) => arduinoVars({ ARDUINO_PROPERTY: 'lamp', ARDUINO_VALUE: 'true', ...extra }),
      ['ARDUINO_CLIENT_ID', 'ARDUINO_CLIENT_SECRET', 'ARDUINO_THING_ID', 'ARDUINO_PROPERTY', 'ARDUINO_VALUE']],
    ['particle-telemetry.js', particleVars, ['PARTICLE_USERNAME', 'PARTICLE_PASSWORD']],
    ['particle-command.js', (extra) => particleVars({ PARTICLE_DEVICE_ID: 'kitchen-argon', PARTICLE_FUNCTION: 'led', ...extra }),
      ['PARTICLE_USERNAME', 'PARTICLE_PASSWORD', 'PARTICLE_DEVICE_ID', 'PARTICLE_FUNCTION']],
    ['cthings-telemetry.js', cthingsVars, ['CTHINGS_CLIENT_ID', 'CTHINGS_CLIENT_SECRET', 'CTHINGS_DEVICE_ID']],
    ['cthings-command.js', (extra) => cthingsVars({ CTHINGS_CONFIGURATION: '{"a":1}', ...extra }),
      ['CTHINGS_CLIENT_ID', 'CTHINGS_CLIENT_SECRET', 'CTHINGS_DEVICE_ID', 'CTHINGS_CONFIGURATION']],
    ['iotconnect.js', iotconnectVars,
      ['IOTCONNECT_SOLUTION_KEY', 'IOTCONNECT_ENVIRONMENT', 'IOTCONNECT_USERNAME', 'IOTCONNECT_PASSWORD']],
    ['iotconnect-telemetry.js', iotconnectVars,
      ['IOTCONNECT_SOLUTION_KEY', 'IOTCONNECT_ENVIRONMENT', 'IOTCONNECT_USERNAME', 'IOTCONNECT_PASSWORD']],
    ['iotconnect-command.js', (extra) => iotconnectVars({ IOTCONNECT_DEVICE: 'sim-dev-001', ...extra }),
      ['IOTCONNECT_SOLUTION_KEY', 'IOTCONNECT_ENVIRONMENT', 'IOTCONNECT_USERNAME', 'IOTCONNECT_PASSWORD', 'IOTCONNECT_DEVICE']],
  ];

  for (const [script, vars, required] of cases) {
    test(`${script}: no settings but the base URLs → usage and exit 2`, async () => {
      const r = await run(script, loopbackUrls());
      assert.equal(r.code, 2, show(r));
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^missing environment variables: ${required.join(', ')}\n`));
      assert.match(r.stderr, usageLine(script));
      assert.equal(r.requests.length, 0);
    });

    test(`${script}: each required variable on its own is checked`, async () => {
      for (const name of required) {
        const settings = { ...loopbackUrls(), ...vars() };
        delete settings[name];
        const r = await run(script, settings);
        assert.equal(r.code, 2, `${name}: ${show(r)}`);
        assert.match(r.stderr, new RegExp(`^missing environment variable: ${name}\n`));
        assert.equal(r.requests.length, 0);
        for (const secret of SECRETS) assert.ok(!r.stderr.includes(secret));
      }
    });
  }
});

describe('invalid settings', () => {
  // A value the client refuses is reported like a missing one: one line saying why, the usage, exit 2,
  // and nothing sent. None of the bad values is a URL a request could go to. The other settings are the
  // working ones, pointing at the simulator.
  const cases = [
    ['arduino-main.js', arduinoVars, 'ARDUINO_BASE_URL', 'api2-arduino-simulator', /Arduino: `baseUrl` must be/],
    ['arduino-main.js', arduinoVars, 'ARDUINO_BASE_URL', 'ftp://127.0.0.1:9/arduino', /Arduino: `baseUrl` must be/],
    ['particle.js', particleVars, 'PARTICLE_BASE_URL', 'particle-simulator', /Particle: `baseUrl` must be/],
    ['cthings.js', cthingsVars, 'CTHINGS_AUTH_URL', 'authserver', /CThings: `authUrl` must be/],
    ['cthings.js', cthingsVars, 'CTHINGS_BASE_URL', 'http://127.0.0.1:9/cthings?x=1', /CThings: `baseUrl` must be/],
    ['cthings-telemetry.js', cthingsVars, 'CTHINGS_AUTH_URL', 'authserver', /CThings: `authUrl` must be/],
    ['cthings-command.js', (extra) => cthingsVars({ CTHINGS_CONFIGURATION: '{"a":1}', ...extra }),
      'CTHINGS_BASE_URL', 'cthings-simulator', /CThings: `baseUrl` must be/],
    ['particle-telemetry.js', particleVars, 'PARTICLE_LISTEN_SECONDS', 'forever', /PARTICLE_LISTEN_SECONDS must be/],
    ['iotconnect.js', iotconnectVars, 'IOTCONNECT_PLATFORM', 'gcp', /IoTConnect: `platform` must be "aws" or "az"/],
    ['iotconnect-telemetry.js', iotconnectVars, 'IOTCONNECT_DISCOVERY_URL', 'discovery.iotconnect.io',
      /IoTConnect: `discoveryUrl` must be/],
    ['iotconnect-command.js', (extra) => iotconnectVars({ IOTCONNECT_DEVICE: 'sim-dev-001', ...extra }), 'IOTCONNECT_DEVICE',
      'a/b', /iotc\.devices\.getByUniqueId: `uniqueId` must not contain/],
  ];

  for (const [script, vars, name, value, reason] of cases) {
    test(`${script}: ${name}=${value} → one line, usage and exit 2`, async () => {
      const r = await run(script, vars({ [name]: value }));
      assert.equal(r.code, 2, show(r));
      assert.equal(r.stdout, '', show(r));
      const [first, blank] = r.stderr.split('\n');
      assert.match(first, /^invalid setting: /, show(r));
      assert.match(first, reason, show(r));
      assert.equal(blank, '', 'the reason is one line, then the usage');
      assert.match(r.stderr, usageLine(script));
      assert.equal(r.requests.length, 0, 'nothing sent');
      for (const secret of SECRETS) assert.ok(!r.stderr.includes(secret));
    });
  }
});
