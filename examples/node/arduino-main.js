#!/usr/bin/env node
'use strict';
// Arduino IoT Cloud: list the properties of a thing and print the last value of the first one.
//
// The first half is the "main.js" of Arduino's "Cloud API & SDK" guide, written against this package's
// `IotApi` (a drop-in for `@arduino/arduino-iot-client`): fetch a token yourself, hand it to the shared
// ApiClient, call `PropertiesV2Api.propertiesV2List`. The second half does the same with the package's own
// `Arduino` client, which requests, caches and renews the token by itself.
//
// Environment variables:
//   ARDUINO_CLIENT_ID       required  API key client id (Arduino Cloud > API keys)
//   ARDUINO_CLIENT_SECRET   required  API key client secret
//   ARDUINO_THING_ID        required  id of the thing whose properties are listed
//   ARDUINO_ORGANIZATION    optional  organization (space) id, for things that belong to an organization
//   ARDUINO_BASE_URL        optional  default https://api2.arduino.cc
//
//   node arduino-main.js

const { IotApi, Arduino, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: ARDUINO_CLIENT_ID=… ARDUINO_CLIENT_SECRET=… ARDUINO_THING_ID=… node arduino-main.js

  ARDUINO_CLIENT_ID       required  API key client id
  ARDUINO_CLIENT_SECRET   required  API key client secret
  ARDUINO_THING_ID        required  thing whose properties are listed
  ARDUINO_ORGANIZATION    optional  organization (space) id
  ARDUINO_BASE_URL        optional  default https://api2.arduino.cc`;

const env = process.env;
const missing = ['ARDUINO_CLIENT_ID', 'ARDUINO_CLIENT_SECRET', 'ARDUINO_THING_ID'].filter((name) => !env[name]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}

const clientId = env.ARDUINO_CLIENT_ID;
const clientSecret = env.ARDUINO_CLIENT_SECRET;
const thingId = env.ARDUINO_THING_ID;
const organization = env.ARDUINO_ORGANIZATION || undefined;
const baseUrl = (env.ARDUINO_BASE_URL || 'https://api2.arduino.cc').replace(/\/+$/, '');

// Step 1, as in the guide: a client-credentials token from a form-encoded POST.
async function getToken() {
  const url = `${baseUrl}/iot/v1/clients/token`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      audience: 'https://api2.arduino.cc/iot', // an identifier, the same for every base URL
    }),
  }).catch((err) => {
    throw new Error(`Failed getting an access token from ${url}: ${err.message}`, { cause: err.cause });
  });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok || !body || typeof body.access_token !== 'string') {
    const reason = (body && (body.error_description || body.detail || body.error)) || text.slice(0, 200);
    throw new Error(`Failed getting an access token: HTTP ${response.status} ${reason}`);
  }
  return body.access_token;
}

/** One line per property: name, type, permission and last value; soft-deleted ones are marked. */
function printProperties(properties) {
  const width = Math.max(4, ...properties.map((p) => p.name.length));
  for (const p of properties) {
    // IotApi gives date-time fields as Date objects (as the official client does), the Arduino client as
    // the ISO strings the API sent.
    const at = p.deleted_at instanceof Date ? p.deleted_at.toISOString() : p.deleted_at;
    const deleted = at ? `  (deleted ${at})` : '';
    console.log(`  ${p.name.padEnd(width)}  ${String(p.type).padEnd(10)}  ${String(p.permission).padEnd(10)}  ` +
      `last_value=${JSON.stringify(p.last_value)}${deleted}`);
  }
}

// Step 2, as in the guide: the shared ApiClient, its oauth2 token, PropertiesV2Api.
async function listProperties() {
  const client = IotApi.ApiClient.instance;
  client.basePath = baseUrl;
  // Configure OAuth2 access token for authorization: oauth2
  const oauth2 = client.authentications['oauth2'];
  oauth2.accessToken = await getToken();
  console.log(`access token received (${oauth2.accessToken.length} characters)`);

  const api = new IotApi.PropertiesV2Api(client);
  const opts = {
    showDeleted: true, // {Boolean} If true, shows the soft deleted properties
    ...(organization && { xOrganization: organization }),
  };
  const data = await api.propertiesV2List(thingId, opts);
  console.log(`\nIotApi.PropertiesV2Api.propertiesV2List: ${data.length} properties of thing ${thingId}`);
  printProperties(data);
  if (data.length > 0) {
    console.log(`data[0].last_value: ${JSON.stringify(data[0].last_value)}`);
  }
}

// The package's own client: credentials in, properties out; the token is handled for you.
async function listPropertiesWithClient(arduino) {
  const properties = await arduino.properties.list(thingId, { showDeleted: true });
  const thingName = properties.length > 0 && properties[0].thing_name ? ` ("${properties[0].thing_name}")` : '';
  console.log(`\nArduino.properties.list: ${properties.length} properties of thing ${thingId}${thingName}`);
  printProperties(properties);
}

async function main() {
  // Built first, before anything is sent: the client checks the settings (a base URL that is not a URL,
  // say), and one it refuses is reported below like a missing one.
  const arduino = new Arduino({ clientId, clientSecret, baseUrl, organization });
  await listProperties();
  await listPropertiesWithClient(arduino);
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') {
    // Refused before any request: a setting is not usable.
    console.error(`invalid setting: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof CloudError) {
    console.error(`Arduino IoT Cloud error: ${err.status ?? '-'} ${err.code}: ${err.message}`);
    if (err.status === 404 && !organization) {
      // A thing in an organization's space is only found with the organization's id.
      console.error('hint: if the thing belongs to an organization, set ARDUINO_ORGANIZATION to its id');
    }
  } else {
    // fetch rejects with "fetch failed"; the reason (refused, DNS, TLS…) is in err.cause.
    console.error(`${err.message}${err.cause ? ` (${err.cause.code || err.cause.message})` : ''}`);
  }
  process.exit(1);
});
