#!/usr/bin/env node
'use strict';
// Avnet IoTConnect: log in and list every device of the solution.
//
// IoTConnect's getting-started guide has three steps: a basic token from `/Auth/basic-token`, an access
// token from `/Auth/login` (basic token + solution-key header + username/password), then API calls with
// `Authorization: Bearer`. The IoTConnect client does all three, after looking up the solution's service
// URLs (discovery), and renews the token before it expires. `devices.iterate()` reads every page.
//
// Environment variables:
//   IOTCONNECT_SOLUTION_KEY   required  solution key
//   IOTCONNECT_ENVIRONMENT    required  environment: poc, prod or avnet
//   IOTCONNECT_USERNAME       required  user e-mail
//   IOTCONNECT_PASSWORD       required  password
//   IOTCONNECT_PLATFORM       optional  aws or az, default aws
//   IOTCONNECT_DISCOVERY_URL  optional  default https://discovery.iotconnect.io
//   IOTCONNECT_SHOW           optional  how many devices to print, default 5
//
//   node iotconnect.js

const { IoTConnect, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: IOTCONNECT_SOLUTION_KEY=… IOTCONNECT_ENVIRONMENT=poc IOTCONNECT_USERNAME=… IOTCONNECT_PASSWORD=… node iotconnect.js

  IOTCONNECT_SOLUTION_KEY   required  solution key
  IOTCONNECT_ENVIRONMENT    required  poc, prod or avnet
  IOTCONNECT_USERNAME       required  user e-mail
  IOTCONNECT_PASSWORD       required  password
  IOTCONNECT_PLATFORM       optional  aws or az, default aws
  IOTCONNECT_DISCOVERY_URL  optional  default https://discovery.iotconnect.io
  IOTCONNECT_SHOW           optional  devices to print, default 5`;

const env = process.env;
const required = ['IOTCONNECT_SOLUTION_KEY', 'IOTCONNECT_ENVIRONMENT', 'IOTCONNECT_USERNAME', 'IOTCONNECT_PASSWORD'];
const missing = required.filter((n) => !env[n]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
const show = env.IOTCONNECT_SHOW === undefined ? 5 : Number(env.IOTCONNECT_SHOW);
if (!Number.isInteger(show) || show < 0) {
  console.error(`IOTCONNECT_SHOW must be a whole number, not "${env.IOTCONNECT_SHOW}"\n\n${USAGE}`);
  process.exit(2);
}

async function main() {
  // Built here, so that a setting the client refuses (say, a platform other than aws or az) is reported
  // below like a missing one.
  const iotc = new IoTConnect({
    solutionKey: env.IOTCONNECT_SOLUTION_KEY,
    environment: env.IOTCONNECT_ENVIRONMENT,
    platform: env.IOTCONNECT_PLATFORM || 'aws',
    username: env.IOTCONNECT_USERNAME,
    password: env.IOTCONNECT_PASSWORD,
    discoveryUrl: env.IOTCONNECT_DISCOVERY_URL || 'https://discovery.iotconnect.io',
  });

  const endpoints = await iotc.endpoints();
  console.log(`services: auth ${endpoints.auth}`);
  console.log(`          device ${endpoints.device}`);

  // Steps 1 and 2: basic token, then login. Optional: the first API call would log in as well.
  const { expiresAt } = await iotc.login();
  console.log(`logged in as ${env.IOTCONNECT_USERNAME}` +
    `${expiresAt ? `, token valid until ${new Date(expiresAt).toISOString()}` : ''}`);

  // Step 3: API calls with the token: every page of the device list.
  const shown = [];
  let total = 0;
  let connected = 0;
  for await (const d of iotc.devices.iterate({ pageSize: 100 })) {
    total++;
    if (d.isConnected) connected++;
    if (shown.length < show) shown.push(d);
  }
  console.log(`\n${total} devices (${connected} connected)`);
  for (const d of shown) {
    const state = d.isActive === false ? 'inactive' : d.isConnected ? 'connected' : 'disconnected';
    const where = [d.entityName, d.templateName].filter(Boolean).join(', ');
    console.log(`  ${String(d.uniqueId).padEnd(16)} ${String(d.displayName).padEnd(24)} ${state.padEnd(12)} ${where}`);
  }
  if (total > shown.length) console.log(`  … and ${total - shown.length} more`);
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
    // fetch rejects with "fetch failed"; the reason (refused, DNS, TLS…) is in err.cause.
    console.error(`${err.message}${err.cause ? ` (${err.cause.code || err.cause.message})` : ''}`);
  }
  process.exit(1);
});
