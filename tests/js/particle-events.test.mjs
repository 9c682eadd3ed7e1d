// Particle event streams (getEventStream) against a local SSE server this file controls byte by byte:
// split frames, reconnects with Last-Event-ID, the back-off the client asks for (through the `__testWait`
// hook, never the wall clock), abort, 401 on reconnect, silence, bursts and events in the headers' chunk.
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Particle, CloudError, T, sleep } from './support.mjs';

const frame = (name, data, id) =>
  `${id !== undefined ? `id: ${id}\n` : ''}event: ${name}\ndata: ${JSON.stringify({ data, ttl: 60, published_at: '2024-01-01T00:00:00.000Z', coreid: 'd1' })}\n\n`;

/**
 * A server whose n-th connection is handled by `script[n]` (the last one repeats): `(req, res, n)`.
 * Records every request's path and headers.
 */
async function sseServer(script) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const n = requests.length;
    requests.push({ path: req.url, headers: req.headers });
    (script[n] ?? script[script.length - 1])(req, res, n);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    requests,
    particle: (o = {}) => new Particle({ baseUrl: base, auth: 'tok', ...o }),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const head = (res) => res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
// Writes the head and the first bytes in one socket write (the headers' chunk).
const headWith = (res, body) => {
  res.socket.setNoDelay(true);
  res.socket.cork();
  head(res);
  res.write(body);
  res.socket.uncork();
};
const waits = () => {
  const asked = [];
  const hook = (ms) => {
    asked.push(ms);
    return new Promise((r) => setTimeout(r, 5));
  };
  return { asked, hook };
};
const collect = (stream, n) =>
  new Promise((resolve) => {
    const got = [];
    stream.on('event', (e) => {
      got.push(e);
      if (got.length === n) resolve(got);
    });
  });

test('the URL per option, the Bearer header, and the events in the headers\' chunk', T, async () => {
  const srv = await sseServer([(req, res) => headWith(res, frame('temp', '21') + frame('temp', '22'))]);
  try {
    const p = srv.particle();
    for (const [opts, path] of [
      [{ deviceId: 'mine' }, '/v1/devices/events'],
      [{ deviceId: 'd1', name: 'temp' }, '/v1/devices/d1/events/temp'],
      [{ product: 'prod', name: 'spark/status' }, '/v1/products/prod/events/spark%2Fstatus'],
      [{ org: 'acme', auth: 'own' }, '/v1/orgs/acme/events'],
    ]) {
      const stream = await p.getEventStream(opts);
      const got = await collect(stream, 2);
      stream.abort();
      assert.deepEqual(got.map((e) => [e.name, e.data, e.ttl, e.coreid]), [['temp', '21', 60, 'd1'], ['temp', '22', 60, 'd1']]);
      const req = srv.requests.at(-1);
      assert.equal(req.path, path);
      assert.equal(req.headers.authorization, `Bearer ${opts.auth ?? 'tok'}`);
      assert.equal(req.headers.accept, 'text/event-stream');
      assert.equal(req.headers['last-event-id'], undefined);
    }
  } finally {
    await srv.close();
  }
});

test('unknown or wrong options are refused before any request', T, async () => {
  const srv = await sseServer([(req, res) => head(res)]);
  try {
    const p = srv.particle();
    for (const opts of [{ deviceId: 'd1', devcieId: 'x' }, { deviceId: 'a/b' }, { deviceId: '' }, { silenceMs: -1 }, { auth: 5 }, 'mine']) {
      await assert.rejects(p.getEventStream(opts), (e) => e instanceof CloudError && e.code === 'invalid_argument' && /getEventStream/.test(e.message));
    }
    await assert.rejects(srv.particle({ auth: undefined }).getEventStream({}), (e) => e.code === 'invalid_argument');
    assert.equal(srv.requests.length, 0);
  } finally {
    await srv.close();
  }
});

test('a refused first open rejects like particle-api-js', T, async () => {
  const srv = await sseServer([(req, res) => res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"forbidden","error_description":"no access"}')]);
  try {
    await assert.rejects(srv.particle().getEventStream({ deviceId: 'mine' }), (e) =>
      e instanceof CloudError && e.statusCode === 403 && e.errorDescription === 'HTTP error 403 - no access' &&
      e.shortErrorDescription === 'no access' && e.body.error === 'forbidden');
  } finally {
    await srv.close();
  }
});

test('frames split anywhere (CRLF, UTF-8, comments, keep-alives, a BOM) give the events whole', T, async () => {
  // The BOM opening the body is dropped (else the first field would be "\uFEFFevent").
  const text = `\uFEFF${frame('grüße', 'é€😀').replace(/\n/g, '\r\n')}:ok\r\n\r\n\n\ndata: {"data":"plain"}\r\n\r\n`;
  // Invalid UTF-8 (a cut 4-byte sequence) reads as U+FFFD, as the format says.
  const bytes = Buffer.concat([Buffer.from(text), Buffer.from('data: \xF0\x9F\n\n', 'latin1')]);
  const srv = await sseServer([
    async (req, res) => {
      head(res);
      res.socket.setNoDelay(true);
      for (let i = 0; i < bytes.length; i += 3) {
        res.write(bytes.subarray(i, i + 3));
        await new Promise((r) => setImmediate(r));
      }
    },
  ]);
  try {
    const stream = await srv.particle().getEventStream({ deviceId: 'mine' });
    const got = await collect(stream, 3);
    stream.abort();
    assert.deepEqual(got.map((e) => [e.name, e.data]), [['grüße', 'é€😀'], ['message', 'plain'], ['message', '\uFFFD']]);
  } finally {
    await srv.close();
  }
});

test('1,000 events in one burst: none lost, in order, also through for await', T, async () => {
  const burst = Array.from({ length: 1000 }, (_, i) => frame('n', String(i))).join('');
  const srv = await sseServer([(req, res) => headWith(res, burst)]);
  try {
    const stream = await srv.particle().getEventStream({ deviceId: 'mine' });
    const got = [];
    for await (const e of stream) {
      got.push(Number(e.data));
      if (got.length === 1000) break; // ends the stream (abort)
    }
    assert.deepEqual(got, Array.from({ length: 1000 }, (_, i) => i));
    assert.equal(stream._ctl.signal.aborted, true);
  } finally {
    await srv.close();
  }
});

test('reconnects with Last-Event-ID and reports particle-api-js\'s events', T, async () => {
  const srv = await sseServer([
    (req, res) => { headWith(res, frame('a', '1', 'x1') + frame('a', '2', 'x2')); res.end(); },
    (req, res) => { headWith(res, frame('a', '3', 'x3')); res.end(); },
    (req, res) => headWith(res, frame('a', '4')),
  ]);
  try {
    const { asked, hook } = waits();
    const stream = await srv.particle().getEventStream({ deviceId: 'mine', __testWait: hook });
    const seen = [];
    for (const kind of ['disconnect', 'reconnect', 'reconnect-success']) stream.on(kind, () => seen.push(kind));
    const got = await collect(stream, 4);
    stream.abort();
    assert.deepEqual(got.map((e) => e.data), ['1', '2', '3', '4']);
    assert.deepEqual(srv.requests.map((r) => r.headers['last-event-id']), [undefined, 'x2', 'x3']);
    assert.deepEqual(seen, ['disconnect', 'reconnect', 'reconnect-success', 'disconnect', 'reconnect', 'reconnect-success']);
    // Streams that delivered events: the back-off starts over at 1 s (plus at most half of jitter).
    assert.equal(asked.length, 2);
    for (const ms of asked) assert.ok(ms >= 1000 && ms <= 1500, `${ms}`);
  } finally {
    await srv.close();
  }
});

test('failed reopens back off exponentially to the 30 s cap; retry: replaces the base', T, async () => {
  const fails = (req, res) => res.writeHead(503).end();
  const srv = await sseServer([
    (req, res) => { headWith(res, frame('a', '1')); res.end(); },
    ...Array(7).fill(fails),
    (req, res) => { headWith(res, `retry: 5000\n${frame('a', '2')}`); res.end(); },
    (req, res) => headWith(res, frame('a', '3')),
  ]);
  try {
    const { asked, hook } = waits();
    const stream = await srv.particle().getEventStream({ deviceId: 'mine', __testWait: hook });
    const errors = [];
    stream.on('reconnect-error', (e) => errors.push(e.statusCode));
    await collect(stream, 3);
    stream.abort();
    assert.deepEqual(errors, Array(7).fill(503));
    const floors = [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];
    assert.equal(asked.length, 9);
    floors.forEach((f, i) => assert.ok(asked[i] >= f && asked[i] <= Math.min(f * 1.5, 30000), `wait ${i}: ${asked[i]}`));
    // After `retry: 5000` on a stream that delivered: 5 s plus jitter.
    assert.ok(asked[8] >= 5000 && asked[8] <= 7500, `${asked[8]}`);
  } finally {
    await srv.close();
  }
});

test('401 on a reconnect: error and end, and no more opens', T, async () => {
  const srv = await sseServer([
    (req, res) => { headWith(res, frame('a', '1')); res.end(); },
    (req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_token","error_description":"The access token provided is invalid."}'),
  ]);
  try {
    const { hook } = waits();
    const stream = await srv.particle().getEventStream({ deviceId: 'mine', __testWait: hook });
    const seen = [];
    const ended = new Promise((resolve) => stream.on('end', resolve));
    stream.on('error', (e) => seen.push(['error', e.statusCode, e.code]));
    stream.on('event', (e) => seen.push(['event', e.data]));
    await ended;
    assert.deepEqual(seen, [['event', '1'], ['error', 401, 'invalid_token']]);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(srv.requests.length, 2);
  } finally {
    await srv.close();
  }
});

test('the async iterator throws the final error', T, async () => {
  const srv = await sseServer([
    (req, res) => { headWith(res, frame('a', '1')); res.end(); },
    (req, res) => res.writeHead(403).end(),
  ]);
  try {
    const { hook } = waits();
    const stream = await srv.particle().getEventStream({ deviceId: 'mine', __testWait: hook });
    const got = [];
    await assert.rejects(async () => {
      for await (const e of stream) got.push(e.data);
    }, (e) => e instanceof CloudError && e.status === 403);
    assert.deepEqual(got, ['1']);
  } finally {
    await srv.close();
  }
});

test('a stream silent past silenceMs is reopened', T, async () => {
  const srv = await sseServer([
    (req, res) => headWith(res, frame('a', '1')), // then silence, connection left open
    (req, res) => headWith(res, frame('a', '2')),
  ]);
  try {
    const { asked, hook } = waits();
    const stream = await srv.particle().getEventStream({ deviceId: 'mine', silenceMs: 200, __testWait: hook });
    const got = await collect(stream, 2);
    stream.abort();
    assert.deepEqual(got.map((e) => e.data), ['1', '2']);
    assert.equal(srv.requests.length, 2);
    assert.ok(asked[0] >= 1000 && asked[0] <= 1500);
  } finally {
    await srv.close();
  }
});

test('keep-alives keep a quiet stream open', T, async () => {
  const srv = await sseServer([
    async (req, res) => {
      headWith(res, ':ok\n\n');
      for (let i = 0; i < 6 && !res.destroyed; i++) {
        await new Promise((r) => setTimeout(r, 50));
        res.write('\n');
      }
      res.write(frame('a', 'late'));
    },
  ]);
  try {
    const stream = await srv.particle().getEventStream({ deviceId: 'mine', silenceMs: 200 });
    const [e] = await collect(stream, 1);
    stream.abort();
    assert.equal(e.data, 'late');
    assert.equal(srv.requests.length, 1);
  } finally {
    await srv.close();
  }
});

test('abort() stops the stream: no reconnect, listeners removed, iterators finish', T, async () => {
  const srv = await sseServer([(req, res) => headWith(res, frame('a', '1'))]);
  try {
    const { asked, hook } = waits();
    const stream = await srv.particle().getEventStream({ deviceId: 'mine', __testWait: hook });
    const it = stream[Symbol.asyncIterator]();
    assert.equal((await it.next()).value.data, '1');
    stream.on('disconnect', () => assert.fail('no disconnect after abort'));
    stream.abort();
    assert.deepEqual(await it.next(), { value: undefined, done: true });
    assert.equal(stream.listenerCount('disconnect'), 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(srv.requests.length, 1);
    assert.deepEqual(asked, []);
  } finally {
    await srv.close();
  }
});

test('events that come before any listener are kept for the first one', T, async () => {
  const srv = await sseServer([(req, res) => headWith(res, frame('a', '1') + frame('a', '2'))]);
  try {
    const stream = await srv.particle().getEventStream({ deviceId: 'mine' });
    await new Promise((r) => setTimeout(r, 100)); // the events are in by now
    const got = await collect(stream, 2);
    stream.abort();
    assert.deepEqual(got.map((e) => e.data), ['1', '2']);
  } finally {
    await srv.close();
  }
});

test('streams at once keep their own sessions, and a stream that ended leaves none behind', T, async () => {
  // Every connection sends one event whose id counts the connections to its URL, then ends.
  const srv = await sseServer([
    (req, res) => {
      const device = req.url.split('/')[3];
      const n = srv.requests.filter((r) => r.path === req.url).length;
      headWith(res, frame(device, String(n), `${device}-${n}`));
      res.end();
    },
  ]);
  try {
    const { hook } = waits();
    const p = srv.particle();
    const ended = await p.getEventStream({ deviceId: 'd0', __testWait: hook });
    await collect(ended, 2);
    ended.abort();
    await sleep(50);
    const [a, b] = await Promise.all(['da', 'db'].map((deviceId) => p.getEventStream({ deviceId, __testWait: hook })));
    const [ga, gb] = await Promise.all([collect(a, 3), collect(b, 3)]);
    a.abort();
    b.abort();
    assert.deepEqual(ga.map((e) => [e.name, e.data]), [['da', '1'], ['da', '2'], ['da', '3']]);
    assert.deepEqual(gb.map((e) => [e.name, e.data]), [['db', '1'], ['db', '2'], ['db', '3']]);
    const ids = (d) => srv.requests.filter((r) => r.path === `/v1/devices/${d}/events`).slice(0, 3).map((r) => r.headers['last-event-id']);
    assert.deepEqual(ids('da'), [undefined, 'da-1', 'da-2']);
    assert.deepEqual(ids('db'), [undefined, 'db-1', 'db-2']);
    // The session of a stream that is over answers nothing (nor does one that never was).
    await sleep(50);
    const FEED = 2;
    assert.equal(Particle.__eventStep(0 + FEED, 0, 'data: x\n\n'), undefined);
    assert.equal(Particle.__eventStep(1_000_000 * 8 + FEED, 0, 'data: x\n\n'), undefined);
  } finally {
    await srv.close();
  }
});
