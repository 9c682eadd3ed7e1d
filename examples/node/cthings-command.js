#!/usr/bin/env node
'use strict';
// cThings Cloud command: change a device's configuration with `cthings.request`, the client's call for any
// endpoint of the API (same token, same envelope, errors with the envelope's code and message).
//
// cThings' guide documents one endpoint, `GET /v3/device/{id}`, and points to https://api.cthings.cloud/docs/v3
// (and /docs/v2) for the others. The change sent here, `PATCH /device/{id}` with `{configuration}`, is what
// this repository's simulator serves: it shows how `request` is used. Before sending it to the real cloud,
// look up the endpoint for the change you need in those docs and set CTHINGS_METHOD and CTHINGS_PATH.
// `version: 'auto'` sends the call to v3, and once more to v2 when v3 answers 404 (an endpoint only v2 has).
//
// Environment variables:
//   CTHINGS_CLIENT_ID       required  client id (a UUID), from cThings
//   CTHINGS_CLIENT_SECRET   required  client secret
//   CTHINGS_DEVICE_ID       required  device id (a UUID)
//   CTHINGS_CONFIGURATION   required  the change, a JSON object, e.g. {"reportingInterval":300}
//   CTHINGS_METHOD          optional  default PATCH
//   CTHINGS_PATH            optional  default /device/{CTHINGS_DEVICE_ID} (the path after the version)
//   CTHINGS_VERSION         optional  v3, v2 or auto; default auto
//   CTHINGS_AUTH_URL        optional  default https://authserver.cthings.cloud
//   CTHINGS_BASE_URL        optional  default https://api.cthings.cloud
//
//   node cthings-command.js

const { CThings, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: CTHINGS_CLIENT_ID=… CTHINGS_CLIENT_SECRET=… CTHINGS_DEVICE_ID=… CTHINGS_CONFIGURATION='{…}' node cthings-command.js

  CTHINGS_CLIENT_ID       required  client id (a UUID)
  CTHINGS_CLIENT_SECRET   required  client secret
  CTHINGS_DEVICE_ID       required  device id (a UUID)
  CTHINGS_CONFIGURATION   required  the change, a JSON object
  CTHINGS_METHOD          optional  default PATCH
  CTHINGS_PATH            optional  default /device/<CTHINGS_DEVICE_ID>
  CTHINGS_VERSION         optional  v3, v2 or auto (default)
  CTHINGS_AUTH_URL        optional  default https://authserver.cthings.cloud
  CTHINGS_BASE_URL        optional  default https://api.cthings.cloud`;

const env = process.env;
const required = ['CTHINGS_CLIENT_ID', 'CTHINGS_CLIENT_SECRET', 'CTHINGS_DEVICE_ID', 'CTHINGS_CONFIGURATION'];
const missing = required.filter((n) => !env[n]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
let configuration;
try {
  configuration = JSON.parse(env.CTHINGS_CONFIGURATION);
} catch {
  configuration = undefined;
}
if (typeof configuration !== 'object' || configuration === null || Array.isArray(configuration)) {
  console.error(`invalid setting: CTHINGS_CONFIGURATION must be a JSON object, e.g. {"reportingInterval":300}\n\n${USAGE}`);
  process.exit(2);
}

async function main() {
  const cthings = new CThings({
    clientId: env.CTHINGS_CLIENT_ID,
    clientSecret: env.CTHINGS_CLIENT_SECRET,
    authUrl: env.CTHINGS_AUTH_URL || 'https://authserver.cthings.cloud',
    baseUrl: env.CTHINGS_BASE_URL || 'https://api.cthings.cloud',
  });
  const id = env.CTHINGS_DEVICE_ID;
  const before = await cthings.devices.get(id);

  const method = env.CTHINGS_METHOD || 'PATCH';
  const path = env.CTHINGS_PATH || `/device/${id}`;
  const version = env.CTHINGS_VERSION || 'auto';
  const after = await cthings.request({ method, path, version, body: { configuration } });

  console.log(`${method} ${path} (version ${version})`);
  console.log(before.name);
  console.log(`  configuration before  ${JSON.stringify(before.configuration)}`);
  console.log(`  configuration now     ${JSON.stringify(after?.configuration)}`);
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') {
    // Refused before any request: a setting is not usable (a method, path or version `request` refuses).
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
