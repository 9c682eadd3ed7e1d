// The demo page in headless Chromium, against the simulator: node --test tests/browser/demo.test.mjs
// Serves www/ and the built package (pkg/) from the simulator, loads the page as a user would, connects every
// card, opens a device of each cloud, and checks what ends up on screen and on the wire: device lists and
// paging, live readings, charts, commands reaching the simulator, event logs, Cancel, error texts, and the
// layout at phone width. Every run writes screenshots to target/screenshots/ (desktop 1280×800, phone 390×844).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { launchChromium, keepOnLoopback } from './chromium.mjs';

const require = createRequire(import.meta.url);
const { startSimulator, CREDENTIALS, IDS } = require('../simulator/index.js');
const fixtures = require('../simulator/fixtures.js');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = path.join(ROOT, 'target', 'screenshots');
const WAIT = 30_000;
const VENDORS = ['arduino', 'particle', 'cthings', 'iotconnect'];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const PAGE_SIZE = 10; // the page's IoTConnect page size

// What the simulator serves, read from its fixtures rather than repeated here.
const ARDUINO_PERSONAL = fixtures.arduino.things.filter((t) => !t.organization_id && !t.deleted_at);
const ARDUINO_HIDDEN = fixtures.arduino.things.filter((t) => t.organization_id || t.deleted_at);
const DESK_LAMP = fixtures.arduino.things.find((t) => t.id === IDS.arduino.things.deskLamp);
const BRIGHTNESS = DESK_LAMP.props.find((p) => p.variable === 'brightness');
const LAMP = DESK_LAMP.props.find((p) => p.variable === 'lamp');
const PARTICLE = fixtures.particle.devices;
const KITCHEN = PARTICLE.find((d) => d.id === IDS.particle.online);
const ATTIC = PARTICLE.find((d) => d.id === IDS.particle.offline);
const CTHINGS = fixtures.cthings.devices;
const IOTCONNECT = fixtures.iotconnect.devices;
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

const card = (vendor, p = page) => p.locator(`.card[data-vendor="${vendor}"]`);
const detailOf = (vendor, p = page) => card(vendor, p).locator('.detail');
const rowIds = (vendor, p = page) => card(vendor, p).locator('tr[data-device-id]')
  .evaluateAll((rows) => rows.map((r) => r.dataset.deviceId));
const simGet = async (p) => (await fetch(`${sim.url}/__sim/${p}`)).json();
const simPost = (p, body = {}, url = sim.url) => fetch(`${url}/__sim/${p}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});
const text = async (locator) => (await locator.textContent()).trim();

/** Saves a screenshot of a page (whole) or of an element. */
async function screenshot(name, target) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  if (typeof target.goto === 'function') await target.screenshot({ path: file, fullPage: true });
  else await target.screenshot({ path: file });
}

/** Waits until the cards are connected or failed; returns each card's state, status and error text. */
async function settle(vendors, p = page) {
  await p.waitForFunction(
    (list) => list.every((v) => ['ok', 'error'].includes(document.querySelector(`.card[data-vendor="${v}"]`).dataset.state)),
    vendors,
    { timeout: WAIT },
  );
  return p.evaluate((list) => Object.fromEntries(list.map((v) => {
    const el = document.querySelector(`.card[data-vendor="${v}"]`);
    return [v, {
      state: el.dataset.state,
      status: el.querySelector(':scope > .status').textContent,
      error: el.querySelector(':scope > .error').textContent,
    }];
  })), vendors);
}

/** Opens a card's settings, sets fields (name → value) and connects. */
async function reconnect(vendor, fields = {}, p = page) {
  const c = card(vendor, p);
  await c.locator('details.settings').evaluate((d) => { d.open = true; });
  for (const [name, value] of Object.entries(fields)) await c.locator(`[name="${name}"]`).fill(value);
  await c.locator('form.credentials button[type="submit"]').click();
}

/** Clicks a device in a card's list; resolves the open detail once its first readings are shown. */
async function openDevice(vendor, name, p = page) {
  await card(vendor, p).locator('.device-link', { hasText: new RegExp(`^${name}$`) }).click();
  const detail = detailOf(vendor, p);
  await detail.locator('.detail-name', { hasText: name }).waitFor();
  await detail.locator('.reading').first().waitFor({ timeout: WAIT });
  return detail;
}

const reading = (detail, name) => detail.locator(`.reading[data-name="${name}"] .r-value`);
const chartPoints = (detail) => detail.locator('svg.chart .chart-points circle');

/** The chart's line, checked to be drawn through at least `n` points; returns its number of points. */
async function chartLine(detail, n) {
  await detail.page().waitForFunction(([el, count]) => {
    const d = el.querySelector('svg.chart .chart-line')?.getAttribute('d') ?? '';
    return (d.match(/[ML]/g) ?? []).length >= count;
  }, [await detail.elementHandle(), n], { timeout: WAIT });
  const d = await detail.locator('svg.chart .chart-line').getAttribute('d');
  assert.match(d, /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+$/);
  const ticks = await detail.locator('svg.chart .chart-tick').allTextContents();
  assert.ok(ticks.length >= 4, `axis labels: ${ticks}`);
  return d.match(/[ML]/g).length;
}

/** Waits until the simulator has logged `n` requests of `vendor` that `match`. */
async function waitForRequests(vendor, match, n) {
  const deadline = Date.now() + WAIT;
  while ((await simGet(`requests?vendor=${vendor}`)).filter(match).length < n) {
    assert.ok(Date.now() < deadline, `${n} requests of ${vendor} in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A token from the simulator's Arduino, to change a property as a device would. */
async function arduinoPublish(thingId, propertyId, value) {
  const token = await fetch(`${sim.url}/arduino/iot/v1/clients/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: CREDENTIALS.arduino.clientId,
      client_secret: CREDENTIALS.arduino.clientSecret, audience: 'https://api2.arduino.cc/iot',
    }),
  }).then((r) => r.json());
  const res = await fetch(`${sim.url}/arduino/iot/v2/things/${thingId}/properties/${propertyId}/publish`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ value }),
  });
  assert.equal(res.status, 200);
}

/** A port nothing listens on. */
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Fails when the page or any card in it is wider than its box (something cut off or scrolling sideways). */
async function assertNoOverflow(p, where) {
  const { widths, outside } = await p.evaluate(() => {
    const widths = [['body', document.body.scrollWidth, document.body.clientWidth],
      ['html', document.documentElement.scrollWidth, document.documentElement.clientWidth]];
    const outside = [];
    const within = (name, r, frame) => {
      if (r.width && (r.right > frame.right + 0.5 || r.left < frame.left - 0.5)) {
        outside.push(`${name} spans ${Math.round(r.left)}…${Math.round(r.right)} px, outside ${Math.round(frame.left)}…${Math.round(frame.right)} px`);
      }
    };
    for (const c of document.querySelectorAll('.card')) {
      widths.push([c.dataset.vendor, c.scrollWidth, c.clientWidth]);
      const box = c.getBoundingClientRect();
      // Every status pill and reading inside its card.
      for (const el of c.querySelectorAll('.pill, .reading, .device-link, svg.chart, .pager button')) {
        within(`${c.dataset.vendor} ${el.className.baseVal ?? el.className}`, el.getBoundingClientRect(), box);
      }
      // Every axis label whole inside its chart.
      for (const chart of c.querySelectorAll('svg.chart')) {
        const frame = chart.getBoundingClientRect();
        for (const label of chart.querySelectorAll('text.chart-tick')) {
          within(`${c.dataset.vendor} chart label "${label.textContent}"`, label.getBoundingClientRect(), frame);
        }
      }
    }
    return { widths, outside };
  });
  for (const [name, scroll, client] of widths) {
    assert.ok(scroll <= client, `${where}: ${name} is ${scroll} px wide in ${client} px`);
  }
  assert.deepEqual(outside, [], `${where}: cut off`);
}

describe('demo page', { timeout: 300_000 }, () => {
  before(async () => {
    sim = await startSimulator({ port: 0, www: path.join(ROOT, 'www'), pkg: path.join(ROOT, 'pkg') });
    browser = await launchChromium({ viewport: DESKTOP, timeout: WAIT });
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
    assert.deepEqual((await card('cthings').locator('[name="devices"]').inputValue()).split('\n'), IDS.cthings.devices);
    // Every secret sits in a password field.
    for (const [vendor, name] of [['arduino', 'clientSecret'], ['particle', 'password'],
      ['cthings', 'clientSecret'], ['iotconnect', 'password']]) {
      assert.equal(await card(vendor).locator(`[name="${name}"]`).getAttribute('type'), 'password', `${vendor} ${name}`);
    }
    assert.match(await page.locator('#package-status').textContent(), /WebAssembly module loaded/);
  });

  test('"Connect all" lists every cloud\'s devices with their online status, all rows visible', async () => {
    await simPost('reset');
    await page.getByRole('button', { name: 'Connect all', exact: true }).click();
    let states;
    try {
      states = await settle(VENDORS);
      // IoTConnect counts its devices in the background, page by page.
      await card('iotconnect').locator('.status', { hasText: /^250 devices/ }).waitFor({ timeout: WAIT });
    } finally {
      await screenshot('desktop-overview', page); // whatever happened, so that a failure can be looked at
    }
    for (const vendor of VENDORS) assert.equal(states[vendor].state, 'ok', `${vendor}: ${states[vendor].error}`);
    // The settings fold away once connected.
    for (const vendor of VENDORS) assert.equal(await card(vendor).locator('details.settings').getAttribute('open'), null);

    // Arduino: the things of the personal space, each with its device's online status and last activity.
    const arduinoText = await card('arduino').locator('tbody').innerText();
    for (const thing of ARDUINO_HIDDEN) assert.ok(!arduinoText.includes(thing.name), `${thing.name} not shown`);
    assert.deepEqual((await rowIds('arduino')).sort(), ARDUINO_PERSONAL.map((t) => t.id).sort());
    for (const thing of ARDUINO_PERSONAL) {
      const row = card('arduino').locator(`tr[data-device-id="${thing.id}"]`);
      assert.equal(await text(row.locator('.device-link')), thing.name);
      assert.equal(await text(row.locator('.pill')), 'online');
      assert.match(await text(row.locator('.seen')), /^seen /);
    }
    assert.doesNotMatch(arduinoText, /propert/);
    assert.match(states.arduino.status, new RegExp(`^${ARDUINO_PERSONAL.length} things · \\d+ ms$`));

    // Particle: every device, online or offline.
    assert.deepEqual((await rowIds('particle')).sort(), PARTICLE.map((d) => d.id).sort());
    for (const device of PARTICLE) {
      const row = card('particle').locator(`tr[data-device-id="${device.id}"]`);
      assert.equal(await text(row.locator('.device-link')), device.name);
      assert.equal(await text(row.locator('.pill')), device.online ? 'online' : 'offline');
    }
    assert.match(states.particle.status, new RegExp(`^${PARTICLE.length} devices · \\d+ ms$`));

    // cThings: each id from the textarea, in order; the count matches the rows and nothing is an error.
    assert.deepEqual(await rowIds('cthings'), IDS.cthings.devices);
    assert.deepEqual(await card('cthings').locator('.device-link').allTextContents(),
      IDS.cthings.devices.map((id) => CTHINGS.find((d) => d.id === id).name));
    assert.deepEqual(await card('cthings').locator('.pill').allTextContents(),
      IDS.cthings.devices.map((id) => (CTHINGS.find((d) => d.id === id).connection.status ? 'online' : 'offline')));
    assert.match(states.cthings.status, new RegExp(`^${CTHINGS.length} devices · \\d+ ms$`));
    assert.equal(states.cthings.error, '');

    // IoTConnect: the first page of 10, a visible count of all 250, and pages to go through.
    assert.deepEqual(await rowIds('iotconnect'), IOTCONNECT.slice(0, PAGE_SIZE).map((d) => d.guid));
    assert.deepEqual(await card('iotconnect').locator('.pill').allTextContents(),
      IOTCONNECT.slice(0, PAGE_SIZE).map((d) => (d.isConnected ? 'online' : 'offline')));
    assert.equal(await text(card('iotconnect').locator('.page-info')), '1–10 of 250 · page 1 of 25');
    assert.ok(await card('iotconnect').getByRole('button', { name: 'Previous page' }).isDisabled());
    assert.ok(await card('iotconnect').getByRole('button', { name: 'Next page' }).isEnabled());

    // No hidden rows: every row is on the page and no list scrolls inside its card.
    for (const vendor of VENDORS) {
      for (const row of await card(vendor).locator('tr[data-device-id]').all()) assert.ok(await row.isVisible());
      const [scroll, client] = await card(vendor).locator('.devices').evaluate((e) => [e.scrollHeight, e.clientHeight]);
      assert.ok(scroll <= client, `${vendor}: the list scrolls (${scroll} in ${client})`);
    }
    assert.deepEqual(pageErrors.map(String), []);
    assert.deepEqual(consoleErrors, []);
  });

  test('the browser sent tokens in Authorization headers only, never in a URL', async () => {
    const log = await simGet('requests');
    const tokens = new Set();
    const apiCalls = {
      arduino: /^\/arduino\/iot\/v2\/(things|devices)$/,
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
    // IoTConnect: the first page (10), then the count (250 devices, 100 a page).
    const pages = log.filter((r) => apiCalls.iotconnect.test(r.path)).map((r) => `${r.query.pageNumber}/${r.query.pageSize}`);
    assert.deepEqual(pages, ['1/10', '1/100', '2/100', '3/100']);

    for (const r of log) {
      const url = `${r.path}?${r.rawQuery}`;
      for (const key of Object.keys(r.query)) assert.doesNotMatch(key, /token|secret|password/i, url);
      for (const token of tokens) assert.ok(!url.includes(token), `no token in ${r.method} ${r.path}`);
      for (const secret of SECRETS) assert.ok(!url.includes(secret), `no secret in ${r.method} ${r.path}`);
    }
    assert.ok(!page.url().includes('?'), 'the page URL carries no form data');
  });

  test('IoTConnect: next and previous pages, each read from the cloud, with the count', async () => {
    await fetch(`${sim.url}/__sim/requests`, { method: 'DELETE' });
    const iotc = card('iotconnect');
    const next = iotc.getByRole('button', { name: 'Next page' });
    const prev = iotc.getByRole('button', { name: 'Previous page' });
    await next.click();
    await iotc.locator('.page-info', { hasText: '11–20 of 250 · page 2 of 25' }).waitFor();
    assert.deepEqual(await rowIds('iotconnect'), IOTCONNECT.slice(10, 20).map((d) => d.guid));
    assert.ok(await prev.isEnabled());
    await next.click();
    await iotc.locator('.page-info', { hasText: '21–30 of 250 · page 3 of 25' }).waitFor();
    assert.deepEqual(await iotc.locator('.device-link').allTextContents(), IOTCONNECT.slice(20, 30).map((d) => d.displayName));
    await prev.click();
    await prev.click();
    await iotc.locator('.page-info', { hasText: '1–10 of 250 · page 1 of 25' }).waitFor();
    assert.deepEqual(await rowIds('iotconnect'), IOTCONNECT.slice(0, 10).map((d) => d.guid));
    assert.ok(await prev.isDisabled());
    const asked = (await simGet('requests?vendor=iotconnect')).filter((r) => /\/Device$/i.test(r.path))
      .map((r) => `${r.query.pageNumber}/${r.query.pageSize}`);
    // The second Previous counts from the page the first one is loading (2) and cancels that load, before or
    // after its request went.
    assert.match(asked.join(' '), /^2\/10 3\/10 (2\/10 )?1\/10$/);
  });

  test('Arduino: a thing\'s readings, a chart from its history, a property written, changes seen live', async () => {
    const weather = await openDevice('arduino', 'Weather Station');
    assert.deepEqual(await weather.locator('.reading .r-name').allTextContents(), ['temperature', 'humidity', 'status']);
    assert.match(await text(reading(weather, 'temperature')), /^-?\d+(\.\d+)?$/);
    assert.equal(await text(reading(weather, 'status')), 'ok');
    // The chart: temperature's last 10 reports from history(), drawn with axes.
    assert.equal(await weather.locator('.chart-select').inputValue(), 'temperature');
    assert.ok(await chartLine(weather, 10) >= 10);
    assert.ok(await chartPoints(weather).count() >= 10);
    assert.match(await text(weather.locator('.chart-source')), /^history\(\): 10 values of the last hour/);
    assert.match(await weather.locator('svg.chart').getAttribute('aria-label'), /^Chart of temperature: \d+ values/);
    await weather.locator('.command-note', { hasText: 'This thing has no writable properties.' }).waitFor();
    // Another reading charted.
    await weather.locator('.chart-select').selectOption('humidity');
    await weather.locator('.chart-source', { hasText: /^history\(\): 10 values/ }).waitFor();
    await chartLine(weather, 10);

    // Desk Lamp: write brightness through the page.
    await fetch(`${sim.url}/__sim/requests`, { method: 'DELETE' });
    const lamp = await openDevice('arduino', 'Desk Lamp');
    assert.equal(await card('arduino').locator('.detail').count(), 1, 'one device open at a time');
    assert.equal(await text(lamp.locator('.detail-name')), 'Desk Lamp');
    assert.equal(await card('arduino').locator(`tr[data-device-id="${DESK_LAMP.id}"]`).getAttribute('aria-selected'), 'true');
    assert.equal(await text(lamp.locator('.command-title')), 'Write a property');
    // Polled events report changes from the first poll on: the write comes after it reached the cloud (three
    // reads of the properties on opening: the readings, the writable ones, the event poll's first).
    await waitForRequests('arduino', (r) => r.method === 'GET' && r.path.endsWith(`/things/${DESK_LAMP.id}/properties`), 3);
    const form = lamp.locator('form.command');
    await form.waitFor();
    assert.deepEqual(await form.locator('select[name="name"] option').allTextContents(), ['lamp (BOOL)', 'brightness (INT)']);
    await form.locator('select[name="name"]').selectOption('brightness');
    await form.locator('input[name="arg"]').fill('42');
    await form.getByRole('button', { name: 'Write' }).click();
    await lamp.locator('.command-status', { hasText: 'brightness = 42 written' }).waitFor();
    await reading(lamp, 'brightness').filter({ hasText: /^42$/ }).waitFor();
    const publishes = (await simGet('requests?vendor=arduino')).filter((r) => r.path.endsWith('/publish'));
    assert.deepEqual(publishes.map((r) => [r.method, r.path, JSON.parse(r.body)]),
      [['PUT', `/arduino/iot/v2/things/${DESK_LAMP.id}/properties/${BRIGHTNESS.id}/publish`, { value: 42 }]]);

    // The lamp is switched off elsewhere (as by its device): the reading and the event log follow.
    assert.equal(await text(reading(lamp, 'lamp')), 'true');
    await arduinoPublish(DESK_LAMP.id, LAMP.id, false);
    await reading(lamp, 'lamp').filter({ hasText: /^false$/ }).waitFor({ timeout: 10_000 });
    const events = lamp.locator('.event-log li');
    await events.filter({ hasText: /lamp false$/ }).waitFor({ timeout: 10_000 });
    await events.filter({ hasText: /brightness 42$/ }).waitFor({ timeout: 10_000 });
    assert.match(await text(lamp.locator('.events-kind')), /changed readings, polled/);
    // brightness now has two values (the fixture's and 42): a line.
    await lamp.locator('.chart-select').selectOption('brightness');
    await chartLine(lamp, 2);
    await screenshot('desktop-arduino-detail', card('arduino'));
    assert.deepEqual(pageErrors.map(String), []);
  });

  test('Particle: variables read live, a chart of the values read, a function called, the event stream', async () => {
    await fetch(`${sim.url}/__sim/requests`, { method: 'DELETE' });
    const kitchen = await openDevice('particle', KITCHEN.name);
    assert.deepEqual(await kitchen.locator('.reading .r-name').allTextContents(), Object.keys(KITCHEN.variables));
    assert.equal(await text(kitchen.locator('.live-note')), 'live · every 2 s');
    // Read again every 2 s: the reading times move on.
    const firstTime = await text(kitchen.locator('.reading[data-name="temperature"] .r-time'));
    await kitchen.locator('.reading[data-name="temperature"] .r-time').filter({ hasNotText: firstTime }).waitFor({ timeout: 10_000 });
    // No history of variables: the chart grows from the values read.
    assert.match(await text(kitchen.locator('.chart-source')), /^history\(\) has no values of the last hour; the chart shows each new value read/);
    assert.ok(await chartLine(kitchen, 2) >= 2);
    const variableReads = (await simGet('requests?vendor=particle')).filter((r) => r.path === `/particle/v1/devices/${KITCHEN.id}/temperature`);
    assert.ok(variableReads.length >= 2, 'temperature read at least twice');

    // A function call: led("on") reaches the device and returns 1.
    assert.equal(await text(kitchen.locator('.command-title')), 'Call a function');
    const form = kitchen.locator('form.command');
    assert.deepEqual(await form.locator('select[name="name"] option').allTextContents(), KITCHEN.functions.map((f) => `${f}()`));
    await form.locator('input[name="arg"]').fill('on');
    await form.getByRole('button', { name: 'Call' }).click();
    await kitchen.locator('.command-status', { hasText: 'led("on") returned 1' }).waitFor();
    const calls = (await simGet('requests?vendor=particle')).filter((r) => r.path === `/particle/v1/devices/${KITCHEN.id}/led`);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].method, 'POST');
    assert.match(calls[0].body, /\bon\b/);

    // The event stream of this device: an event it publishes shows up at once.
    await kitchen.locator('.events-kind', { hasText: 'live stream' }).waitFor();
    const deadline = Date.now() + 10_000;
    while ((await simGet('stats')).particleStreams.open < 1) {
      assert.ok(Date.now() < deadline, 'the event stream was opened');
      await new Promise((r) => setTimeout(r, 100));
    }
    const published = await simPost('particle-events', { name: 'demo/temperature', data: '21.5', deviceId: KITCHEN.id });
    assert.equal(published.status, 200);
    const first = kitchen.locator('.event-log li').first();
    await first.waitFor({ timeout: 10_000 });
    assert.match(await text(first), /^\d\d:\d\d:\d\d demo\/temperature 21\.5$/);
    assert.equal(await text(kitchen.locator('.events-status')), '1 event since the device was opened.');
    await screenshot('desktop-particle-detail', card('particle'));

    // The offline device: its variables cannot be read, and the page says why.
    const attic = detailOf('particle');
    await card('particle').locator('.device-link', { hasText: ATTIC.name }).click();
    await attic.locator('.detail-error').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal(await text(attic.locator('.detail-error')),
      'The device did not answer (408): timed out — the device is offline; it answers once it is back Try again');
    assert.equal(await text(attic.locator('.pill')), 'offline');
    assert.equal(await text(attic.locator('.live-note')), 'stopped');
    assert.ok(await attic.getByRole('button', { name: 'Try again' }).isVisible());
    assert.deepEqual(pageErrors.map(String), []);
  });

  test('cThings: the device\'s connection; no history or commands, shown as such and not as errors', async () => {
    const boiler = await openDevice('cthings', 'Boiler Room Sensor');
    assert.deepEqual(await boiler.locator('.reading .r-name').allTextContents(), ['status', 'lastConnected', 'signalStrength', 'route']);
    assert.equal(await text(reading(boiler, 'status')), 'true');
    assert.equal(await text(reading(boiler, 'signalStrength')), '-71.5');
    assert.match(await text(boiler.locator('.chart-source')), /^History: not supported by cThings\. The chart shows each new value read/);
    assert.equal(await text(boiler.locator('.command-note')),
      'Not supported by cThings: its API has no commands (capabilities().command is false).');
    assert.ok(await boiler.locator('.command-note.unsupported').isVisible());
    assert.equal(await boiler.locator('form.command').isVisible(), false);
    assert.equal(await boiler.locator('.detail-error').isVisible(), false);
    assert.equal(await card('cthings').getAttribute('data-state'), 'ok');
    assert.match(await text(boiler.locator('.events-status')), /^No events yet/);
    await screenshot('desktop-cthings-detail', card('cthings'));
  });

  test('IoTConnect: latest telemetry, a chart from the attribute history, a command acknowledged', async () => {
    const device = IOTCONNECT[0]; // connected, an Environment Sensor
    await fetch(`${sim.url}/__sim/requests`, { method: 'DELETE' });
    const detail = await openDevice('iotconnect', device.displayName);
    assert.deepEqual(await detail.locator('.reading .r-name').allTextContents(), ['temperature', 'humidity', 'battery', 'led']);
    assert.equal(await text(reading(detail, 'led')), 'off');
    // An hour of history, one value a minute.
    await detail.locator('.chart-source', { hasText: /^history\(\): \d+ values of the last hour/ }).waitFor();
    assert.ok(await chartLine(detail, 50) >= 50);
    const history = (await simGet('requests?vendor=iotconnect')).filter((r) => r.path.includes('/attribute-history/'));
    assert.equal(history.length, 1);
    assert.match(history[0].path, new RegExp(`/device/${device.uniqueId}/from/`));

    // The template's commands; led "on" is sent, acknowledged, and the reading and the event log show it.
    assert.equal(await text(detail.locator('.command-title')), 'Send a command');
    const form = detail.locator('form.command');
    await form.waitFor();
    assert.deepEqual(await form.locator('select[name="name"] option').allTextContents(), ['led', 'reboot']);
    // After the event poll's first read (the readings' and its own), so that it sees the change.
    await waitForRequests('iotconnect', (r) => r.path.endsWith(`/Telemetry/device/${device.guid}`), 2);
    await form.locator('input[name="arg"]').fill('on');
    await form.getByRole('button', { name: 'Send' }).click();
    await detail.locator('.command-status', { hasText: `led "on" to ${device.displayName}: acknowledged` }).waitFor();
    await reading(detail, 'led').filter({ hasText: /^on$/ }).waitFor();
    await detail.locator('.event-log li', { hasText: /led on$/ }).waitFor({ timeout: 10_000 });
    const sends = (await simGet('requests?vendor=iotconnect')).filter((r) => r.path.endsWith('/send'));
    assert.deepEqual(sends.map((r) => [r.method, r.path]), [['POST', `/iotconnect/device/api/v2.1/template-command/device/${device.guid}/send`]]);
    assert.equal(JSON.parse(sends[0].body).parameterValue, 'on');
    assert.deepEqual((await simGet('iotconnect')).commands.map((c) => [c.uniqueId, c.command, c.parameterValue, c.ack]),
      [[device.uniqueId, 'led', 'on', true]]);

    // Reboot takes no parameter; led without one is refused, and the page says what is missing.
    await form.locator('select[name="name"]').selectOption('reboot');
    assert.equal(await form.locator('.arg').isVisible(), false);
    await form.locator('select[name="name"]').selectOption('led');
    await form.locator('input[name="arg"]').fill('');
    await form.getByRole('button', { name: 'Send' }).click();
    await detail.locator('.command-status[data-state="error"]').waitFor();
    assert.equal(await text(detail.locator('.command-status')), 'Bad request (400): Invalid request — LED needs a parameter value');
    await screenshot('desktop-iotconnect-detail', card('iotconnect'));
    assert.deepEqual(pageErrors.map(String), []);
  });

  test('Cancel stops a hung connect, a hung first read and a hung command', async () => {
    // Connecting: the token request never answers.
    await simPost('faults', { vendor: 'arduino', match: '/clients/token', kind: 'hang' });
    await reconnect('arduino');
    const arduino = card('arduino');
    const cancel = arduino.locator(':scope > .activity .cancel');
    await cancel.waitFor({ state: 'visible' });
    assert.equal(await text(arduino.locator(':scope > .activity .activity-text')), 'Connecting…');
    assert.equal(await arduino.getAttribute('data-state'), 'loading');
    await cancel.click();
    await arduino.locator(':scope > .status', { hasText: 'Connecting was cancelled.' }).waitFor();
    assert.equal(await arduino.getAttribute('data-state'), 'idle');
    assert.equal(await cancel.isVisible(), false);
    assert.equal(await arduino.locator(':scope > .error').isVisible(), false);
    // The fault is used up: connecting again works.
    await reconnect('arduino');
    assert.equal((await settle(['arduino'])).arduino.state, 'ok');

    // A device's first read: one variable never answers.
    await fetch(`${sim.url}/__sim/requests`, { method: 'DELETE' });
    await simPost('faults', { vendor: 'particle', match: `/devices/${KITCHEN.id}/humidity`, kind: 'hang' });
    await card('particle').locator('.device-link', { hasText: KITCHEN.name }).click();
    const kitchen = detailOf('particle');
    const readCancel = kitchen.locator(':scope > .activity .cancel');
    await readCancel.waitFor({ state: 'visible' });
    // The read asks for the variables one after the other: cancelled once the hung one was asked for.
    await waitForRequests('particle', (r) => r.path.endsWith(`/devices/${KITCHEN.id}/humidity`), 1);
    assert.equal(await text(kitchen.locator(':scope > .activity .activity-text')), `Reading ${KITCHEN.name}…`);
    await readCancel.click();
    await kitchen.locator('.detail-error', { hasText: 'Reading was cancelled.' }).waitFor();
    await kitchen.getByRole('button', { name: 'Try again' }).click();
    await kitchen.locator('.reading').first().waitFor();
    assert.equal(await kitchen.locator('.detail-error').isVisible(), false);

    // A command: the cloud never answers the send.
    const iotc = detailOf('iotconnect');
    await fetch(`${sim.url}/__sim/requests`, { method: 'DELETE' });
    await simPost('faults', { vendor: 'iotconnect', match: '/send', kind: 'hang' });
    await iotc.locator('form.command select[name="name"]').selectOption('led');
    await iotc.locator('form.command input[name="arg"]').fill('off');
    await iotc.locator('form.command').getByRole('button', { name: 'Send' }).click();
    const sendCancel = iotc.locator('.command-block .activity .cancel');
    await sendCancel.waitFor({ state: 'visible' });
    // The command is looked up first: cancelled once the send was asked for.
    await waitForRequests('iotconnect', (r) => r.path.endsWith('/send'), 1);
    assert.equal(await text(iotc.locator('.command-block .activity-text')), 'Sending led…');
    await sendCancel.click();
    await iotc.locator('.command-status', { hasText: 'Cancelled — the command may still have reached the device.' }).waitFor();
    assert.ok(await iotc.locator('form.command button[type="submit"]').isEnabled());
    assert.equal(await sendCancel.isVisible(), false);
    assert.deepEqual(pageErrors.map(String), []);
  });

  test('errors say what to do: bad credentials, wrong URLs (404, 405), an unknown device, an unreachable or stopped cloud, a 502', async () => {
    await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' });
    const once = (s, what) => assert.equal(s.split(what).length, 2, `"${what}" once in "${s}"`);

    // Arduino, a wrong secret.
    await fetch(`${sim.url}/__sim/requests`, { method: 'DELETE' });
    await reconnect('arduino', { clientSecret: 'not-the-secret' });
    let s = (await settle(['arduino'])).arduino;
    assert.equal(s.state, 'error');
    assert.equal(s.error, 'Login refused (401): Invalid client credentials — check the client ID and secret');
    once(s.error, '401');
    assert.equal(await card('arduino').locator('tr[data-device-id]').count(), 0);
    const log = await simGet('requests?vendor=arduino');
    assert.deepEqual(log.map((r) => `${r.method} ${r.path}`), ['POST /arduino/iot/v1/clients/token']);
    assert.ok(!JSON.stringify(log.map((r) => [r.path, r.query])).includes('not-the-secret'));
    for (const vendor of ['particle', 'cthings', 'iotconnect']) assert.equal(await card(vendor).getAttribute('data-state'), 'ok');

    // Arduino, a base URL where there is no API (this page's server, which takes no POST): 405.
    await reconnect('arduino', { clientSecret: CREDENTIALS.arduino.clientSecret, baseUrl: `${sim.url}/nope` });
    s = (await settle(['arduino'])).arduino;
    assert.equal(s.error, `Method not allowed (405) — check the base URL (${sim.url}/nope)`);

    // Particle, a wrong password.
    await reconnect('particle', { password: 'not-the-password' });
    s = (await settle(['particle'])).particle;
    assert.equal(s.error, 'Login refused (400): User credentials are invalid — check the username and password');

    // cThings, a wrong API base URL (404), then a device id it does not know.
    await reconnect('cthings', { baseUrl: `${sim.url}/nope` });
    s = (await settle(['cthings'])).cthings;
    assert.equal(s.error, `Not found (404) — check the base URL (${sim.url}/nope)`);
    await reconnect('cthings', { baseUrl: `${sim.url}/cthings`, devices: `${IDS.cthings.devices[0]}\n00000000-0000-4000-8000-000000000000` });
    s = (await settle(['cthings'])).cthings;
    assert.equal(s.error, 'Not found (404): Device not found — check the device IDs');
    assert.equal(await card('cthings').locator('tr[data-device-id]').count(), 0);

    // cThings, nothing listening there.
    const port = await closedPort();
    await reconnect('cthings', { authUrl: `http://127.0.0.1:${port}/cthings-auth`, baseUrl: `http://127.0.0.1:${port}/cthings` });
    s = (await settle(['cthings'])).cthings;
    assert.equal(s.error, `Cannot reach http://127.0.0.1:${port} — is make demo still running?`);
    assert.equal(await text(card('cthings').locator(':scope > .error code')), 'make demo');

    // IoTConnect, a cloud that stops while a device is open (make demo ended).
    const other = await startSimulator({ port: 0 });
    let running = true;
    try {
      await reconnect('iotconnect', { discoveryUrl: `${other.url}/iotconnect-discovery` });
      assert.equal((await settle(['iotconnect'])).iotconnect.state, 'ok');
      const detail = await openDevice('iotconnect', IOTCONNECT[1].displayName);
      await other.close();
      running = false;
      await detail.locator('.detail-error', { hasText: 'Cannot reach' }).waitFor({ timeout: WAIT });
      assert.equal(await text(detail.locator('.detail-error')),
        `Cannot reach ${other.url} — is make demo still running? Try again`);
    } finally {
      if (running) await other.close();
    }

    // IoTConnect, a gateway answering 502 with an HTML page (retried, then shown).
    await simPost('faults', { vendor: 'iotconnect-discovery', kind: 'html502', times: 5 });
    await reconnect('iotconnect', { discoveryUrl: `${sim.url}/iotconnect-discovery` });
    s = (await settle(['iotconnect'])).iotconnect;
    assert.equal(s.error, 'Bad gateway (502) — the cloud, or a gateway in front of it, failed; try again in a moment');
    await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' });
    await screenshot('desktop-error', page);

    // Every error line shows its status once, never a bare code.
    for (const vendor of VENDORS) {
      const error = await text(card(vendor).locator(':scope > .error'));
      assert.doesNotMatch(error, /http_\d+|HTTP \d+/, error);
    }
    assert.deepEqual(pageErrors.map(String), []);
    // Chromium reports the failed requests themselves; nothing else may show up.
    for (const line of consoleErrors) assert.match(line, /^Failed to load resource/);
  });

  test('at phone width nothing is cut off and nothing scrolls sideways; screenshots', async () => {
    await simPost('reset');
    const phone = await context.newPage();
    const errors = [];
    phone.on('pageerror', (err) => errors.push(err));
    try {
      await phone.setViewportSize(PHONE);
      phone.setDefaultTimeout(WAIT);
      await phone.goto(`${sim.url}/`);
      await phone.waitForSelector('body[data-ready="true"]');
      await assertNoOverflow(phone, 'before connecting');
      await phone.getByRole('button', { name: 'Connect all', exact: true }).click();
      const states = await settle(VENDORS, phone);
      for (const vendor of VENDORS) assert.equal(states[vendor].state, 'ok', `${vendor}: ${states[vendor].error}`);
      await card('iotconnect', phone).locator('.status', { hasText: /^250 devices/ }).waitFor();
      await assertNoOverflow(phone, 'device lists');
      await screenshot('phone-overview', phone);

      const open = { arduino: 'Weather Station', particle: KITCHEN.name, cthings: 'Boiler Room Sensor', iotconnect: IOTCONNECT[0].displayName };
      for (const [vendor, name] of Object.entries(open)) await openDevice(vendor, name, phone);
      await chartLine(detailOf('arduino', phone), 10);
      await chartLine(detailOf('iotconnect', phone), 50);
      await chartLine(detailOf('particle', phone), 2);
      await detailOf('iotconnect', phone).locator('form.command').waitFor();
      await assertNoOverflow(phone, 'devices open');
      for (const vendor of VENDORS) await screenshot(`phone-${vendor}-detail`, card(vendor, phone));

      // Dark mode: the page's colours follow the system's.
      await phone.emulateMedia({ colorScheme: 'dark' });
      const background = await phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, 'rgb(20, 22, 28)');
      await screenshot('phone-dark-iotconnect-detail', card('iotconnect', phone));
      await phone.emulateMedia({ colorScheme: 'light' });

      // An error state on a phone.
      await reconnect('arduino', { clientSecret: 'not-the-secret' }, phone);
      assert.equal((await settle(['arduino'], phone)).arduino.error,
        'Login refused (401): Invalid client credentials — check the client ID and secret');
      await assertNoOverflow(phone, 'an error');
      await screenshot('phone-error', card('arduino', phone));
      assert.deepEqual(errors.map(String), []);
    } finally {
      await phone.close();
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
