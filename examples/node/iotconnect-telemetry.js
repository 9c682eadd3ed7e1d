#!/usr/bin/env node
'use strict';
// Avnet IoTConnect: a device's telemetry — its latest values, its last few messages and a summary of the
// last hours.
//
// The latest values come from `GET /Telemetry/device/{deviceGuid}` (one row per attribute), the last
// messages from `POST /Telemetry/device/{uniqueId}/recent/{n}` (n from 10 to 50) and the history from
// `GET /Telemetry/attribute-history/device/{uniqueId}/from/{from}/to/{to}` (at most 7 days). The client
// checks n and the window before sending anything, and sends the window's ends as the API wants them
// (`YYYY-MM-DD HH:MM:SS`, UTC) whatever `Date` or ISO 8601 string it is given.
//
// Environment variables:
//   IOTCONNECT_SOLUTION_KEY   required  solution key
//   IOTCONNECT_ENVIRONMENT    required  environment: poc, prod or avnet
//   IOTCONNECT_USERNAME       required  user e-mail
//   IOTCONNECT_PASSWORD       required  password
//   IOTCONNECT_PLATFORM       optional  aws or az, default aws
//   IOTCONNECT_DISCOVERY_URL  optional  default https://discovery.iotconnect.io
//   IOTCONNECT_DEVICE         optional  the device's unique id; default: the first connected device
//   IOTCONNECT_RECENT         optional  how many recent messages to print, 10 to 50, default 10
//   IOTCONNECT_HOURS          optional  hours of history to summarize, 1 to 168, default 1
//
//   node iotconnect-telemetry.js

const { IoTConnect, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: IOTCONNECT_SOLUTION_KEY=… IOTCONNECT_ENVIRONMENT=poc IOTCONNECT_USERNAME=… IOTCONNECT_PASSWORD=… node iotconnect-telemetry.js

  IOTCONNECT_SOLUTION_KEY   required  solution key
  IOTCONNECT_ENVIRONMENT    required  poc, prod or avnet
  IOTCONNECT_USERNAME       required  user e-mail
  IOTCONNECT_PASSWORD       required  password
  IOTCONNECT_PLATFORM       optional  aws or az, default aws
  IOTCONNECT_DISCOVERY_URL  optional  default https://discovery.iotconnect.io
  IOTCONNECT_DEVICE         optional  device unique id, default: the first connected device
  IOTCONNECT_RECENT         optional  recent messages to print (10 to 50), default 10
  IOTCONNECT_HOURS          optional  hours of history (1 to 168), default 1`;

const env = process.env;
const required = ['IOTCONNECT_SOLUTION_KEY', 'IOTCONNECT_ENVIRONMENT', 'IOTCONNECT_USERNAME', 'IOTCONNECT_PASSWORD'];
const missing = required.filter((n) => !env[n]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
// Checked here so that nothing is sent with a value the API refuses (the client would refuse it too, but
// only when the script gets to that call).
const number = (name, fallback, min, max) => {
  const value = env[name] === undefined ? fallback : Number(env[name]);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be a whole number from ${min} to ${max}, not "${env[name]}"\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
};
const recentCount = number('IOTCONNECT_RECENT', 10, 10, 50);
const hours = number('IOTCONNECT_HOURS', 1, 1, 168);

const show = (v) => (typeof v === 'number' ? String(v) : JSON.stringify(v));

async function main() {
  const iotc = new IoTConnect({
    solutionKey: env.IOTCONNECT_SOLUTION_KEY,
    environment: env.IOTCONNECT_ENVIRONMENT,
    platform: env.IOTCONNECT_PLATFORM || 'aws',
    username: env.IOTCONNECT_USERNAME,
    password: env.IOTCONNECT_PASSWORD,
    discoveryUrl: env.IOTCONNECT_DISCOVERY_URL || 'https://discovery.iotconnect.io',
  });

  // The device: the one named, or the first connected one (the list is read page by page until found).
  let device;
  if (env.IOTCONNECT_DEVICE) {
    device = await iotc.devices.getByUniqueId(env.IOTCONNECT_DEVICE);
  } else {
    for await (const d of iotc.devices.iterate({ status: 'connected', pageSize: 100 })) {
      device = d;
      break;
    }
    if (!device) throw new Error('no connected device in this solution: set IOTCONNECT_DEVICE');
  }
  console.log(`${device.displayName} (${device.uniqueId}), ${device.isConnected ? 'connected' : 'not connected'}`);

  const latest = await iotc.telemetry.latest(device.guid);
  console.log('\nlatest values:');
  const width = Math.max(0, ...latest.map((r) => r.attributeName.length));
  for (const r of latest) {
    console.log(`  ${r.attributeName.padEnd(width)} ${show(r.attributeValue)}${r.unit ? ` ${r.unit}` : ''}  (${r.deviceUpdatedDate ?? '?'})`);
  }

  const recent = await iotc.telemetry.recent(device.uniqueId, recentCount);
  console.log(`\n${recent.length} recent messages:`);
  for (const message of recent) {
    const { time, uniqueId, ...values } = message;
    console.log(`  ${time ?? ''} ${Object.entries(values).map(([k, v]) => `${k}=${show(v)}`).join(' ')}`);
  }

  // History: a window of `hours` up to now (the client refuses more than 7 days before asking).
  const to = new Date();
  const from = new Date(to.getTime() - hours * 3_600_000);
  const rows = await iotc.telemetry.history(device.uniqueId, { from, to });
  console.log(`\nhistory of the last ${hours} hour${hours === 1 ? '' : 's'}: ${rows.length} readings`);
  const numeric = new Map();
  for (const row of rows) {
    for (const [name, value] of Object.entries(row)) {
      if (typeof value !== 'number') continue;
      const s = numeric.get(name) ?? { min: Infinity, max: -Infinity, sum: 0, n: 0 };
      Object.assign(s, { min: Math.min(s.min, value), max: Math.max(s.max, value), sum: s.sum + value, n: s.n + 1 });
      numeric.set(name, s);
    }
  }
  for (const [name, s] of numeric) {
    console.log(`  ${name.padEnd(width)} min ${s.min}  max ${s.max}  mean ${(s.sum / s.n).toFixed(2)}`);
  }
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') {
    // Refused before any request: a setting is not usable.
    console.error(`invalid setting: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof CloudError) {
    console.error(`IoTConnect error: ${err.status ?? '-'} ${err.code}: ${err.message}`);
  } else {
    console.error(`${err.message}${err.cause ? ` (${err.cause.code || err.cause.message})` : ''}`);
  }
  process.exit(1);
});
