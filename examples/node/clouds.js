'use strict';
// The clouds set up in the environment, for the cross-cloud examples (all-clouds.js, watch.js): each with the
// same variables as its own examples (arduino-main.js, particle.js, cthings.js, iotconnect.js), made into a
// `connect(vendor, options)` Cloud of iot-cloud-wasm. A cloud is configured when one of its credential
// variables is set; then all of them must be.

const { connect, Particle } = require('iot-cloud-wasm');

const VENDORS = ['arduino', 'particle', 'cthings', 'iotconnect'];

const TITLES = { arduino: 'Arduino IoT Cloud', particle: 'Particle', cthings: 'cThings', iotconnect: 'Avnet IoTConnect' };

/** Per vendor: the variables that configure it, and those it then needs. */
const CREDENTIALS = {
  arduino: ['ARDUINO_CLIENT_ID', 'ARDUINO_CLIENT_SECRET'],
  particle: ['PARTICLE_ACCESS_TOKEN', 'PARTICLE_USERNAME', 'PARTICLE_PASSWORD'],
  cthings: ['CTHINGS_CLIENT_ID', 'CTHINGS_CLIENT_SECRET', 'CTHINGS_DEVICE_ID'],
  iotconnect: ['IOTCONNECT_SOLUTION_KEY', 'IOTCONNECT_ENVIRONMENT', 'IOTCONNECT_USERNAME', 'IOTCONNECT_PASSWORD'],
};
const required = (vendor, env) => (vendor === 'particle'
  ? (env.PARTICLE_ACCESS_TOKEN ? [] : ['PARTICLE_USERNAME', 'PARTICLE_PASSWORD'])
  : CREDENTIALS[vendor]);

/** The variables of every cloud, for a usage text. */
const SETTINGS = `  ARDUINO_CLIENT_ID, ARDUINO_CLIENT_SECRET      Arduino IoT Cloud API key
  ARDUINO_ORGANIZATION                          optional  organization (space) id
  ARDUINO_BASE_URL                              optional  default https://api2.arduino.cc
  PARTICLE_ACCESS_TOKEN                         Particle token, or:
  PARTICLE_USERNAME, PARTICLE_PASSWORD          Particle account e-mail and password
  PARTICLE_BASE_URL                             optional  default https://api.particle.io
  CTHINGS_CLIENT_ID, CTHINGS_CLIENT_SECRET      cThings client (cThings has no device list:)
  CTHINGS_DEVICE_ID                             the cThings device ids, separated by commas
  CTHINGS_AUTH_URL, CTHINGS_BASE_URL            optional  default https://authserver.cthings.cloud, https://api.cthings.cloud
  IOTCONNECT_SOLUTION_KEY, IOTCONNECT_ENVIRONMENT, IOTCONNECT_USERNAME, IOTCONNECT_PASSWORD
                                                IoTConnect solution key, environment (poc, prod, avnet), user
  IOTCONNECT_PLATFORM                           optional  aws or az, default aws
  IOTCONNECT_DISCOVERY_URL                      optional  default https://discovery.iotconnect.io`;

/** The variables `vendor` needs that are not set. */
const missingFor = (vendor, env) => required(vendor, env).filter((name) => !env[name]);

/**
 * `{vendors, missing}`: the configured vendors, in the order of VENDORS, and the variables a configured one
 * still lacks.
 */
function configured(env) {
  const vendors = VENDORS.filter((v) => CREDENTIALS[v].some((name) => env[name]));
  return { vendors, missing: vendors.flatMap((v) => missingFor(v, env)) };
}

/**
 * The Cloud of `vendor` from the environment, and `login()`, which the Particle cloud needs before its first
 * call when no PARTICLE_ACCESS_TOKEN is given (connect() takes a Particle client that is logged in). Sends
 * nothing; throws the CloudError of a setting the client refuses (code `invalid_argument`).
 */
function connectFromEnv(vendor, env) {
  switch (vendor) {
    case 'arduino':
      return {
        cloud: connect('arduino', {
          clientId: env.ARDUINO_CLIENT_ID,
          clientSecret: env.ARDUINO_CLIENT_SECRET,
          organization: env.ARDUINO_ORGANIZATION || undefined,
          baseUrl: env.ARDUINO_BASE_URL || 'https://api2.arduino.cc',
        }),
        login: async () => {},
      };
    case 'particle': {
      const client = new Particle({
        baseUrl: env.PARTICLE_BASE_URL || 'https://api.particle.io',
        auth: env.PARTICLE_ACCESS_TOKEN || undefined,
      });
      return {
        cloud: connect('particle', { client }),
        login: async (signal) => {
          if (!env.PARTICLE_ACCESS_TOKEN) {
            await client.login({ username: env.PARTICLE_USERNAME, password: env.PARTICLE_PASSWORD, signal });
          }
        },
      };
    }
    case 'cthings':
      return {
        cloud: connect('cthings', {
          clientId: env.CTHINGS_CLIENT_ID,
          clientSecret: env.CTHINGS_CLIENT_SECRET,
          authUrl: env.CTHINGS_AUTH_URL || 'https://authserver.cthings.cloud',
          baseUrl: env.CTHINGS_BASE_URL || 'https://api.cthings.cloud',
          devices: env.CTHINGS_DEVICE_ID.split(',').map((id) => id.trim()).filter(Boolean),
        }),
        login: async () => {},
      };
    case 'iotconnect':
      return {
        cloud: connect('iotconnect', {
          solutionKey: env.IOTCONNECT_SOLUTION_KEY,
          environment: env.IOTCONNECT_ENVIRONMENT,
          platform: env.IOTCONNECT_PLATFORM || 'aws',
          username: env.IOTCONNECT_USERNAME,
          password: env.IOTCONNECT_PASSWORD,
          discoveryUrl: env.IOTCONNECT_DISCOVERY_URL || 'https://discovery.iotconnect.io',
        }),
        login: async () => {},
      };
    default:
      throw new Error(`unknown cloud ${vendor}`);
  }
}

/** A rejection's one line: `<status> <code>: <message>` for a CloudError, else the message (and its cause). */
function describe(err) {
  if (err?.name === 'CloudError') return `${err.status ?? '-'} ${err.code}: ${err.message}`;
  // fetch rejects with "fetch failed"; the reason (refused, DNS, TLS…) is in err.cause.
  return `${err?.message ?? err}${err?.cause ? ` (${err.cause.code || err.cause.message})` : ''}`;
}

module.exports = { VENDORS, TITLES, SETTINGS, configured, missingFor, connectFromEnv, describe };
