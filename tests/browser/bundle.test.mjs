// The package as a bundler sees it, and the browser entry's loading rules, in headless Chromium against the
// simulator: node --test tests/browser/
//
// 1. A small app (fixtures/bundle/app.mjs) imports 'iot-cloud-wasm' by name and is bundled with esbuild for
//    the browser, resolving the package installed in target/consumers/esm. The output is served by the
//    simulator and the page must list the devices of all four clouds.
// 2. The browser entry (pkg/browser.mjs, served at /pkg/) loads the wasm lazily: clients made before it is
//    loaded, bad options before and after loading, a failed load that must not stick, and the
//    `IotApi.ApiClient.instance` style of the official Arduino client.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchChromium, keepOnLoopback } from './chromium.mjs';

const require = createRequire(import.meta.url);
const { startSimulator, CREDENTIALS, IDS } = require('../simulator/index.js');
const fixtures = require('../simulator/fixtures.js');

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const CONSUMER_MODULES = path.join(ROOT, 'target', 'consumers', 'esm', 'node_modules');
const INSTALLED = path.join(CONSUMER_MODULES, 'iot-cloud-wasm');
const WAIT = 30_000;
const VENDORS = ['arduino', 'particle', 'cthings', 'iotconnect'];

// What the simulator serves, taken from its fixtures.
const ARDUINO_PERSONAL = fixtures.arduino.things.filter((t) => !t.organization_id && !t.deleted_at);
const WEATHER_STATION = fixtures.arduino.things.find((t) => t.id === IDS.arduino.things.weatherStation);
const EXPECTED = {
  arduino: ARDUINO_PERSONAL.map((t) => ({ id: t.id, name: t.name })),
  particle: fixtures.particle.devices.map((d) => ({ id: d.id, name: d.name })),
  cthings: IDS.cthings.devices.map((id) => ({ id, name: fixtures.cthings.devices.find((d) => d.id === id).name })),
  iotconnect: fixtures.iotconnect.devices.map((d) => ({ id: d.guid, name: d.displayName })),
};
const byId = (list) => [...list].sort((a, b) => a.id.localeCompare(b.id));

/** What every page gets before its own scripts: the simulator settings and a record of unhandled rejections. */
const simSettings = (url) => ({ url, credentials: CREDENTIALS, cthingsDevices: IDS.cthings.devices });
function pagePreamble(settings) {
  globalThis.SIM = settings;
  globalThis.__unhandled = [];
  addEventListener('unhandledrejection', (event) => {
    globalThis.__unhandled.push(String(event.reason?.stack ?? event.reason));
  });
}

/** Polls until `file` exists: the installed package is replaced now and then by a fresh install. */
async function waitForFile(file, ms) {
  const until = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > until) throw new Error(`${file} did not appear within ${ms / 1000} s`);
    await sleep(500);
  }
}

let project; // the temporary app project, under target/consumers
let outdir; // esbuild's output, served by the simulator at /
let buildResult;
let bundleText;
let sim;
let browser;
let context;
let offLoopback = []; // every request the pages tried to send anywhere but 127.0.0.1

/** A new tab on `pathname`, with its console errors, page errors and requests collected. */
async function openPage(pathname) {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  const seen = { consoleErrors: [], pageErrors: [], requests: [], responses: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => seen.pageErrors.push(String(err?.stack ?? err)));
  page.on('request', (req) => seen.requests.push(req.url()));
  page.on('response', (res) => seen.responses.push({ url: res.url(), status: res.status() }));
  const response = await page.goto(`${sim.url}${pathname}`);
  assert.equal(response.status(), 200, `GET ${pathname}`);
  return { page, seen };
}

/** Lets pending rejections be reported, then checks that nothing went wrong in the page. */
async function assertQuiet(page, seen, allowedConsole = []) {
  await page.evaluate(() => new Promise((resolve) => setTimeout(() => setTimeout(resolve, 0), 0)));
  assert.deepEqual(await page.evaluate(() => globalThis.__unhandled), [], 'no unhandled rejection');
  assert.deepEqual(seen.pageErrors, [], 'no page error');
  const unexpected = seen.consoleErrors.filter((text) => !allowedConsole.some((re) => re.test(text)));
  assert.deepEqual(unexpected, [], 'no console error');
}

const simPost = (p, body) => fetch(`${sim.url}/__sim/${p}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
});
const simGet = async (p) => (await fetch(`${sim.url}/__sim/${p}`)).json();

describe('bundled with esbuild, and the browser entry', { timeout: 240_000 }, () => {
  before(async () => {
    await waitForFile(path.join(INSTALLED, 'package.json'), WAIT);
    // esbuild is a root dev dependency; it is loaded from the workspace, never from a global install.
    const esbuild = createRequire(path.join(ROOT, 'package.json'))('esbuild');

    fs.mkdirSync(path.join(ROOT, 'target', 'consumers'), { recursive: true });
    project = fs.mkdtempSync(path.join(ROOT, 'target', 'consumers', 'bundle-'));
    outdir = path.join(project, 'dist');
    fs.copyFileSync(path.join(HERE, 'fixtures', 'bundle', 'app.mjs'), path.join(project, 'app.mjs'));
    fs.writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);

    buildResult = await esbuild.build({
      absWorkingDir: project,
      entryPoints: ['app.mjs'],
      outdir,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      // The package is installed in another project; resolve bare imports there, as a workspace would.
      nodePaths: [CONSUMER_MODULES],
      // Covers `import wasmUrl from '….wasm'`. The package instead locates its wasm with
      // `new URL('./iot_cloud_wasm_bg.wasm', import.meta.url)`, which esbuild keeps verbatim in an ESM
      // bundle without emitting the file: the URL then points next to the bundle, so the .wasm is copied
      // there below, as applications do (a copy plugin or a build step). The generated glue's own fallback,
      // `new URL('../iot_cloud_wasm_bg.wasm', import.meta.url)`, is kept as well but never used: the
      // browser entry always passes the URL.
      loader: { '.wasm': 'file' },
      metafile: true,
      logLevel: 'silent',
    });
    bundleText = fs.readFileSync(path.join(outdir, 'app.js'), 'utf8');
    for (const [, name] of bundleText.matchAll(/new URL\("\.\/([\w.-]+\.wasm)", import\.meta\.url\)/g)) {
      if (!fs.existsSync(path.join(outdir, name))) {
        fs.copyFileSync(path.join(INSTALLED, name), path.join(outdir, name));
      }
    }

    // No favicon: Chromium would otherwise ask for /favicon.ico and log the 404.
    const preamble = '<meta charset="utf-8"><link rel="icon" href="data:,">';
    fs.writeFileSync(path.join(outdir, 'index.html'), `<!doctype html>
<html lang="en">
<head>
  ${preamble}
  <title>bundled app</title>
  <script type="module" src="./app.js"></script>
</head>
<body>
  <main id="results"></main>
</body>
</html>
`);
    // An empty page for the tests that import /pkg/browser.mjs themselves.
    fs.writeFileSync(path.join(outdir, 'blank.html'),
      `<!doctype html>\n<html lang="en">\n<head>${preamble}<title>blank</title></head>\n<body></body>\n</html>\n`);

    sim = await startSimulator({ port: 0, www: outdir, pkg: path.join(ROOT, 'pkg') });
    browser = await launchChromium({ timeout: WAIT });
    context = browser.context;
    offLoopback = await keepOnLoopback(context);
    await context.addInitScript(pagePreamble, simSettings(sim.url));
  });

  after(async () => {
    try {
      // Also checked here, so that a run of a single test (--test-name-pattern) checks it too.
      assert.deepEqual(offLoopback, [], 'requests to hosts other than 127.0.0.1');
    } finally {
      await browser?.close();
      await sim?.close();
      if (project) fs.rmSync(project, { recursive: true, force: true });
    }
  });

  test('esbuild picks the browser entry of the exports map', () => {
    assert.deepEqual(buildResult.errors, []);
    assert.deepEqual(buildResult.warnings, []);
    const inputs = Object.keys(buildResult.metafile.inputs).map((p) => p.replaceAll('\\', '/'));
    const fromPackage = inputs
      .filter((p) => p.includes('/iot-cloud-wasm/'))
      .map((p) => p.slice(p.lastIndexOf('/iot-cloud-wasm/') + '/iot-cloud-wasm/'.length))
      .sort();
    // The web glue and the transport's snippets beside it; nothing of the Node side.
    const snippets = fromPackage.filter((p) => /^web\/snippets\/[^/]+\/inline\d+\.js$/.test(p));
    assert.ok(snippets.length >= 1, `the glue's snippets are bundled: ${fromPackage}`);
    assert.deepEqual(fromPackage.filter((p) => !snippets.includes(p)), ['arduino-api.mjs', 'browser.mjs', 'common.mjs', 'events.mjs', 'web/iot_cloud_wasm.js']);

    // Nothing of the Node glue (which reads the wasm from disk) made it in.
    assert.doesNotMatch(bundleText, /readFileSync/);
    assert.doesNotMatch(bundleText, /require\(\s*["'](node:)?fs["']\s*\)/);
    assert.doesNotMatch(bundleText, /["']node:/);
    assert.doesNotMatch(bundleText, /__require\b/, 'no CommonJS shim');
    // The wasm is located relative to the bundle, and it sits there.
    assert.match(bundleText, /new URL\("\.\/iot_cloud_wasm_bg\.wasm", import\.meta\.url\)/);
    assert.deepEqual(
      fs.readFileSync(path.join(outdir, 'iot_cloud_wasm_bg.wasm')),
      fs.readFileSync(path.join(INSTALLED, 'iot_cloud_wasm_bg.wasm')),
    );
    assert.deepEqual(fs.readdirSync(outdir).sort(), ['app.js', 'blank.html', 'index.html', 'iot_cloud_wasm_bg.wasm']);
  });

  test('the bundled app lists the devices of all four clouds', async () => {
    await simPost('reset');
    const { page, seen } = await openPage('/');
    try {
      await page.waitForSelector('body[data-done="true"]', { timeout: WAIT });
      const results = await page.evaluate(() => window.results);
      assert.deepEqual(results.init, { ok: true });
      for (const vendor of VENDORS) {
        const r = results[vendor];
        assert.equal(r.ok, true, `${vendor}: ${JSON.stringify(r.error)}`);
        assert.equal(r.isInstance, true, `${vendor}: instanceof its class`);
        assert.equal(r.devices.length, EXPECTED[vendor].length, `${vendor}: device count`);
        assert.deepEqual(byId(r.devices.map(({ id, name }) => ({ id, name }))), byId(EXPECTED[vendor]), vendor);
      }
      assert.equal(results.particle.loginStatus, 200);
      assert.equal(results.iotconnect.devices.length, IDS.iotconnect.deviceCount);
      assert.deepEqual(
        results.iotconnect.devices.map((d) => d.uniqueId),
        fixtures.iotconnect.devices.map((d) => d.uniqueId).sort(),
        'IoTConnect: every page, sorted by uniqueId',
      );
      assert.deepEqual(results.cthings.devices.map((d) => d.id), IDS.cthings.devices, 'cThings: in request order');

      // What the page shows.
      for (const vendor of VENDORS) {
        const section = page.locator(`section[data-vendor="${vendor}"]`);
        assert.equal(await section.getAttribute('data-state'), 'ok');
        assert.equal(await section.locator('li').count(), EXPECTED[vendor].length, `${vendor}: rows`);
      }
      for (const { name } of [...EXPECTED.arduino, ...EXPECTED.particle, ...EXPECTED.cthings]) {
        assert.ok(await page.getByText(name, { exact: true }).isVisible(), `${name} visible`);
      }

      // The wasm came from next to the bundle, once; nothing was taken from /pkg/.
      const wasm = seen.responses.filter((r) => r.url.endsWith('.wasm'));
      assert.deepEqual(wasm, [{ url: `${sim.url}/iot_cloud_wasm_bg.wasm`, status: 200 }]);
      assert.deepEqual(seen.requests.filter((u) => u.startsWith(`${sim.url}/pkg/`)), []);
      // The clouds were called by the browser.
      const log = await simGet('requests');
      for (const vendor of VENDORS) {
        assert.ok(log.some((r) => r.vendor === vendor && /Chrome/.test(r.headers['user-agent'])), `${vendor} called`);
      }
      await assertQuiet(page, seen);
    } finally {
      await page.close();
    }
  });

  test('a client made before the wasm is loaded stands in for the real one', async () => {
    await simPost('reset');
    const { page, seen } = await openPage('/blank.html');
    try {
      const out = await page.evaluate(async () => {
        const { url, credentials } = globalThis.SIM;
        const m = await import('/pkg/browser.mjs');
        const wasmEntries = () => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length;
        const options = {
          baseUrl: `${url}/arduino`,
          clientId: credentials.arduino.clientId,
          clientSecret: credentials.arduino.clientSecret,
        };
        const wasmFetchedAtImport = wasmEntries();
        const arduino = new m.Arduino(options);
        const particle = new m.Particle({ baseUrl: `${url}/particle` });
        const before = {
          arduinoInstance: arduino instanceof m.Arduino,
          particleInstance: particle instanceof m.Particle,
          crossInstance: arduino instanceof m.Particle || particle instanceof m.Arduino,
          plainObject: arduino instanceof Object,
          json: JSON.stringify(arduino),
          jsonNested: JSON.stringify({ client: arduino }),
          string: String(arduino),
          template: `${particle}`,
          awaited: (await arduino) === arduino, // not a thenable
        };
        // Calls made now wait for the module.
        const [things, login] = await Promise.all([
          arduino.things.list({}),
          particle.login({ username: credentials.particle.username, password: credentials.particle.password }),
        ]);
        const devices = (await particle.listDevices({})).body;
        const fresh = new m.Arduino(options);
        return {
          wasmFetchedAtImport,
          before,
          things: things.map((t) => ({ id: t.id, name: t.name })),
          loginStatus: login.statusCode,
          devices: devices.map((d) => ({ id: d.id, name: d.name })),
          after: {
            standInStillInstance: arduino instanceof m.Arduino,
            freshInstance: fresh instanceof m.Arduino,
            freshNotParticle: fresh instanceof m.Particle,
            freshJson: JSON.stringify(fresh),
            freshThings: (await fresh.things.list({})).length,
          },
        };
      });
      assert.equal(out.wasmFetchedAtImport, 0, 'importing the entry does not fetch the wasm');
      assert.deepEqual(out.before, {
        arduinoInstance: true,
        particleInstance: true,
        crossInstance: false,
        plainObject: false,
        json: '{}',
        jsonNested: '{"client":{}}',
        string: '[object Arduino]',
        template: '[object Particle]',
        awaited: true,
      });
      assert.deepEqual(byId(out.things), byId(EXPECTED.arduino));
      assert.equal(out.loginStatus, 200);
      assert.deepEqual(byId(out.devices), byId(EXPECTED.particle));
      assert.equal(out.after.standInStillInstance, true);
      assert.equal(out.after.freshInstance, true);
      assert.equal(out.after.freshNotParticle, false);
      assert.ok(!out.after.freshJson.includes(CREDENTIALS.arduino.clientSecret), 'no secret in JSON');
      assert.equal(out.after.freshThings, EXPECTED.arduino.length);
      // Both stand-ins waited for the same single load.
      assert.deepEqual(seen.responses.filter((r) => r.url.endsWith('.wasm')),
        [{ url: `${sim.url}/pkg/iot_cloud_wasm_bg.wasm`, status: 200 }]);
      await assertQuiet(page, seen);
    } finally {
      await page.close();
    }
  });

  test('bad options: the stand-in\'s first call rejects; once loaded, the constructor throws', async () => {
    await simPost('reset');
    const { page, seen } = await openPage('/blank.html');
    try {
      const out = await page.evaluate(async () => {
        const m = await import('/pkg/browser.mjs');
        const plain = (e) => ({
          isCloudError: e instanceof m.CloudError,
          isError: e instanceof Error,
          name: e?.name,
          code: e?.code,
          message: String(e?.message ?? e),
        });
        const bad = new m.Arduino({ clientId: 'x' }); // no clientSecret
        const unused = new m.Arduino({ clientId: 'y' }); // never called: must not surface anywhere
        const standIn = { instance: bad instanceof m.Arduino, json: JSON.stringify(bad), unused: String(unused) };
        let first;
        try {
          await bad.things.list({});
          first = { resolved: true };
        } catch (e) {
          first = plain(e);
        }
        let second;
        try {
          await bad.properties.list('6366de97-f549-43f8-9dd5-5a56c5ef95f5', {});
          second = { resolved: true };
        } catch (e) {
          second = plain(e);
        }
        await m.init();
        let thrown;
        let returned;
        try {
          returned = typeof new m.Arduino({ clientId: 'x' });
        } catch (e) {
          thrown = plain(e);
        }
        return { standIn, first, second, thrown, returned };
      });
      assert.deepEqual(out.standIn, { instance: true, json: '{}', unused: '[object Arduino]' });
      for (const [label, err] of [['first call', out.first], ['second call', out.second]]) {
        assert.equal(err.isCloudError, true, `${label}: ${JSON.stringify(err)}`);
        assert.equal(err.isError, true, label);
        assert.equal(err.name, 'CloudError', label);
        assert.equal(err.code, 'invalid_argument', label);
      }
      assert.equal(out.returned, undefined, 'the constructor does not return');
      assert.equal(out.thrown?.isCloudError, true, `thrown synchronously: ${JSON.stringify(out.thrown)}`);
      assert.equal(out.thrown.isError, true);
      assert.equal(out.thrown.code, 'invalid_argument');
      assert.match(out.thrown.message, /clientSecret/);
      // Rejected before any request.
      assert.deepEqual(await simGet('requests'), []);
      await assertQuiet(page, seen);
    } finally {
      await page.close();
    }
  });

  test('a failed load rejects with network_error and is tried again on the next call', async () => {
    await simPost('reset');
    const { page, seen } = await openPage('/blank.html');
    try {
      const out = await page.evaluate(async () => {
        const { url, credentials } = globalThis.SIM;
        const m = await import('/pkg/browser.mjs');
        const plain = (e) => ({
          isCloudError: e instanceof m.CloudError,
          isError: e instanceof Error,
          name: e?.name,
          code: e?.code,
          message: String(e?.message ?? e),
        });
        const settle = (promise) => promise.then((value) => ({ value }), (e) => ({ error: plain(e) }));

        const failed = await settle(m.init('/does-not-exist.wasm'));
        // Tried again, not answered from a cached failure.
        const failedAgain = await settle(m.init('/does-not-exist.wasm'));
        const loaded = await settle(m.init());
        const client = new m.Arduino({
          baseUrl: `${url}/arduino`,
          clientId: credentials.arduino.clientId,
          clientSecret: credentials.arduino.clientSecret,
        });
        const things = await client.things.list({});
        return {
          failed,
          failedAgain,
          loaded,
          isInstance: client instanceof m.Arduino,
          things: things.map((t) => ({ id: t.id, name: t.name })),
        };
      });
      for (const [label, r] of [['init', out.failed], ['init again', out.failedAgain]]) {
        assert.ok(r.error, `${label} rejects: ${JSON.stringify(r)}`);
        assert.equal(r.error.isCloudError, true, label);
        assert.equal(r.error.isError, true, label);
        assert.equal(r.error.name, 'CloudError', label);
        assert.equal(r.error.code, 'network_error', label);
        assert.match(r.error.message, /404/, label);
      }
      assert.deepEqual(out.loaded, { value: undefined }, 'init() succeeds after the failures');
      assert.equal(out.isInstance, true);
      assert.deepEqual(byId(out.things), byId(EXPECTED.arduino));

      const wasm = seen.responses.filter((r) => r.url.endsWith('.wasm'));
      assert.deepEqual(wasm, [
        { url: `${sim.url}/does-not-exist.wasm`, status: 404 },
        { url: `${sim.url}/does-not-exist.wasm`, status: 404 },
        { url: `${sim.url}/pkg/iot_cloud_wasm_bg.wasm`, status: 200 },
      ]);
      // Chromium reports each missing file; nothing else may show up.
      await assertQuiet(page, seen, [/^Failed to load resource: the server responded with a status of 404/]);
      assert.equal(seen.consoleErrors.length, 2);
    } finally {
      await page.close();
    }
  });

  test('a client made before a failed load works once a later call has loaded the module', async () => {
    await simPost('reset');
    const { page, seen } = await openPage('/blank.html');
    // The first download of the wasm fails as it would when the network drops; later ones go through.
    const wasmUrl = `${sim.url}/pkg/iot_cloud_wasm_bg.wasm`;
    let attempts = 0;
    await page.route(wasmUrl, (route) => (++attempts === 1 ? route.abort('internetdisconnected') : route.continue()));
    try {
      const out = await page.evaluate(async () => {
        const { url, credentials } = globalThis.SIM;
        const m = await import('/pkg/browser.mjs');
        const settle = (promise) => promise.then(
          (value) => ({ value }),
          (e) => ({ error: { isCloudError: e instanceof m.CloudError, code: e?.code, message: String(e?.message ?? e) } }),
        );
        const options = {
          baseUrl: `${url}/arduino`,
          clientId: credentials.arduino.clientId,
          clientSecret: credentials.arduino.clientSecret,
        };
        const early = new m.Arduino(options); // starts the load, which fails
        const first = await settle(early.things.list({}));
        const later = new m.Arduino(options); // starts the load again, which succeeds
        const laterCall = await settle(later.things.list({}).then((list) => list.length));
        const earlyNext = await settle(early.things.list({}).then((list) => list.length));
        return { first, laterCall, earlyNext, isInstance: early instanceof m.Arduino };
      });
      assert.equal(out.first.error?.isCloudError, true, JSON.stringify(out.first));
      assert.equal(out.first.error.code, 'network_error', 'the call made while the load failed');
      assert.deepEqual(out.laterCall, { value: EXPECTED.arduino.length }, 'a new client loads the module again');
      assert.equal(attempts, 2);
      assert.equal(out.isInstance, true);
      // The module is loaded now, so the first client's next call is expected to go through as well.
      assert.deepEqual(out.earlyNext, { value: EXPECTED.arduino.length },
        'the next call of the client made before the failed load');
      await assertQuiet(page, seen, [/^Failed to load resource: net::ERR_INTERNET_DISCONNECTED/]);
    } finally {
      await page.close();
    }
  });

  test('IotApi.ApiClient.instance, as in the official Arduino client, works in the browser', async () => {
    await simPost('reset');
    const { page, seen } = await openPage('/blank.html');
    try {
      const out = await page.evaluate(async ({ thingId }) => {
        const { url, credentials } = globalThis.SIM;
        const m = await import('/pkg/browser.mjs');
        const { IotApi } = m;
        // Made before the module is loaded and before the settings: they are read at each call.
        const properties = new IotApi.PropertiesV2Api();
        const things = new IotApi.ThingsV2Api();

        const response = await fetch(`${url}/arduino/iot/v1/clients/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: credentials.arduino.clientId,
            client_secret: credentials.arduino.clientSecret,
            audience: 'https://api2.arduino.cc/iot',
          }),
        });
        const token = (await response.json()).access_token;

        const client = IotApi.ApiClient.instance;
        client.basePath = `${url}/arduino`;
        client.authentications['oauth2'].accessToken = token;

        const list = await properties.propertiesV2List(thingId, { showDeleted: true });
        const active = await new IotApi.PropertiesV2Api().propertiesV2List(thingId);
        const thingList = await things.thingsV2List();
        return {
          tokenStatus: response.status,
          token,
          singleton: IotApi.ApiClient.instance === client,
          isInstance: properties instanceof IotApi.PropertiesV2Api,
          withDeleted: list.map((p) => ({ id: p.id, name: p.name, deleted: Boolean(p.deleted_at) })),
          active: active.map((p) => p.id),
          things: thingList.map((t) => ({ id: t.id, name: t.name })),
        };
      }, { thingId: WEATHER_STATION.id });

      assert.equal(out.tokenStatus, 200);
      assert.equal(typeof out.token, 'string');
      assert.equal(out.singleton, true);
      assert.equal(out.isInstance, true);
      const props = WEATHER_STATION.props;
      assert.ok(props.some((p) => p.deleted_at), 'the fixture has a deleted property');
      assert.deepEqual(
        byId(out.withDeleted),
        byId(props.map((p) => ({ id: p.id, name: p.variable, deleted: Boolean(p.deleted_at) }))),
      );
      assert.deepEqual(out.active.sort(), props.filter((p) => !p.deleted_at).map((p) => p.id).sort());
      assert.deepEqual(byId(out.things), byId(EXPECTED.arduino));

      // The page's own token was used; the package asked for none.
      const log = await simGet('requests?vendor=arduino');
      assert.deepEqual(log.map((r) => `${r.method} ${r.path}`), [
        'POST /arduino/iot/v1/clients/token',
        `GET /arduino/iot/v2/things/${WEATHER_STATION.id}/properties`,
        `GET /arduino/iot/v2/things/${WEATHER_STATION.id}/properties`,
        'GET /arduino/iot/v2/things',
      ]);
      assert.equal(log[1].query.show_deleted, 'true');
      for (const r of log.slice(1)) assert.equal(r.headers.authorization, `Bearer ${out.token}`, r.path);
      await assertQuiet(page, seen);
    } finally {
      await page.close();
    }
  });

  test('an OTA upload of a File reaches the simulator as multipart with ota_file', async () => {
    await simPost('reset');
    const { page, seen } = await openPage('/blank.html');
    try {
      const deviceId = WEATHER_STATION.device_id;
      const out = await page.evaluate(async ({ deviceId }) => {
        const { url, credentials } = globalThis.SIM;
        const { Arduino } = await import('/pkg/browser.mjs');
        const arduino = new Arduino({
          clientId: credentials.arduino.clientId, clientSecret: credentials.arduino.clientSecret, baseUrl: `${url}/arduino`,
        });
        const bytes = new Uint8Array(1500).map((_, i) => i % 251);
        const file = new File([bytes], 'fw.bin', { type: 'application/octet-stream' });
        const answer = await arduino.devicesOta.upload(deviceId, file, { async: true });
        return { size: file.size, answer };
      }, { deviceId });

      assert.equal(out.size, 1500);
      assert.equal(typeof out.answer, 'object');
      const [req] = (await simGet('requests?vendor=arduino')).filter((r) => r.path.endsWith('/ota'));
      assert.equal(req.method, 'POST');
      assert.equal(req.path, `/arduino/iot/v2/devices/${deviceId}/ota`);
      assert.equal(req.operationId, 'devices_v2_ota#upload');
      assert.match(req.headers['content-type'], /^multipart\/form-data; ?boundary=/);
      assert.equal(req.headers.accept, 'application/vnd.arduino.devicev2.otaupload+json');
      assert.deepEqual([...req.multipart.fields].sort(), ['async', 'ota_file']);
      assert.deepEqual(req.multipart.files.map((f) => ({ name: f.name, filename: f.filename, size: f.size })), [
        { name: 'ota_file', filename: 'fw.bin', size: 1500 },
      ]);
      await assertQuiet(page, seen);
    } finally {
      await page.close();
    }
  });

  test('no page sent a request to a host other than 127.0.0.1', () => {
    assert.deepEqual(offLoopback, []);
  });
});
