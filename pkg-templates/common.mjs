// Shared by every entry. The CommonJS copy (common.cjs) is generated from this file by assemble.mjs.

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

/** The IotApi namespace over the wasm classes; like the official client, they default to the singleton. */
export function iotApi(classes) {
  const withSingleton = (Base) =>
    ({ [Base.name]: class extends Base { constructor(apiClient) { super(apiClient || ApiClient.instance); } } })[Base.name];
  return {
    ApiClient,
    PropertiesV2Api: withSingleton(classes.PropertiesV2Api),
    ThingsV2Api: withSingleton(classes.ThingsV2Api),
  };
}
