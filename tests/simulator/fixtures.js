'use strict';
// Data served by the simulator: the credentials it accepts and the things, devices and readings of each
// cloud. Everything is fixed except sensor readings and "last seen" times, which move with the clock so
// that a dashboard polling the simulator sees live-looking values.

const { createHash } = require('node:crypto');

const CREDENTIALS = Object.freeze({
  arduino: Object.freeze({
    clientId: 'sim-arduino-client-id',
    clientSecret: 'sim-arduino-client-secret',
    organization: '56345864-7a5c-4545-8a30-f8823f87d9b1',
  }),
  particle: Object.freeze({
    username: 'maker@example.com',
    password: 'sim-particle-password',
    clientId: 'particle', // any non-empty OAuth client id and secret are accepted for the password grant
    clientSecret: 'particle',
    // A user with multi-factor authentication: the password grant answers 403 mfa_required, then
    // grant_type=urn:custom:mfa-otp with the mfa_token and this one-time password gives the token.
    mfaUsername: 'mfa.maker@example.com',
    mfaPassword: 'sim-particle-mfa-password',
    mfaOtp: '123456',
    // The product's OAuth client: client_credentials (two-legged product token), customer tokens
    // (scope=customer=<email>) and POST /v1/products/:p/customers.
    productClientId: 'sim-fleet-client',
    productClientSecret: 'sim-fleet-client-secret',
    customer: 'customer@example.com',
  }),
  cthings: Object.freeze({
    clientId: '0c455e99-01ff-4aba-b937-7bcaaf5e0608',
    clientSecret: 'wVGQfLDiWzYcs1h2TjUmQqvF',
  }),
  iotconnect: Object.freeze({
    solutionKey: 'U2ltU29sdXRpb25LZXkwMDE',
    env: 'poc',
    platform: 'aws',
    username: 'sim.user@example.com',
    password: 'Sim-Passw0rd!',
  }),
});

/** A value that drifts smoothly around `base` (one full swing every `period` seconds). */
function wave(base, amplitude, now, period = 600, digits = 1) {
  return Number((base + amplitude * Math.sin((2 * Math.PI * now) / (period * 1000))).toFixed(digits));
}

const iso = (ms) => new Date(ms).toISOString();
/** The last multiple of `stepMs` before `now`, as if the device reported on a fixed cadence. */
const lastReport = (now, stepMs) => iso(now - (now % stepMs));

// ---------------------------------------------------------------------------------------------------------
// Arduino IoT Cloud: things in the personal space (one soft-deleted) and in one organization.

const ARDUINO_USER = '4a4d0003-8371-4a0d-b1fe-08d427590268';

function arduinoThingDef(def, props) {
  return { ...def, href: `/iot/v1/things/${def.id}`, user_id: ARDUINO_USER, props };
}

// prop(id, variable, type, permission, tag, value, extra): `value` is a constant or [base, amplitude, digits]
// for a reading that drifts with time.
function prop(id, variable, type, permission, tag, value, extra = {}) {
  return { id, variable, type, permission, tag, value, ...extra };
}

const ARDUINO_THINGS = [
  arduinoThingDef({
    id: '6366de97-f549-43f8-9dd5-5a56c5ef95f5', name: 'Weather Station',
    device_id: '5bf0789b-5a83-4f0d-ae05-46b3488638e2', timezone: 'Europe/Rome',
    tags: { location: 'garden', kind: 'sensor' },
    created_at: '2024-03-11T09:14:02.114Z', updated_at: '2025-01-08T17:40:55.902Z',
  }, [
    prop('e6b2743a-4125-47e0-b74f-3d5fe6f6d2e8', 'temperature', 'FLOAT', 'READ_ONLY', 1, [14.2, 2.5, 2]),
    prop('98f41b8a-b15b-4399-83d7-64ba4ff23b88', 'humidity', 'INT', 'READ_ONLY', 2, [63, 6, 0]),
    prop('fdffa473-034a-4b1b-8c97-6dcac76d43aa', 'status', 'CHARSTRING', 'READ_ONLY', 3, 'ok'),
    prop('40b2d3b8-20f2-4d51-a260-df7bf6b854d2', 'pressure', 'FLOAT', 'READ_ONLY', 4, 1013.2,
      { deleted_at: '2024-11-02T10:01:44.310Z' }),
  ]),
  arduinoThingDef({
    id: '99934eca-5e8d-4d3c-b3f0-56e1d306c33b', name: 'Greenhouse',
    device_id: '651375ae-4a3a-4345-bb94-cebec24f26cb', timezone: 'Europe/Rome',
    tags: { location: 'greenhouse', kind: 'controller' },
    created_at: '2024-04-02T15:30:11.020Z', updated_at: '2024-12-19T08:02:37.551Z',
  }, [
    prop('50317e2d-cf18-4ae9-a625-1d0016b7ebab', 'soil_moisture', 'INT', 'READ_ONLY', 1, [41, 4, 0]),
    prop('4f00e213-a861-4556-a548-4633068cddfb', 'pump', 'BOOL', 'READ_WRITE', 2, false),
    prop('ca64e419-a129-4d41-b87b-36dd1e7321b5', 'light', 'FLOAT', 'READ_ONLY', 3, [812.5, 40, 1],
      { update_strategy: 'TIMED', update_parameter: 60 }),
  ]),
  arduinoThingDef({
    id: '90db916f-162b-42fb-a3b2-e839dc5dd97d', name: 'Desk Lamp',
    device_id: '7a3759b4-1297-4c50-a3ff-0c72de2b3df5', timezone: 'America/New_York',
    tags: { location: 'office', kind: 'actuator' },
    created_at: '2024-06-21T19:45:00.000Z', updated_at: '2024-06-21T19:52:13.480Z',
  }, [
    prop('7f41262b-6d9b-4257-b051-70dbaf32ca9f', 'lamp', 'BOOL', 'READ_WRITE', 1, true),
    prop('d20f9436-73cc-4e96-be0a-3a81b7049f7e', 'brightness', 'INT', 'READ_WRITE', 2, 70),
  ]),
  arduinoThingDef({
    id: '94db92bb-2842-4ee7-b65f-31010ab993a1', name: 'Old Prototype', timezone: 'UTC',
    tags: {},
    created_at: '2023-09-30T11:00:00.000Z', updated_at: '2024-01-15T09:20:00.000Z',
    deleted_at: '2024-01-15T09:20:00.000Z',
  }, [
    prop('9b4d9f8b-d23c-431f-ba3e-4b130ab5fa8f', 'counter', 'INT', 'READ_WRITE', 1, 'N/A'),
  ]),
  arduinoThingDef({
    id: '1835cb23-9048-40d6-833e-86df076f2d98', name: 'Packaging Line 1',
    organization_id: CREDENTIALS.arduino.organization,
    device_id: '1467e534-40a6-4336-aa8a-cc280ff09cdc', timezone: 'Europe/Berlin',
    tags: { site: 'plant-a', line: '1' },
    created_at: '2024-02-05T07:12:40.000Z', updated_at: '2025-01-10T06:58:19.307Z',
  }, [
    prop('3dc9f91e-ef82-4ac7-b4cd-e00eabf31848', 'throughput', 'INT', 'READ_ONLY', 1, [118, 9, 0]),
    prop('569f69b6-2835-479a-a955-fcab28cc0dfd', 'running', 'BOOL', 'READ_WRITE', 2, true),
  ]),
  arduinoThingDef({
    id: '8d319ac0-7494-42f7-8f58-8618dfed6f48', name: 'Cold Room',
    organization_id: CREDENTIALS.arduino.organization,
    device_id: 'a1ec105a-606b-4c03-b806-b133d0e59f85', timezone: 'Europe/Berlin',
    tags: { site: 'plant-a', kind: 'sensor' },
    created_at: '2024-02-05T07:30:02.000Z', updated_at: '2024-10-01T12:00:00.000Z',
  }, [
    prop('c1cf2aa1-336f-4f4d-b4b1-ff46e8794324', 'temperature', 'FLOAT', 'READ_ONLY', 1, [3.1, 0.8, 2]),
    prop('2f6a5039-375d-46e9-9fab-154f066dad60', 'door_open', 'BOOL', 'READ_ONLY', 2, false),
  ]),
];

// A property record may also carry what the API changed: `last` ({value, at}) once a value was published,
// `history` (the published values, see arduinoHistory) and `fields` (properties created or updated through the
// API: name, variable_name, persist, min/max, created_at, updated_at). The fixtures have none of them.
function arduinoProperty(thing, p, now) {
  const live = Array.isArray(p.value) && !p.last;
  let lastValue = p.value;
  if (p.last) lastValue = p.last.value;
  else if (live) lastValue = wave(p.value[0], p.value[1], now, 900, p.value[2]);
  let updatedAt = null;
  if (p.last) updatedAt = p.last.at;
  else if (p.value !== 'N/A') updatedAt = live ? lastReport(now, 15000) : thing.updated_at;
  return {
    href: `${thing.href}/properties/${p.id}`,
    id: p.id,
    name: p.variable,
    permission: p.permission,
    thing_id: thing.id,
    type: p.type,
    update_strategy: p.update_strategy || 'ON_CHANGE',
    ...(p.update_parameter !== undefined && { update_parameter: p.update_parameter }),
    created_at: thing.created_at,
    ...(p.deleted_at && { deleted_at: p.deleted_at }),
    last_value: lastValue,
    persist: true,
    tag: p.tag,
    thing_name: thing.name,
    updated_at: thing.updated_at,
    variable_name: p.variable,
    ...(updatedAt && { value_updated_at: updatedAt }),
    ...p.fields,
  };
}

/**
 * The values a property reported before `now`, oldest first, as `[{time (ms), value}]`: a drifting reading
 * reported every 15 s gives its last 10 reports, a constant one its value at the thing's last update, a property
 * without a value nothing. Once a value is published through the API the property keeps its own history.
 */
function arduinoHistory(thing, p, now) {
  if (Array.isArray(p.value)) {
    const last = now - (now % 15000);
    return Array.from({ length: 10 }, (_, i) => {
      const time = last - (9 - i) * 15000;
      return { time, value: wave(p.value[0], p.value[1], time, 900, p.value[2]) };
    });
  }
  if (p.value === 'N/A') return [];
  return [{ time: Date.parse(thing.updated_at), value: p.value }];
}

/** The properties of a thing as the API lists them at time `now`. */
function arduinoProperties(thing, now, showDeleted = false) {
  return thing.props.filter((p) => showDeleted || !p.deleted_at).map((p) => arduinoProperty(thing, p, now));
}

/** A thing as the API shows it; `properties` only when asked for (show_properties=true). */
function arduinoThing(thing, now, withProperties = false) {
  const { props, ...fields } = thing;
  const active = arduinoProperties(thing, now);
  return { ...fields, properties_count: active.length, ...(withProperties && { properties: active }) };
}

// ---------------------------------------------------------------------------------------------------------
// Particle Device Cloud: three devices, one of them offline.

const PARTICLE_DEVICES = [
  {
    id: 'e00fce6844969b121f176368', name: 'kitchen-argon', platform_id: 12, product_id: 12, online: true,
    last_ip_address: '203.0.113.24', serial_number: 'ARNKAB812SC4VFJ', cellular: false,
    notes: 'Kitchen climate sensor', system_firmware_version: '6.2.1', current_build_target: '6.2.1',
    default_build_target: '6.2.1',
    functions: ['led', 'setColor'],
    variables: { temperature: 'double', humidity: 'int32', status: 'string' },
    readings: { temperature: 21.5, humidity: 44, status: 'ok' },
  },
  {
    id: 'e00fce68bfa6e5c9aad6a626', name: 'greenhouse-boron', platform_id: 13, product_id: 13, online: true,
    last_ip_address: '198.51.100.7', serial_number: 'B40KLB931JD7WRT', cellular: true,
    iccid: '89014103271234567890', imei: '352753090123456',
    notes: null, system_firmware_version: '5.9.0', current_build_target: '5.9.0',
    pinned_build_target: '5.9.0', default_build_target: '6.2.1',
    functions: ['led', 'setColor'],
    variables: { temperature: 'double', humidity: 'int32', status: 'string' },
    readings: { temperature: 26.8, humidity: 71, status: 'watering' },
  },
  {
    id: '3a0029b4ff28a12d04139eb2', name: 'attic-photon', platform_id: 6, product_id: 6, online: false,
    last_ip_address: '203.0.113.61', serial_number: 'PHHMAB724JCLTX2', cellular: false,
    notes: 'Battery died, needs a visit', system_firmware_version: '2.3.1', current_build_target: '2.3.1',
    default_build_target: '2.3.1', last_heard: '2025-01-02T07:31:12.000Z',
    functions: ['led'],
    variables: { temperature: 'double', status: 'string' },
    readings: { temperature: 8.5, status: 'low battery' },
  },
];

/**
 * The product's devices (IDS.particle.product): six Borons, `sim-fleet-01` … `sim-fleet-06`. Odd ones are in
 * the group `north`, even ones in `south`; the first is also in `beta`; the first two belong to the customer
 * CREDENTIALS.particle.customer; the sixth is offline.
 */
const PARTICLE_PRODUCT_DEVICES = [1, 2, 3, 4, 5, 6].map((n) => ({
  id: `e00fce69${n.toString(16).padStart(16, '0')}`, name: `sim-fleet-0${n}`, platform_id: 13, product_id: 31337,
  online: n !== 6, last_ip_address: `192.0.2.${n}`, serial_number: `B40FLEET0000${n}`, cellular: true,
  iccid: `8901410327000000000${n}`, imei: `35275309000000${n}`, notes: null,
  system_firmware_version: '6.2.1', current_build_target: '6.2.1', default_build_target: '6.2.1',
  ...(n === 6 && { last_heard: '2025-01-03T10:00:00.000Z' }),
  functions: ['led', 'setColor'],
  variables: { temperature: 'double', status: 'string' },
  readings: { temperature: 15 + n, status: 'ok' },
  groups: n === 1 ? ['north', 'beta'] : [n % 2 ? 'north' : 'south'],
  owner: n <= 2 ? 'customer@example.com' : null,
  firmware_version: 3,
}));

/** A device nobody owns yet (IDS.particle.unclaimed). */
const PARTICLE_UNCLAIMED = {
  id: '0a10aced202194944a0424a1', name: 'spare-photon2', platform_id: 32, product_id: 32, online: true,
  last_ip_address: '192.0.2.200', serial_number: 'P2SPARE000001', cellular: false, notes: null,
  system_firmware_version: '6.2.1', current_build_target: '6.2.1', default_build_target: '6.2.1',
  functions: ['led'], variables: { temperature: 'double' }, readings: { temperature: 20 },
};

/**
 * The first `count` devices of an account: the three above, then generated ones (`sim-device-00004`, …),
 * for benchmarks that need a long device list. Generated devices cycle through Argon, Boron and Photon;
 * every seventh is offline. The same `count` always gives the same devices.
 */
const PARTICLE_PLATFORMS = [
  { platform_id: 12, firmware: '6.2.1', cellular: false },
  { platform_id: 13, firmware: '5.9.0', cellular: true },
  { platform_id: 6, firmware: '2.3.1', cellular: false },
];
function particleDevices(count) {
  if (count <= PARTICLE_DEVICES.length) return PARTICLE_DEVICES.slice(0, count);
  const out = [...PARTICLE_DEVICES];
  for (let n = PARTICLE_DEVICES.length + 1; n <= count; n++) {
    const num = String(n).padStart(5, '0');
    const p = PARTICLE_PLATFORMS[n % 3];
    const online = n % 7 !== 0;
    out.push({
      id: `e00fce68${n.toString(16).padStart(16, '0')}`, name: `sim-device-${num}`,
      platform_id: p.platform_id, product_id: p.platform_id, online,
      last_ip_address: `198.18.${(n >> 8) & 255}.${n & 255}`, serial_number: `SIMDEV${num}`,
      cellular: p.cellular,
      ...(p.cellular && { iccid: `8901410327${String(n).padStart(10, '0')}`, imei: `35275309${String(n).padStart(7, '0')}` }),
      notes: null, system_firmware_version: p.firmware, current_build_target: p.firmware,
      default_build_target: p.firmware,
      ...(!online && { last_heard: iso(Date.UTC(2025, 0, 2) + n * 1000) }),
      functions: ['led'],
      variables: { temperature: 'double', status: 'string' },
      readings: { temperature: 18 + (n % 10), status: 'ok' },
    });
  }
  return out;
}

/** A device as the API shows it. Online devices were heard from a few seconds ago. */
function particleDevice(device, now, startedAt) {
  const { readings, last_heard, online, ...fields } = device;
  return {
    id: fields.id,
    name: fields.name,
    last_app: null,
    last_ip_address: fields.last_ip_address,
    last_heard: online ? lastReport(now, 5000) : last_heard,
    last_handshake_at: online ? iso(startedAt - 2 * 3600 * 1000) : last_heard,
    product_id: fields.product_id,
    online,
    connected: online,
    platform_id: fields.platform_id,
    cellular: fields.cellular,
    notes: fields.notes,
    functions: fields.functions,
    variables: fields.variables,
    status: 'normal',
    serial_number: fields.serial_number,
    ...(fields.cellular && { iccid: fields.iccid, imei: fields.imei, last_iccid: fields.iccid }),
    system_firmware_version: fields.system_firmware_version,
    current_build_target: fields.current_build_target,
    ...(fields.pinned_build_target && { pinned_build_target: fields.pinned_build_target }),
    default_build_target: fields.default_build_target,
    firmware_updates_enabled: true,
    firmware_updates_forced: false,
  };
}

/** The current value of a device variable, or undefined when the firmware has no such variable. */
function particleVariable(device, name, now) {
  if (!Object.hasOwn(device.variables, name)) return undefined;
  const base = device.readings[name];
  // A slow swing (5 min) plus a small quick one (23 s), at most 0.3 away from the base in all: a dashboard
  // polling every second or two sees it move.
  if (name === 'temperature') {
    return Number((wave(base, 0.22, now, 300, 4) + 0.08 * Math.sin((2 * Math.PI * now) / 23_000)).toFixed(2));
  }
  if (name === 'humidity') return Math.round(wave(base, 2, now, 420));
  return base;
}

// ---------------------------------------------------------------------------------------------------------
// cThings Cloud: three devices (there is no list endpoint; clients address them by id).

const CTHINGS_PROVIDER = { id: 'bd546686-ab28-495a-8f5a-a7a742dd49a8', provider: 'cThings' };
const CTHINGS_ENTITY = { name: 'Riverside Estates', id: '42f7a3ef-359b-473c-af55-fe1b462b5169' };

function cthingsDef(d) {
  return {
    id: d.id, device: d.eui, name: d.name, settings: {},
    type: d.type, active: true,
    connection: { status: d.online, lastConnected: d.lastConnected, signalStrength: d.signal, route: d.route },
    ingest: { identifier: d.eui, template: null, timeShift: { timeShift: 0, inherited: true } },
    provider: CTHINGS_PROVIDER, manufacturer: d.manufacturer, entity: CTHINGS_ENTITY,
    node: { id: d.nodeId, name: d.name, serial: d.serial },
    watchlist: d.watchlist, servicePoint: d.servicePoint,
    timeBinKey: 4, dataInterval: d.dataInterval, liveAt: d.createdAt, isTest: false,
    location: d.location, configuration: d.configuration,
    downlinkProtocol: [], tasks: [], createdAt: d.createdAt,
  };
}

const CTHINGS_DEVICES = [
  cthingsDef({
    id: 'd5d60237-be30-4ca6-bc8b-e9d5a947404c', eui: '70b3d57ed0051a2c', name: 'Boiler Room Sensor',
    type: { id: '7037fdee-a6b5-4516-89ab-605c2a615ad5', key: 'temperature_humidity', type: 'Temperature & Humidity' },
    online: true, signal: -71.5, route: ['a84041ffff1f8a30', 'a84041ffff1f8a31'],
    manufacturer: { id: '363824b2-aa46-4d14-b7be-8f1da5284a2b', manufacturer: 'Acme Sensors' },
    nodeId: '84ebf336-eb9e-45fd-82b4-dfbb7f66b7ae', serial: 'ACME7T2H00041A2C',
    watchlist: true, servicePoint: { id: 'ae4ad27e-43ee-48f3-b6d6-13574111a7c3', type: 'Plant Room' },
    dataInterval: 600, location: { latitude: 52.205337, longitude: 0.121817 },
    configuration: { reportingInterval: 600, units: 'celsius' }, createdAt: '2023-05-17T08:21:44Z',
  }),
  cthingsDef({
    id: '60393444-2f6a-4a0d-8560-f11df227d30d', eui: 'a84041ffff1f8a30', name: 'Car Park Gateway',
    type: { id: '9b6a4180-373b-447c-bc12-2104f3c90ee2', key: 'lorawan_gateway', type: 'LoRaWAN Gateway' },
    online: true, signal: 0, route: [],
    manufacturer: { id: '5778ca4e-0a42-473b-a78a-cd7acac278f8', manufacturer: 'Northwind Devices' },
    nodeId: '2d739bdc-c01a-41e0-9d1d-e9c6fc2625cb', serial: 'NWGW0000001F8A30',
    watchlist: false, servicePoint: { id: '628b4a0c-1178-4b5f-902c-9a02ff3ca0fa', type: 'Car Park' },
    dataInterval: 60, location: { latitude: 52.203913, longitude: 0.124519 },
    configuration: { channelPlan: 'EU868' }, createdAt: '2022-11-02T14:05:10Z',
  }),
  cthingsDef({
    id: 'a281dab2-beb7-4224-8066-24572337c301', eui: '0004a30b00e8d512', name: 'Water Meter 12',
    type: { id: '3d0ad04d-42f5-4c9c-8dfe-22ae480116cd', key: 'water_meter', type: 'Water Meter' },
    online: false, signal: -109.25, route: ['a84041ffff1f8a30'], lastConnected: '2024-12-28T03:14:09Z',
    manufacturer: { id: '363824b2-aa46-4d14-b7be-8f1da5284a2b', manufacturer: 'Acme Sensors' },
    nodeId: 'e554f92f-91a6-43bc-bdf3-9da9254017ac', serial: 'ACMEWM120000D512',
    watchlist: true, servicePoint: { id: 'ba2c9396-e92a-44f6-b3b7-8fbbd9c5ff4d', type: 'Block C' },
    dataInterval: 3600, location: { latitude: 52.207021, longitude: 0.118402 },
    configuration: { pulseRatio: 10 }, createdAt: '2023-08-09T10:40:00Z',
  }),
];

/** A device as `GET /v3/device/{id}` shows it; connected devices were heard from recently. */
function cthingsDevice(device, now) {
  const { connection } = device;
  return connection.status
    ? { ...device, connection: { ...connection, lastConnected: lastReport(now, 60000).replace('.000Z', 'Z') } }
    : device;
}

// ---------------------------------------------------------------------------------------------------------
// Avnet IoTConnect: one company, two entities, two templates and 250 devices.

const IOTCONNECT_COMPANY = '00e4678f-0a84-4c60-aa1d-5e87c85ace5f';
const IOTCONNECT_USER = {
  id: 'e8fefebf-7c28-4c8d-9da1-fa0893184113',
  companyId: IOTCONNECT_COMPANY,
  cpId: 'SIMCP0001',
  entityGuid: '038cb4ef-3506-4245-9d1d-eb3e7a86560a',
  solutionKey: CREDENTIALS.iotconnect.solutionKey,
  roleId: 'a8ce392c-cb9a-450b-9e4d-c10a64bf5229',
  email: CREDENTIALS.iotconnect.username,
  isCompanyAdmin: true,
};
const IOTCONNECT_ENTITIES = [
  { guid: '70c63a0f-01a7-465c-9c8c-9d74e9f65ef5', name: 'Head Office' },
  { guid: 'cff19983-b253-46f1-9249-15f220002096', name: 'Warehouse' },
];
const IOTCONNECT_TEMPLATES = [
  { guid: '383b15d2-eebf-478b-bf5f-0ad3614b65eb', name: 'Environment Sensor' },
  { guid: '159cc390-11c5-467b-ac0e-2c50d4acb0e7', name: 'Asset Tracker' },
];
/** The value `GET /Auth/basic-token` hands out and `POST /Auth/login` expects. */
const IOTCONNECT_BASIC_TOKEN = Buffer.from('sim-iotconnect-ui:7c1f5b2e9d4a48a3').toString('base64');

/** A stable, UUID-shaped id derived from a name. */
function stableGuid(name) {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const IOTCONNECT_DEVICES = Array.from({ length: 250 }, (_, k) => {
  const n = k + 1;
  const num = String(n).padStart(3, '0');
  const entity = IOTCONNECT_ENTITIES[n % 2];
  const template = IOTCONNECT_TEMPLATES[n % 5 === 0 ? 1 : 0];
  const isActive = n % 17 !== 0;
  const created = Date.UTC(2024, 0, 1) + n * 3600 * 1000;
  return {
    guid: stableGuid(`iotconnect-device-${n}`),
    uniqueId: `sim-dev-${num}`,
    displayName: `Sim Device ${num}`,
    entityGuid: entity.guid,
    entityName: entity.name,
    templateGuid: template.guid,
    templateName: template.name,
    isActive,
    isConnected: isActive && n % 3 !== 0,
    isAcquired: false,
    lastActivityDate: iso(Date.UTC(2025, 0, 15, 12) - ((n * 7919) % 100000) * 1000),
    createdDate: iso(created),
    createdBy: IOTCONNECT_USER.id,
    updatedDate: iso(created + 86400 * 1000),
    updatedBy: IOTCONNECT_USER.id,
    note: null,
  };
});

/** Well-known ids, for tests and examples. */
const IDS = Object.freeze({
  arduino: {
    user: ARDUINO_USER,
    organization: CREDENTIALS.arduino.organization,
    things: {
      weatherStation: ARDUINO_THINGS[0].id,
      greenhouse: ARDUINO_THINGS[1].id,
      deskLamp: ARDUINO_THINGS[2].id,
      oldPrototype: ARDUINO_THINGS[3].id, // soft-deleted
      packagingLine: ARDUINO_THINGS[4].id, // organization space
      coldRoom: ARDUINO_THINGS[5].id, // organization space
    },
    // The devices the things are attached to (Old Prototype has none).
    devices: {
      weatherStation: ARDUINO_THINGS[0].device_id,
      greenhouse: ARDUINO_THINGS[1].device_id,
      deskLamp: ARDUINO_THINGS[2].device_id,
      packagingLine: ARDUINO_THINGS[4].device_id, // organization space
      coldRoom: ARDUINO_THINGS[5].device_id, // organization space
    },
    // Other resources of the personal space the API starts with: a dashboard, a trigger on the weather
    // station's temperature with one action, and a certificate of the weather station's device.
    dashboard: 'c9a1b6d2-7f4e-4c3a-9b8e-2d5f6a7b8c90',
    trigger: 'f3e2d1c0-b9a8-4765-8432-10fedcba9876',
    action: 'a7b6c5d4-e3f2-4a1b-8c9d-0e1f2a3b4c5d',
    cert: '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f',
  },
  particle: {
    devices: PARTICLE_DEVICES.map((d) => d.id),
    online: PARTICLE_DEVICES[0].id,
    offline: PARTICLE_DEVICES[2].id,
    // The product (id or slug), its organization, its devices and the other seeded resources.
    product: 31337,
    productSlug: 'sim-fleet',
    org: 'sim-org',
    orgId: '5f2a1c0e9b8d7a6f5e4d3c2b',
    productDevices: PARTICLE_PRODUCT_DEVICES.map((d) => d.id),
    productOffline: PARTICLE_PRODUCT_DEVICES[5].id,
    unclaimed: '0a10aced202194944a0424a1', // a device nobody owns: POST /v1/devices {id} claims it
    sims: [PARTICLE_DEVICES[1].iccid, '89014103271234500001'], // the account's SIMs (the first in greenhouse-boron)
    serialNumber: PARTICLE_DEVICES[0].serial_number,
  },
  cthings: { devices: CTHINGS_DEVICES.map((d) => d.id) },
  iotconnect: { companyId: IOTCONNECT_COMPANY, deviceCount: IOTCONNECT_DEVICES.length },
});

module.exports = {
  CREDENTIALS,
  IDS,
  arduino: {
    things: ARDUINO_THINGS, thing: arduinoThing, properties: arduinoProperties, property: arduinoProperty,
    history: arduinoHistory,
  },
  particle: {
    devices: PARTICLE_DEVICES, devicesOf: particleDevices, device: particleDevice, variable: particleVariable,
    productDevices: PARTICLE_PRODUCT_DEVICES, unclaimed: PARTICLE_UNCLAIMED,
  },
  cthings: { devices: CTHINGS_DEVICES, device: cthingsDevice },
  iotconnect: {
    user: IOTCONNECT_USER,
    basicToken: IOTCONNECT_BASIC_TOKEN,
    devices: IOTCONNECT_DEVICES,
  },
};
