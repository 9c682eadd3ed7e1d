#!/usr/bin/env node
'use strict';
// A live watch of one cloud: `cloud.events(deviceId?)` of iot-cloud-wasm's cross-vendor API, each event
// printed as it comes, for WATCH_SECONDS or until Ctrl-C. One AbortSignal ends it either way: it goes with
// the events' options, so a poll or a stream read in flight is cancelled too.
//
// Particle's events come from its event stream (what the devices publish); the other clouds' are their
// readings polled every WATCH_INTERVAL_MS, an event per value that changed since the poll before (the first
// poll is the baseline: it makes none).
//
// Environment variables: the variables of the clouds (see all-clouds.js and clouds.js), and
//   WATCH_CLOUD        optional  arduino, particle, cthings or iotconnect; default: the first configured, in
//                                that order
//   WATCH_DEVICE       optional  the device (Arduino: the thing id; IoTConnect: the device guid); default:
//                                every device (polled clouds read each one, one after the other)
//   WATCH_SECONDS      optional  how long to watch, 1 to 86400; default: until Ctrl-C
//   WATCH_INTERVAL_MS  optional  the poll interval of the polled clouds, 100 to 3600000; default 5000
//
//   WATCH_CLOUD=particle node watch.js
//
// Exit status: 0 when the time is up or on Ctrl-C; 1 when the cloud fails; 2 when a setting is missing or
// refused (nothing is sent).

const { CloudError } = require('iot-cloud-wasm');
const { VENDORS, TITLES, SETTINGS, configured, missingFor, connectFromEnv, describe } = require('./clouds');

const USAGE = `usage: <the variables of a cloud> [WATCH_CLOUD=…] [WATCH_DEVICE=…] [WATCH_SECONDS=…] node watch.js

${SETTINGS}
  WATCH_CLOUD                                   optional  arduino, particle, cthings or iotconnect; default: the first configured
  WATCH_DEVICE                                  optional  the device id (Arduino: thing id); default: every device
  WATCH_SECONDS                                 optional  1 to 86400; default: until Ctrl-C
  WATCH_INTERVAL_MS                             optional  poll interval, 100 to 3600000; default 5000`;

const env = process.env;
const settingError = (message) => {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
};
if (env.WATCH_CLOUD !== undefined && !VENDORS.includes(env.WATCH_CLOUD)) {
  settingError(`invalid setting: WATCH_CLOUD must be one of ${VENDORS.join(', ')}`);
}
const vendor = env.WATCH_CLOUD ?? configured(env).vendors[0];
if (vendor === undefined) settingError('no cloud configured: set the variables of one');
const missing = missingFor(vendor, env);
if (missing.length > 0) {
  settingError(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
}
const whole = (name, min, max, fallback) => {
  if (env[name] === undefined) return fallback;
  const n = Number(env[name]);
  if (!Number.isInteger(n) || n < min || n > max) settingError(`invalid setting: ${name} must be a whole number from ${min} to ${max}`);
  return n;
};
const seconds = whole('WATCH_SECONDS', 1, 86_400, undefined);
const intervalMs = whole('WATCH_INTERVAL_MS', 100, 3_600_000, 5000);
const deviceId = env.WATCH_DEVICE || undefined;

async function main() {
  let made;
  try {
    made = connectFromEnv(vendor, env);
  } catch (err) {
    if (err instanceof CloudError && err.code === 'invalid_argument') settingError(`invalid setting: ${err.message}`);
    throw err;
  }
  const { cloud, login } = made;

  // One signal for the time limit and Ctrl-C.
  const stop = new AbortController();
  const timer = seconds === undefined ? undefined : setTimeout(() => stop.abort(), seconds * 1000);
  process.once('SIGINT', () => stop.abort());

  await login(stop.signal);
  const how = cloud.capabilities().events === 'stream'
    ? 'its event stream'
    : `readings polled every ${intervalMs / 1000} s, an event per changed value`;
  console.log(`watching ${TITLES[vendor]}, ${deviceId ? `device ${deviceId}` : 'every device'}: ${how}`);
  console.log(seconds === undefined ? '(Ctrl-C to stop)' : `for ${seconds} s (Ctrl-C to stop sooner)`);

  let count = 0;
  try {
    for await (const e of cloud.events(deviceId, { intervalMs, signal: stop.signal })) {
      count++;
      console.log(`${e.time ? e.time.toISOString() : '-'}  ${e.deviceId}  ${e.name} = ${JSON.stringify(e.value)}`);
    }
  } finally {
    clearTimeout(timer);
  }
  console.log(`${count} event${count === 1 ? '' : 's'}`);
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') settingError(`invalid setting: ${err.message}`);
  if (err instanceof CloudError && err.code === 'aborted') {
    // Ctrl-C or the time was up before the watch started (during the login).
    console.log('0 events');
    process.exit(0);
  }
  console.error(`${TITLES[vendor]} error: ${describe(err)}`);
  process.exit(1);
});
