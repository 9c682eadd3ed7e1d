#!/usr/bin/env node
'use strict';
// Particle Device Cloud telemetry, the particle-api-js way: a device's state (`getDevice`), every variable its
// firmware exposes (`getVariable`), then the events it publishes, live, for a few seconds
// (`getEventStream`). An offline device answers variable reads with 408; that is reported, not fatal.
//
// Environment variables:
//   PARTICLE_USERNAME        required* account e-mail
//   PARTICLE_PASSWORD        required* account password
//   PARTICLE_ACCESS_TOKEN    optional  use this token instead of logging in (*then username/password are not needed)
//   PARTICLE_DEVICE_ID       optional  device id or name; default: the first online device
//   PARTICLE_LISTEN_SECONDS  optional  how long to print the device's events, 0 to 600; default 10 (0: none)
//   PARTICLE_BASE_URL        optional  default https://api.particle.io
//
//   node particle-telemetry.js

const { Particle, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: PARTICLE_USERNAME=… PARTICLE_PASSWORD=… node particle-telemetry.js

  PARTICLE_USERNAME        required  account e-mail (unless PARTICLE_ACCESS_TOKEN is set)
  PARTICLE_PASSWORD        required  account password (unless PARTICLE_ACCESS_TOKEN is set)
  PARTICLE_ACCESS_TOKEN    optional  an access token to use instead of logging in
  PARTICLE_DEVICE_ID       optional  device id or name; default: the first online device
  PARTICLE_LISTEN_SECONDS  optional  seconds of live events to print (0 to 600), default 10
  PARTICLE_BASE_URL        optional  default https://api.particle.io`;

const env = process.env;
const missing = env.PARTICLE_ACCESS_TOKEN ? [] : ['PARTICLE_USERNAME', 'PARTICLE_PASSWORD'].filter((n) => !env[n]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
const listenSeconds = Number(env.PARTICLE_LISTEN_SECONDS ?? 10);
if (!Number.isFinite(listenSeconds) || listenSeconds < 0 || listenSeconds > 600) {
  console.error(`invalid setting: PARTICLE_LISTEN_SECONDS must be a number from 0 to 600\n\n${USAGE}`);
  process.exit(2);
}

const isOffline = (err) => err instanceof CloudError && err.statusCode === 408;

async function main() {
  const particle = new Particle({ baseUrl: env.PARTICLE_BASE_URL || 'https://api.particle.io' });
  let token = env.PARTICLE_ACCESS_TOKEN;
  if (!token) {
    const data = await particle.login({ username: env.PARTICLE_USERNAME, password: env.PARTICLE_PASSWORD });
    token = data.body.access_token;
    console.log(`logged in as ${env.PARTICLE_USERNAME}`);
  }

  let deviceId = env.PARTICLE_DEVICE_ID;
  if (!deviceId) {
    const { body: devices } = await particle.listDevices({ auth: token });
    const online = devices.find((d) => d.online);
    if (!online) {
      console.log('no online device; set PARTICLE_DEVICE_ID to pick one');
      return;
    }
    deviceId = online.id;
  }

  const { body: device } = await particle.getDevice({ deviceId, auth: token });
  console.log(`\n${device.name} (${device.id})`);
  console.log(`  online       ${device.online ? 'yes' : 'no'}`);
  console.log(`  last heard   ${device.last_heard ?? '-'}`);
  if (device.last_ip_address) console.log(`  last IP      ${device.last_ip_address}`);
  if (device.system_firmware_version) console.log(`  Device OS    ${device.system_firmware_version}`);

  const names = Object.keys(device.variables || {});
  console.log(names.length ? '\nvariables:' : '\nno variables');
  for (const name of names) {
    try {
      const { body } = await particle.getVariable({ deviceId: device.id, name, auth: token });
      console.log(`  ${name} = ${JSON.stringify(body.result)}`);
    } catch (err) {
      if (!isOffline(err)) throw err;
      console.log(`  ${name}: device offline (HTTP ${err.statusCode} "${err.message}")`);
    }
  }

  if (listenSeconds === 0) return;
  // The device's own events (Particle.publish in its firmware), as they happen.
  const stream = await particle.getEventStream({ deviceId: device.id, auth: token });
  console.log(`\nevents of ${device.name} for ${listenSeconds} s:`);
  let count = 0;
  stream.on('event', (event) => {
    count++;
    console.log(`  ${event.published_at}  ${event.name} = ${JSON.stringify(event.data)}`);
  });
  stream.on('error', (err) => console.error(`event stream: ${err.message}`));
  await new Promise((resolve) => setTimeout(resolve, listenSeconds * 1000));
  stream.abort();
  console.log(`${count} event${count === 1 ? '' : 's'}`);
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') {
    console.error(`invalid setting: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof CloudError) {
    console.error(`Particle error: ${err.statusCode ?? '-'} ${err.code}: ${err.message}`);
  } else {
    // fetch rejects with "fetch failed"; the reason (refused, DNS, TLS…) is in err.cause.
    console.error(`${err.message}${err.cause ? ` (${err.cause.code || err.cause.message})` : ''}`);
  }
  process.exit(1);
});
