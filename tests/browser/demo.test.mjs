// The demo page in headless Chromium, against the simulator: node --test tests/browser/
// Serves www/ and the built package (pkg/) from the simulator, loads the page as a user would, connects
// every card and checks what ends up on screen and on the wire.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, keepOnLoopback } from './chromium.mjs';

const require = createRequire(import.meta.url);
const { startSimulator, CREDENTIALS, IDS } = require('../simulator/index.js');
const fixtures = require('../simulator/fixtures.js');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots');
const WAIT = 30_000;
const VENDORS = ['arduino', 'particle', 'cthings', 'iotconnect'];

// What the simulator serves, read from its fixtures rather than repeated here.
const ARDUINO_PERSONAL = fixtures.arduino.things.filter((t) => !t.organization_id && !t.deleted_at);
const ARDUINO_HIDDEN = fixtures.arduino.things.filter((t) => t.organization_id || t.deleted_at);
const PARTICLE = fixtures.particle.devices;
const CTHINGS = fixtures.cthings.devices;
const IOTCONNECT_FIRST = [...fixtures.iotconnect.devices]
  .sort((a, b) => a.uniqueId.localeCompare(b.uniqueId))
  .slice(0, 20);
const SECRETS = [
  CREDENTIALS.arduino.clientSecret, CREDENTIALS.particle.password, CREDENTIALS.cthings.clientSecret,
  CREDENTIALS.iotconnect.password,
];

let sim;
let browser;
let context;
let page;
let offLoopback = []; // every request the pages tried to send anywhere but 127.0.0.1
const consoleErrors = [];
const pageErrors = [];

const card = (vendor) => page.locator(`.card[data-vendor="${vendor}"]`);
const rowIds = (vendor) => card(vendor).locator('tr[data-device-id]')
  .evaluateAll((rows) => rows.map((r) => r.dataset.deviceId));
const simGet = async (p) => (await fetch(`${sim.url}/__sim/${p}`)).json();

/** Waits until no card is idle or loading; returns each card's state and error text. */
async function settle(vendors) {
  await page.waitForFunction(
    (list) => list.every((v) => {
      const state = document.querySelector(`.card[data-vendor="${v}"]`).dataset.state;
      return state === 'ok' || state === 'error';
    }),
    vendors,
    { timeout: WAIT },
  );
  return page.evaluate((list) => Object.fromEntries(list.map((v) => {
    const el = document.querySelector(`.card[data-vendor="${v}"]`);
    return [v, { state: el.dataset.state, error: el.querySelector('.error').textContent }];
  })), vendors);
}

describe('demo page', { timeout: 180_000 }, () => {
  before(async () => {
    sim = await startSimulator({ port: 0, www: path.join(ROOT, 'www'), pkg: path.join(ROOT, 'pkg') });
    browser = await launchChromium({ viewport: { width: 1280, height: 800 }, timeout: WAIT });
    context = browser.context;
    offLoopback = await keepOnLoopback(context);
    page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(WAIT);
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(err));
  });

  after(async () => {
    try {
      // Also checked here, so that a run of a single test (--test-name-pattern) checks it too.
      assert.deepEqual(offLoopback, [], 'requests to hosts other than 127.0.0.1');
    } finally {
      await browser?.close();
      await sim?.close();
    }
  });

  test('loads, prefills the forms for the simulator and enables the buttons', async () => {
    const response = await page.goto(`${sim.url}/`);
    assert.equal(response.status(), 200);
    await page.waitForSelector('body[data-ready="true"]', { timeout: WAIT });
    assert.equal(await page.title(), 'iot-cloud-wasm demo');
    for (const vendor of VENDORS) assert.equal(await card(vendor).getAttribute('data-state'), 'idle');

    const arduinoForm = card('arduino').locator('form');
    assert.equal(await arduinoForm.locator('[name="baseUrl"]').inputValue(), `${sim.url}/arduino`);
    assert.equal(await arduinoForm.locator('[name="clientId"]').inputValue(), CREDENTIALS.arduino.clientId);
    assert.equal(await card('iotconnect').locator('[name="environment"]').inputValue(), CREDENTIALS.iotconnect.env);
    assert.deepEqual(
      (await card('cthings').locator('[name="devices"]').inputValue()).split('\n'),
      IDS.cthings.devices,
    );
    // Every secret sits in a password field.
    for (const [vendor, name] of [['arduino', 'clientSecret'], ['particle', 'password'],
      ['cthings', 'clientSecret'], ['iotconnect', 'password']]) {
      assert.equal(await card(vendor).locator(`[name="${name}"]`).getAttribute('type'), 'password', `${vendor} ${name}`);
    }
    assert.match(await page.locator('#package-status').textContent(), /WebAssembly module loaded/);
  });

  test('"Connect all" lists the devices of every cloud', async () => {
    await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
    await page.getByRole('button', { name: 'Connect all', exact: true }).click();
    let states;
    try {
      states = await settle(VENDORS);
    } finally {
      // Saved whatever happened, so a failure can be looked at.
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'demo.png'), fullPage: true });
    }
    for (const vendor of VENDORS) assert.equal(states[vendor].state, 'ok', `${vendor}: ${states[vendor].error}`);

    // Arduino: the things of the personal space, not the deleted one nor the organization's.
    const arduinoText = await card('arduino').locator('tbody').innerText();
    for (const thing of ARDUINO_PERSONAL) assert.ok(arduinoText.includes(thing.name), `${thing.name} shown`);
    for (const thing of ARDUINO_HIDDEN) assert.ok(!arduinoText.includes(thing.name), `${thing.name} not shown`);
    assert.deepEqual((await rowIds('arduino')).sort(), ARDUINO_PERSONAL.map((t) => t.id).sort());
    assert.match(await card('arduino').locator('.status').textContent(), new RegExp(`^${ARDUINO_PERSONAL.length} things · \\d+ ms`));

    // Particle: every device, with its online state.
    assert.deepEqual((await rowIds('particle')).sort(), PARTICLE.map((d) => d.id).sort());
    for (const device of PARTICLE) {
      const row = card('particle').locator(`tr[data-device-id="${device.id}"]`);
      assert.equal(await row.locator('td').first().textContent(), device.name);
      assert.equal(await row.locator('.pill').textContent(), device.online ? 'online' : 'offline');
    }
    assert.match(await card('particle').locator('.status').textContent(), new RegExp(`^${PARTICLE.length} devices · \\d+ ms`));

    // Particle: the live event log shows an event a device publishes after the stream opened.
    const events = card('particle').locator('.events');
    await events.locator('.events-status', { hasText: 'Listening' }).waitFor({ timeout: 10_000 });
    const published = await fetch(`${sim.url}/__sim/particle-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'demo/temperature', data: '21.5', deviceId: PARTICLE[0].id }),
    });
    assert.equal(published.status, 200);
    const first = events.locator('.event-log li').first();
    await first.waitFor({ timeout: 10_000 });
    assert.match(await first.textContent(), /^demo\/temperature 21\.5 /);

    // cThings: each id from the textarea, in order.
    assert.deepEqual(await rowIds('cthings'), IDS.cthings.devices);
    const cthingsNames = await card('cthings').locator('tbody tr td:first-child').allTextContents();
    assert.deepEqual(cthingsNames, IDS.cthings.devices.map((id) => CTHINGS.find((d) => d.id === id).name));

    // IoTConnect: all 250 devices counted (every page read by the iterator), the first 20 listed.
    const iotcStatus = await card('iotconnect').locator('.status').textContent();
    assert.match(iotcStatus, new RegExp(`^${IDS.iotconnect.deviceCount} devices · \\d+ ms`));
    assert.deepEqual(await rowIds('iotconnect'), IOTCONNECT_FIRST.map((d) => d.guid));
    const iotcNames = await card('iotconnect').locator('.table-wrap tbody tr td:first-child').allTextContents();
    assert.deepEqual(iotcNames, IOTCONNECT_FIRST.map((d) => d.displayName));

    // The same names are visible on the page (not merely in the DOM).
    for (const name of [...ARDUINO_PERSONAL, ...PARTICLE, ...CTHINGS].map((x) => x.name)) {
      assert.ok(await page.getByRole('cell', { name, exact: true }).isVisible(), `${name} visible`);
    }

    assert.deepEqual(pageErrors.map(String), []);
    assert.deepEqual(consoleErrors, []);
  });

  test('the browser sent tokens in Authorization headers only, never in a URL', async () => {
    const log = await simGet('requests');
    const tokens = new Set();
    const apiCalls = {
      arduino: /^\/arduino\/iot\/v2\/things$/,
      particle: /^\/particle\/v1\/devices$/,
      cthings: /^\/cthings\/v3\/device\//,
      iotconnect: /^\/iotconnect\/device\/api\/v2(\.1)?\/Device$/i,
    };
    for (const [vendor, pattern] of Object.entries(apiCalls)) {
      const calls = log.filter((r) => r.vendor === vendor && pattern.test(r.path));
      assert.ok(calls.length > 0, `${vendor}: an API call was made`);
      for (const call of calls) {
        assert.match(call.headers['user-agent'], /Chrome/, `${vendor}: sent by the browser`);
        const m = /^Bearer (\S+)$/.exec(call.headers.authorization ?? '');
        assert.ok(m, `${vendor} ${call.path}: Authorization: Bearer`);
        tokens.add(m[1]);
      }
    }
    assert.equal(log.filter((r) => apiCalls.cthings.test(r.path)).length, IDS.cthings.devices.length);
    assert.equal(log.filter((r) => apiCalls.iotconnect.test(r.path)).length, 3); // 250 devices, 100 a page

    for (const r of log) {
      const url = `${r.path}?${new URLSearchParams(Object.entries(r.query).flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((x) => [k, x])))}`;
      for (const key of Object.keys(r.query)) assert.doesNotMatch(key, /token|secret|password/i, url);
      for (const token of tokens) assert.ok(!url.includes(token), `no token in ${r.method} ${r.path}`);
      for (const secret of SECRETS) assert.ok(!url.includes(secret), `no secret in ${r.method} ${r.path}`);
    }
    assert.ok(!page.url().includes('?'), 'the page URL carries no form data');
  });

  test('IoTConnect: a device\'s latest telemetry, a command sent and acknowledged, another device selected', async () => {
    const iotc = card('iotconnect');
    const panel = iotc.locator('.device-panel');
    const first = IOTCONNECT_FIRST.find((d) => d.isConnected);
    await panel.locator('.telemetry tbody tr').first().waitFor({ timeout: WAIT });
    assert.ok(await panel.isVisible());
    assert.equal(await panel.locator('.device-name').textContent(), `${first.displayName} (${first.uniqueId})`);
    assert.equal(await iotc.locator(`tr[data-device-id="${first.guid}"]`).getAttribute('aria-selected'), 'true');
    const attributes = () => panel.locator('.telemetry tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.attribute));
    assert.deepEqual(await attributes(), ['temperature', 'humidity', 'battery', 'led']);
    const led = panel.locator('.telemetry tr[data-attribute="led"] td:nth-child(2)');
    assert.equal(await led.textContent(), '"off"');
    assert.match(await panel.locator('.telemetry tr[data-attribute="temperature"] td:nth-child(2)').textContent(), /^-?\d+(\.\d+)? °C$/);

    // The template's commands; LED "on" is sent, acknowledged, and the LED shows it.
    const options = await panel.locator('select[name="command"] option').allTextContents();
    assert.deepEqual(options, ['LED (led), takes a parameter', 'Reboot (reboot)']);
    await panel.locator('select[name="command"]').selectOption({ label: 'LED (led), takes a parameter' });
    await panel.locator('input[name="parameterValue"]').fill('on');
    await panel.getByRole('button', { name: 'Send' }).click();
    await panel.locator('.command-status', { hasText: 'acknowledged' }).waitFor({ timeout: WAIT });
    assert.equal(await panel.locator('.command-status').textContent(), `LED "on" to ${first.uniqueId}: acknowledged`);
    await panel.locator('.telemetry tr[data-attribute="led"] td:nth-child(2)', { hasText: 'on' }).waitFor({ timeout: WAIT });
    const sends = (await simGet('requests?vendor=iotconnect')).filter((r) => r.path.endsWith('/send'));
    assert.equal(sends.length, 1);
    assert.equal(sends[0].method, 'POST');
    assert.equal(sends[0].path, `/iotconnect/device/api/v2.1/template-command/device/${first.guid}/send`);
    const ledCommand = JSON.parse(sends[0].body);
    assert.equal(ledCommand.parameterValue, 'on');
    assert.match(sends[0].headers.authorization, /^Bearer /);
    assert.deepEqual((await simGet('iotconnect')).commands.map((c) => [c.uniqueId, c.command, c.parameterValue, c.ack]),
      [[first.uniqueId, 'led', 'on', true]]);

    // A missing parameter: the cloud's 400, shown in the panel.
    await panel.locator('input[name="parameterValue"]').fill('');
    await panel.getByRole('button', { name: 'Send' }).click();
    await panel.locator('.command-status[data-state="error"]').waitFor({ timeout: WAIT });
    assert.match(await panel.locator('.command-status').textContent(), /\b400\b.*Invalid request/);

    // Another device: an Asset Tracker, with its own attributes and commands.
    const tracker = IOTCONNECT_FIRST.find((d) => d.templateName === 'Asset Tracker');
    await iotc.locator(`tr[data-device-id="${tracker.guid}"] td`).first().click();
    await panel.locator('.telemetry tr[data-attribute="latitude"]').waitFor({ timeout: WAIT });
    assert.deepEqual(await attributes(), ['latitude', 'longitude', 'speed']);
    await panel.locator('select[name="command"] option', { hasText: 'Locate' }).waitFor({ state: 'attached', timeout: WAIT });
    assert.equal(await iotc.locator(`tr[data-device-id="${tracker.guid}"]`).getAttribute('aria-selected'), 'true');
    assert.equal(await iotc.locator(`tr[data-device-id="${first.guid}"]`).getAttribute('aria-selected'), 'false');
    assert.deepEqual(pageErrors.map(String), []);
  });

  test('a wrong Arduino secret shows the cloud\'s invalid_client error', async () => {
    await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
    const errorsBefore = consoleErrors.length;
    const arduino = card('arduino');
    await arduino.locator('[name="clientSecret"]').fill('not-the-secret');
    await arduino.locator('button[type="submit"]').click();
    const states = await settle(['arduino']);
    assert.equal(states.arduino.state, 'error');
    assert.match(states.arduino.error, /invalid_client/);
    assert.match(states.arduino.error, /\b401\b/);
    assert.ok(await arduino.locator('.error').isVisible());
    assert.equal(await arduino.locator('tr[data-device-id]').count(), 0);
    // The other cards keep their devices.
    for (const vendor of ['particle', 'cthings', 'iotconnect']) {
      assert.equal(await card(vendor).getAttribute('data-state'), 'ok');
    }

    const log = await simGet('requests?vendor=arduino');
    assert.deepEqual(log.map((r) => `${r.method} ${r.path}`), ['POST /arduino/iot/v1/clients/token']);
    assert.ok(!JSON.stringify(log.map((r) => [r.path, r.query])).includes('not-the-secret'));
    assert.deepEqual(pageErrors.map(String), []);
    // Chromium reports the failed token request itself; nothing else may show up.
    for (const text of consoleErrors.slice(errorsBefore)) {
      assert.match(text, /^Failed to load resource: the server responded with a status of 401/);
    }
  });

  test('a request to any host but 127.0.0.1 is stopped in the browser and recorded', async () => {
    // A separate tab, so that the demo page's console stays clean.
    const probe = await context.newPage();
    try {
      const urls = ['https://api2.arduino.cc/iot/v2/things', `http://localhost:${sim.port}/`];
      const outcomes = await probe.evaluate((list) => Promise.all(list.map((u) => fetch(u).then(
        (res) => `answered ${res.status}`,
        (err) => `failed: ${err.name}`,
      ))), urls);
      assert.deepEqual(outcomes, ['failed: TypeError', 'failed: TypeError']);
      assert.deepEqual(offLoopback, urls, 'both were caught by the route');
    } finally {
      await probe.close();
      offLoopback.length = 0; // the deliberate ones; the check below must still find nothing else
    }
    const log = await simGet('requests');
    assert.ok(!log.some((r) => r.headers.host?.startsWith('localhost')), 'the localhost request never arrived');
  });

  test('no page sent a request to a host other than 127.0.0.1', () => {
    assert.deepEqual(offLoopback, []);
  });
});
