#!/usr/bin/env node
'use strict';
// Runs the cloud simulator until interrupted:
//   node tests/simulator/cli.js [--port 8787] [--www DIR] [--pkg DIR] [--verbose]

const { parseArgs } = require('node:util');
const { startSimulator } = require('./index.js');

const USAGE = 'usage: node tests/simulator/cli.js [--port 8787] [--www DIR] [--pkg DIR] [--verbose]';

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '8787' },
        www: { type: 'string' },
        pkg: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid port: ${values.port}\n${USAGE}`);
    process.exit(2);
  }

  let sim;
  try {
    sim = await startSimulator({ port, www: values.www, pkg: values.pkg, quiet: !values.verbose });
  } catch (err) {
    console.error(`simulator failed to start: ${err.message}`);
    process.exit(1);
  }
  console.log(`simulator listening on ${sim.url}`);
  if (values.www) console.log(`demo page: ${sim.url}/  (Ctrl-C to stop)`);

  const stop = () => sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();
