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
