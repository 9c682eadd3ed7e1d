#!/usr/bin/env node
'use strict';
// cThings Cloud telemetry: how each device is connected and what the cloud last heard from it, through the
// v3 API (`GET /v3/device/{id}`, the one call cThings' guide documents).
//
// The first device is read with `devices.getEnvelope`, which gives the whole answer (`{api, code, data,
// version, …}`) as cThings' guide prints it; the others with `devices.get`, which gives the envelope's `data`.
// A device is "late" when more than its data interval has passed since it was last connected.
//
// Environment variables:
//   CTHINGS_CLIENT_ID       required  client id (a UUID), from cThings
//   CTHINGS_CLIENT_SECRET   required  client secret
//   CTHINGS_DEVICE_ID       required  device id (a UUID; the last part of https://cthings.cloud/device/…);
//                                     several may be given, separated by commas
//   CTHINGS_AUTH_URL        optional  default https://authserver.cthings.cloud
//   CTHINGS_BASE_URL        optional  default https://api.cthings.cloud
//
//   node cthings-telemetry.js

const { CThings, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: CTHINGS_CLIENT_ID=… CTHINGS_CLIENT_SECRET=… CTHINGS_DEVICE_ID=… node cthings-telemetry.js

  CTHINGS_CLIENT_ID       required  client id (a UUID)
  CTHINGS_CLIENT_SECRET   required  client secret
  CTHINGS_DEVICE_ID       required  device id; several may be separated by commas
  CTHINGS_AUTH_URL        optional  default https://authserver.cthings.cloud
  CTHINGS_BASE_URL        optional  default https://api.cthings.cloud`;

const env = process.env;
const missing = ['CTHINGS_CLIENT_ID', 'CTHINGS_CLIENT_SECRET', 'CTHINGS_DEVICE_ID'].filter((n) => !env[n]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}

function printTelemetry(device, now) {
  const c = device.connection || {};
  const last = c.lastConnected ? Date.parse(c.lastConnected) : NaN;
  const interval = device.dataInterval;
  let state = c.status ? 'connected' : 'not connected';
  if (!Number.isNaN(last) && interval > 0) {
    const silent = Math.round((now - last) / 1000);
    state += silent > interval ? `, late: nothing for ${silent} s (reports every ${interval} s)`
      : `, on time (reports every ${interval} s)`;
  }
  console.log(`${device.name} (${device.type?.type ?? 'device'}, ${device.device})`);
  console.log(`  connection      ${state}`);
  console.log(`  last connected  ${c.lastConnected ?? '-'}`);
  if (typeof c.signalStrength === 'number') console.log(`  signal          ${c.signalStrength} dBm`);
  if (Array.isArray(c.route) && c.route.length) console.log(`  route           ${c.route.join(' → ')}`);
  if (device.location) console.log(`  location        ${device.location.latitude}, ${device.location.longitude}`);
  if (device.configuration) console.log(`  configuration   ${JSON.stringify(device.configuration)}`);
}

async function main() {
  const cthings = new CThings({
    clientId: env.CTHINGS_CLIENT_ID,
    clientSecret: env.CTHINGS_CLIENT_SECRET,
    authUrl: env.CTHINGS_AUTH_URL || 'https://authserver.cthings.cloud',
    baseUrl: env.CTHINGS_BASE_URL || 'https://api.cthings.cloud',
  });
  const ids = env.CTHINGS_DEVICE_ID.split(',').map((s) => s.trim()).filter(Boolean);
  for (const [i, id] of ids.entries()) {
    let device;
    if (i === 0) {
      const envelope = await cthings.devices.getEnvelope(id);
      console.log(`${envelope.api} ${envelope.version}, code ${envelope.code}\n`);
      device = envelope.data;
    } else {
      device = await cthings.devices.get(id);
      console.log('');
    }
    printTelemetry(device, Date.now());
  }
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') {
    // Refused before any request: a setting is not usable (an id that is not a UUID, a URL that is not one).
    console.error(`invalid setting: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof CloudError) {
    console.error(`cThings error: ${err.status ?? '-'} ${err.code}: ${err.message}`);
  } else {
    // fetch rejects with "fetch failed"; the reason (refused, DNS, TLS…) is in err.cause.
    console.error(`${err.message}${err.cause ? ` (${err.cause.code || err.cause.message})` : ''}`);
  }
  process.exit(1);
});
