// The Node entry's default transport (http-fetch.cjs, as installed from the tarball), tested directly
// against node:http servers on 127.0.0.1, then as the clients' default when the wasm glue takes one.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { INSTALLED, T, sleep, within, useSimulator, requireFrom } from './support.mjs';

const FILE = path.join(INSTALLED.cjs, 'http-fetch.cjs');
const { httpFetch } = requireFrom(INSTALLED.cjs)(FILE);
const sim = useSimulator();

/**
 * A server on 127.0.0.1 for one test: `handler(req, res, body)` answers; `server.requests` records
 * {method, url, headers, body}, `server.sockets` every connection, `server.closed` those that ended.
 */
async function serve(t, handler) {
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    server.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
    handler(req, res, body);
  });
  server.requests = [];
  server.sockets = [];
  server.closed = new Set();
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    server.sockets.push(socket);
    socket.once('close', () => server.closed.add(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  server.url = `http://127.0.0.1:${server.address().port}`;
  t.after(() => new Promise((done) => { server.closeAllConnections(); server.close(done); }));
  return server;
}

const json = (res, status, value, headers = {}) => {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

/** Waits until `check()` is true (polling), or fails after `ms`. */
async function until(check, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`${what} did not happen within ${ms} ms`);
    await sleep(10);
  }
}

test('status, headers, text and json', T, async (t) => {
  const server = await serve(t, (req, res) => {
    if (req.url === '/missing') return json(res, 404, { ok: false, error: 'Not Found' });
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    json(res, 200, [{ id: 'd1', name: 'kitchen-argon' }], { 'X-Request-Id': 'r-42', 'Retry-After': '7' });
  });
  const res = await httpFetch(`${server.url}/v1/devices`, { method: 'GET', headers: { Authorization: 'Bearer t' } });
  assert.equal(res.status, 200);
  assert.equal(res.ok, true);
  assert.equal(res.statusText, 'OK');
  assert.equal(res.type, 'basic');
  assert.equal(res.redirected, false);
  assert.equal(res.url, `${server.url}/v1/devices`);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(res.headers.get('X-REQUEST-ID'), 'r-42', 'names are case-insensitive');
  assert.equal(res.headers.get('retry-after'), '7');
  assert.equal(res.headers.get('set-cookie'), 'a=1, b=2');
  assert.equal(res.headers.get('x-absent'), null);
  assert.equal(res.headers.has('x-request-id'), true);
  assert.equal(res.bodyUsed, false);
  assert.deepEqual(await res.json(), [{ id: 'd1', name: 'kitchen-argon' }]);
  assert.equal(res.bodyUsed, true);
  await assert.rejects(res.text(), TypeError, 'a body is read once');

  const [sent] = server.requests;
  assert.equal(sent.method, 'GET');
  assert.equal(sent.headers.authorization, 'Bearer t');
  assert.equal(sent.headers.accept, '*/*');
  assert.equal(sent.headers['user-agent'], 'node');
  assert.equal(sent.headers['content-length'], undefined, 'no body, no content-length');

  const missing = await httpFetch(`${server.url}/missing`, {});
  assert.equal(missing.status, 404);
  assert.equal(missing.ok, false);
  assert.equal(missing.statusText, 'Not Found');
  assert.equal(await missing.text(), '{"ok":false,"error":"Not Found"}');

  const empty = await httpFetch(`${server.url}/v1/devices`, { method: 'HEAD' });
  assert.equal(empty.body, null);
  assert.equal(await empty.text(), '');
});

test('a POST body is sent with its content-length in bytes', T, async (t) => {
  const server = await serve(t, (req, res) => json(res, 200, { ok: true }));
  const body = JSON.stringify({ arg: 'héllo ✓ 😀' });
  const res = await httpFetch(`${server.url}/v1/devices/d1/led`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
  });
  assert.deepEqual(await res.json(), { ok: true });
  const [sent] = server.requests;
  assert.equal(sent.method, 'POST');
  assert.equal(sent.body, body);
  assert.equal(sent.headers['content-length'], String(Buffer.byteLength(body)));
  assert.notEqual(Buffer.byteLength(body), body.length, 'the body has multi-byte characters');
  assert.equal(sent.headers['content-type'], 'application/json', 'the given content type is kept');

  await (await httpFetch(server.url, { method: 'post', body: 'plain' })).text();
  assert.equal(server.requests[1].method, 'POST', 'the method is upper-cased, as fetch does');
  assert.equal(server.requests[1].headers['content-type'], 'text/plain;charset=UTF-8', 'as fetch does for a string');
  assert.equal(server.requests[1].headers['content-length'], '5');
});

test('UTF-8 characters split across chunks are decoded whole', T, async (t) => {
  const text = '{"name":"Küche ✓ 😀"}';
  const bytes = Buffer.from(text, 'utf8');
  const server = await serve(t, async (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    // One byte at a time, each in its own chunk.
    for (let i = 0; i < bytes.length; i++) {
      res.write(bytes.subarray(i, i + 1));
      await sleep(1);
    }
    res.end();
  });
  const res = await httpFetch(server.url, {});
  assert.equal(await res.text(), text);
  assert.deepEqual(await (await httpFetch(server.url, {})).json(), { name: 'Küche ✓ 😀' });
  const ab = await (await httpFetch(server.url, {})).arrayBuffer();
  assert.ok(ab instanceof ArrayBuffer);
  assert.deepEqual(Buffer.from(ab), bytes);
});

test('a byte-order mark is dropped, as fetch decodes UTF-8', T, async (t) => {
  const server = await serve(t, (req, res) => res.end(Buffer.from([0xef, 0xbb, 0xbf, 0x5b, 0x5d])));
  assert.deepEqual(await (await httpFetch(server.url, {})).json(), []);
});

test('gzip answers are decompressed; accept-encoding is sent', T, async (t) => {
  const value = { devices: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `dev-${i} ✓` })) };
  const server = await serve(t, (req, res) => {
    const body = zlib.gzipSync(JSON.stringify(value));
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length });
    res.end(body);
  });
  assert.deepEqual(await (await httpFetch(server.url, {})).json(), value);
  assert.match(server.requests[0].headers['accept-encoding'], /gzip/);
  const stream = (await httpFetch(server.url, {})).body;
  const streamed = Buffer.from(await new Response(stream).arrayBuffer()).toString('utf8');
  assert.deepEqual(JSON.parse(streamed), value);
});

test('body is a web ReadableStream read as the chunks arrive', T, async (t) => {
  let release;
  const second = new Promise((resolve) => { release = resolve; });
  const server = await serve(t, async (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: a\ndata: 1\n\n');
    await second;
    res.end('event: b\ndata: 2\n\n');
  });
  const res = await httpFetch(server.url, {});
  assert.equal(res.body, res.body, 'the same stream every time');
  assert.ok(res.body instanceof ReadableStream);
  const reader = res.body.getReader();
  const first = await reader.read();
  assert.equal(Buffer.from(first.value).toString(), 'event: a\ndata: 1\n\n', 'the first event before the end');
  release();
  const rest = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest.push(Buffer.from(r.value));
  assert.equal(Buffer.concat(rest).toString(), 'event: b\ndata: 2\n\n');
});

test('a signal aborted before the call rejects with AbortError and sends nothing', T, async (t) => {
  const server = await serve(t, (req, res) => json(res, 200, {}));
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(httpFetch(server.url, { signal: controller.signal }), (err) => {
    assert.equal(err.name, 'AbortError');
    assert.ok(err instanceof Error);
    return true;
  });
  await sleep(50);
  assert.equal(server.sockets.length, 0, 'no connection');
  assert.equal(server.requests.length, 0);
});

test('aborting while waiting for the answer rejects with AbortError and destroys the socket', T, async (t) => {
  const server = await serve(t, () => {}); // never answers
  const controller = new AbortController();
  const pending = httpFetch(server.url, { method: 'POST', body: 'x', signal: controller.signal });
  await until(() => server.requests.length === 1, 'the request');
  controller.abort();
  await assert.rejects(within(5000, pending, 'the abort'), { name: 'AbortError' });
  await until(() => server.closed.has(server.sockets[0]), 'the socket closing');
});

test('aborting while the body is read rejects text() with AbortError and destroys the socket', T, async (t) => {
  const server = await serve(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[{"id":'); // and never the rest
  });
  const controller = new AbortController();
  const res = await httpFetch(server.url, { signal: controller.signal });
  assert.equal(res.status, 200);
  const reading = res.text();
  await sleep(20);
  controller.abort();
  await assert.rejects(within(5000, reading, 'the abort'), { name: 'AbortError' });
  await until(() => server.closed.has(server.sockets[0]), 'the socket closing');

  // Aborted after the headers but before text(): text() rejects too.
  const c2 = new AbortController();
  const res2 = await httpFetch(server.url, { signal: c2.signal });
  c2.abort();
  await assert.rejects(res2.text(), { name: 'AbortError' });
});

test('a refused connection rejects with TypeError("fetch failed") and the socket error as cause', T, async () => {
  const probe = http.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((done) => probe.close(done));
  await assert.rejects(httpFetch(`http://127.0.0.1:${port}/v1/devices`, {}), (err) => {
    assert.ok(err instanceof TypeError);
    assert.equal(err.message, 'fetch failed');
    assert.equal(err.cause?.code, 'ECONNREFUSED');
    return true;
  });
  await assert.rejects(httpFetch('not a url', {}), TypeError);
});

test('a redirect is not followed: the 3xx comes back with its Location', T, async (t) => {
  const server = await serve(t, (req, res) => {
    if (req.url === '/elsewhere') return json(res, 200, { followed: true });
    res.writeHead(302, { location: '/elsewhere', 'content-length': 0 });
    res.end();
  });
  for (const redirect of ['manual', 'follow', undefined]) {
    const res = await httpFetch(`${server.url}/start`, { redirect });
    assert.equal(res.status, 302, `redirect: ${redirect}`);
    assert.equal(res.ok, false);
    assert.equal(res.redirected, false);
    assert.equal(res.headers.get('location'), '/elsewhere');
    await res.text();
  }
  await assert.rejects(httpFetch(`${server.url}/start`, { redirect: 'error' }), (err) => {
    assert.ok(err instanceof TypeError);
    assert.equal(err.message, 'fetch failed');
    assert.equal(err.cause?.message, 'unexpected redirect');
    return true;
  });
  assert.deepEqual(server.requests.map((r) => r.url), ['/start', '/start', '/start', '/start'], 'never /elsewhere');
});

test('sequential calls reuse one kept-alive socket', T, async (t) => {
  const server = await serve(t, (req, res) => json(res, 200, { n: server.requests.length }));
  for (let i = 0; i < 10; i++) {
    const res = await httpFetch(server.url, { method: i % 2 ? 'POST' : 'GET', body: i % 2 ? '{}' : undefined });
    assert.deepEqual(await res.json(), { n: i + 1 });
  }
  assert.equal(server.requests.length, 10);
  assert.equal(server.sockets.length, 1, 'one connection for ten sequential calls');
});

test('an idle kept-alive socket does not keep the process alive', T, async (t) => {
  const server = await serve(t, (req, res) => json(res, 200, { ok: true }));
  const script = `require(process.argv[1]).httpFetch(process.argv[2], {})
    .then((res) => res.json()).then((body) => console.log(JSON.stringify(body)));`;
  const { NODE_TEST_CONTEXT, NODE_OPTIONS, ...env } = process.env;
  const started = Date.now();
  const stdout = await new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, FILE, server.url], { env, timeout: 20_000 }, (err, out) => {
      if (err) reject(err); else resolve(out);
    });
  });
  assert.equal(stdout.trim(), '{"ok":true}');
  assert.ok(Date.now() - started < 3000, `the child exited after ${Date.now() - started} ms`);
  assert.equal(server.sockets.length, 1);
});

test('the clients use it by default when the wasm takes a default fetch; a fetch option still wins', T, async (t) => {
  const glue = requireFrom(INSTALLED.cjs)(path.join(INSTALLED.cjs, 'node', 'iot_cloud_wasm.js'));
  if (typeof glue.__setDefaultFetch !== 'function') {
    t.skip('this build of the wasm has no __setDefaultFetch');
    return;
  }
  const { Particle, CREDENTIALS } = await import('./support.mjs');
  const particle = new Particle({ baseUrl: sim.particleBase });
  await particle.login({ username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password });
  await particle.listDevices({});
  // undici's fetch always sends sec-fetch-mode; node:http does not.
  const log = await sim.requests('particle');
  assert.equal(log.length, 2);
  for (const r of log) assert.equal(r.headers['sec-fetch-mode'], undefined, `${r.method} ${r.path} went through node:http`);

  let calls = 0;
  const own = (url, init) => { calls++; return fetch(url, init); };
  await new Particle({ baseUrl: sim.particleBase, fetch: own }).login({
    username: CREDENTIALS.particle.username, password: CREDENTIALS.particle.password,
  });
  assert.equal(calls, 1, 'the fetch option was used');
  assert.equal((await sim.requests('particle')).at(-1).headers['sec-fetch-mode'], 'cors');
});
