// The Arduino client's pacing (maxRequestsPerSecond), the per-call options (organization, signal,
// timeoutMs) and the paged device time series (arduino.devices.iterateTimeseries).
import test from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, T, IDS, CREDENTIALS, FIXTURES, rejectsWith, within, sleep } from './support.mjs';

const sim = useSimulator();
const A = IDS.arduino;
const ORG = CREDENTIALS.arduino.organization;
// The spacing is measured near where the client decides it: when it calls `fetch` (arrival times at the
// simulator would add the jitter of a loaded machine). 12 ms of slack: the millisecond clock's rounding, and
// the request's making between the time read in wasm and the `fetch` call, which a busy machine can stretch
// for one request and not the next. A pacing fault shows as requests a few ms apart, or all at once.
const SLACK = 12;
const apiLog = async () => (await sim.requests('arduino')).filter((r) => !r.path.endsWith('/clients/token'));

/** A client whose API requests (not token requests) record when they were handed to `fetch`. */
function pacedClient(options) {
  const sent = [];
  const fetch = (url, init) => {
    if (!String(url).endsWith('/clients/token')) sent.push({ time: Date.now(), url: String(url) });
    return globalThis.fetch(url, init);
  };
  return { arduino: sim.arduino({ ...options, fetch }), sent };
}

function assertSpaced(log, n, what) {
  assert.equal(log.length, n, `${what}: ${n} requests`);
  const times = log.map((r) => r.time).sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) {
    assert.ok(times[i] - times[i - 1] >= 200 - SLACK, `${what}: requests ${i - 1} and ${i} ${times[i] - times[i - 1]} ms apart`);
  }
  return times;
}

test('maxRequestsPerSecond: 5 spaces 12 sequential calls at least 200 ms apart', T, async () => {
  const { arduino, sent } = pacedClient({ maxRequestsPerSecond: 5 });
  await arduino.things.list({}); // the token first
  await sleep(250);
  sent.length = 0;
  await sim.clearLog();
  const started = Date.now();
  for (let i = 0; i < 12; i++) assert.equal((await arduino.things.list({})).length, 3);
  const took = Date.now() - started;
  assert.equal((await apiLog()).length, 12, 'the simulator saw each');
  assertSpaced(sent, 12, 'sequential');
  assert.ok(took >= 11 * (200 - SLACK) && took < 15_000, `12 calls took ${took} ms`);
});

test('maxRequestsPerSecond: 5 spaces 12 concurrent calls at least 200 ms apart', T, async () => {
  const { arduino, sent } = pacedClient({ maxRequestsPerSecond: 5 });
  await arduino.things.list({});
  await sleep(250);
  sent.length = 0;
  await sim.clearLog();
  const started = Date.now();
  const shown = await Promise.all(Object.values(A.things).slice(0, 3).flatMap((id) => Array.from({ length: 4 }, () => arduino.things.show(id, { showDeleted: true }))));
  const took = Date.now() - started;
  assert.equal(shown.length, 12);
  assert.equal((await apiLog()).length, 12, 'the simulator saw each');
  assertSpaced(sent, 12, 'concurrent');
  assert.ok(took >= 11 * (200 - SLACK) && took < 15_000, `12 concurrent calls took ${took} ms`);
});

test('maxRequestsPerSecond: a 429 with Retry-After is still waited out, and the pacing holds', T, async () => {
  const { arduino, sent } = pacedClient({ maxRequestsPerSecond: 5 });
  await arduino.things.list({});
  await sleep(250);
  sent.length = 0;
  await sim.clearLog();
  await sim.fault({ vendor: 'arduino', match: `/iot/v2/things/${A.things.greenhouse}`, kind: 'status', status: 429, retryAfter: '1' });
  const ids = [A.things.weatherStation, A.things.greenhouse, A.things.deskLamp];
  const shown = await Promise.all(Array.from({ length: 12 }, (_, i) => arduino.things.show(ids[i % 3])));
  assert.deepEqual(shown.map((t) => t.id), Array.from({ length: 12 }, (_, i) => ids[i % 3]));
  assert.equal((await apiLog()).length, 13, 'the simulator saw each');
  assertSpaced(sent, 13, 'with a 429');
  const greenhouse = sent.filter((r) => r.url.endsWith(A.things.greenhouse)).map((r) => r.time);
  // The faulted request and its retry: a second apart at least.
  const [faulted] = greenhouse;
  assert.ok(greenhouse.some((t) => t - faulted >= 950), `a retry ≥ 1 s after the 429: ${greenhouse.map((t) => t - faulted)}`);
  assert.equal((await sim.stats()).faultsServed, 1);
});

test('per-call organization wins over the client default, which is sent otherwise', T, async () => {
  const other = '00000000-0000-4000-8000-000000000000';
  const arduino = sim.arduino({ organization: other });
  const thing = await arduino.things.show(A.things.coldRoom, { organization: ORG });
  assert.equal(thing.id, A.things.coldRoom);
  await rejectsWith(arduino.things.show(A.things.coldRoom), { vendor: 'arduino', status: 403 });
  const log = await apiLog();
  assert.deepEqual(log.map((r) => r.headers['x-organization']), [ORG, other]);
  // Operations without X-Organization in the spec do not send it, whatever the default.
  await sim.clearLog();
  await arduino.loraFreqPlanV1.list();
  const [plain] = await apiLog();
  assert.equal(plain.headers['x-organization'], undefined);
});

test('per-call signal: aborting one call rejects it with aborted, the others go on', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({});
  await sim.fault({ vendor: 'arduino', match: `/iot/v2/things/${A.things.greenhouse}`, kind: 'hang' });
  const controller = new AbortController();
  const hanging = arduino.things.show(A.things.greenhouse, { signal: controller.signal });
  const other = arduino.things.show(A.things.weatherStation);
  assert.equal((await other).id, A.things.weatherStation);
  setTimeout(() => controller.abort(), 100);
  await within(5_000, rejectsWith(hanging, { vendor: 'arduino', code: 'aborted' }), 'the aborted call');
  assert.equal((await arduino.things.show(A.things.deskLamp)).id, A.things.deskLamp, 'the client still works');
  // An already aborted signal: nothing is sent.
  await sim.clearLog();
  await rejectsWith(arduino.things.show(A.things.deskLamp, { signal: AbortSignal.abort() }), { code: 'aborted' });
  assert.deepEqual(await apiLog(), []);
});

test('per-call timeoutMs: one call times out, the client default applies to the others', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({});
  await sim.fault({ vendor: 'arduino', match: `/iot/v2/things/${A.things.greenhouse}`, kind: 'hang' });
  const started = Date.now();
  await within(10_000, rejectsWith(arduino.things.show(A.things.greenhouse, { timeoutMs: 300 }), { vendor: 'arduino', code: 'timeout' }));
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 5_000, `timed out after ${took} ms`);
  assert.equal((await arduino.things.show(A.things.greenhouse)).id, A.things.greenhouse);
  await rejectsWith(arduino.things.show(A.things.greenhouse, { timeoutMs: -1 }), { code: 'invalid_argument' });
});

// ---------------------------------------------------------------------------------------------------------
// The paged device time series.

const STATION = FIXTURES.arduino.things[0];
const STATUS = STATION.props.find((p) => p.variable === 'status'); // a constant: one synthetic value

test('devices.iterateTimeseries yields every published value across pages, each page asked from the last cursor', T, async () => {
  const arduino = sim.arduino();
  const published = [];
  for (let i = 0; i < 7; i++) {
    published.push(`value ${i}`);
    await arduino.properties.publish(STATION.id, STATUS.id, { value: `value ${i}` });
    await sleep(5); // distinct created_at: the cursor is a time
  }
  const all = await arduino.devices.timeseries(STATION.device_id, STATUS.id, { limit: 100 });
  assert.equal(all.values.length, 8, 'one synthetic value and the 7 published ones');
  await sim.clearLog();
  const pages = [];
  const paged = sim.arduino({
    fetch: async (url, init) => {
      const res = await fetch(url, init);
      if (String(url).includes(`/properties/${STATUS.id}`)) pages.push(await res.clone().json());
      return res;
    },
  });
  const got = [];
  for await (const v of paged.devices.iterateTimeseries(STATION.device_id, STATUS.id, { limit: 3 })) got.push(v);
  assert.deepEqual(got, all.values, 'every value, newest first, once');
  for (const v of published) assert.ok(got.some((x) => x.value.payload === v), `${v} yielded`);
  const log = (await apiLog()).filter((r) => r.path.includes(`/properties/${STATUS.id}`));
  assert.equal(log.length, 3, 'three pages of 3');
  assert.equal(pages.length, 3);
  assert.equal(log[0].query.start, undefined);
  for (let i = 1; i < log.length; i++) {
    assert.equal(log[i].query.limit, '3');
    assert.equal(log[i].query.start, pages[i - 1].last_evaluated_key.created_at, `page ${i} starts at the previous cursor`);
  }
  assert.deepEqual(pages[2].last_evaluated_key, {});
});

test('devices.iterateTimeseries stops when the server repeats the cursor', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({});
  const page = {
    id: STATUS.id, name: 'status',
    values: [{ created_at: '2025-01-01T00:00:02Z', value: { payload: 'a', seqno: 2 } }, { created_at: '2025-01-01T00:00:01Z', value: { payload: 'b', seqno: 1 } }],
    last_evaluated_key: { created_at: '2025-01-01T00:00:01Z', id: STATUS.id, name: 'status' },
  };
  await sim.fault({ vendor: 'arduino', match: `/properties/${STATUS.id}`, kind: 'reply', body: page, times: 10 });
  const got = [];
  await within(10_000, (async () => {
    for await (const v of arduino.devices.iterateTimeseries(STATION.device_id, STATUS.id, { limit: 2 })) got.push(v);
  })(), 'the iteration');
  const log = (await apiLog()).filter((r) => r.path.includes(`/properties/${STATUS.id}`));
  assert.equal(log.length, 2, 'the first page, and the one asked from its cursor');
  assert.equal(log[1].query.start, page.last_evaluated_key.created_at);
  assert.equal(got.length, 4);
  assert.equal((await sim.stats()).faultsServed, 2);
});

test('organizationToken asks for a token scoped to the organization; without it the token form has none', T, async () => {
  const tokenForm = async () => {
    const [req] = await sim.requests('arduino', '/clients/token');
    return new URLSearchParams(req.body);
  };
  await sim.arduino({ organization: ORG, organizationToken: true }).things.list();
  assert.equal((await tokenForm()).get('organization_id'), ORG);
  await sim.clearLog();
  await sim.arduino({ organization: ORG }).things.list();
  assert.equal((await tokenForm()).get('organization_id'), null);
  assert.throws(() => sim.arduino({ organizationToken: 'yes' }), { code: 'invalid_argument' });
});
