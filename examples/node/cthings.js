#!/usr/bin/env node
'use strict';
// cThings Cloud: fetch one or more devices from the v3 API and print what the cloud knows about them.
//
// cThings' guide takes two steps: a client-credentials token from the AuthServer (client id and secret
// as HTTP Basic auth, multipart/form-data body), then `GET /v3/device/{id}` with that token as a Bearer
// header. The CThings client does the first step on its first call, keeps the token until it expires and
// unwraps the response envelope (`{api, code, data, …}`) to its `data`.
//
// Environment variables:
//   CTHINGS_CLIENT_ID       required  client id (a UUID), from cThings
//   CTHINGS_CLIENT_SECRET   required  client secret
//   CTHINGS_DEVICE_ID       required  device id (a UUID; the last part of https://cthings.cloud/device/…);
//                                     several may be given, separated by commas
//   CTHINGS_AUTH_URL        optional  default https://authserver.cthings.cloud
//   CTHINGS_BASE_URL        optional  default https://api.cthings.cloud
//
//   node cthings.js

const { CThings, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: CTHINGS_CLIENT_ID=… CTHINGS_CLIENT_SECRET=… CTHINGS_DEVICE_ID=… node cthings.js

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

function printDevice(device) {
  const c = device.connection || {};
  const loc = device.location;
  console.log(`${device.name}`);
  console.log(`  id               ${device.id}`);
  console.log(`  device (EUI)     ${device.device}`);
  if (device.type) console.log(`  type             ${device.type.type} (${device.type.key})`);
  console.log(`  active           ${device.active}`);
  console.log(`  connection       ${c.status ? 'connected' : 'not connected'}` +
    `${c.lastConnected ? `, last connected ${c.lastConnected}` : ''}` +
    `${typeof c.signalStrength === 'number' ? `, signal ${c.signalStrength} dBm` : ''}`);
  if (loc) console.log(`  location         ${loc.latitude}, ${loc.longitude}`);
  if (device.entity) console.log(`  entity           ${device.entity.name}`);
  if (device.createdAt) console.log(`  created          ${device.createdAt}`);
}

async function main() {
  // Built here, so that a setting the client refuses (say, an auth URL that is not a URL) is reported
  // below like a missing one.
  const cthings = new CThings({
    clientId: env.CTHINGS_CLIENT_ID,
    clientSecret: env.CTHINGS_CLIENT_SECRET,
    authUrl: env.CTHINGS_AUTH_URL || 'https://authserver.cthings.cloud',
    baseUrl: env.CTHINGS_BASE_URL || 'https://api.cthings.cloud',
  });
  const ids = env.CTHINGS_DEVICE_ID.split(',').map((s) => s.trim()).filter(Boolean);
  for (const [i, id] of ids.entries()) {
    // The first call requests the access token; the others reuse it.
    const device = await cthings.devices.get(id);
    if (i > 0) console.log('');
    printDevice(device);
  }
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') {
    // Refused before any request: a setting is not usable.
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
