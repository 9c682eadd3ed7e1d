// Arduino IoT Cloud client: things and properties against the simulator, and what goes over the wire.
import test from 'node:test';
import assert from 'node:assert/strict';
import { useSimulator, T, CREDENTIALS, IDS, rejectsWith, bearer } from './support.mjs';

const sim = useSimulator();
const THINGS = IDS.arduino.things;
const ORG = CREDENTIALS.arduino.organization;
const ids = (list) => new Set(list.map((item) => item.id));

test('things.list returns the things of the personal space, without deleted ones', T, async () => {
  const things = await sim.arduino().things.list({});
  assert.ok(Array.isArray(things));
  assert.deepEqual(ids(things), new Set([THINGS.weatherStation, THINGS.greenhouse, THINGS.deskLamp]));
  const weather = things.find((t) => t.id === THINGS.weatherStation);
  assert.equal(weather.name, 'Weather Station');
  assert.equal(weather.timezone, 'Europe/Rome');
  assert.deepEqual(weather.tags, { location: 'garden', kind: 'sensor' });
  assert.equal(weather.properties_count, 3);
  assert.equal(weather.properties, undefined, 'properties only when asked for');
  assert.equal(weather.deleted_at, undefined);

  const [api] = await sim.requests('arduino', '/iot/v2/things');
  assert.equal(api.method, 'GET');
  assert.equal(api.path, '/arduino/iot/v2/things');
  assert.deepEqual(api.query, {});
  assert.equal(api.headers['x-organization'], undefined);
});

test('things.list with showDeleted includes the soft-deleted thing', T, async () => {
  const things = await sim.arduino().things.list({ showDeleted: true });
  assert.equal(things.length, 4);
  const old = things.find((t) => t.id === THINGS.oldPrototype);
  assert.equal(old.name, 'Old Prototype');
  assert.equal(typeof old.deleted_at, 'string');
  const [api] = await sim.requests('arduino', '/iot/v2/things');
  assert.equal(api.query.show_deleted, 'true');
});

test('things.list with ids, tags, deviceId and showProperties', T, async () => {
  const arduino = sim.arduino();
  const byIds = await arduino.things.list({ ids: [THINGS.greenhouse, THINGS.deskLamp] });
  assert.deepEqual(ids(byIds), new Set([THINGS.greenhouse, THINGS.deskLamp]));

  const byTag = await arduino.things.list({ tags: ['kind:sensor'] });
  assert.deepEqual(ids(byTag), new Set([THINGS.weatherStation]));

  const byDevice = await arduino.things.list({ deviceId: '7a3759b4-1297-4c50-a3ff-0c72de2b3df5' });
  assert.deepEqual(ids(byDevice), new Set([THINGS.deskLamp]));

  const withProps = await arduino.things.list({ showProperties: true, ids: [THINGS.deskLamp] });
  assert.equal(withProps.length, 1);
  assert.deepEqual(withProps[0].properties.map((p) => p.variable_name).sort(), ['brightness', 'lamp']);

  const log = await sim.requests('arduino', '/iot/v2/things');
  assert.equal(log.length, 4);
  // A repeated parameter (ids=a&ids=b), as the official client sends it, not one comma-joined value.
  assert.deepEqual(log[0].query.ids, [THINGS.greenhouse, THINGS.deskLamp]);
  assert.equal(log[1].query.tags, 'kind:sensor');
  assert.equal(log[2].query.device_id, '7a3759b4-1297-4c50-a3ff-0c72de2b3df5');
  assert.equal(log[3].query.show_properties, 'true');
});

test('ids are sent as a repeated parameter and acrossUserIds as across_user_ids=true', T, async () => {
  const arduino = sim.arduino();
  await arduino.things.list({ ids: ['a', 'b'] });
  await arduino.things.list({ ids: ['only-one'] });
  const things = await arduino.things.list({ acrossUserIds: true });
  assert.deepEqual(ids(things), new Set([THINGS.weatherStation, THINGS.greenhouse, THINGS.deskLamp]));
  await arduino.things.list({ acrossUserIds: false });

  const log = await sim.requests('arduino', '/iot/v2/things');
  assert.equal(log.length, 4);
  assert.deepEqual(log[0].query, { ids: ['a', 'b'] });
  assert.deepEqual(log[1].query, { ids: 'only-one' });
  assert.deepEqual(log[2].query, { across_user_ids: 'true' });
  assert.notEqual(log[3].query.across_user_ids, 'true');
});

test('the organization option sends X-Organization and lists the organization things', T, async () => {
  const things = await sim.arduino({ organization: ORG }).things.list({});
  assert.deepEqual(ids(things), new Set([THINGS.packagingLine, THINGS.coldRoom]));
  for (const thing of things) assert.equal(thing.organization_id, ORG);
  const [api] = await sim.requests('arduino', '/iot/v2/things');
  assert.equal(api.headers['x-organization'], ORG);
});

test('a per-call organization overrides the client default', T, async () => {
  const arduino = sim.arduino();
  const org = await arduino.things.list({ organization: ORG });
  assert.deepEqual(ids(org), new Set([THINGS.packagingLine, THINGS.coldRoom]));
  const props = await arduino.properties.list(THINGS.coldRoom, { organization: ORG });
  assert.deepEqual(props.map((p) => p.variable_name).sort(), ['door_open', 'temperature']);
  const personal = await arduino.things.list({});
  assert.equal(personal.length, 3);
  const log = await sim.requests('arduino', '/iot/v2/things');
  assert.deepEqual(log.map((r) => r.headers['x-organization']), [ORG, ORG, undefined]);
});

test('an unknown organization is refused with 403', T, async () => {
  const err = await rejectsWith(
    sim.arduino().things.list({ organization: '00000000-0000-4000-8000-000000000000' }),
    { vendor: 'arduino', status: 403, statusCode: 403, code: 'forbidden' },
  );
  assert.equal(err.body.code, 'forbidden');
});

test('properties.list returns the live properties; showDeleted adds the deleted one', T, async () => {
  const arduino = sim.arduino();
  const props = await arduino.properties.list(THINGS.weatherStation, {});
  assert.deepEqual(props.map((p) => p.variable_name).sort(), ['humidity', 'status', 'temperature']);
  const temperature = props.find((p) => p.name === 'temperature');
  assert.equal(temperature.type, 'FLOAT');
  assert.equal(temperature.permission, 'READ_ONLY');
  assert.equal(temperature.thing_id, THINGS.weatherStation);
  assert.equal(typeof temperature.last_value, 'number');
  assert.ok(Math.abs(temperature.last_value - 14.2) <= 2.5 + 1e-9, `reading near 14.2: ${temperature.last_value}`);
  assert.equal(props.find((p) => p.name === 'status').last_value, 'ok');

  const all = await arduino.properties.list(THINGS.weatherStation, { showDeleted: true });
  assert.equal(all.length, 4);
  const pressure = all.find((p) => p.name === 'pressure');
  assert.equal(typeof pressure.deleted_at, 'string');

  const log = await sim.requests('arduino', '/properties');
  assert.deepEqual(log.map((r) => [r.method, r.path]), [
    ['GET', `/arduino/iot/v2/things/${THINGS.weatherStation}/properties`],
    ['GET', `/arduino/iot/v2/things/${THINGS.weatherStation}/properties`],
  ]);
  assert.notEqual(log[0].query.show_deleted, 'true');
  assert.equal(log[1].query.show_deleted, 'true');
});

test('token request: form-encoded client credentials with the IoT audience', T, async () => {
  await sim.arduino().things.list({});
  const [token, api] = await sim.requests('arduino');
  assert.equal(token.method, 'POST');
  assert.equal(token.path, '/arduino/iot/v1/clients/token');
  assert.deepEqual(token.query, {});
  assert.match(token.headers['content-type'], /^application\/x-www-form-urlencoded\b/);
  const form = Object.fromEntries(new URLSearchParams(token.body));
  assert.deepEqual(form, {
    grant_type: 'client_credentials',
    client_id: CREDENTIALS.arduino.clientId,
    client_secret: CREDENTIALS.arduino.clientSecret,
    audience: 'https://api2.arduino.cc/iot',
  });

  assert.equal(api.path, '/arduino/iot/v2/things');
  const sent = bearer(api.headers.authorization);
  assert.equal(sent.split('.').length, 3, 'the JWT the token endpoint issued');
  assert.equal(api.headers.accept, 'application/vnd.arduino.thing+json; type=collection');
});

test('an unknown thing rejects with 404 not_found', T, async () => {
  const err = await rejectsWith(
    sim.arduino().properties.list('11111111-2222-4333-8444-555555555555', {}),
    { vendor: 'arduino', status: 404, statusCode: 404, code: 'not_found', message: 'thing not found' },
  );
  assert.equal(err.body.status, 404);
  // The soft-deleted thing has no properties to list either.
  await rejectsWith(sim.arduino().properties.list(THINGS.oldPrototype, {}), { status: 404, code: 'not_found' });
});

test('a wrong client secret rejects with 401 invalid_client and the parsed body', T, async () => {
  const arduino = sim.arduino({ clientSecret: 'not-the-secret' });
  const err = await rejectsWith(arduino.things.list({}), {
    vendor: 'arduino', status: 401, statusCode: 401, code: 'invalid_client',
  });
  assert.deepEqual(err.body, { error: 'invalid_client', error_description: 'Invalid client credentials' });
  assert.equal(err.message, 'Invalid client credentials');
  const { requests } = await sim.stats();
  assert.equal(requests.arduino, 1, 'no API call without a token');
});

test('query values are URL-encoded, so reserved characters reach the cloud intact', T, async () => {
  const arduino = sim.arduino();
  const things = await arduino.things.list({ tags: ['location:a&b=c d/e?#'], ids: ['x,y'] });
  assert.deepEqual(things, []);
  const [api] = await sim.requests('arduino', '/iot/v2/things');
  assert.equal(api.path, '/arduino/iot/v2/things');
  assert.equal(api.query.tags, 'location:a&b=c d/e?#');
  assert.equal(api.query.ids, 'x,y');
});
