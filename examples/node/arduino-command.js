#!/usr/bin/env node
'use strict';
// Arduino IoT Cloud command: set a read-write property of a thing (switch a lamp, change a set point). The
// cloud passes the new value on to the device the thing is attached to.
//
// Written as Arduino's "Cloud API & SDK" guide writes its calls, against this package's `IotApi` (a drop-in
// for `@arduino/arduino-iot-client`): a token from the token endpoint, the shared ApiClient, then
// `PropertiesV2Api.propertiesV2List` to find the property, `PropertiesV2Api.propertiesV2Publish` to set it and
// `PropertiesV2Api.propertiesV2Show` to read it back.
//
// Environment variables:
//   ARDUINO_CLIENT_ID       required  API key client id (Arduino Cloud > API keys)
//   ARDUINO_CLIENT_SECRET   required  API key client secret
//   ARDUINO_THING_ID        required  id of the thing
//   ARDUINO_PROPERTY        required  the property's name (or id)
//   ARDUINO_VALUE           required  the value: JSON (true, 42, "text", {"r":1}) or else taken as text
//   ARDUINO_ORGANIZATION    optional  organization (space) id, for things that belong to an organization
//   ARDUINO_BASE_URL        optional  default https://api2.arduino.cc
//
//   node arduino-command.js

const { IotApi, CloudError } = require('iot-cloud-wasm');

const USAGE = `usage: ARDUINO_CLIENT_ID=… ARDUINO_CLIENT_SECRET=… ARDUINO_THING_ID=… ARDUINO_PROPERTY=… ARDUINO_VALUE=… node arduino-command.js

  ARDUINO_CLIENT_ID       required  API key client id
  ARDUINO_CLIENT_SECRET   required  API key client secret
  ARDUINO_THING_ID        required  thing whose property is set
  ARDUINO_PROPERTY        required  property name (or id); it must be READ_WRITE
  ARDUINO_VALUE           required  new value, as JSON (true, 42, "on") or text
  ARDUINO_ORGANIZATION    optional  organization (space) id
  ARDUINO_BASE_URL        optional  default https://api2.arduino.cc`;

const env = process.env;
const required = ['ARDUINO_CLIENT_ID', 'ARDUINO_CLIENT_SECRET', 'ARDUINO_THING_ID', 'ARDUINO_PROPERTY', 'ARDUINO_VALUE'];
const missing = required.filter((name) => !env[name]);
if (missing.length > 0) {
  console.error(`missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}

const thingId = env.ARDUINO_THING_ID;
const organization = env.ARDUINO_ORGANIZATION || undefined;
const baseUrl = (env.ARDUINO_BASE_URL || 'https://api2.arduino.cc').replace(/\/+$/, '');
/** ARDUINO_VALUE as JSON when it is JSON (`true`, `21.5`, `"on"`), else as the text it is. */
function parseValue(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// As in the guide: a client-credentials token from a form-encoded POST.
async function getToken() {
  const response = await fetch(`${baseUrl}/iot/v1/clients/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: env.ARDUINO_CLIENT_ID,
      client_secret: env.ARDUINO_CLIENT_SECRET,
      audience: 'https://api2.arduino.cc/iot',
    }),
  });
  const body = await response.json().catch(() => undefined);
  if (!response.ok || typeof body?.access_token !== 'string') {
    throw new Error(`Failed getting an access token: HTTP ${response.status} ${body?.error_description || body?.detail || ''}`);
  }
  return body.access_token;
}

async function main() {
  const client = IotApi.ApiClient.instance;
  client.basePath = baseUrl;
  client.authentications['oauth2'].accessToken = await getToken();
  const api = new IotApi.PropertiesV2Api(client);
  const opts = organization ? { xOrganization: organization } : {};

  const properties = await api.propertiesV2List(thingId, opts);
  const wanted = env.ARDUINO_PROPERTY;
  const property = properties.find((p) => p.name === wanted || p.variable_name === wanted || p.id === wanted);
  if (!property) {
    console.error(`thing ${thingId} has no property ${wanted}; it has: ${properties.map((p) => p.name).join(', ') || '-'}`);
    process.exit(1);
  }
  const label = `${property.thing_name || thingId}.${property.name}`;
  if (property.permission !== 'READ_WRITE') {
    console.error(`${label} is ${property.permission}: only READ_WRITE properties can be set`);
    process.exit(1);
  }

  const value = parseValue(env.ARDUINO_VALUE);
  // PUT /iot/v2/things/{id}/properties/{pid}/publish with {value}
  await api.propertiesV2Publish(thingId, property.id, { value }, opts);
  const after = await api.propertiesV2Show(thingId, property.id, opts);
  console.log(`${label} (${property.type}): ${JSON.stringify(property.last_value)} → ${JSON.stringify(after.last_value)}`);
}

main().catch((err) => {
  if (err instanceof CloudError && err.code === 'invalid_argument') {
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
