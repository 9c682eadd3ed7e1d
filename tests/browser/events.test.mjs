// A Particle event stream in headless Chromium: the browser entry (installed package, served at /pkg/) reads
// the SSE body with fetch and a ReadableStream reader, sending the Authorization header that EventSource
// cannot. A local server serves the page, the package and the stream: node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, keepOnLoopback } from './chromium.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const INSTALLED = path.join(ROOT, 'target', 'consumers', 'esm', 'node_modules', 'iot-cloud-wasm');
const TYPES = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

let server;
let origin;
let browser;
let offLoopback;
const streams = [];

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>events</title>');
    if (url.pathname.startsWith('/pkg/')) {
      const file = path.join(INSTALLED, path.normalize(url.pathname.slice(5)));
      if (!file.startsWith(INSTALLED) || !fs.existsSync(file)) return res.writeHead(404).end();
      return res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
    }
    if (url.pathname === '/v1/devices/events') {
      streams.push(req.headers);
      if (req.headers.authorization !== 'Bearer browser-token') return res.writeHead(401).end('{"error":"invalid_token"}');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const ev = (i) => `event: temp\ndata: {"data":"${i}","ttl":60,"published_at":"2024-01-01T00:00:00.000Z","coreid":"d1"}\n\n`;
      res.write(`:ok\n\n${ev(1)}${ev(2).slice(0, 20)}`);
      setTimeout(() => res.write(`${ev(2).slice(20)}${ev(3)}`), 50);
      return undefined;
    }
    return res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
  offLoopback = await keepOnLoopback(browser.context);
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
});

test('a stream delivers events in the browser, with the Authorization header', { timeout: 60_000 }, async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`${origin}/`);
  const got = await page.evaluate(async () => {
    const { Particle } = await import('/pkg/browser.mjs');
    const particle = new Particle({ baseUrl: location.origin, auth: 'browser-token' });
    const stream = await particle.getEventStream({ deviceId: 'mine' });
    const out = [];
    for await (const e of stream) {
      out.push([e.name, e.data, e.coreid]);
      if (out.length === 3) break;
    }
    return out;
  });
  assert.deepEqual(got, [['temp', '1', 'd1'], ['temp', '2', 'd1'], ['temp', '3', 'd1']]);
  assert.equal(streams.length, 1);
  assert.equal(streams[0].authorization, 'Bearer browser-token');
  assert.equal(streams[0].accept, 'text/event-stream');
  assert.deepEqual(errors, []);
  assert.deepEqual(offLoopback, []);
});
