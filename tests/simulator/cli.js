#!/usr/bin/env node
'use strict';
// Runs the cloud simulator until interrupted:
//   node tests/simulator/cli.js [--port 8787] [--www DIR] [--pkg DIR] [--verbose]
//                               [--rate-limits documented|per-second|JSON] [--live]

const { parseArgs } = require('node:util');
const { startSimulator } = require('./index.js');

const USAGE = 'usage: node tests/simulator/cli.js [--port 8787] [--www DIR] [--pkg DIR] [--verbose]\n'
  + '         [--rate-limits documented|per-second|JSON] [--live]\n'
  + '  --rate-limits  answer 429 over the vendors\' rate limits: a preset, or JSON {"vendor": {"limit": N, "windowMs": MS}}\n'
  + '  --live         online Particle devices publish their readings every 1-2 s; IoTConnect devices report every 5 s';

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '8787' },
        www: { type: 'string' },
        pkg: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        'rate-limits': { type: 'string' },
        live: { type: 'boolean', default: false },
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

  let rateLimits = values['rate-limits'];
  if (rateLimits !== undefined && rateLimits.trim().startsWith('{')) {
    try {
      rateLimits = JSON.parse(rateLimits);
    } catch {
      console.error(`--rate-limits: invalid JSON\n${USAGE}`);
      process.exit(2);
    }
  }

  let sim;
  try {
    sim = await startSimulator({
      port, www: values.www, pkg: values.pkg, quiet: !values.verbose, rateLimits, live: values.live,
    });
  } catch (err) {
    console.error(`simulator failed to start: ${err.message}`);
    process.exit(1);
  }
  console.log(`simulator listening on ${sim.url}`);
  if (rateLimits !== undefined) console.log(`rate limits: ${JSON.stringify(rateLimits)} (GET ${sim.url}/__sim/rate-limits)`);
  if (values.live) console.log(`live data: Particle events every 1-2 s, IoTConnect reports every 5 s (GET ${sim.url}/__sim/live)`);
  if (values.www) console.log(`demo page: ${sim.url}/  (Ctrl-C to stop)`);

  const stop = () => sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();
