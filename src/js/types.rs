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
  /** `expires_in` that `login` sends when the call names no lifetime (seconds; default 7776000, 90 days). */
  tokenDuration?: number;
  /**
   * Calls without `auth` (and no default token) use a token of this OAuth client (`clientId`/`clientSecret`,
   * both required), fetched by the client-credentials grant, shared by concurrent calls, renewed before it
   * expires and once more when the cloud answers 401.
   */
  useClientCredentials?: boolean;
}

/** What particle-api-js's calls take besides their own options. */
export interface ParticleCallOptions {
  /** Headers sent with this request. */
  headers?: Record<string, string>;
  /** particle-api-js's request context (tool, project): accepted, not sent. */
  context?: Record<string, unknown>;
  /** Aborts this request. */
  signal?: AbortSignal;
  /** This request's timeout in milliseconds. */
  timeoutMs?: number;
}

/** A token's lifetime: one of the three (default for `login`: the constructor's `tokenDuration`). */
export interface ParticleTokenLifetime {
  /** Seconds (sent as `expires_in`); 0 = never expires. */
  tokenDuration?: number;
  /** Same as `tokenDuration`. */
  expiresIn?: number;
  /** When the token expires (sent as `expires_at`, ISO 8601). */
  expiresAt?: Date | string;
}

export interface ParticleSendOtpOptions extends ParticleCallOptions {
  /** `body.mfa_token` of the 403 `mfa_required` error of `login`. */
  mfaToken: string;
  /** The current one-time password of the authenticator app. */
  otp: string;
}

export interface ParticleCustomerTokenOptions extends ParticleCallOptions, ParticleTokenLifetime {
  email: string;
}

export interface ParticleRefreshOptions extends ParticleCallOptions {
  refreshToken: string;
}

export interface ParticleCreateCustomerOptions extends ParticleCallOptions {
  email: string;
  password?: string;
  /** Product id or slug. */
  product: string;
}

export interface ParticleConfirmMfaOptions extends ParticleUserCallOptions {
  mfaToken: string;
  otp: string;
  /** Invalidate every other token of the account. */
  invalidateTokens?: boolean;
}

export interface ParticleDisableMfaOptions extends ParticleUserCallOptions {
  currentPassword: string;
}

export interface ParticleCreateUserOptions extends ParticleCallOptions {
  username: string;
  password: string;
  accountInfo?: Record<string, unknown>;
  utm?: Record<string, unknown>;
}

export interface ParticleResetPasswordOptions extends ParticleCallOptions {
  username: string;
}

export interface ParticleDeleteAccessTokenOptions extends ParticleCallOptions {
  /** The token to revoke. */
  token: string;
}

export interface ParticleDeleteUserOptions extends ParticleUserCallOptions {
  password: string;
}

export interface ParticleTrackingIdentityOptions extends ParticleUserCallOptions {
  /** The whole identity, not only the tracking id. */
  full?: boolean;
}

export interface ParticleOk {
  ok?: boolean;
  [key: string]: unknown;
}

export interface ParticleEnableMfa {
  secret: string;
  url: string;
  mfa_token?: string;
  [key: string]: unknown;
}

export interface ParticleConfirmMfa {
  recovery_codes: string[];
  [key: string]: unknown;
}

export interface ParticleTrackingIdentity {
  id: string;
  [key: string]: unknown;
}

/** What every particle-api-js style call resolves to. */
export interface ParticleResponse<T> {
  body: T;
  statusCode: number;
}

export interface ParticleLoginOptions extends ParticleCallOptions, ParticleTokenLifetime {
  username: string;
  password: string;
}

export interface ParticleToken {
  token_type: string;
  access_token: string;
  expires_in: number;
  refresh_token?: string;
}

export interface ParticleAuthOptions {
  /**
   * Access token; defaults to the client's (constructor `auth`, setDefaultAuth or the first login), else
   * the renewed client-credentials token (`useClientCredentials`).
   */
  auth?: string;
}

/** The options of a login-family call that needs a token. */
export interface ParticleUserCallOptions extends ParticleAuthOptions, ParticleCallOptions {}

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
  /**
   * `POST /oauth/token`, password grant (client id and secret in the form, as particle-api-js sends them).
   * An account with MFA rejects with a 403 `CloudError` whose `code` is `mfa_required` and whose
   * `body.mfa_token` goes to `sendOtp`. The first login's token becomes the default `auth`.
   */
  login(options: ParticleLoginOptions): Promise<ParticleResponse<ParticleToken>>;
  /** Completes an MFA login (grant `urn:custom:mfa-otp`). */
  sendOtp(options: ParticleSendOtpOptions): Promise<ParticleResponse<ParticleToken>>;
  /** The client-credentials grant of the client given to the constructor. */
  loginAsClientOwner(options?: ParticleCallOptions): Promise<ParticleResponse<ParticleToken>>;
  /** A customer's token: client-credentials grant with `scope=customer=<email>` (a product's client). */
  loginAsCustomer(options: ParticleCustomerTokenOptions): Promise<ParticleResponse<ParticleToken>>;
  /** The refresh-token grant. */
  refreshAccessToken(options: ParticleRefreshOptions): Promise<ParticleResponse<ParticleToken>>;
  /** `POST /v1/products/:product/customers` with the product's client; resolves the customer's token. */
  createCustomer(options: ParticleCreateCustomerOptions): Promise<ParticleResponse<ParticleToken>>;
  enableMfa(options?: ParticleUserCallOptions): Promise<ParticleResponse<ParticleEnableMfa>>;
  confirmMfa(options: ParticleConfirmMfaOptions): Promise<ParticleResponse<ParticleConfirmMfa>>;
  disableMfa(options: ParticleDisableMfaOptions): Promise<ParticleResponse<ParticleOk>>;
  createUser(options: ParticleCreateUserOptions): Promise<ParticleResponse<ParticleOk>>;
  resetPassword(options: ParticleResetPasswordOptions): Promise<ParticleResponse<ParticleOk>>;
  /** `DELETE /v1/access_tokens/:token` (with the default token, when there is one). */
  deleteAccessToken(options: ParticleDeleteAccessTokenOptions): Promise<ParticleResponse<ParticleOk>>;
  deleteCurrentAccessToken(options?: ParticleUserCallOptions): Promise<ParticleResponse<ParticleOk>>;
  deleteActiveAccessTokens(options?: ParticleUserCallOptions): Promise<ParticleResponse<ParticleOk>>;
  deleteUser(options: ParticleDeleteUserOptions): Promise<ParticleResponse<ParticleOk>>;
  trackingIdentity(options?: ParticleTrackingIdentityOptions): Promise<ParticleResponse<ParticleTrackingIdentity>>;
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
