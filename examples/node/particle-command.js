#!/usr/bin/env node
'use strict';
// Particle Device Cloud commands, the particle-api-js way: call a function of a device's firmware
// (`callFunction`), and publish an event that devices subscribed to it receive (`publishEvent`). A device the
// cloud cannot reach answers the call with 408; that is reported, not retried.
//
// Environment variables:
//   PARTICLE_USERNAME        required* account e-mail
//   PARTICLE_PASSWORD        required* account password
//   PARTICLE_ACCESS_TOKEN    optional  use this token instead of logging in (*then username/password are not needed)
//   PARTICLE_DEVICE_ID       required  device id or name
//   PARTICLE_FUNCTION        required  function to call (functions can act on the real world: pick one you mean)
//   PARTICLE_ARGUMENT        optional  the function's argument, default ""
//   PARTICLE_EVENT           optional  also publish an event of this name (private, to your devices)
//   PARTICLE_EVENT_DATA      optional  the event's data, default ""
//   PARTICLE_BASE_URL        optional  default https://api.particle.io
//
//   node particle-command.js

const { Particle, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: PARTICLE_USERNAME=… PARTICLE_PASSWORD=… PARTICLE_DEVICE_ID=… PARTICLE_FUNCTION=… node particle-command.js

  PARTICLE_USERNAME        required  account e-mail (unless PARTICLE_ACCESS_TOKEN is set)
  PARTICLE_PASSWORD        required  account password (unless PARTICLE_ACCESS_TOKEN is set)
  PARTICLE_ACCESS_TOKEN    optional  an access token to use instead of logging in
  PARTICLE_DEVICE_ID       required  device id or name
  PARTICLE_FUNCTION        required  function to call
  PARTICLE_ARGUMENT        optional  function argument, default ""
  PARTICLE_EVENT           optional  event name to publish too
  PARTICLE_EVENT_DATA      optional  event data, default ""
  PARTICLE_BASE_URL        optional  default https://api.particle.io`;

const env = process.env;
const required = [...(env.PARTICLE_ACCESS_TOKEN ? [] : ['PARTICLE_USERNAME', 'PARTICLE_PASSWORD']),
  'PARTICLE_DEVICE_ID', 'PARTICLE_FUNCTION'];
const missing = required.filter((n) => !env[n]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}

async function main() {
  const particle = new Particle({ baseUrl: env.PARTICLE_BASE_URL || 'https://api.particle.io' });
  let token = env.PARTICLE_ACCESS_TOKEN;
  if (!token) {
    const data = await particle.login({ username: env.PARTICLE_USERNAME, password: env.PARTICLE_PASSWORD });
    token = data.body.access_token;
    console.log(`logged in as ${env.PARTICLE_USERNAME}`);
  }

  const deviceId = env.PARTICLE_DEVICE_ID;
  const name = env.PARTICLE_FUNCTION;
  const argument = env.PARTICLE_ARGUMENT || '';
  try {
    const { body } = await particle.callFunction({ deviceId, name, argument, auth: token });
    // return_value is whatever the firmware's handler returned; a 200 does not mean it "succeeded".
    console.log(`${deviceId}.${name}(${JSON.stringify(argument)}) returned ${body.return_value}`);
  } catch (err) {
    if (!(err instanceof CloudError && err.statusCode === 408)) throw err;
    console.log(`${deviceId}.${name}: device offline (HTTP ${err.statusCode} "${err.message}"), not called`);
  }

  if (env.PARTICLE_EVENT) {
    const data = env.PARTICLE_EVENT_DATA || '';
    await particle.publishEvent({ name: env.PARTICLE_EVENT, data, isPrivate: true, auth: token });
    console.log(`published event ${JSON.stringify(env.PARTICLE_EVENT)} with data ${JSON.stringify(data)} (private)`);
  }
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
