//! TypeScript declarations of the option and result shapes, emitted into the generated `.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Settings every client takes. */
export interface ClientOptions {
  /** Per-request timeout in milliseconds, through an AbortSignal. Default 30000; 0 disables it. */
  timeoutMs?: number;
  /** Aborts every request of this client when it fires. */
  signal?: AbortSignal;
  /** A fetch-compatible function to send requests with, instead of the global fetch. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Attempts per request when the server answers 429 or 503 (Retry-After is honoured). Default 3. */
  maxAttempts?: number;
  /** Spaces this client's requests at most this many a second (Arduino: 1 on free plans, 10 on paid). */
  maxRequestsPerSecond?: number;
}

export interface ArduinoOptions extends ClientOptions {
  clientId?: string;
  clientSecret?: string;
  /** A ready access token, instead of (or before) client credentials. */
  accessToken?: string;
  /** Organization (space) id, sent as X-Organization. */
  organization?: string;
  /** Ask for tokens scoped to `organization` (sent as organization_id in the token request). */
  organizationToken?: boolean;
  /** Default https://api2.arduino.cc */
  baseUrl?: string;
}


export interface ParticleOptions extends ClientOptions {
  /** Default https://api.particle.io */
  baseUrl?: string;
  /** OAuth client used by login; default "particle-api". */
  clientId?: string;
  clientSecret?: string;
  /** Default access token for calls that pass no `auth`. */
  auth?: string;
}

/** What every particle-api-js style call resolves to. */
export interface ParticleResponse<T> {
  body: T;
  statusCode: number;
}

export interface ParticleLoginOptions {
  username: string;
  password: string;
  /** Seconds the token lives; 0 = never expires. Default 90 days. */
  tokenDuration?: number;
}

export interface ParticleToken {
  token_type: string;
  access_token: string;
  expires_in: number;
  refresh_token?: string;
}

export interface ParticleAuthOptions {
  /** Access token; defaults to the client's (constructor `auth`, setDefaultAuth or the last login). */
  auth?: string;
}

export interface ParticleDeviceOptions extends ParticleAuthOptions {
  deviceId: string;
}

export interface ParticleVariableOptions extends ParticleDeviceOptions {
  name: string;
}

export interface ParticleFunctionOptions extends ParticleDeviceOptions {
  name: string;
  argument?: string;
}

export interface ParticleDevice {
  id: string;
  name: string;
  online: boolean;
  connected?: boolean;
  last_heard?: string;
  platform_id: number;
  product_id: number;
  notes?: string | null;
  functions?: string[];
  variables?: Record<string, string>;
  [key: string]: unknown;
}

export interface ParticleVariable {
  name: string;
  result: unknown;
  coreInfo?: Record<string, unknown>;
}

export interface ParticleFunctionResult {
  id: string;
  name?: string;
  connected: boolean;
  return_value: number;
}

export interface CThingsOptions extends ClientOptions {
  /** Client ID (a UUID). */
  clientId?: string;
  clientSecret?: string;
  accessToken?: string;
  /** Default https://authserver.cthings.cloud */
  authUrl?: string;
  /** Default https://api.cthings.cloud */
  baseUrl?: string;
}

export interface CThingsEnvelope<T> {
  api: string;
  code: number;
  data: T;
  links: Record<string, unknown>;
  message: string | null;
  request: { url: string; method: string; body: unknown };
  websocket: boolean;
  version: string;
}

export interface CThingsDevice {
  id: string;
  device: string;
  name: string;
  active: boolean;
  type?: { id: string; key: string; type: string };
  connection?: { status: boolean; lastConnected: string; signalStrength: number; route: string[] };
  location?: { latitude: number; longitude: number };
  createdAt?: string;
  [key: string]: unknown;
}

export interface IoTConnectOptions extends ClientOptions {
  solutionKey: string;
  /** "poc", "prod" or "avnet". */
  environment: string;
  /** "aws" or "az". */
  platform: string;
  username?: string;
  password?: string;
  accessToken?: string;
  /** Default https://discovery.iotconnect.io */
  discoveryUrl?: string;
}

export interface IoTConnectDeviceListOptions {
  /** Items per request, 1 to 1000; default 100. Every page is fetched either way. */
  pageSize?: number;
  /** "uniqueId asc", "lastConnection desc", … */
  sortBy?: string;
  uniqueId?: string;
  templateGuid?: string;
  entityGuid?: string;
  status?: string;
  searchText?: string;
}

export interface IoTConnectDevice {
  guid: string;
  uniqueId: string;
  displayName: string;
  isActive?: boolean;
  isConnected?: boolean;
  entityGuid?: string;
  templateGuid?: string;
  [key: string]: unknown;
}

export interface IoTConnectEndpoints {
  /** Base URL of the auth service, e.g. https://…/api/v2.1 */
  auth: string;
  /** Base URL of the device service. */
  device: string;
}

/** Particle's device calls, in particle-api-js's shape (made from the table of operations). */
export interface Particle {
  /** `GET /v1/devices`. */
  listDevices(options?: ParticleAuthOptions): Promise<ParticleResponse<ParticleDevice[]>>;
  /** `GET /v1/devices/:deviceId`. */
  getDevice(options: ParticleDeviceOptions): Promise<ParticleResponse<ParticleDevice>>;
  /** `GET /v1/devices/:deviceId/:name`. An offline device rejects with status 408 (not retried). */
  getVariable(options: ParticleVariableOptions): Promise<ParticleResponse<ParticleVariable>>;
  /** `POST /v1/devices/:deviceId/:name` with `argument`. `return_value` is whatever the firmware returns. */
  callFunction(options: ParticleFunctionOptions): Promise<ParticleResponse<ParticleFunctionResult>>;
}

/** Which events `getEventStream` follows: `/v1/[orgs/:org/][products/:product/][devices/[:deviceId/]]events[/:name]`. */
export interface ParticleEventStreamOptions {
  /** One device's events; `mine` (any case): the events of all the user's devices. */
  deviceId?: string;
  /** A product's events (id or slug). */
  product?: string;
  /** An organization's events (id or slug). */
  org?: string;
  /** An event name prefix. */
  name?: string;
  /** The token of this stream, instead of the client's default. */
  auth?: string;
  /** Milliseconds without a byte (keep-alives included) after which the stream is reopened. Default 15000. */
  silenceMs?: number;
}

/** One event, as particle-api-js gives it: the published JSON with the event's `name`. */
export interface ParticleEvent {
  name: string;
  /** The published data (`null` when the device published none). */
  data: string | null;
  ttl?: number;
  published_at?: string;
  /** The publishing device. */
  coreid?: string;
  [key: string]: unknown;
}

/** What the stream reports besides events. */
export type ParticleEventStreamSignal = 'disconnect' | 'reconnect' | 'reconnect-success' | 'end';

/**
 * A running event stream: particle-api-js's emitter, and an async iterator of the events (`for await`; leaving
 * the loop aborts the stream). Reconnects on its own (with `Last-Event-ID`, backing off); a refused reopen is a
 * `reconnect-error`, a 401/403 ends it with `error` then `end`.
 */
export interface ParticleEventStream extends AsyncIterable<ParticleEvent> {
  on(kind: 'event', listener: (event: ParticleEvent) => void): this;
  on(kind: 'error' | 'reconnect-error', listener: (error: Error) => void): this;
  on(kind: ParticleEventStreamSignal, listener: () => void): this;
  once(kind: 'event', listener: (event: ParticleEvent) => void): this;
  once(kind: 'error' | 'reconnect-error', listener: (error: Error) => void): this;
  once(kind: ParticleEventStreamSignal, listener: () => void): this;
  off(kind: string, listener: (...args: any[]) => void): this;
  addListener(kind: 'event', listener: (event: ParticleEvent) => void): this;
  addListener(kind: 'error' | 'reconnect-error', listener: (error: Error) => void): this;
  addListener(kind: ParticleEventStreamSignal, listener: () => void): this;
  removeListener(kind: string, listener: (...args: any[]) => void): this;
  removeAllListeners(kind?: string): this;
  listenerCount(kind: string): number;
  /** Closes the stream: no more events or reconnects, listeners removed, iterators finish. */
  abort(): void;
  /** The events; throws the error that ended the stream. */
  [Symbol.asyncIterator](): AsyncIterator<ParticleEvent>;
}

/** Particle's event streams (made in JavaScript around the wasm's decisions). */
export interface Particle {
  /** `GET /v1/…/events` as server-sent events: resolves once the first open succeeded. */
  getEventStream(options?: ParticleEventStreamOptions): Promise<ParticleEventStream>;
}

export interface CThings {
  /** Devices: `cthings.devices.get(id)`, `cthings.devices.getEnvelope(id)`. */
  readonly devices: CThingsDevices;
}

export interface CThingsDevices {
  /** `GET /v3/device/{deviceId}`: the device (the envelope's `data`). */
  get(deviceId: string): Promise<CThingsDevice>;
  /** `GET /v3/device/{deviceId}`: the whole envelope `{api, code, data, links, message, request, …}`. */
  getEnvelope(deviceId: string): Promise<CThingsEnvelope<CThingsDevice>>;
}

export interface IoTConnect {
  /** Devices: `iotc.devices.list(opts)`. */
  readonly devices: IoTConnectDevices;
}

export interface IoTConnectDevices {
  /** `GET /Device`, every page: all devices as one array. */
  list(options?: IoTConnectDeviceListOptions): Promise<IoTConnectDevice[]>;
}

/** What `@arduino/arduino-iot-client`'s ApiClient holds that the API classes read. */
export interface IotApiClientLike {
  basePath: string;
  authentications: { oauth2: { accessToken?: string } };
  defaultHeaders?: Record<string, string>;
  timeout?: number;
}
"#;
