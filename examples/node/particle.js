#!/usr/bin/env node
'use strict';
// Particle Device Cloud, the particle-api-js way: log in, list the devices, read a variable, call a
// function. A device the cloud cannot reach answers 408; the example shows how to tell that apart from
// other errors with CloudError's statusCode.
//
// Environment variables:
//   PARTICLE_USERNAME       required* account e-mail
//   PARTICLE_PASSWORD       required* account password
//   PARTICLE_ACCESS_TOKEN   optional  use this token instead of logging in (*then username/password are not
//                                     needed; accounts with two-step authentication need one, e.g. from
//                                     `particle token create`)
//   PARTICLE_DEVICE_ID      optional  device id or name; default: the first online device
//   PARTICLE_VARIABLE       optional  variable to read; default: the first one the device declares
//   PARTICLE_FUNCTION       optional  function to call; without it no function is called (functions can act
//                                     on the real world)
//   PARTICLE_ARGUMENT       optional  argument for the function, default ""
//   PARTICLE_BASE_URL       optional  default https://api.particle.io
//
//   node particle.js

const { Particle, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: PARTICLE_USERNAME=… PARTICLE_PASSWORD=… node particle.js

  PARTICLE_USERNAME       required  account e-mail (unless PARTICLE_ACCESS_TOKEN is set)
  PARTICLE_PASSWORD       required  account password (unless PARTICLE_ACCESS_TOKEN is set)
  PARTICLE_ACCESS_TOKEN   optional  an access token to use instead of logging in
  PARTICLE_DEVICE_ID      optional  device id or name; default: the first online device
  PARTICLE_VARIABLE       optional  variable to read; default: the device's first variable
  PARTICLE_FUNCTION       optional  function to call; none is called without it
  PARTICLE_ARGUMENT       optional  function argument, default ""
  PARTICLE_BASE_URL       optional  default https://api.particle.io`;

const env = process.env;
const missing = env.PARTICLE_ACCESS_TOKEN ? [] : ['PARTICLE_USERNAME', 'PARTICLE_PASSWORD'].filter((n) => !env[n]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}

/** True when the cloud could not reach the device: it is offline or did not answer in time. */
const isOffline = (err) => err instanceof CloudError && err.statusCode === 408;

/**
 * Reads a variable; resolves null (after saying so) when the device is offline, rethrows anything else.
 */
async function readVariable(particle, device, name, auth) {
  try {
    const { body } = await particle.getVariable({ deviceId: device.id, name, auth });
    console.log(`  ${device.name}.${name} = ${JSON.stringify(body.result)}`);
    return body.result;
  } catch (err) {
    if (!isOffline(err)) throw err;
    console.log(`  ${device.name}.${name}: device offline (HTTP ${err.statusCode} "${err.message}"), try again later`);
    return null;
  }
}

async function main() {
  // Built here, so that a setting the client refuses (say, a base URL that is not a URL) is reported
  // below like a missing one.
  const particle = new Particle({ baseUrl: env.PARTICLE_BASE_URL || 'https://api.particle.io' });

  let token = env.PARTICLE_ACCESS_TOKEN;
  if (token) {
    console.log('using the access token from PARTICLE_ACCESS_TOKEN');
  } else {
    const data = await particle.login({ username: env.PARTICLE_USERNAME, password: env.PARTICLE_PASSWORD });
    token = data.body.access_token;
    const days = Math.round(data.body.expires_in / 86400);
    console.log(`logged in as ${env.PARTICLE_USERNAME}: token received (${token.length} characters, ` +
      `expires in ${data.body.expires_in} s${days > 0 ? ` ≈ ${days} days` : ''})`);
  }

  const { body: devices } = await particle.listDevices({ auth: token });
  console.log(`\n${devices.length} device${devices.length === 1 ? '' : 's'}:`);
  for (const d of devices) {
    const vars = Object.keys(d.variables || {});
    console.log(`  ${d.name.padEnd(20)} ${d.id}  ${d.online ? 'online ' : 'offline'}  ` +
      `variables: ${vars.join(', ') || '-'}  functions: ${(d.functions || []).join(', ') || '-'}`);
  }

  const wanted = env.PARTICLE_DEVICE_ID;
  const device = wanted
    ? devices.find((d) => d.id === wanted || d.name === wanted) || { id: wanted, name: wanted, variables: {} }
    : devices.find((d) => d.online);
  if (!device) {
    console.log('\nno online device to talk to; set PARTICLE_DEVICE_ID to pick one');
    return;
  }

  console.log(`\ndevice ${device.name}:`);
  const variable = env.PARTICLE_VARIABLE || Object.keys(device.variables || {})[0];
  if (variable) {
    await readVariable(particle, device, variable, token);
  } else {
    console.log('  no variable to read (set PARTICLE_VARIABLE)');
  }

  if (env.PARTICLE_FUNCTION) {
    const name = env.PARTICLE_FUNCTION;
    const argument = env.PARTICLE_ARGUMENT || '';
    try {
      const { body } = await particle.callFunction({ deviceId: device.id, name, argument, auth: token });
      // return_value is whatever the firmware's handler returned; a 200 does not mean it "succeeded".
      console.log(`  ${device.name}.${name}(${JSON.stringify(argument)}) returned ${body.return_value}`);
    } catch (err) {
      if (!isOffline(err)) throw err;
      console.log(`  ${device.name}.${name}: device offline (HTTP ${err.statusCode} "${err.message}"), not called`);
    }
  } else {
    console.log('  no function called (set PARTICLE_FUNCTION to call one)');
  }

  // The cloud answers 408 at once for a device it knows is offline. Reading a variable of one shows the
  // handling above at work.
  const offline = devices.find((d) => !d.online && d.id !== device.id && Object.keys(d.variables || {}).length > 0);
  if (offline) {
    console.log(`\noffline device ${offline.name}:`);
    await readVariable(particle, offline, Object.keys(offline.variables)[0], token);
  }
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') {
    // Refused before any request: a setting is not usable.
    console.error(`invalid setting: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof CloudError) {
    const hint = err.code === 'mfa_required' ? ' (two-step authentication: set PARTICLE_ACCESS_TOKEN instead)' : '';
    console.error(`Particle error: ${err.statusCode ?? '-'} ${err.code}: ${err.message}${hint}`);
  } else {
    // fetch rejects with "fetch failed"; the reason (refused, DNS, TLS…) is in err.cause.
    console.error(`${err.message}${err.cause ? ` (${err.cause.code || err.cause.message})` : ''}`);
  }
  process.exit(1);
});
