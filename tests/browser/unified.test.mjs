// The unified model from the browser entry in headless Chromium, against the simulator: connect() before
// the wasm has loaded (stand-in clients), every vendor's devices, a refusal, paging, polled events.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { launchChromium, keepOnLoopback } from './chromium.mjs';

const require = createRequire(import.meta.url);
const { startSimulator, CREDENTIALS } = require('../simulator/index.js');
const fixtures = require('../simulator/fixtures.js');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('connect() in a browser, before and after the wasm has loaded', { timeout: 60_000 }, async () => {
  const sim = await startSimulator({ port: 0, pkg: path.join(ROOT, 'pkg'), www: path.join(ROOT, 'www') });
  const { context, close } = await launchChromium();
  try {
    const offLoopback = await keepOnLoopback(context);
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${sim.url}/`);
    const guid = fixtures.iotconnect.devices.find((d) => d.isConnected).guid;
    const out = await page.evaluate(async ({ url, cred, cthingsIds, guid }) => {
      const m = await import(`${url}/pkg/browser.mjs`);
      const res = {};
      const a = m.connect('arduino', { clientId: cred.arduino.clientId, clientSecret: cred.arduino.clientSecret, baseUrl: `${url}/arduino` });
      res.standIn = a.client instanceof m.Arduino;
      res.caps = a.capabilities() === m.CAPABILITIES.arduino;
      const things = await a.devices();
      res.things = things.map((d) => d.name);
      res.readings = (await a.readings(things[0].id)).map((r) => r.name);
      try {
        await m.connect('arduino', { clientId: 'x', clientSecret: 'y', rateLimit: -1 }).devices();
      } catch (e) {
        res.badRate = [e instanceof m.CloudError, e.code];
      }
      const c = m.connect('cthings', { ...cred.cthings, authUrl: `${url}/cthings-auth`, baseUrl: `${url}/cthings`, devices: cthingsIds });
      res.cthings = (await c.devices()).map((d) => d.online);
      try {
        await c.command(cthingsIds[0], 'reboot');
      } catch (e) {
        res.unsupported = [e.code, e.status];
      }
      const { solutionKey, env, platform, username, password } = cred.iotconnect;
      const i = m.connect('iotconnect', {
        solutionKey, environment: env, platform, username, password, discoveryUrl: `${url}/iotconnect-discovery`, rateLimit: 100,
      });
      let n = 0;
      for await (const d of i.iterateDevices()) n += d.vendor === 'iotconnect' ? 1 : 0;
      res.iotconnect = n;
      const events = i.events(guid, { intervalMs: 20 });
      const led = (async () => {
        for (;;) {
          const { value } = await events.next();
          if (value.name === 'led') return value;
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      await i.command(guid, 'led', 'on');
      const e = await led;
      res.event = [e.value, e.time instanceof Date];
      await events.return();
      return res;
    }, { url: sim.url, cred: CREDENTIALS, cthingsIds: fixtures.cthings.devices.map((d) => d.id), guid });
    assert.deepEqual(out, {
      standIn: true, caps: true, things: ['Weather Station', 'Greenhouse', 'Desk Lamp'],
      readings: ['temperature', 'humidity', 'status'], badRate: [true, 'invalid_argument'], cthings: [true, true, false],
      unsupported: ['unsupported', 0], iotconnect: 250, event: ['on', true],
    });
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(offLoopback, []);
  } finally {
    await close();
    await sim.close();
  }
});
