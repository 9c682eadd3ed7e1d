// Types of the package. The classes and option/result interfaces are generated from the Rust sources
// (iot_cloud_wasm.d.ts); this file adds what the entry files define and says which names are values.
import type { IotApiClientLike } from './iot_cloud_wasm.js';
import type { ArduinoPropertiesApi, ArduinoResources, ArduinoThingsApi, IotApiClasses } from './arduino-api.js';

// Every interface and class type (handlers such as ArduinoThings are reached through a client only).
export type * from './iot_cloud_wasm.js';
// The Arduino operations: option, result and schema types, generated from the OpenAPI spec.
export type * from './arduino-api.js';

// `arduino.things.list()`, `arduino.devices.show(id)`, …: the resources of the Arduino class.
declare module './iot_cloud_wasm.js' {
  interface Arduino extends ArduinoResources {}
}
/** The names the `things` and `properties` handlers had before every resource was generated. */
export type ArduinoThings = ArduinoThingsApi;
export type ArduinoProperties = ArduinoPropertiesApi;
// The classes a user constructs.
export { Arduino, Particle, CThings, IoTConnect } from './iot_cloud_wasm.js';

export type Vendor = 'arduino' | 'particle' | 'cthings' | 'iotconnect';

/** Every rejection of every client is a CloudError. */
export declare class CloudError extends Error {
  constructor(message: string, fields?: Partial<CloudError>);
  readonly name: 'CloudError';
  /** The cloud that answered (absent when the module itself failed to load). */
  vendor?: Vendor;
  /** HTTP status, when the cloud answered. */
  status?: number;
  /** Alias of `status`, as particle-api-js names it. */
  statusCode?: number;
  /** The vendor's code (`invalid_grant`, `not_found`, …), `http_<status>`, or one of `invalid_argument`,
   * `timeout`, `aborted`, `network_error`, `invalid_response`. */
  code: string;
  /** The parsed response body (JSON or text). */
  body?: unknown;
  /** Seconds to wait before retrying, from `Retry-After`. */
  retryAfter?: number;
  /** Particle errors only, as particle-api-js provides them. */
  errorDescription?: string;
  shortErrorDescription?: string;
}

/** The settings holder of `@arduino/arduino-iot-client`. */
declare class ApiClient implements IotApiClientLike {
  constructor(basePath?: string);
  static instance: ApiClient;
  basePath: string;
  authentications: { oauth2: { type: 'oauth2'; accessToken?: string } };
  defaultHeaders: Record<string, string>;
  timeout: number;
}

/** Drop-in for `require('@arduino/arduino-iot-client')`. */
export declare const IotApi: IotApiClasses & { ApiClient: typeof ApiClient };

/** Loads the wasm ahead of the first call (browsers); resolves at once in Node. */
export declare function init(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;

// ---------------------------------------------------------------------------------------------------------
// One model over four clouds: `connect(vendor, options)`.

import type {
  Arduino as ArduinoClient, Particle as ParticleClient, CThings as CThingsClient, IoTConnect as IoTConnectClient,
  ArduinoOptions, ParticleOptions, CThingsOptions, IoTConnectOptions,
} from './iot_cloud_wasm.js';

export type VendorName = Vendor;

/** What a cloud can do; a method it cannot do rejects with a CloudError `unsupported` (status 0), before any request. */
export interface Capabilities {
  devices: true;
  /** The cloud pages its device list (IoTConnect). */
  pages: boolean;
  readings: boolean;
  history: boolean;
  /** What a command is there: a Particle function, an IoTConnect command, an Arduino property's value. */
  command: false | 'function' | 'command' | 'property';
  /** Events from the cloud's stream (Particle), or polled readings, an event per changed value. */
  events: 'stream' | 'poll' | false;
  /** Requests per second the scheduler keeps to by default. */
  rateLimit: number;
}

export interface Device {
  vendor: VendorName;
  /** What `readings`, `history`, `command` and `events` take: the Arduino thing's id, the Particle device
   * id, the cThings device id, the IoTConnect device guid. */
  id: string;
  name: string;
  online: boolean | null;
  lastSeen: Date | null;
  /** The cloud's own object (Arduino: the device, its `thing` inside). */
  raw: unknown;
}

export interface Reading {
  name: string;
  value: unknown;
  /** The cloud's type name (`FLOAT`, `double`, `DECIMAL`; cThings: the JavaScript type). */
  type: string;
  updatedAt: Date | null;
}

export interface Point {
  time: Date;
  value: unknown;
}

export interface CloudEvent {
  vendor: VendorName;
  deviceId: string;
  name: string;
  value: unknown;
  time: Date;
  /** The stream's event, or the polled reading. */
  raw: unknown;
}

/** Options of every call: its own signal and timeout. */
export interface Call {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** `connect()`'s options besides the client's own: the request rate, and cThings' device ids. */
export interface ConnectOptions {
  /** Requests per second (default: the vendor's, see `CAPABILITIES`; a client with its own
   * `maxRequestsPerSecond` keeps it). A wrong value rejects every call with `invalid_argument`. */
  rateLimit?: number;
  /** cThings: the ids of the devices `devices()` lists (its API has no list call). */
  devices?: string[];
}

export type ClientOf<V extends VendorName> = {
  arduino: ArduinoClient; particle: ParticleClient; cthings: CThingsClient; iotconnect: IoTConnectClient;
}[V];

export type ConnectOptionsOf<V extends VendorName> = ConnectOptions & (
  | { client: ClientOf<V> }
  | { arduino: ArduinoOptions; particle: ParticleOptions; cthings: CThingsOptions; iotconnect: IoTConnectOptions }[V]
);

export interface Cloud<V extends VendorName = VendorName> {
  readonly vendor: V;
  /** The vendor client underneath, for everything else. */
  readonly client: ClientOf<V>;
  capabilities(): Capabilities;
  /** One page (1-based, default 1). A cloud that does not page lists every device on page 1 and none after;
   * a page shorter than `pageSize` is the last one. */
  devices(opts?: Call & { page?: number; pageSize?: number }): Promise<Device[]>;
  /** Every device, page by page. */
  iterateDevices(opts?: Call & { pageSize?: number }): AsyncIterableIterator<Device>;
  readings(deviceId: string, opts?: Call): Promise<Reading[]>;
  history(deviceId: string, name: string, opts: Call & { from: Date | string; to: Date | string }): Promise<Point[]>;
  command(deviceId: string, name: string, arg?: unknown, opts?: Call): Promise<unknown>;
  /** The device's events (every device's without `deviceId`): Particle's stream, else readings polled every
   * `intervalMs` (default 5000), an event per changed value. `return()` or the signal ends them. */
  events(deviceId?: string, opts?: Call & { intervalMs?: number }): AsyncIterableIterator<CloudEvent>;
}

/** A Cloud over a new client of `vendor` made with `options`, or over `options.client`. */
export declare function connect<V extends VendorName>(vendor: V, options: ConnectOptionsOf<V>): Cloud<V>;

/** What each cloud can do: the table `capabilities()` answers from. */
export declare const CAPABILITIES: Readonly<Record<VendorName, Readonly<Capabilities>>>;
