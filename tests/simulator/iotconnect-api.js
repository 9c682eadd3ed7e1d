'use strict';
// The Avnet IoTConnect API of the simulator, behind discovery and the auth service (index.js): the endpoints
// of the fact sheet (devices, templates and their attributes and commands, entities, users, telemetry,
// firmware, firmware upgrades, OTA) and `GET master/Company`, with state that POST /__sim/reset restores:
// devices are created and deleted, commands are recorded and acknowledged, telemetry drifts with time and
// has a history. Every answer is the envelope `{data, status, message}` (lists add `count`), every error
// `{data: null, status, message, error: [{param, message}]}`. See README.md in this folder.

const crypto = require('node:crypto');
const data = require('./fixtures');

const JSON_TYPE = 'application/json; charset=utf-8';
const own = (table, key) => (Object.hasOwn(table, key) ? table[key] : undefined);
const iso = (ms) => new Date(ms).toISOString();
const newGuid = () => crypto.randomUUID();
/** A stable, UUID-shaped id derived from a name (as the fixtures make theirs). */
function stableGuid(name) {
  const h = crypto.createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function send(res, status, body) {
  if (status === 204) {
    res.writeHead(204);
    return res.end();
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const ok = (res, payload, message, extra = {}) => send(res, 200, { data: payload, status: 200, message, ...extra });
const fail = (res, status, message, error = []) => send(res, status, { data: null, status, message, error });
/** A 400 naming the fields that are wrong: `[[param, message], …]`. */
const invalid = (res, fields) => fail(res, 400, 'Invalid request', fields.map(([param, message]) => ({ param, message })));
const notFound = (res, what) => fail(res, 409, `${what} not found`);

// ---------------------------------------------------------------------------------------------------------
// Fixtures beyond the device list: each template's attributes and commands, the company, a second user,
// a firmware with one published and one draft upgrade.

const DEVICES = data.iotconnect.devices;
const TEMPLATE_OF = Object.fromEntries(DEVICES.map((d) => [d.templateGuid, d.templateName]));
const ENTITY_OF = Object.fromEntries(DEVICES.map((d) => [d.entityGuid, d.entityName]));
const USER = data.iotconnect.user;

const attribute = (template, localName, dataTypeName, unit) => ({
  guid: stableGuid(`iotconnect-attribute-${template}-${localName}`), localName, dataTypeName, unit,
});
const command = (template, name, cmd, requiredParam) => ({
  guid: stableGuid(`iotconnect-command-${template}-${name}`), name, command: cmd, requiredParam, isOTACommand: false,
});

const TEMPLATES = [
  {
    name: 'Environment Sensor', code: 'ENVSENSOR', description: 'Temperature and humidity sensor with a status LED',
    attributes: (t) => [attribute(t, 'temperature', 'DECIMAL', '°C'), attribute(t, 'humidity', 'DECIMAL', '%'),
      attribute(t, 'battery', 'INTEGER', '%'), attribute(t, 'led', 'STRING', '')],
    commands: (t) => [command(t, 'LED', 'led', true), command(t, 'Reboot', 'reboot', false)],
  },
  {
    name: 'Asset Tracker', code: 'ASSETTRK', description: 'GPS tracker',
    attributes: (t) => [attribute(t, 'latitude', 'DECIMAL', '°'), attribute(t, 'longitude', 'DECIMAL', '°'),
      attribute(t, 'speed', 'DECIMAL', 'km/h')],
    commands: (t) => [command(t, 'Locate', 'locate', false)],
  },
].map((t) => {
  const guid = Object.keys(TEMPLATE_OF).find((g) => TEMPLATE_OF[g] === t.name);
  return {
    guid, name: t.name, code: t.code, description: t.description, isEdgeSupport: false, createdDate: '2024-01-01T00:00:00.000Z',
    attributes: t.attributes(guid), commands: t.commands(guid),
  };
});

const ENTITIES = Object.entries(ENTITY_OF).map(([guid, name]) => ({
  guid, name, description: `${name} of the simulated company`, parentEntityGuid: USER.entityGuid,
})).sort((a, b) => a.name.localeCompare(b.name));

const USERS = [
  { guid: USER.id, userId: USER.email, firstName: 'Sim', lastName: 'User', entityGuid: USER.entityGuid, roleGuid: USER.roleId,
    isActive: true, timezone: 'UTC' },
  { guid: stableGuid('iotconnect-user-2'), userId: 'operator@example.com', firstName: 'Ops', lastName: 'Operator',
    entityGuid: ENTITIES[0].guid, roleGuid: USER.roleId, isActive: true, timezone: 'Europe/Rome' },
];

const FIRMWARE_GUID = stableGuid('iotconnect-firmware-1');
const FIRMWARE = [{
  guid: FIRMWARE_GUID, name: 'ENVFW', hardware: 'ENV-1', description: 'Environment sensor firmware',
  templateGuid: TEMPLATES[0].guid, createdDate: '2024-06-01T00:00:00.000Z',
}];
const UPGRADES = [
  { guid: stableGuid('iotconnect-upgrade-1'), firmwareGuid: FIRMWARE_GUID, software: '1.0.0', description: 'First release',
    status: 'published', fileName: 'envfw-1.0.0.bin' },
  { guid: stableGuid('iotconnect-upgrade-2'), firmwareGuid: FIRMWARE_GUID, software: '1.1.0', description: 'Faster sampling',
    status: 'draft', fileName: 'envfw-1.1.0.bin' },
];

/** State that API calls change; a fresh copy on every reset. */
function createStore() {
  return {
    devices: DEVICES.map((d) => ({ ...d })),
    templates: TEMPLATES.map((t) => structuredClone(t)),
    firmware: FIRMWARE.map((f) => ({ ...f })),
    upgrades: UPGRADES.map((u) => ({ ...u })),
    commands: [], // commands sent, newest last: {guid, deviceGuid, uniqueId, commandGuid, command, parameterValue, sentAt, ack, ackAt}
    otaUpdates: [], // {guid, firmwareUpgradeGuid, deviceGuids, isForceUpdate, createdAt}
    leds: new Map(), // device guid → 'on' | 'off', as the `led` command leaves it
  };
}

// ---------------------------------------------------------------------------------------------------------
// Telemetry: every device reports once a minute (live.js can make it more often); values drift smoothly and
// differ between devices.

const REPORT_MS = 60_000;
/** How often devices report: once a minute, or what the live settings say (live.js, `iotconnectReportMs`). */
const reportMs = (ctx) => ctx.sim.live?.settings.iotconnectReportMs ?? REPORT_MS;

function deviceNumber(device) {
  return Number(device.uniqueId.replace(/\D+/g, '')) || 1;
}

/** A value around `base` that swings with time (one period every `period` seconds) and with the device. */
function wave(device, base, amplitude, at, period, digits) {
  const phase = (deviceNumber(device) * 0.7) % (2 * Math.PI);
  return Number((base + amplitude * Math.sin(phase + (2 * Math.PI * at) / (period * 1000))).toFixed(digits));
}

/** The device's readings at report time `at` (ms). */
function reading(store, device, at) {
  const n = deviceNumber(device);
  if (TEMPLATE_OF[device.templateGuid] === 'Asset Tracker') {
    return {
      latitude: wave(device, 45.46 + n / 1000, 0.01, at, 3600, 6),
      longitude: wave(device, 9.19 + n / 1000, 0.01, at, 5400, 6),
      speed: Math.max(0, wave(device, 30, 30, at, 900, 1)),
    };
  }
  return {
    temperature: wave(device, 19 + (n % 7), 2.5, at, 1800, 2),
    humidity: wave(device, 45 + (n % 11), 8, at, 2700, 1),
    battery: Math.max(5, 100 - (Math.floor(at / 3_600_000) + n) % 90),
    led: store.leds.get(device.guid) ?? 'off',
  };
}

/** The report times (ms) from `from` to `to`, newest first, at most `limit`. */
function reportTimes(from, to, limit, step = REPORT_MS) {
  const out = [];
  for (let t = to - (to % step); t >= from && out.length < limit; t -= step) out.push(t);
  return out;
}

/** `YYYY-MM-DD HH:MM:SS` (UTC) → ms, or NaN. */
function sqlTime(text) {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(text);
  if (!m) return NaN;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ') === text ? ms : NaN;
}

// ---------------------------------------------------------------------------------------------------------
// Lists: paging (1-based `pageNumber`, `pageSize` up to 1000, a page past the end is 204, `pageNumber < 1`
// is 500), sorting, filters.

/** A query parameter by name, ignoring case. */
const queryParam = (query) => (name) => {
  for (const [key, value] of query) if (key.toLowerCase() === name) return value;
  return undefined;
};

function page(ctx, items, { message, count = items.length, defaultSize = 10 }) {
  const param = queryParam(ctx.query);
  const pageNumber = Number(param('pagenumber') ?? 1);
  const pageSize = Number(param('pagesize') ?? defaultSize);
  if (!Number.isInteger(pageNumber) || pageNumber < 1 || !Number.isInteger(pageSize) || pageSize < 1) {
    return send(ctx.res, 500, { status: 500, message: 'Technical error', error: [] });
  }
  const size = Math.min(pageSize, 1000);
  const slice = items.slice((pageNumber - 1) * size, pageNumber * size);
  if (!slice.length) return send(ctx.res, 204);
  ok(ctx.res, slice, message, { count });
}

/** `sortBy` ("field [asc|desc]") over `fields` (lower-case name → field); false after answering 412. */
function sorted(ctx, items, fields) {
  const sortBy = (queryParam(ctx.query)('sortby') || '').trim();
  if (!sortBy) return items;
  const [name, direction = 'asc'] = sortBy.split(/\s+/);
  const field = own(fields, name.toLowerCase());
  if (!field || !/^(asc|desc)$/i.test(direction)) {
    const message = `Sorting by '${sortBy}' is not supported`;
    fail(ctx.res, 412, message, [{ param: 'sortBy', message }]);
    return false;
  }
  const sign = direction.toLowerCase() === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => sign * String(a[field]).localeCompare(String(b[field])));
}

/** Items whose `fields` contain `searchText` (ignoring case). */
function searched(ctx, items, fields) {
  const text = (queryParam(ctx.query)('searchtext') ?? '').trim().toLowerCase();
  return text ? items.filter((item) => fields.some((f) => String(item[f]).toLowerCase().includes(text))) : items;
}

const DEVICE_SORT = {
  uniqueid: 'uniqueId', displayname: 'displayName', createddate: 'createdDate', lastactivitydate: 'lastActivityDate',
  lastconnection: 'lastActivityDate', lastcommunication: 'lastActivityDate',
};

// `Status` of GET /Device: the device's enabled state, as toggled by PUT /Device/{guid}/status, or its
// connection state.
const DEVICE_STATUS = {
  active: (d) => d.isActive,
  inactive: (d) => !d.isActive,
  connected: (d) => d.isConnected,
  disconnected: (d) => !d.isConnected,
};

/**
 * GET /Device: `UniqueId`, `TemplateGuid` and `EntityGuid` match exactly (ignoring case), `Status` is one of
 * DEVICE_STATUS, `searchText` is a case-insensitive substring of `displayName` or `uniqueId`; an empty
 * parameter does not filter. `count` is -1, as the real API now sends.
 */
function listDevices(ctx) {
  const param = queryParam(ctx.query);
  const value = (name) => (param(name) ?? '').trim();
  let list = ctx.store.devices;
  for (const [name, field] of Object.entries({ uniqueid: 'uniqueId', templateguid: 'templateGuid', entityguid: 'entityGuid' })) {
    const wanted = value(name).toLowerCase();
    if (wanted) list = list.filter((d) => String(d[field]).toLowerCase() === wanted);
  }
  const status = value('status').toLowerCase();
  if (status) {
    const test = own(DEVICE_STATUS, status);
    if (!test) {
      const message = `Status must be one of ${Object.keys(DEVICE_STATUS).join(', ')}`;
      return fail(ctx.res, 412, message, [{ param: 'Status', message }]);
    }
    list = list.filter(test);
  }
  list = sorted(ctx, searched(ctx, list, ['displayName', 'uniqueId']), DEVICE_SORT);
  if (list) page(ctx, list, { message: 'Device list', count: -1 });
}

// ---------------------------------------------------------------------------------------------------------
// Devices

const byGuid = (list, guid) => list.find((x) => x.guid.toLowerCase() === guid.toLowerCase());
const isText = (v) => typeof v === 'string' && v.trim() !== '';
/** The JSON object body, or null after answering 400. */
function objectBody(ctx) {
  let value;
  try {
    value = ctx.body.trim() === '' ? undefined : JSON.parse(ctx.body);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(ctx.res, [['body', 'A JSON object is required']]);
    return null;
  }
  return value;
}

function createDevice(ctx) {
  const body = objectBody(ctx);
  if (!body) return;
  const { store, res } = ctx;
  const missing = ['deviceTemplateGuid', 'uniqueId', 'displayName', 'entityGuid'].filter((k) => !isText(body[k]));
  if (missing.length) return invalid(res, missing.map((k) => [k, `${k} is required`]));
  if (!/^[A-Za-z0-9-]{1,100}$/.test(body.uniqueId)) {
    return invalid(res, [['uniqueId', 'Unique Id may only contain letters, digits and hyphens']]);
  }
  const template = byGuid(store.templates, body.deviceTemplateGuid);
  if (!template) return invalid(res, [['deviceTemplateGuid', 'Template not found']]);
  if (!own(ENTITY_OF, body.entityGuid.toLowerCase())) return invalid(res, [['entityGuid', 'Entity not found']]);
  if (store.devices.some((d) => d.uniqueId.toLowerCase() === body.uniqueId.toLowerCase())) {
    return fail(res, 409, 'Unique Id already exists', [{ param: 'uniqueId', message: 'Unique Id already exists' }]);
  }
  const now = iso(Date.now());
  const device = {
    guid: newGuid(), uniqueId: body.uniqueId, displayName: body.displayName,
    entityGuid: body.entityGuid.toLowerCase(), entityName: ENTITY_OF[body.entityGuid.toLowerCase()],
    templateGuid: template.guid, templateName: template.name, isActive: true, isConnected: false, isAcquired: false,
    lastActivityDate: null, createdDate: now, createdBy: USER.id, updatedDate: now, updatedBy: USER.id,
    note: typeof body.note === 'string' ? body.note : null,
  };
  store.devices.push(device);
  ok(res, { newId: device.guid, uniqueId: device.uniqueId }, 'Device created successfully');
}

function updateDevice(ctx, device) {
  const body = objectBody(ctx);
  if (!body) return;
  for (const key of ['displayName', 'note']) {
    if (body[key] !== undefined && typeof body[key] !== 'string') return invalid(ctx.res, [[key, `${key} must be a string`]]);
  }
  if (body.displayName !== undefined && !isText(body.displayName)) {
    return invalid(ctx.res, [['displayName', 'displayName is required']]);
  }
  if (body.displayName !== undefined) device.displayName = body.displayName;
  if (body.note !== undefined) device.note = body.note;
  device.updatedDate = iso(Date.now());
  ok(ctx.res, { guid: device.guid }, 'Device updated successfully');
}

function setStatus(ctx, device) {
  const body = objectBody(ctx);
  if (!body) return;
  if (typeof body.isActive !== 'boolean') return invalid(ctx.res, [['isActive', 'isActive must be true or false']]);
  device.isActive = body.isActive;
  if (!body.isActive) device.isConnected = false;
  device.updatedDate = iso(Date.now());
  ok(ctx.res, null, `Device ${body.isActive ? 'activated' : 'deactivated'} successfully`);
}

function deleteDevice(ctx, device) {
  ctx.store.devices.splice(ctx.store.devices.indexOf(device), 1);
  ok(ctx.res, null, 'Device deleted successfully');
}

// ---------------------------------------------------------------------------------------------------------
// Templates and commands

const templateView = ({ attributes, commands, ...t }, store) => ({
  ...t, attributeCount: attributes.length, commandCount: commands.length,
  deviceCount: store.devices.filter((d) => d.templateGuid === t.guid).length,
});

function listTemplates(ctx) {
  const list = sorted(ctx, searched(ctx, ctx.store.templates, ['name', 'code']), { name: 'name', code: 'code' });
  if (list) page(ctx, list.map((t) => templateView(t, ctx.store)), { message: 'Template list' });
}

function deleteTemplate(ctx, template) {
  const used = ctx.store.devices.filter((d) => d.templateGuid === template.guid).length;
  if (used) return fail(ctx.res, 412, `Template is used by ${used} devices`);
  ctx.store.templates.splice(ctx.store.templates.indexOf(template), 1);
  ok(ctx.res, null, 'Template deleted successfully');
}

/** POST /template-command/device/{deviceGuid}/send: recorded; a connected device acknowledges it at once. */
function sendCommand(ctx, device) {
  const body = objectBody(ctx);
  if (!body) return;
  const { store, res } = ctx;
  if (!isText(body.commandGuid)) return invalid(res, [['commandGuid', 'commandGuid is required']]);
  const template = byGuid(store.templates, device.templateGuid);
  const cmd = template && byGuid(template.commands, body.commandGuid);
  if (!cmd) return notFound(res, 'Command');
  const value = body.parameterValue ?? '';
  if (typeof value !== 'string') return invalid(res, [['parameterValue', 'parameterValue must be a string']]);
  if (cmd.requiredParam && !value.trim()) return invalid(res, [['parameterValue', `${cmd.name} needs a parameter value`]]);
  if (cmd.command === 'led' && !/^(on|off)$/.test(value)) {
    return invalid(res, [['parameterValue', 'LED takes "on" or "off"']]);
  }
  if (!device.isActive) return fail(res, 412, 'Device is inactive');
  const now = Date.now();
  const ack = device.isConnected;
  const sent = {
    guid: newGuid(), deviceGuid: device.guid, uniqueId: device.uniqueId, commandGuid: cmd.guid, command: cmd.command,
    parameterValue: value, sentAt: iso(now), ack, ackAt: ack ? iso(now) : null,
  };
  store.commands.push(sent);
  if (ack && cmd.command === 'led') store.leds.set(device.guid, value);
  ok(res, { ackId: sent.guid, isAck: ack }, ack ? 'Command sent and acknowledged' : 'Command queued: the device is offline');
}

// ---------------------------------------------------------------------------------------------------------
// Telemetry

function latest(ctx, device) {
  const now = Date.now();
  const at = now - (now % reportMs(ctx));
  const template = byGuid(ctx.store.templates, device.templateGuid);
  const values = reading(ctx.store, device, at);
  const rows = (template?.attributes ?? []).map((a) => ({
    attributeName: a.localName, attributeValue: values[a.localName], dataType: a.dataTypeName, unit: a.unit,
    deviceUpdatedDate: iso(at),
  }));
  ok(ctx.res, rows, 'Latest telemetry');
}

/** The attribute names a `filterAttrs` (an array or a comma-separated string) keeps; null keeps all. */
function attributeFilter(filter) {
  if (filter === undefined || filter === null) return null;
  const names = Array.isArray(filter) ? filter : String(filter).split(',');
  return new Set(names.map((n) => String(n).trim()).filter(Boolean));
}

function recent(ctx, device, count) {
  const n = Number(count);
  if (!Number.isInteger(n) || n < 10 || n > 50) return invalid(ctx.res, [['n', 'n must be from 10 to 50']]);
  const body = ctx.body.trim() ? objectBody(ctx) : {};
  if (!body) return;
  const keep = attributeFilter(body.filterAttrs);
  const rows = reportTimes(0, Date.now(), n, reportMs(ctx)).map((t) => {
    const values = Object.entries(reading(ctx.store, device, t)).filter(([k]) => !keep || keep.has(k));
    return { uniqueId: body.childUniqueId || device.uniqueId, time: iso(t), ...Object.fromEntries(values) };
  });
  ok(ctx.res, rows, 'Recent telemetry');
}

const WEEK_MS = 7 * 86_400_000;

function history(ctx, device, fromText, toText) {
  const [from, to] = [sqlTime(fromText), sqlTime(toText)];
  const bad = [['from', from], ['to', to]].filter(([, t]) => Number.isNaN(t));
  if (bad.length) return invalid(ctx.res, bad.map(([k]) => [k, `${k} must be YYYY-MM-DD HH:MM:SS (UTC)`]));
  if (from > to) return fail(ctx.res, 412, 'The start of the window is after its end');
  if (to - from > WEEK_MS) return fail(ctx.res, 412, 'The time window cannot be longer than 7 days');
  // One row per report in the window, oldest first, until now; at most 10,080 (a week of minutes).
  const rows = reportTimes(from, Math.min(to, Date.now()), 10_080, reportMs(ctx)).reverse()
    .map((t) => ({ time: iso(t), ...reading(ctx.store, device, t) }));
  ok(ctx.res, rows, 'Attribute history', { count: rows.length });
}

// ---------------------------------------------------------------------------------------------------------
// Firmware, upgrades, OTA

function createFirmware(ctx) {
  const body = objectBody(ctx);
  if (!body) return;
  const missing = ['name', 'hardware'].filter((k) => !isText(body[k]));
  if (missing.length) return invalid(ctx.res, missing.map((k) => [k, `${k} is required`]));
  if (ctx.store.firmware.some((f) => f.name.toLowerCase() === body.name.toLowerCase())) {
    return fail(ctx.res, 409, 'Firmware name already exists', [{ param: 'name', message: 'Firmware name already exists' }]);
  }
  const firmware = {
    guid: newGuid(), name: body.name, hardware: body.hardware, description: body.description ?? null,
    templateGuid: body.templateGuid ?? null, createdDate: iso(Date.now()),
  };
  ctx.store.firmware.push(firmware);
  ok(ctx.res, { newId: firmware.guid }, 'Firmware created successfully');
}

function listUpgrades(ctx) {
  const type = (queryParam(ctx.query)('type') ?? '').trim().toLowerCase();
  if (!type) return invalid(ctx.res, [['type', 'type is required']]);
  if (!['draft', 'published', 'all'].includes(type)) return invalid(ctx.res, [['type', 'type is draft, published or all']]);
  const list = ctx.store.upgrades.filter((u) => type === 'all' || u.status === type);
  ok(ctx.res, list, 'Firmware upgrade list', { count: list.length });
}

function createUpgrade(ctx) {
  const body = objectBody(ctx);
  if (!body) return;
  const missing = ['firmwareGuid', 'software'].filter((k) => !isText(body[k]));
  if (missing.length) return invalid(ctx.res, missing.map((k) => [k, `${k} is required`]));
  if (!byGuid(ctx.store.firmware, body.firmwareGuid)) return invalid(ctx.res, [['firmwareGuid', 'Firmware not found']]);
  const upgrade = {
    guid: newGuid(), firmwareGuid: body.firmwareGuid, software: body.software, description: body.description ?? null,
    status: 'draft', fileName: body.fileName ?? null,
  };
  ctx.store.upgrades.push(upgrade);
  ok(ctx.res, { newId: upgrade.guid }, 'Firmware upgrade created successfully');
}

function deleteUpgrade(ctx, upgrade) {
  if (upgrade.status === 'published') return fail(ctx.res, 412, 'A published upgrade cannot be deleted');
  ctx.store.upgrades.splice(ctx.store.upgrades.indexOf(upgrade), 1);
  ok(ctx.res, null, 'Firmware upgrade deleted successfully');
}

function publishUpgrade(ctx, upgrade) {
  if (upgrade.status === 'published') return fail(ctx.res, 412, 'The upgrade is already published');
  upgrade.status = 'published';
  ok(ctx.res, null, 'Firmware upgrade published successfully');
}

function otaUpdate(ctx) {
  const body = objectBody(ctx);
  if (!body) return;
  const { store, res } = ctx;
  if (!isText(body.firmwareUpgradeGuid)) return invalid(res, [['firmwareUpgradeGuid', 'firmwareUpgradeGuid is required']]);
  const upgrade = byGuid(store.upgrades, body.firmwareUpgradeGuid);
  if (!upgrade) return notFound(res, 'Firmware upgrade');
  if (upgrade.status !== 'published') return fail(res, 412, 'Only a published upgrade can be sent');
  let devices;
  if (Array.isArray(body.deviceGuids) && body.deviceGuids.length) {
    devices = body.deviceGuids.map((g) => typeof g === 'string' && byGuid(store.devices, g));
    if (!devices.every(Boolean)) return invalid(res, [['deviceGuids', 'Device not found']]);
  } else if (isText(body.entityGuid)) {
    devices = store.devices.filter((d) => d.entityGuid === body.entityGuid.toLowerCase());
    if (!devices.length) return invalid(res, [['entityGuid', 'Entity has no devices']]);
  } else {
    return invalid(res, [['deviceGuids', 'deviceGuids or entityGuid is required']]);
  }
  const update = {
    guid: newGuid(), firmwareUpgradeGuid: upgrade.guid, target: body.target ?? null, isForceUpdate: Boolean(body.isForceUpdate),
    deviceGuids: devices.map((d) => d.guid), createdAt: iso(Date.now()),
  };
  store.otaUpdates.push(update);
  ok(res, { otaUpdateGuid: update.guid, deviceCount: devices.length }, 'OTA update sent successfully');
}

// ---------------------------------------------------------------------------------------------------------
// Routing: `/<service>/api/v2[.1]/<path>`, paths ignoring case as the real API does.

/** `[service, method, pattern (matched ignoring case), handler(ctx, ...decoded captures)]`, first match wins. */
const ROUTES = [
  ['device', 'GET', /^\/device$/, listDevices],
  ['device', 'POST', /^\/device$/, createDevice],
  ['device', 'GET', /^\/device\/uniqueid\/([^/]+)$/, (ctx, uniqueId) => {
    const device = ctx.store.devices.find((d) => d.uniqueId.toLowerCase() === uniqueId.toLowerCase());
    return device ? ok(ctx.res, [device], 'Device') : notFound(ctx.res, 'Device');
  }],
  ['device', 'GET', /^\/device\/([^/]+)$/, withDevice((ctx, d) => ok(ctx.res, [d], 'Device'))],
  ['device', 'PUT', /^\/device\/([^/]+)$/, withDevice(updateDevice)],
  ['device', 'PUT', /^\/device\/([^/]+)\/status$/, withDevice(setStatus)],
  ['device', 'DELETE', /^\/device\/([^/]+)$/, withDevice(deleteDevice)],
  ['device', 'GET', /^\/device-template$/, listTemplates],
  ['device', 'GET', /^\/device-template\/template-code\/([^/]+)$/, (ctx, code) => {
    const t = ctx.store.templates.find((x) => x.code.toLowerCase() === code.toLowerCase());
    return t ? ok(ctx.res, [templateView(t, ctx.store)], 'Template') : notFound(ctx.res, 'Template');
  }],
  ['device', 'GET', /^\/device-template\/([^/]+)$/, withTemplate((ctx, t) => ok(ctx.res, [templateView(t, ctx.store)], 'Template'))],
  ['device', 'DELETE', /^\/device-template\/([^/]+)$/, withTemplate(deleteTemplate)],
  ['device', 'GET', /^\/template-attribute\/([^/]+)$/, withTemplate((ctx, t) => ok(ctx.res, t.attributes, 'Attribute list', { count: t.attributes.length }))],
  ['device', 'GET', /^\/template-command\/([^/]+)$/, withTemplate((ctx, t) => ok(ctx.res, t.commands, 'Command list', { count: t.commands.length }))],
  ['device', 'POST', /^\/template-command\/device\/([^/]+)\/send$/, withDevice(sendCommand)],
  ['user', 'GET', /^\/entity$/, (ctx) => ok(ctx.res, ENTITIES, 'Entity list', { count: ENTITIES.length })],
  ['user', 'GET', /^\/entity\/([^/]+)$/, (ctx, guid) => {
    const e = byGuid(ENTITIES, guid);
    return e ? ok(ctx.res, [e], 'Entity') : notFound(ctx.res, 'Entity');
  }],
  ['user', 'GET', /^\/user$/, (ctx) => {
    const list = sorted(ctx, searched(ctx, USERS, ['userId', 'firstName', 'lastName']), { userid: 'userId', firstname: 'firstName' });
    if (list) page(ctx, list, { message: 'User list' });
  }],
  ['user', 'GET', /^\/user\/([^/]+)$/, (ctx, guid) => {
    const u = byGuid(USERS, guid);
    return u ? ok(ctx.res, [u], 'User') : notFound(ctx.res, 'User');
  }],
  ['telemetry', 'GET', /^\/telemetry\/device\/([^/]+)$/, withDevice(latest)],
  ['telemetry', 'POST', /^\/telemetry\/device\/([^/]+)\/recent\/([^/]+)$/, withUniqueId(recent)],
  ['telemetry', 'GET', /^\/telemetry\/attribute-history\/device\/([^/]+)\/from\/([^/]+)\/to\/([^/]+)$/, withUniqueId(history)],
  ['firmware', 'GET', /^\/firmware$/, (ctx) => ok(ctx.res, ctx.store.firmware, 'Firmware list', { count: ctx.store.firmware.length })],
  ['firmware', 'POST', /^\/firmware$/, createFirmware],
  ['firmware', 'GET', /^\/firmware\/([^/]+)$/, (ctx, guid) => {
    const f = byGuid(ctx.store.firmware, guid);
    return f ? ok(ctx.res, [f], 'Firmware') : notFound(ctx.res, 'Firmware');
  }],
  ['firmware', 'GET', /^\/firmware-upgrade$/, listUpgrades],
  ['firmware', 'POST', /^\/firmware-upgrade$/, createUpgrade],
  ['firmware', 'GET', /^\/firmware-upgrade\/([^/]+)$/, withUpgrade((ctx, u) => ok(ctx.res, [u], 'Firmware upgrade'))],
  ['firmware', 'DELETE', /^\/firmware-upgrade\/([^/]+)$/, withUpgrade(deleteUpgrade)],
  ['firmware', 'PUT', /^\/firmware-upgrade\/([^/]+)\/publish$/, withUpgrade(publishUpgrade)],
  ['firmware', 'POST', /^\/ota-update$/, otaUpdate],
  ['master', 'GET', /^\/company$/, (ctx) => ok(ctx.res, [{
    guid: USER.companyId, cpId: USER.cpId, name: 'Simulated Company', solutionKey: USER.solutionKey,
  }], 'Company')],
];

function withDevice(handler) {
  return (ctx, guid, ...rest) => {
    const device = byGuid(ctx.store.devices, guid);
    return device ? handler(ctx, device, ...rest) : notFound(ctx.res, 'Device');
  };
}

function withUniqueId(handler) {
  return (ctx, uniqueId, ...rest) => {
    const device = ctx.store.devices.find((d) => d.uniqueId.toLowerCase() === uniqueId.toLowerCase());
    return device ? handler(ctx, device, ...rest) : notFound(ctx.res, 'Device');
  };
}

function withTemplate(handler) {
  return (ctx, guid) => {
    const template = byGuid(ctx.store.templates, guid);
    return template ? handler(ctx, template) : notFound(ctx.res, 'Template');
  };
}

function withUpgrade(handler) {
  return (ctx, guid) => {
    const upgrade = byGuid(ctx.store.upgrades, guid);
    return upgrade ? handler(ctx, upgrade) : notFound(ctx.res, 'Firmware upgrade');
  };
}

function decode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A request to service `service` (lower case) at `path` (after the API version), token already checked. */
function handle(ctx, service, path) {
  const rest = path.replace(/\/+$/, '') || '/';
  const api = { ...ctx, store: ctx.sim.iotconnectStore };
  for (const [svc, method, pattern, handler] of ROUTES) {
    if (svc !== service || method !== ctx.method) continue;
    const m = new RegExp(pattern.source, 'i').exec(rest);
    if (m) return handler(api, ...m.slice(1).map(decode));
  }
  return fail(ctx.res, 404, 'Not found');
}

/** What the control API shows (`GET /__sim/iotconnect`): the commands sent and the OTA updates. */
function summary(sim) {
  const { commands, otaUpdates, devices } = sim.iotconnectStore;
  return { commands, otaUpdates, deviceCount: devices.length };
}

module.exports = { createStore, handle, summary, TEMPLATES, ENTITIES, USERS, FIRMWARE, UPGRADES };
