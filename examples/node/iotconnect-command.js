#!/usr/bin/env node
'use strict';
// Avnet IoTConnect: the commands a device's template declares, and sending one to the device.
//
// A device's commands are those of its template (`GET /template-command/{templateGuid}`); one is sent with
// `POST /template-command/device/{deviceGuid}/send` and `{commandGuid, parameterValue}`. Without
// IOTCONNECT_COMMAND the script only lists the commands, since a command can switch something on.
//
// Environment variables:
//   IOTCONNECT_SOLUTION_KEY   required  solution key
//   IOTCONNECT_ENVIRONMENT    required  environment: poc, prod or avnet
//   IOTCONNECT_USERNAME       required  user e-mail
//   IOTCONNECT_PASSWORD       required  password
//   IOTCONNECT_DEVICE         required  the device's unique id
//   IOTCONNECT_COMMAND        optional  the command to send (its `command` or its name); default: none
//   IOTCONNECT_PARAMETER      optional  the command's parameter value, default empty
//   IOTCONNECT_PLATFORM       optional  aws or az, default aws
//   IOTCONNECT_DISCOVERY_URL  optional  default https://discovery.iotconnect.io
//
//   node iotconnect-command.js

const { IoTConnect, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: IOTCONNECT_SOLUTION_KEY=… IOTCONNECT_ENVIRONMENT=poc IOTCONNECT_USERNAME=… IOTCONNECT_PASSWORD=… IOTCONNECT_DEVICE=… node iotconnect-command.js

  IOTCONNECT_SOLUTION_KEY   required  solution key
  IOTCONNECT_ENVIRONMENT    required  poc, prod or avnet
  IOTCONNECT_USERNAME       required  user e-mail
  IOTCONNECT_PASSWORD       required  password
  IOTCONNECT_DEVICE         required  device unique id
  IOTCONNECT_COMMAND        optional  command to send, default: none (the commands are listed)
  IOTCONNECT_PARAMETER      optional  the command's parameter value, default empty
  IOTCONNECT_PLATFORM       optional  aws or az, default aws
  IOTCONNECT_DISCOVERY_URL  optional  default https://discovery.iotconnect.io`;

const env = process.env;
const required = ['IOTCONNECT_SOLUTION_KEY', 'IOTCONNECT_ENVIRONMENT', 'IOTCONNECT_USERNAME', 'IOTCONNECT_PASSWORD',
  'IOTCONNECT_DEVICE'];
const missing = required.filter((n) => !env[n]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}

async function main() {
  const iotc = new IoTConnect({
    solutionKey: env.IOTCONNECT_SOLUTION_KEY,
    environment: env.IOTCONNECT_ENVIRONMENT,
    platform: env.IOTCONNECT_PLATFORM || 'aws',
    username: env.IOTCONNECT_USERNAME,
    password: env.IOTCONNECT_PASSWORD,
    discoveryUrl: env.IOTCONNECT_DISCOVERY_URL || 'https://discovery.iotconnect.io',
  });

  const device = await iotc.devices.getByUniqueId(env.IOTCONNECT_DEVICE);
  const state = device.isActive === false ? 'inactive' : device.isConnected ? 'connected' : 'not connected';
  console.log(`${device.displayName} (${device.uniqueId}), ${state}`);

  const commands = await iotc.templates.commands(device.templateGuid);
  console.log(`\n${commands.length} command${commands.length === 1 ? '' : 's'} of its template:`);
  for (const c of commands) {
    console.log(`  ${String(c.command).padEnd(12)} ${String(c.name).padEnd(12)} ${c.requiredParam ? 'takes a parameter' : 'no parameter'}`);
  }

  const wanted = env.IOTCONNECT_COMMAND;
  if (!wanted) {
    console.log('\nno command sent (set IOTCONNECT_COMMAND to send one)');
    return;
  }
  const command = commands.find((c) => c.command === wanted || c.name === wanted);
  if (!command) {
    console.error(`\n${device.uniqueId} has no command "${wanted}"`);
    process.exit(1);
  }
  const parameterValue = env.IOTCONNECT_PARAMETER ?? '';
  const sent = await iotc.commands.send(device.guid, { commandGuid: command.guid, parameterValue });
  const shown = parameterValue ? `${command.command}("${parameterValue}")` : command.command;
  const ack = sent?.isAck === undefined ? '' : sent.isAck ? ': acknowledged' : ': queued, the device has not acknowledged it';
  console.log(`\nsent ${shown} to ${device.uniqueId}${ack}`);

  // The latest values, which a command such as `led` shows once the device has carried it out.
  const latest = await iotc.telemetry.latest(device.guid);
  console.log(`latest values: ${latest.map((r) => `${r.attributeName}=${JSON.stringify(r.attributeValue)}`).join(' ')}`);
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') {
    console.error(`invalid setting: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof CloudError) {
    const fields = Array.isArray(err.body?.error) ? err.body.error.map((e) => `${e.param}: ${e.message}`).join('; ') : '';
    console.error(`IoTConnect error: ${err.status ?? '-'} ${err.code}: ${err.message}${fields ? ` (${fields})` : ''}`);
  } else {
    console.error(`${err.message}${err.cause ? ` (${err.cause.code || err.cause.message})` : ''}`);
  }
  process.exit(1);
});
