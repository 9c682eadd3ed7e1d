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

/** Settings both ways of setting up an IoTConnect client take. */
export interface IoTConnectBaseOptions extends ClientOptions {
  /** The login (basic token, then `POST /Auth/login` with the `solution-key` header). */
  username?: string;
  password?: string;
  /** A ready access token, instead of (or before) the login. */
  accessToken?: string;
}

/** Setup by discovery: the solution's service URLs are looked up once. */
export interface IoTConnectDiscoveryOptions extends IoTConnectBaseOptions {
  solutionKey: string;
  /** "poc", "prod" or "avnet". */
  environment: string;
  /** "aws" (API version 2.1) or "az" (version 2). */
  platform: 'aws' | 'az' | (string & {});
  /** Default https://discovery.iotconnect.io */
  discoveryUrl?: string;
  urls?: undefined;
}

/** Setup without discovery, for deployments and browsers that cannot reach it. */
export interface IoTConnectUrlOptions extends IoTConnectBaseOptions {
  /** The services' base URLs. A URL without a path (the seed's `https://authpoc.iotconnect.io`) gets the API
   * version: `/api/v2.1` with platform "aws", else `/api/v2`. */
  urls: IoTConnectUrls;
  /** Needed to log in (sent as `solution-key`). */
  solutionKey?: string;
  platform?: 'aws' | 'az' | (string & {});
  environment?: string;
  discoveryUrl?: string;
}

export type IoTConnectOptions = IoTConnectDiscoveryOptions | IoTConnectUrlOptions;

/** The services of a solution, as discovery names them (`authBaseUrl`, …). */
export type IoTConnectService = 'master' | 'auth' | 'user' | 'device' | 'firmware' | 'event' | 'telemetry' | 'file';
/** Base URLs by service, each ending in its API version (`…/api/v2.1`). */
export type IoTConnectUrls = { [service in IoTConnectService]?: string };
/** The service base URLs the client uses: given, or from discovery. */
export type IoTConnectEndpoints = IoTConnectUrls;

/** The claims of the access token (`iotc.identity()`), as the token carries them. */
export interface IoTConnectClaims {
  /** Expiry, in seconds since 1970. */
  exp?: number;
  iat?: number;
  user?: {
    id?: string;
    companyId?: string;
    cpId?: string;
    entityGuid?: string;
    solutionKey?: string;
    roleId?: string;
    email?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** What every IoTConnect call takes besides its own options. */
export interface IoTConnectCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** An answer of the API: `{data, status, message}`, and `count` on lists (`/Device` says -1). */
export interface IoTConnectEnvelope<T> {
  data: T;
  status?: number;
  message?: string;
  count?: number;
  [key: string]: unknown;
}

/** One page of a list, as the API sends it; a page without items (204) is `{data: []}`. */
export type IoTConnectPage<T> = IoTConnectEnvelope<T[]>;

/** Paging of `list` (one page) and `iterate` (every page from `pageNumber` on). */
export interface IoTConnectPaging extends IoTConnectCallOptions {
  /** 1-based. */
  pageNumber?: number;
  /** 1 to 1000; `iterate` asks for 100 when none is given. */
  pageSize?: number;
  /** "field asc" or "field desc". */
  sortBy?: string;
}

export interface IoTConnectDeviceListOptions extends IoTConnectPaging {
  uniqueId?: string;
  templateGuid?: string;
  entityGuid?: string;
  /** "active", "inactive", "connected", "disconnected". */
  status?: string;
  searchText?: string;
}

export interface IoTConnectSearchOptions extends IoTConnectPaging {
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

export interface IoTConnectNewDevice {
  deviceTemplateGuid: string;
  uniqueId: string;
  displayName: string;
  entityGuid: string;
  certificateText?: string;
  [key: string]: unknown;
}

export interface IoTConnectTemplate {
  guid: string;
  name?: string;
  code?: string;
  [key: string]: unknown;
}

export interface IoTConnectAttribute {
  guid?: string;
  localName?: string;
  dataTypeName?: string;
  unit?: string;
  [key: string]: unknown;
}

export interface IoTConnectCommand {
  guid: string;
  name?: string;
  command?: string;
  requiredParam?: boolean;
  [key: string]: unknown;
}

/** One attribute's latest value (`telemetry.latest`). */
export interface IoTConnectTelemetry {
  attributeName: string;
  attributeValue: unknown;
  deviceUpdatedDate?: string;
  [key: string]: unknown;
}

export interface IoTConnectRecentOptions extends IoTConnectCallOptions {
  childUniqueId?: string;
  /** Attribute names to return. */
  filterAttrs?: unknown;
}

export interface IoTConnectHistoryWindow extends IoTConnectCallOptions {
  /** A `Date` or an ISO 8601 string (with an offset, or UTC); sent as `YYYY-MM-DD HH:MM:SS` UTC. */
  from: Date | string;
  /** At most 7 days after `from`. */
  to: Date | string;
}

export interface IoTConnectRequest extends IoTConnectCallOptions {
  service: IoTConnectService;
  /** Default "GET". */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /**
   * After the service's base URL, beginning with `/`, sent as it is: no `?` (see `query`), `#`, `\`, `%2e`,
   * control characters, `.` or `..` segments.
   */
  path: string;
  /** Query parameters, after the path; an array repeats its key; `undefined` and `null` are left out. */
  query?: Record<string, string | number | boolean | Date | null | undefined | (string | number | boolean | Date)[]>;
  /** JSON body (not with GET). */
  body?: unknown;
}

/** A file to upload: a Blob or File, an ArrayBuffer, a typed array or a Buffer. */
export type ParticleFile = Blob | ArrayBuffer | ArrayBufferView;

/** An answer body of the Particle API (JSON). */
export type ParticleBody = Record<string, any>;

/**
 * What every Particle call takes besides its own options. `context` is accepted and not sent: particle-api-js
 * turns it into its `X-Particle-Tool`/`X-Particle-Project` tracking headers. An option a call does not take
 * is an `invalid_argument` CloudError.
 */
export interface ParticleCallOptions {
  /** Access token; defaults to the client's (constructor `auth`, setDefaultAuth or the last login). */
  auth?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** particle-api-js's request context (tool, project): accepted, not sent. */
  context?: Record<string, unknown>;
  /** Aborts this call (except on signalDevice and updateDevice, where `signal` is the device's). */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * The calls of particle-api-js 12.0.3 (but logins and event streams), made from the table of operations.
 * With `product` (or `org`), a call goes to `/v1/products/:product/…` (`/v1/orgs/:org/…`). Downloads
 * resolve their bytes alone (a Buffer in Node, an ArrayBuffer in browsers), as particle-api-js does.
 */
export interface Particle {
  /** `GET /v1/devices` (`product` scope). */
  listDevices(options?: ParticleCallOptions & { product?: undefined; }): Promise<ParticleResponse<ParticleDevice[]>>;
  listDevices(options: ParticleCallOptions & { product: string | number; deviceId?: string; deviceName?: string; groups?: string | string[]; sortAttr?: string; sortDir?: string; page?: number; perPage?: number; }): Promise<ParticleResponse<{ devices: ParticleDevice[]; [key: string]: unknown }>>;
  /** `GET /v1/devices/{deviceId}` (`product` scope). */
  getDevice(options: ParticleCallOptions & { deviceId: string; product?: string | number; }): Promise<ParticleResponse<ParticleDevice>>;
  /** `POST /v1/devices`. */
  claimDevice(options: ParticleCallOptions & { deviceId: string; requestTransfer?: boolean; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/products/{product}/devices`. */
  addDeviceToProduct(options: ParticleCallOptions & { product: string | number; file?: ParticleFile; deviceId?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/devices/{deviceId}` (`product` scope). */
  removeDevice(options: ParticleCallOptions & { deviceId: string; deny?: boolean; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/products/{product}/devices/{deviceId}/owner`. */
  removeDeviceOwner(options: ParticleCallOptions & { product: string | number; deviceId: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/devices/{deviceId}` (`product` scope). */
  renameDevice(options: ParticleCallOptions & { deviceId: string; name: string; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/devices/{deviceId}` (`product` scope). */
  signalDevice(options: ParticleCallOptions & { deviceId: string; signal: boolean; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/devices/{deviceId}` (`product` scope). */
  setDeviceNotes(options: ParticleCallOptions & { deviceId: string; notes: string; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/products/{product}/devices/{deviceId}`. */
  markAsDevelopmentDevice(options: ParticleCallOptions & { product: string | number; deviceId: string; development?: boolean; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/products/{product}/devices/{deviceId}`. */
  lockDeviceProductFirmware(options: ParticleCallOptions & { product: string | number; deviceId: string; desiredFirmwareVersion: number; flash?: boolean; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/products/{product}/devices/{deviceId}`. */
  unlockDeviceProductFirmware(options: ParticleCallOptions & { product: string | number; deviceId: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/devices/{deviceId}` (`product` scope). */
  updateDevice(options: ParticleCallOptions & { deviceId: string; name?: string; signal?: boolean; notes?: string; development?: boolean; desiredFirmwareVersion?: number; flash?: boolean; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/devices/{deviceId}/unprotect` (`product`, `org` scope). */
  unprotectDevice(options: ParticleCallOptions & { deviceId: string; action: string; serverNonce?: string; deviceNonce?: string; deviceSignature?: string; devicePublicKeyFingerprint?: string; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/devices`. */
  provisionDevice(options: ParticleCallOptions & { productId: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/device_claims` (`product` scope). */
  getClaimCode(options?: ParticleCallOptions & { iccid?: string; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/devices/{deviceId}/{name}` (`product` scope). */
  getVariable(options: ParticleCallOptions & { deviceId: string; name: string; product?: string | number; }): Promise<ParticleResponse<ParticleVariable>>;
  /** `PUT /v1/devices/{deviceId}` (`product` scope). */
  flashDevice(options: ParticleCallOptions & { deviceId: string; files: Record<string, ParticleFile>; targetVersion?: string; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/binaries`. */
  compileCode(options: ParticleCallOptions & { files: Record<string, ParticleFile>; platformId: string | number; targetVersion?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/binaries/{binaryId}`. */
  downloadFirmwareBinary(options: ParticleCallOptions & { binaryId: string; }): Promise<ArrayBuffer | Uint8Array>;
  /** `POST /v1/provisioning/{deviceId}`. */
  sendPublicKey(options: ParticleCallOptions & { deviceId: string; key: string; algorithm?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/devices/{deviceId}/{name}` (`product` scope). */
  callFunction(options: ParticleCallOptions & { deviceId: string; name: string; argument?: string; product?: string | number; }): Promise<ParticleResponse<ParticleFunctionResult>>;
  /** `POST /v1/devices/events` (`product` scope). */
  publishEvent(options: ParticleCallOptions & { name: string; data?: unknown; isPrivate?: boolean; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/webhooks` (`product` scope). */
  createWebhook(options: ParticleCallOptions & { event: string; url: string; device?: string; rejectUnauthorized?: boolean; noDefaults?: boolean; hook?: { method?: string; auth?: unknown; headers?: unknown; query?: unknown; json?: unknown; form?: unknown; body?: unknown; responseTemplate?: unknown; responseEvent?: unknown; errorResponseEvent?: unknown }; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/webhooks/{hookId}` (`product` scope). */
  deleteWebhook(options: ParticleCallOptions & { hookId: string; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/webhooks` (`product` scope). */
  listWebhooks(options?: ParticleCallOptions & { product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/integrations` (`product`, `org` scope). */
  createIntegration(options: ParticleCallOptions & { event: string; deviceId?: string; settings?: Record<string, unknown>; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/integrations/{integrationId}` (`product`, `org` scope). */
  editIntegration(options: ParticleCallOptions & { integrationId: string; event?: string; deviceId?: string; settings?: Record<string, unknown>; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/integrations/{integrationId}` (`product`, `org` scope). */
  deleteIntegration(options: ParticleCallOptions & { integrationId: string; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/integrations` (`product`, `org` scope). */
  listIntegrations(options?: ParticleCallOptions & { product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/user`. */
  getUserInfo(options?: ParticleCallOptions): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/user`. */
  setUserInfo(options: ParticleCallOptions & { accountInfo: Record<string, unknown>; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/user`. */
  changeUsername(options: ParticleCallOptions & { username: string; currentPassword: string; invalidateTokens?: boolean; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/user`. */
  changeUserPassword(options: ParticleCallOptions & { password: string; currentPassword: string; invalidateTokens?: boolean; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/sims` (`product` scope). */
  listSIMs(options?: ParticleCallOptions & { iccid?: string; deviceId?: string; deviceName?: string; page?: number; perPage?: number; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/sims/{iccid}/data_usage` (`product` scope). */
  getSIMDataUsage(options: ParticleCallOptions & { iccid: string; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/sims/data_usage`. */
  getFleetDataUsage(options: ParticleCallOptions & { product: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `HEAD /v1/sims/{iccid}`. */
  checkSIM(options: ParticleCallOptions & { iccid: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/sims/{iccid}` (`product` scope). */
  removeSIM(options: ParticleCallOptions & { iccid: string; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/build_targets`. */
  listBuildTargets(options?: ParticleCallOptions & { onlyFeatured?: boolean; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/libraries`. */
  listLibraries(options?: ParticleCallOptions & { page?: number; filter?: string; limit?: number; sort?: string; architectures?: string | string[]; category?: string; scope?: string; excludeScopes?: string | string[]; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/libraries/{name}`. */
  getLibrary(options: ParticleCallOptions & { name: string; version?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/libraries/{name}/versions`. */
  getLibraryVersions(options: ParticleCallOptions & { name: string; page?: number; limit?: number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/libraries`. */
  contributeLibrary(options: ParticleCallOptions & { archive: ParticleFile; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PATCH /v1/libraries/{name}`. */
  publishLibrary(options: ParticleCallOptions & { name: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/libraries/{name}`. */
  deleteLibrary(options: ParticleCallOptions & { name: string; force?: boolean; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET {uri}`. */
  downloadFile(options: ParticleCallOptions & { uri: string; }): Promise<ArrayBuffer | Uint8Array>;
  /** `GET /v1/clients` (`product` scope). */
  listOAuthClients(options?: ParticleCallOptions & { product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/clients` (`product` scope). */
  createOAuthClient(options: ParticleCallOptions & { name: string; type: string; redirect_uri?: string; scope?: string; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/clients/{clientId}` (`product` scope). */
  updateOAuthClient(options: ParticleCallOptions & { clientId: string; name?: string; scope?: string; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/clients/{clientId}` (`product` scope). */
  deleteOAuthClient(options: ParticleCallOptions & { clientId: string; product?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products`. */
  listProducts(options?: ParticleCallOptions): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}`. */
  getProduct(options: ParticleCallOptions & { product: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/firmware`. */
  listProductFirmware(options: ParticleCallOptions & { product: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/products/{product}/firmware`. */
  uploadProductFirmware(options: ParticleCallOptions & { product: string | number; file: ParticleFile; version: number; title: string; description?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/firmware/{version}`. */
  getProductFirmware(options: ParticleCallOptions & { product: string | number; version: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/products/{product}/firmware/{version}`. */
  updateProductFirmware(options: ParticleCallOptions & { product: string | number; version: string | number; title?: string; description?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/firmware/{version}/binary`. */
  downloadProductFirmware(options: ParticleCallOptions & { product: string | number; version: string | number; }): Promise<ArrayBuffer | Uint8Array>;
  /** `PUT /v1/devices/{deviceId}/backup_files`. */
  downloadManufacturingBackup(options: ParticleCallOptions & { deviceId: string; }): Promise<ArrayBuffer | Uint8Array>;
  /** `PUT /v1/products/{product}/firmware/release`. */
  releaseProductFirmware(options: ParticleCallOptions & { product: string | number; version: number; product_default?: boolean; groups?: unknown[]; intelligent?: boolean; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/team`. */
  listTeamMembers(options: ParticleCallOptions & { product: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/products/{product}/team`. */
  inviteTeamMember(options: ParticleCallOptions & { product: string | number; username: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/products/{product}/team/{username}`. */
  removeTeamMember(options: ParticleCallOptions & { product: string | number; username: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/serial_numbers/{serialNumber}`. */
  lookupSerialNumber(options: ParticleCallOptions & { serialNumber: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/config`. */
  getProductConfiguration(options: ParticleCallOptions & { product: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/config`. */
  getProductConfigurationSchema(options: ParticleCallOptions & { product: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/config/{deviceId}`. */
  getProductDeviceConfiguration(options: ParticleCallOptions & { product: string | number; deviceId: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/config/{deviceId}`. */
  getProductDeviceConfigurationSchema(options: ParticleCallOptions & { product: string | number; deviceId: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/products/{product}/config`. */
  setProductConfiguration(options: ParticleCallOptions & { product: string | number; config: Record<string, unknown>; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/products/{product}/config/{deviceId}`. */
  setProductDeviceConfiguration(options: ParticleCallOptions & { product: string | number; deviceId: string; config: Record<string, unknown>; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/locations`. */
  getProductLocations(options: ParticleCallOptions & { product: string | number; dateRange?: string; rectBl?: string; rectTr?: string; deviceId?: string; deviceName?: string; groups?: string | string[]; page?: number; perPage?: number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/products/{product}/locations/{deviceId}`. */
  getProductDeviceLocations(options: ParticleCallOptions & { product: string | number; deviceId: string; dateRange?: string; rectBl?: string; rectTr?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/logic/execute` (`org` scope). */
  executeLogic(options: ParticleCallOptions & { logic: Record<string, unknown>; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/logic/functions` (`org` scope). */
  createLogicFunction(options: ParticleCallOptions & { logicFunction: Record<string, unknown>; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/logic/functions/{logicFunctionId}` (`org` scope). */
  getLogicFunction(options: ParticleCallOptions & { logicFunctionId: string; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/logic/functions/{logicFunctionId}` (`org` scope). */
  updateLogicFunction(options: ParticleCallOptions & { logicFunctionId: string; logicFunction: Record<string, unknown>; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/logic/functions/{logicFunctionId}` (`org` scope). */
  deleteLogicFunction(options: ParticleCallOptions & { logicFunctionId: string; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/logic/functions` (`org` scope). */
  listLogicFunctions(options?: ParticleCallOptions & { todayStats?: boolean; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/logic/functions/{logicFunctionId}/runs` (`org` scope). */
  listLogicRuns(options: ParticleCallOptions & { logicFunctionId: string; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/logic/functions/{logicFunctionId}/runs/{logicRunId}` (`org` scope). */
  getLogicRun(options: ParticleCallOptions & { logicFunctionId: string; logicRunId: string; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/logic/functions/{logicFunctionId}/runs/{logicRunId}/logs` (`org` scope). */
  getLogicRunLogs(options: ParticleCallOptions & { logicFunctionId: string; logicRunId: string; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/ledgers` (`org` scope). */
  createLedger(options: ParticleCallOptions & { ledger: Record<string, unknown>; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/ledgers/{ledgerName}` (`org` scope). */
  getLedger(options: ParticleCallOptions & { ledgerName: string; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/ledgers/{ledgerName}` (`org` scope). */
  updateLedger(options: ParticleCallOptions & { ledgerName: string; ledger: Record<string, unknown>; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/ledgers/{ledgerName}` (`org` scope). */
  archiveLedger(options: ParticleCallOptions & { ledgerName: string; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/ledgers` (`org` scope). */
  listLedgers(options?: ParticleCallOptions & { scope?: string; page?: number; perPage?: number; archived?: boolean; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/ledgers/{ledgerName}/instances/{scopeValue}` (`org` scope). */
  getLedgerInstance(options: ParticleCallOptions & { ledgerName: string; scopeValue: string; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/ledgers/{ledgerName}/instances/{scopeValue}` (`org` scope). */
  setLedgerInstance(options: ParticleCallOptions & { ledgerName: string; scopeValue: string; setMode?: string; instance: Record<string, unknown>; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/ledgers/{ledgerName}/instances/{scopeValue}` (`org` scope). */
  deleteLedgerInstance(options: ParticleCallOptions & { ledgerName: string; scopeValue: string; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/ledgers/{ledgerName}/instances` (`org` scope). */
  listLedgerInstances(options: ParticleCallOptions & { ledgerName: string; page?: number; perPage?: number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/ledgers/{ledgerName}/instances/{scopeValue}/versions` (`org` scope). */
  listLedgerInstanceVersions(options: ParticleCallOptions & { ledgerName: string; scopeValue: string; replacedBefore?: string | Date; replacedAfter?: string | Date; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/ledgers/{ledgerName}/instances/{scopeValue}/versions/{version}` (`org` scope). */
  getLedgerInstanceVersion(options: ParticleCallOptions & { ledgerName: string; scopeValue: string; version: string; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/device-os/versions`. */
  listDeviceOsVersions(options?: ParticleCallOptions & { platformId?: string | number; internalVersion?: string | number; page?: number; perPage?: number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/device-os/versions/{version}`. */
  getDeviceOsVersion(options: ParticleCallOptions & { version: string; platformId?: string | number; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/env{/deviceId}` (`product`, `org` scope). */
  listEnvVars(options: ParticleCallOptions & { deviceId?: string; sandbox?: boolean; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PATCH /v1/env{/deviceId}` (`product`, `org` scope). */
  updateEnvVars(options: ParticleCallOptions & { deviceId?: string; sandbox?: boolean; ops: unknown[]; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `PUT /v1/env{/deviceId}/{key}` (`product`, `org` scope). */
  setEnvVar(options: ParticleCallOptions & { deviceId?: string; sandbox?: boolean; key: string; value: string; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `DELETE /v1/env{/deviceId}/{key}` (`product`, `org` scope). */
  deleteEnvVar(options: ParticleCallOptions & { deviceId?: string; sandbox?: boolean; key: string; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/env{/deviceId}/render` (`product`, `org` scope). */
  renderEnvVars(options: ParticleCallOptions & { deviceId?: string; sandbox?: boolean; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `GET /v1/env{/deviceId}/rollout` (`product`, `org` scope). */
  reviewEnvVarsRollout(options: ParticleCallOptions & { deviceId?: string; sandbox?: boolean; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
  /** `POST /v1/env{/deviceId}/rollout` (`product`, `org` scope). */
  startEnvVarsRollout(options: ParticleCallOptions & { deviceId?: string; sandbox?: boolean; when?: string; product?: string | number; org?: string; }): Promise<ParticleResponse<ParticleBody>>;
}

/** Particle's event streams (made in JavaScript around the wasm's decisions). */
export interface Particle {
  /** `GET /v1/…/events` as server-sent events: resolves once the first open succeeded. */
  getEventStream(options?: ParticleEventStreamOptions): Promise<ParticleEventStream>;
}

/** Particle's logins and tokens, in particle-api-js's shape. */
export interface Particle {
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

export interface CThings {
  /** Devices: `cthings.devices.get(id)`, `cthings.devices.getEnvelope(id)`. */
  readonly devices: CThingsDevices;
  /**
   * Any call of the cThings Cloud API, with the client's token: resolves the envelope's `data`; an envelope
   * whose `code` is an error rejects with its `code` and `message`.
   */
  request<T = unknown>(options: CThingsRequest): Promise<T>;
  /** Like `request`, resolving the whole envelope `{api, code, data, links, message, request, …}`. */
  requestEnvelope<T = unknown>(options: CThingsRequest): Promise<CThingsEnvelope<T>>;
}

export interface CThingsDevices {
  /** `GET /v3/device/{deviceId}`: the device (the envelope's `data`). `deviceId` must be a UUID. */
  get(deviceId: string): Promise<CThingsDevice>;
  /** `GET /v3/device/{deviceId}`: the whole envelope `{api, code, data, links, message, request, …}`. */
  getEnvelope(deviceId: string): Promise<CThingsEnvelope<CThingsDevice>>;
}

/** A scalar query value; `Date`s are sent as ISO 8601. */
export type CThingsQueryValue = string | number | boolean | Date;

export interface CThingsRequest {
  /** Default "GET". */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /**
   * The path after the version, beginning with `/` (`/device/${id}`), sent as it is: no `?` (see `query`),
   * `#`, `\`, `%2e`, control characters, `.` or `..` segments, and no version of its own (see `version`).
   */
  path: string;
  /** Query parameters, after the path; an array repeats its key; `undefined` and `null` are left out. */
  query?: Record<string, CThingsQueryValue | CThingsQueryValue[] | null | undefined>;
  /** A JSON body, sent with `Content-Type: application/json` (not with GET). */
  body?: unknown;
  /**
   * "v3" (default) or "v2": the API version the path is sent to. "auto": v3, and once more on v2 when v3
   * answers 404 (an endpoint v3 lacks); v2's answer is then the call's.
   */
  version?: 'v3' | 'v2' | 'auto';
  /** Extra request headers for this call. */
  headers?: Record<string, string>;
  /** An access token for this call instead of the client's. */
  auth?: string;
  /** Aborts this call. */
  signal?: AbortSignal;
  /** This call's timeout in milliseconds. */
  timeoutMs?: number;
}

/** Avnet IoTConnect: the endpoints of the API, made from the table of operations (src/ops/iotconnect.rs). */
export interface IoTConnect {
  readonly devices: IoTConnectDevices;
  readonly templates: IoTConnectTemplates;
  readonly commands: IoTConnectCommands;
  readonly entities: IoTConnectEntities;
  readonly users: IoTConnectUsers;
  readonly telemetry: IoTConnectTelemetryApi;
  readonly firmware: IoTConnectFirmware;
  readonly firmwareUpgrades: IoTConnectFirmwareUpgrades;
  readonly ota: IoTConnectOta;
  /** Any endpoint of any service, with the client's token and error handling; resolves the answer whole. */
  request<T = any>(options: IoTConnectRequest): Promise<T>;
}

/** [device] `/Device`. */
export interface IoTConnectDevices {
  /** `GET /Device`: one page, as the API sends it. */
  list(options?: IoTConnectDeviceListOptions): Promise<IoTConnectPage<IoTConnectDevice>>;
  /** `GET /Device`, page after page: every device. */
  iterate(options?: IoTConnectDeviceListOptions): AsyncIterableIterator<IoTConnectDevice>;
  /** `GET /Device/{guid}`: the device (a 409 "not found" rejects). */
  get(guid: string, options?: IoTConnectCallOptions): Promise<IoTConnectDevice>;
  /** `GET /Device/uniqueId/{uniqueId}`. */
  getByUniqueId(uniqueId: string, options?: IoTConnectCallOptions): Promise<IoTConnectDevice>;
  /** `POST /Device`: the envelope's `data`. */
  create(device: IoTConnectNewDevice, options?: IoTConnectCallOptions): Promise<any>;
  /** `PUT /Device/{guid}`. */
  update(guid: string, device: Record<string, unknown>, options?: IoTConnectCallOptions): Promise<any>;
  /** `PUT /Device/{guid}/status` with `{isActive}`. */
  setActive(guid: string, isActive: boolean, options?: IoTConnectCallOptions): Promise<any>;
  /** `DELETE /Device/{guid}`. */
  delete(guid: string, options?: IoTConnectCallOptions): Promise<any>;
}

/** [device] `/device-template`, `/template-attribute`, `/template-command`. */
export interface IoTConnectTemplates {
  list(options?: IoTConnectSearchOptions): Promise<IoTConnectPage<IoTConnectTemplate>>;
  iterate(options?: IoTConnectSearchOptions): AsyncIterableIterator<IoTConnectTemplate>;
  get(guid: string, options?: IoTConnectCallOptions): Promise<IoTConnectTemplate>;
  /** `GET /device-template/template-code/{code}`. */
  getByCode(code: string, options?: IoTConnectCallOptions): Promise<IoTConnectTemplate>;
  delete(guid: string, options?: IoTConnectCallOptions): Promise<any>;
  /** `GET /template-attribute/{templateGuid}`. */
  attributes(templateGuid: string, options?: IoTConnectCallOptions): Promise<IoTConnectAttribute[]>;
  /** `GET /template-command/{templateGuid}`. */
  commands(templateGuid: string, options?: IoTConnectCallOptions): Promise<IoTConnectCommand[]>;
}

export interface IoTConnectCommands {
  /** `POST /template-command/device/{deviceGuid}/send`. */
  send(deviceGuid: string, command: { commandGuid: string; parameterValue?: string; [key: string]: unknown }, options?: IoTConnectCallOptions): Promise<any>;
}

/** [user] `/Entity`. */
export interface IoTConnectEntities {
  list(options?: IoTConnectCallOptions): Promise<IoTConnectPage<Record<string, any>>>;
  get(guid: string, options?: IoTConnectCallOptions): Promise<Record<string, any>>;
}

/** [user] `/User`. */
export interface IoTConnectUsers {
  list(options?: IoTConnectSearchOptions): Promise<IoTConnectPage<Record<string, any>>>;
  iterate(options?: IoTConnectSearchOptions): AsyncIterableIterator<Record<string, any>>;
  get(guid: string, options?: IoTConnectCallOptions): Promise<Record<string, any>>;
}

/** [telemetry] `/Telemetry`. */
export interface IoTConnectTelemetryApi {
  /** `GET /Telemetry/device/{deviceGuid}`: one row per attribute. */
  latest(deviceGuid: string, options?: IoTConnectCallOptions): Promise<IoTConnectTelemetry[]>;
  /** `POST /Telemetry/device/{uniqueId}/recent/{n}`: the last `n` (10 to 50) messages. */
  recent(uniqueId: string, n: number, filters?: IoTConnectRecentOptions): Promise<any[]>;
  /** `GET /Telemetry/attribute-history/device/{uniqueId}/from/{from}/to/{to}`: a window of at most 7 days. */
  history(uniqueId: string, window: IoTConnectHistoryWindow): Promise<any[]>;
}

/** [firmware] `/Firmware`. */
export interface IoTConnectFirmware {
  list(options?: IoTConnectCallOptions): Promise<IoTConnectPage<Record<string, any>>>;
  get(guid: string, options?: IoTConnectCallOptions): Promise<Record<string, any>>;
  create(firmware: Record<string, unknown>, options?: IoTConnectCallOptions): Promise<any>;
}

/** [firmware] `/firmware-upgrade`. */
export interface IoTConnectFirmwareUpgrades {
  list(options: IoTConnectCallOptions & { type: string }): Promise<IoTConnectPage<Record<string, any>>>;
  get(guid: string, options?: IoTConnectCallOptions): Promise<Record<string, any>>;
  create(upgrade: Record<string, unknown>, options?: IoTConnectCallOptions): Promise<any>;
  delete(guid: string, options?: IoTConnectCallOptions): Promise<any>;
  /** `PUT /firmware-upgrade/{guid}/publish`. */
  publish(guid: string, options?: IoTConnectCallOptions): Promise<any>;
}

/** [firmware] `/ota-update`. */
export interface IoTConnectOta {
  update(
    update: { firmwareUpgradeGuid: string; isForceUpdate?: boolean; target?: string; entityGuid?: string; deviceGuids?: string[]; [key: string]: unknown },
    options?: IoTConnectCallOptions,
  ): Promise<any>;
}

/** What `@arduino/arduino-iot-client`'s ApiClient holds that the API classes read. */
export interface IotApiClientLike {
  basePath: string;
  authentications: { oauth2: { accessToken?: string } };
  defaultHeaders?: Record<string, string>;
  timeout?: number;
}
"#;

// The client classes are written in JavaScript (pkg-templates/common.mjs) over the exports of clients.rs;
// their declarations are here, beside the interfaces above that add their methods. (`[Symbol.dispose]`, an
// alias of `free`, is there at run time where the platform has `Symbol.dispose`; declaring it would need
// TypeScript's esnext lib.)
#[wasm_bindgen(typescript_custom_section)]
const CLASSES: &str = r#"
/**
 * Arduino IoT Cloud client: client-credentials tokens, cached and refreshed before their 300 s run out.
 */
export class Arduino {
  free(): void;
  constructor(options: ArduinoOptions);
  /**
   * What `JSON.stringify(client)` shows: never credentials or tokens.
   */
  toJSON(): any;
}

/**
 * cThings Cloud client: client credentials by HTTP Basic, the v3 API, envelopes unwrapped.
 */
export class CThings {
  free(): void;
  constructor(options: CThingsOptions);
  toJSON(): any;
}

/**
 * Avnet IoTConnect client: discovery or given service URLs, basic-token + login, refresh before expiry, the
 * calls of the fact sheet (made in JavaScript from the table) and `request` for any other.
 */
export class IoTConnect {
  free(): void;
  /**
   * The solution's service base URLs, given or from discovery (cached).
   */
  endpoints(): Promise<IoTConnectEndpoints>;
  /**
   * The claims of the access token the client holds (`user{companyId, entityGuid, solutionKey, …}`,
   * `exp`): nothing is sent, and before the first login there is nothing to read.
   */
  identity(): IoTConnectClaims | undefined;
  /**
   * Logs in (basic-token, then login) unless a fresh token is cached; resolves `{expiresAt}` (ms since
   * the epoch, or undefined for a given token).
   */
  login(): Promise<{ expiresAt?: number }>;
  constructor(options: IoTConnectOptions);
  toJSON(): any;
}

/**
 * Particle Device Cloud client with particle-api-js's method names, argument objects and
 * `{body, statusCode}` results.
 */
export class Particle {
  free(): void;
  constructor(options?: ParticleOptions);
  /**
   * The token used by calls that pass no `auth`.
   */
  setDefaultAuth(auth: string | undefined): void;
  toJSON(): any;
}
"#;
