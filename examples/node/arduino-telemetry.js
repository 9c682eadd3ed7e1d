#!/usr/bin/env node
'use strict';
// Arduino IoT Cloud telemetry: the last value of every property of a thing, then the recent history of its
// numeric properties.
//
// Written as Arduino's "Cloud API & SDK" guide writes its calls, against this package's `IotApi` (a drop-in
// for `@arduino/arduino-iot-client`): a token from the token endpoint, the shared ApiClient, then
// `PropertiesV2Api.propertiesV2List` and `PropertiesV2Api.propertiesV2Timeseries`. (A long-running reader
// would rather use `new Arduino({clientId, clientSecret})`, which renews the 300 s token by itself.)
//
// Environment variables:
//   ARDUINO_CLIENT_ID       required  API key client id (Arduino Cloud > API keys)
//   ARDUINO_CLIENT_SECRET   required  API key client secret
//   ARDUINO_THING_ID        required  id of the thing to read
//   ARDUINO_MINUTES         optional  how far back the history goes, in minutes; default 10
//   ARDUINO_ORGANIZATION    optional  organization (space) id, for things that belong to an organization
//   ARDUINO_BASE_URL        optional  default https://api2.arduino.cc
//
//   node arduino-telemetry.js

const { IotApi, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: ARDUINO_CLIENT_ID=… ARDUINO_CLIENT_SECRET=… ARDUINO_THING_ID=… node arduino-telemetry.js

  ARDUINO_CLIENT_ID       required  API key client id
  ARDUINO_CLIENT_SECRET   required  API key client secret
  ARDUINO_THING_ID        required  thing to read
  ARDUINO_MINUTES         optional  history to read, in minutes (1 to 1440), default 10
  ARDUINO_ORGANIZATION    optional  organization (space) id
  ARDUINO_BASE_URL        optional  default https://api2.arduino.cc`;

const env = process.env;
const missing = ['ARDUINO_CLIENT_ID', 'ARDUINO_CLIENT_SECRET', 'ARDUINO_THING_ID'].filter((name) => !env[name]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
const minutes = Number(env.ARDUINO_MINUTES || 10);
if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
  console.error(`invalid setting: ARDUINO_MINUTES must be a whole number from 1 to 1440\n\n${USAGE}`);
  process.exit(2);
}

const thingId = env.ARDUINO_THING_ID;
const organization = env.ARDUINO_ORGANIZATION || undefined;
const baseUrl = (env.ARDUINO_BASE_URL || 'https://api2.arduino.cc').replace(/\/+$/, '');

// As in the guide: a client-credentials token from a form-encoded POST.
async function getToken() {
  const response = await fetch(`${baseUrl}/iot/v1/clients/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: env.ARDUINO_CLIENT_ID,
      client_secret: env.ARDUINO_CLIENT_SECRET,
      audience: 'https://api2.arduino.cc/iot',
    }),
  });
  const body = await response.json().catch(() => undefined);
  if (!response.ok || typeof body?.access_token !== 'string') {
    throw new Error(`Failed getting an access token: HTTP ${response.status} ${body?.error_description || body?.detail || ''}`);
  }
  return body.access_token;
}

const show = (value) => (value instanceof Date ? value.toISOString() : JSON.stringify(value));
const NUMERIC = ['FLOAT', 'INT', 'PERCENTAGE', 'TEMPERATURE', 'TEMPERATURE_C', 'HUMIDITY', 'LUMINANCE'];

async function main() {
  const client = IotApi.ApiClient.instance;
  client.basePath = baseUrl;
  client.authentications['oauth2'].accessToken = await getToken();
  const api = new IotApi.PropertiesV2Api(client);
  const opts = organization ? { xOrganization: organization } : {};

  const properties = await api.propertiesV2List(thingId, opts);
  const thing = properties[0]?.thing_name ? ` ("${properties[0].thing_name}")` : '';
  console.log(`thing ${thingId}${thing}: ${properties.length} properties`);
  const width = Math.max(4, ...properties.map((p) => p.name.length));
  for (const p of properties) {
    const at = p.value_updated_at ? `  updated ${show(p.value_updated_at)}` : '';
    console.log(`  ${p.name.padEnd(width)}  ${String(p.type).padEnd(10)}  last_value=${show(p.last_value)}${at}`);
  }

  // The history of each numeric property: one point a minute over the last ARDUINO_MINUTES minutes.
  const to = new Date();
  const from = new Date(to.getTime() - minutes * 60_000);
  for (const p of properties.filter((q) => NUMERIC.includes(q.type))) {
    const series = await api.propertiesV2Timeseries(thingId, p.id, {
      from: from.toISOString(), to: to.toISOString(), interval: 60, ...opts,
    });
    const points = series.data || [];
    console.log(`\n${p.name}: ${points.length} points in the last ${minutes} minutes`);
    for (const point of points) console.log(`  ${show(point.time)}  ${point.value}`);
    if (points.length > 0) {
      const values = points.map((x) => x.value);
      const avg = values.reduce((a, b) => a + b, 0) / values.length;
      console.log(`  min ${Math.min(...values)}  max ${Math.max(...values)}  avg ${avg.toFixed(2)}`);
    }
  }
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') {
    console.error(`invalid setting: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof CloudError) {
    console.error(`Arduino IoT Cloud error: ${err.status ?? '-'} ${err.code}: ${err.message}`);
    if (err.status === 404 && !organization) {
      // A thing in an organization's space is only found with the organization's id.
      console.error('hint: if the thing belongs to an organization, set ARDUINO_ORGANIZATION to its id');
    }
  } else {
    // fetch rejects with "fetch failed"; the reason (refused, DNS, TLS…) is in err.cause.
    console.error(`${err.message}${err.cause ? ` (${err.cause.code || err.cause.message})` : ''}`);
  }
  process.exit(1);
});
