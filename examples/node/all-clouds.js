#!/usr/bin/env node
'use strict';
// Every device of every configured cloud, with its readings, through one loop: the cross-vendor API of
// iot-cloud-wasm, `connect(vendor, options)`, gives each cloud the same methods (`iterateDevices()`,
// `readings(id)`) and the same shapes (a device's name, online state, last seen; a reading's name, value,
// type and time), whatever the cloud calls them.
//
// A cloud is configured when its variables are set: the same as its own examples' (see clouds.js). What a
// device's readings are depends on the cloud: an Arduino thing's properties, a Particle device's variables
// (an offline device answers 408, reported), a cThings device's connection, an IoTConnect device's latest
// telemetry.
//
// Environment variables:
//   ARDUINO_CLIENT_ID, ARDUINO_CLIENT_SECRET      Arduino IoT Cloud (ARDUINO_ORGANIZATION, ARDUINO_BASE_URL optional)
//   PARTICLE_ACCESS_TOKEN, or PARTICLE_USERNAME and PARTICLE_PASSWORD   Particle (PARTICLE_BASE_URL optional)
//   CTHINGS_CLIENT_ID, CTHINGS_CLIENT_SECRET, CTHINGS_DEVICE_ID   cThings (CTHINGS_AUTH_URL, CTHINGS_BASE_URL optional)
//   IOTCONNECT_SOLUTION_KEY, IOTCONNECT_ENVIRONMENT, IOTCONNECT_USERNAME, IOTCONNECT_PASSWORD   IoTConnect
//                                                 (IOTCONNECT_PLATFORM, IOTCONNECT_DISCOVERY_URL optional)
//   DEVICES_PER_CLOUD                             optional  devices printed per cloud, 1 to 100, default 5
//
//   node all-clouds.js
//
// Exit status: 0 when every cloud answered; 1 when a cloud failed (its error is printed, the others are still
// listed); 2 when no cloud is configured or a setting is missing or refused (nothing of that cloud is sent).

const { CloudError } = require('iot-cloud-wasm');
const { VENDORS, TITLES, SETTINGS, configured, connectFromEnv, describe } = require('./clouds');

const USAGE = `usage: <the variables of one or more clouds> node all-clouds.js

${SETTINGS}
  DEVICES_PER_CLOUD                             optional  devices printed per cloud, 1 to 100, default 5`;

const env = process.env;
const { vendors, missing } = configured(env);
if (vendors.length === 0) {
  console.error(`no cloud configured: set the variables of at least one\n\n${USAGE}`);
  process.exit(2);
}
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
const perCloud = env.DEVICES_PER_CLOUD === undefined ? 5 : Number(env.DEVICES_PER_CLOUD);
if (!Number.isInteger(perCloud) || perCloud < 1 || perCloud > 100) {
  console.error(`invalid setting: DEVICES_PER_CLOUD must be a whole number from 1 to 100\n\n${USAGE}`);
  process.exit(2);
}

const when = (date) => (date ? date.toISOString() : '-');
const status = (online) => (online === true ? 'online' : online === false ? 'offline' : 'status unknown');

/** Lists the cloud's first `perCloud` devices with their readings; resolves whether it all answered. */
async function listCloud(vendor, cloud, login) {
  await login();
  console.log(`\n${TITLES[vendor]}`);
  let shown = 0;
  let more = false;
  let ok = true;
  // One more than is printed, to tell whether there are more (IoTConnect: all in one page).
  for await (const device of cloud.iterateDevices({ pageSize: perCloud + 1 })) {
    if (shown === perCloud) {
      more = true;
      break;
    }
    shown++;
    console.log(`  ${device.name}  (${device.id})  ${status(device.online)}, last seen ${when(device.lastSeen)}`);
    try {
      const readings = await cloud.readings(device.id);
      if (readings.length === 0) console.log('    no readings');
      for (const r of readings) {
        console.log(`    ${r.name} = ${JSON.stringify(r.value)}  (${r.type}, ${when(r.updatedAt)})`);
      }
    } catch (err) {
      if (err instanceof CloudError && err.status === 408) {
        console.log(`    device offline (HTTP 408 "${err.message}"): no readings`);
      } else {
        console.log(`    readings failed: ${describe(err)}`);
        ok = false;
      }
    }
  }
  if (shown === 0) console.log('  no devices');
  if (more) console.log(`  … and more (DEVICES_PER_CLOUD=${perCloud})`);
  return ok;
}

async function main() {
  // Every client is made first: a setting one refuses is reported before anything is sent.
  const clouds = [];
  for (const vendor of VENDORS.filter((v) => vendors.includes(v))) {
    try {
      clouds.push({ vendor, ...connectFromEnv(vendor, env) });
    } catch (err) {
      if (!(err instanceof CloudError && err.code === 'invalid_argument')) throw err;
      console.error(`invalid setting: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
  }
  console.log(`${clouds.length} cloud${clouds.length === 1 ? '' : 's'}: ${clouds.map((c) => TITLES[c.vendor]).join(', ')}`);

  let exitCode = 0;
  for (const { vendor, cloud, login } of clouds) {
    try {
      if (!(await listCloud(vendor, cloud, login))) exitCode ||= 1;
    } catch (err) {
      // The cloud refused the login or the list; the next cloud is still listed.
      const setting = err instanceof CloudError && err.code === 'invalid_argument';
      console.error(`${TITLES[vendor]}: ${setting ? 'invalid setting: ' : ''}${describe(err)}`);
      exitCode = setting ? 2 : exitCode || 1;
    }
  }
  process.exitCode = exitCode;
}

main().catch((err) => {
  console.error(describe(err));
  process.exit(1);
});
