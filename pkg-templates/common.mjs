// Shared by every entry. The CommonJS copy (common.cjs) is generated from this file by assemble.mjs.
import { RESOURCES, IOT_API, PAGED, reviveDates } from './arduino-api.mjs';

/**
 * The one error class of the package: every rejection of every client is a CloudError.
 * Fields: vendor, status (and its alias statusCode), code, message (the vendor's own words), body,
 * retryAfter (seconds); Particle errors also carry errorDescription and shortErrorDescription.
 */
export class CloudError extends Error {
  constructor(message, fields) {
    super(message);
    Object.defineProperty(this, 'name', { value: 'CloudError', configurable: true, writable: true });
    Object.assign(this, fields);
  }
}

/**
 * The settings holder of @arduino/arduino-iot-client, read by the IotApi classes at every call.
 * `ApiClient.instance` is the module-level singleton the official client's examples use.
 */
export class ApiClient {
  constructor(basePath = 'https://api2.arduino.cc') {
    this.basePath = basePath;
    this.authentications = { oauth2: { type: 'oauth2', accessToken: undefined } };
    this.defaultHeaders = {};
    this.timeout = 60000;
  }
}
ApiClient.instance = new ApiClient();

// `mode` bits of the one call into wasm: the IotApi surface, a full answer, a page of a paged list, a call
// checked and not sent.
const COMPAT = 1;
const FULL = 2;
const PAGE = 4;
const DRY = 8;

const upper = (s) => s[0].toUpperCase() + s.slice(1);

// The operations of the other vendors, by their number in the Rust tables (src/ops/<vendor>.rs).
// Particle: particle-api-js's method names, one per row of src/ops/particle.rs, in its order.
const PARTICLE = ('listDevices getDevice claimDevice addDeviceToProduct removeDevice removeDeviceOwner renameDevice '
  + 'signalDevice setDeviceNotes markAsDevelopmentDevice lockDeviceProductFirmware unlockDeviceProductFirmware '
  + 'updateDevice unprotectDevice provisionDevice getClaimCode getVariable flashDevice compileCode '
  + 'downloadFirmwareBinary sendPublicKey callFunction publishEvent createWebhook deleteWebhook listWebhooks '
  + 'createIntegration editIntegration deleteIntegration listIntegrations getUserInfo setUserInfo changeUsername '
  + 'changeUserPassword listSIMs getSIMDataUsage getFleetDataUsage checkSIM removeSIM listBuildTargets listLibraries '
  + 'getLibrary getLibraryVersions contributeLibrary publishLibrary deleteLibrary downloadFile listOAuthClients '
  + 'createOAuthClient updateOAuthClient deleteOAuthClient listProducts getProduct listProductFirmware '
  + 'uploadProductFirmware getProductFirmware updateProductFirmware downloadProductFirmware '
  + 'downloadManufacturingBackup releaseProductFirmware listTeamMembers inviteTeamMember removeTeamMember '
  + 'lookupSerialNumber getProductConfiguration getProductConfigurationSchema getProductDeviceConfiguration '
  + 'getProductDeviceConfigurationSchema setProductConfiguration setProductDeviceConfiguration getProductLocations '
  + 'getProductDeviceLocations executeLogic createLogicFunction getLogicFunction updateLogicFunction '
  + 'deleteLogicFunction listLogicFunctions listLogicRuns getLogicRun getLogicRunLogs createLedger getLedger '
  + 'updateLedger archiveLedger listLedgers getLedgerInstance setLedgerInstance deleteLedgerInstance '
  + 'listLedgerInstances listLedgerInstanceVersions getLedgerInstanceVersion listDeviceOsVersions getDeviceOsVersion '
  + 'listEnvVars updateEnvVars setEnvVar deleteEnvVar renderEnvVars reviewEnvVarsRollout startEnvVarsRollout').split(' ');
// Particle's login and token calls, in the order of their table (`FLOWS` in src/vendors/particle.rs), sent as
// operations `PARTICLE_FLOW_BASE + row` (`FLOW_BASE` there).
const PARTICLE_FLOW_BASE = 1000;
const PARTICLE_LOGIN = ('login sendOtp loginAsClientOwner loginAsCustomer refreshAccessToken createCustomer enableMfa '
  + 'confirmMfa disableMfa createUser resetPassword deleteAccessToken deleteCurrentAccessToken deleteActiveAccessTokens '
  + 'deleteUser trackingIdentity').split(' ');
// cThings: `devices.get/getEnvelope`, then the client's own `request` and `requestEnvelope` (as IOTCONNECT).
const CTHINGS = 'devices:get,getEnvelope :request,requestEnvelope';
// IoTConnect: `group:action,…` in the order of the rows of src/ops/iotconnect.rs (`:request` is a method of the
// client itself); an `iterate` is an async iterator over every item of its list.
const IOTCONNECT = 'devices:list,iterate,get,getByUniqueId,create,update,setActive,delete templates:list,iterate,'
  + 'get,getByCode,delete,attributes,commands commands:send entities:list,get users:list,iterate,get '
  + 'telemetry:latest,recent,history firmware:list,get,create firmwareUpgrades:list,get,create,delete,publish '
  + 'ota:update :request';

// The one call into wasm is `glue.__call(handle, what, arg, args, mode, extra)` (src/js/clients.rs); `what`:
const NEW = 0;
const FREE = 1;
const DESCRIBE = 2;
const SET_AUTH = 3;
const EVENT_STREAM = 4;
const IDENTITY = 5;
const LOGIN = 6;
const ENDPOINTS = 7;
const STEP = 8;
const IOTAPI_CALL = 9;
const ARITY = 10;
const ERROR_CLASS = 11;
const UNIFIED = 12;
const INVOKE = 13;

/** Hands the wasm module the CloudError class (once it is loaded). */
export const setErrorClass = (glue) => glue.__call(0, ERROR_CLASS, CloudError);

/** The call of an IotApi method, `(apiClient, op, name, args, mode)`, for `iotApi`. */
export const iotApiInvoke = (glue) => (client, op, name, args, mode) => glue.__call(op, IOTAPI_CALL, name, args, mode, client);

/**
 * The client classes over the wasm-bindgen glue `glue`, with every method. A client lives in wasm, in a slot
 * of src/js/clients.rs; its object here holds the slot's handle and frees it with `free()` (or `using`), or
 * once it is garbage-collected. A table-driven method is `__invoke`; `__call` throws the CloudError that
 * wasm answers for a wrong argument or a freed client.
 */
export function clientClasses(glue) {
  const call = glue.__call;
  const registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((h) => call(h, FREE)) : undefined;
  class Client {
    #h;
    constructor(vendor, options) {
      const h = call(vendor, NEW, options);
      if (typeof h !== 'number') throw h;
      this.#h = h;
      registry?.register(this, h, this);
    }

    /** Frees the client's memory in wasm now (calls in flight finish); later calls reject. */
    free() {
      registry?.unregister(this);
      call(this.#h, FREE);
      // A handle that names no client, of the same vendor (whose CloudError later calls get).
      this.#h &= 3;
    }

    /** What `JSON.stringify(client)` shows: never credentials or tokens. */
    toJSON() {
      return this.__call(DESCRIBE);
    }

    __invoke(op, name, args, mode) {
      return call(this.#h, INVOKE + op, name, args, mode);
    }

    __call(what, arg, args, mode) {
      const r = call(this.#h, what, arg, args, mode);
      if (r instanceof Error) throw r;
      return r;
    }
  }
  if (Symbol.dispose) Client.prototype[Symbol.dispose] = Client.prototype.free;
  class Arduino extends Client {
    constructor(options) {
      super(0, options);
    }
  }
  class Particle extends Client {
    constructor(options) {
      super(1, options);
    }

    setDefaultAuth(auth) {
      this.__call(SET_AUTH, auth);
    }

    __eventStream(options) {
      return this.__call(EVENT_STREAM, options);
    }

    static __eventStep(op, n, v) {
      return call(op, STEP, v, n);
    }
  }
  class CThings extends Client {
    constructor(options) {
      super(2, options);
    }
  }
  class IoTConnect extends Client {
    constructor(options) {
      super(3, options);
    }

    login() {
      return this.__call(LOGIN);
    }

    endpoints() {
      return this.__call(ENDPOINTS);
    }

    identity() {
      return this.__call(IDENTITY);
    }
  }
  resources(Arduino, 'arduino', table(RESOURCES), PAGED, (op) => call(op, ARITY));
  vendorMethods(Particle, CThings, IoTConnect);
  return { Arduino, Particle, CThings, IoTConnect };
}

/**
 * Gives a client class its resources (`client.group.action(...)`) from a table `{group: {action: op}}`: each
 * method is one call into wasm with the operation's number. `arity(op)` is the number of positional
 * arguments of a `paged` operation.
 */
function resources(Class, prefix, table, paged = [], arity) {
  for (const group of Object.keys(table)) {
    Object.defineProperty(Class.prototype, group, {
      configurable: true,
      get() {
        const client = this;
        const api = {};
        for (const [action, op] of Object.entries(table[group])) {
          const name = `${prefix}.${group}.${action}`;
          // IoTConnect's: one page a call, resolving `[items, next cursor]` (see PAGE_NUMBER in src/ops/mod.rs).
          api[action] = action === 'iterate'
            ? (...args) => pages((a) => client.__invoke(op, name, a, 0), 0, args)
            : (...args) => client.__invoke(op, name, args, 0);
          if (paged.includes(op)) {
            api[`iterate${upper(action)}`] = (...args) => pages((a) => client.__invoke(op, name, a, PAGE), arity(op), args);
          }
        }
        Object.defineProperty(this, group, { value: Object.freeze(api), configurable: true });
        return api;
      },
    });
  }
}

/**
 * The table-made methods of the other clients: Particle's particle-api-js methods (one options object,
 * `{body, statusCode}` results), `cthings.devices.get/getEnvelope`, `cthings.request/requestEnvelope`, and
 * IoTConnect's resources and `request`.
 */
function vendorMethods(Particle, CThings, IoTConnect) {
  // As particle-api-js: a 204 resolves `{body: {}}`; a download resolves its bytes alone, a Buffer in Node and
  // an ArrayBuffer in a browser.
  PARTICLE.forEach((method, op) => {
    const name = `particle.${method}`;
    Particle.prototype[method] = function (...args) {
      return this.__invoke(op, name, args, FULL).then(([statusCode, , body]) => {
        if (body instanceof Uint8Array) {
          return typeof window === 'undefined' && typeof Buffer === 'function' ? Buffer.from(body.buffer) : body.buffer;
        }
        return { body: statusCode === 204 ? {} : body, statusCode };
      });
    };
  });
  // The login family: operations from PARTICLE_FLOW_BASE on; an empty body resolves `{body: {}}`.
  PARTICLE_LOGIN.forEach((method, op) => {
    const name = `particle.${method}`;
    Particle.prototype[method] = function (options) {
      return this.__invoke(PARTICLE_FLOW_BASE + op, name, [options], FULL)
        .then(([statusCode, , body]) => ({ body: body ?? {}, statusCode }));
    };
  });
  // `cthings.request({method, path, query, body, version})`: the envelope's data; `requestEnvelope`: all of it.
  resources(CThings, 'cthings', table(CTHINGS, (method, n) => {
    CThings.prototype[method] = function (options) { return this.__invoke(n, `cthings.${method}`, [options], 0); };
  }));
  resources(IoTConnect, 'iotc', table(IOTCONNECT, (action, n) => {
    IoTConnect.prototype[action] = function (...args) { return this.__invoke(n, `iotc.${action}`, args, 0); };
  }));
}

// `{group: {action: op}}` from `group:action,… group:…`, the ops numbered in order; an action without a
// group (`:request`) goes to `loose(action, op)`.
function table(text, loose) {
  const out = {};
  let op = 0;
  for (const part of text.split(' ')) {
    const [group, actions] = part.split(':');
    for (const action of actions.split(',')) {
      if (group) (out[group] ??= {})[action] = op;
      else loose(action, op);
      op++;
    }
  }
  return out;
}

// Every item of a paged list, page by page: the next page's `start` comes from the answer (Rust decides
// it; none when the list is done).
// Options that cannot be read or copied go to wasm as they are, where they reject with invalid_argument.
async function* pages(call, arity, args) {
  const head = args.slice(0, arity);
  const opts = args[arity];
  let start;
  try {
    start = opts?.start;
  } catch {}
  do {
    let page = opts;
    try {
      if (start !== undefined) page = { ...opts, start };
    } catch {}
    const [items, next] = await call([...head, page]);
    yield* items;
    start = next;
  } while (start !== undefined);
}

const headersObject = (h) => {
  const out = {};
  try {
    h?.forEach((value, key) => {
      out[key] = value;
    });
  } catch {}
  return out;
};

/**
 * The IotApi namespace: the classes of @arduino/arduino-iot-client, made from the generated table. Like the
 * official client, they default to the ApiClient singleton and read its settings at each call;
 * `…WithHttpInfo` resolves `{data, response}`, and date-time fields become Date objects as there.
 */
export function iotApi(invoke) {
  const api = { ApiClient };
  for (const [name, methods] of Object.entries(table(IOT_API))) {
    const cls = `${name}Api`;
    const Api = { [cls]: class { constructor(apiClient) { this.apiClient = apiClient || ApiClient.instance; } } }[cls];
    for (let [method, op] of Object.entries(methods)) {
      // A name that starts with a capital follows its class's (`Create` of DashboardsV2Api: dashboardsV2Create).
      if (/^[A-Z]/.test(method)) method = name[0].toLowerCase() + name.slice(1) + method;
      Api.prototype[`${method}WithHttpInfo`] = function (...args) {
        return invoke(this.apiClient, op, method, args, COMPAT | FULL).then(([status, headers, body]) => ({
          data: reviveDates(op, body),
          response: { status, statusCode: status, ok: status < 300, headers: headersObject(headers), body },
        }));
      };
      Api.prototype[method] = function (...args) {
        return this[`${method}WithHttpInfo`](...args).then((r) => r.data);
      };
    }
    api[cls] = Api;
  }
  return api;
}

// The unified device model: `connect(vendor, options)` → a Cloud over that vendor's client. What each method
// sends and reads, which polled values changed and what each cloud can do are wasm's (src/unified.rs),
// reached through the client's `__call(UNIFIED, extra, args, what)`; this makes the class and its async
// iterators.

const cap = (pages, history, command, events, rateLimit) => Object.freeze({
  devices: true, pages, readings: true, history, command, events, rateLimit,
});
/** What each cloud can do (`false`: the method rejects with code `unsupported`); `VENDORS` in src/unified.rs. */
export const CAPABILITIES = Object.freeze({
  arduino: cap(false, true, 'property', 'poll', 10),
  particle: cap(false, true, 'function', 'stream', 33),
  cthings: cap(false, false, false, 'poll', 10),
  iotconnect: cap(true, true, 'command', 'poll', 10),
});

/**
 * Resolves after `ms`, at once when `signal` (if any) fires; `hook` (an event stream's `__testWait` option),
 * when given, replaces the timer. Event streams (events.mjs) and a Cloud's polls wait with it.
 */
export function wait(ms, signal, hook) {
  if (hook) {
    try {
      return Promise.resolve(hook(ms)).then(() => {}, () => {});
    } catch {
      return Promise.resolve();
    }
  }
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}

class Cloud {
  #ready;
  #options;
  #kept = []; // the events the stream brought (the newest 1,000, for history)

  constructor(vendor, client, options) {
    this.vendor = vendor;
    this.client = client;
    this.#options = options;
    // The request rate (`rateLimit`, else the vendor's), set before the first call; a wrong option rejects
    // every call.
    this.#ready = this.#step(0, CAPABILITIES[vendor].rateLimit, [options]);
    this.#ready.catch(() => {});
  }

  // A step of the model in wasm: its answer, or its CloudError as a rejection.
  async #step(what, extra, args) {
    return this.client.__call(UNIFIED, extra, args, what);
  }

  // A method, asked of wasm with its arguments and the answers so far: the calls of the next step of its
  // recipe (`[name, op, args, op, args, …]`), sent here through the client's own invoke path, every one
  // checked before the first is sent, until the method's answer (`[answer]`).
  async #call(what, args, extra) {
    await this.#ready;
    const c = this.client;
    const done = [];
    for (;;) {
      const r = await this.#step(what, extra, [args, done]);
      if (r.length < 2) return r[0];
      for (let i = 1; i < r.length; i += 2) await c.__invoke(r[i], r[0], r[i + 1], DRY);
      const answers = [];
      for (let i = 1; i < r.length; i += 2) answers.push(await c.__invoke(r[i], r[0], r[i + 1], 0));
      done.push(answers);
    }
  }

  capabilities() {
    return CAPABILITIES[this.vendor];
  }

  devices(...args) {
    return this.#call(1, args, this.#options).then((r) => r[0]);
  }

  iterateDevices(opts) {
    return pages((a) => this.#call(1, a, this.#options), 0, [opts]);
  }

  readings(...args) {
    return this.#call(2, args);
  }

  history(...args) {
    return this.#call(3, args, this.#kept);
  }

  command(...args) {
    return this.#call(4, args);
  }

  /** The device's events (every device's without `deviceId`), until `return()` or the signal. */
  async* events(deviceId, opts) {
    // The poll interval (ms; -1: the cloud streams its events), once wasm has checked the options.
    const ms = await this.#call(5, [deviceId, opts]);
    const signal = opts?.signal;
    if (ms < 0) {
      const stream = await this.client.getEventStream({ deviceId: deviceId ?? 'mine' });
      const stop = () => stream.abort();
      signal?.addEventListener('abort', stop);
      if (signal?.aborted) stop();
      try {
        for await (const e of stream) {
          const event = this.#step(7, 0, [this.#kept, e]);
          if (this.#kept.length > 1000) this.#kept.shift(); // the newest 1,000
          yield event;
        }
      } finally {
        signal?.removeEventListener('abort', stop);
      }
      return;
    }
    const seen = {};
    const ids = deviceId === undefined ? [] : [deviceId];
    try {
      if (!ids.length) for await (const d of this.iterateDevices(opts)) ids.push(d.id);
      while (!signal?.aborted) {
        for (const id of ids) yield* await this.#step(6, 0, [seen, id, await this.readings(id, opts)]);
        await wait(ms, signal);
      }
    } catch (err) {
      if (!signal?.aborted) throw err;
    }
  }
}

/**
 * `connect(vendor, options)`: a Cloud over a new client of `vendor` made with `options`, or over
 * `options.client`; `classes`: the four client classes, in the order of CAPABILITIES.
 */
export function unified(...classes) {
  return (vendor, options) => {
    const Class = classes[Object.keys(CAPABILITIES).indexOf(vendor)];
    if (!Class) {
      throw new CloudError('connect: `vendor` must be "arduino", "particle", "cthings" or "iotconnect"', { code: 'invalid_argument' });
    }
    let client;
    try {
      client = options?.client;
    } catch {}
    client ??= new Class(options);
    if (!(client instanceof Class)) {
      throw new CloudError(`connect: \`client\` must be a ${Class.name} client`, { vendor, code: 'invalid_argument' });
    }
    return new Cloud(vendor, client, options);
  };
}
