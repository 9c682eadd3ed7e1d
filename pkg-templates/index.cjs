'use strict';
// Node, require(): the wasm is compiled synchronously at load.
const wasm = require('./node/iot_cloud_wasm.js');
const { CloudError, iotApi, arduinoResources, vendorMethods, unified, CAPABILITIES } = require('./common.cjs');
const { httpFetch } = require('./http-fetch.cjs');
const { eventStreams } = require('./events.cjs');

wasm.__setErrorClass(CloudError);
arduinoResources(wasm.Arduino, wasm.__arity);
vendorMethods(wasm);
eventStreams(wasm.Particle);
// Requests go through node:http with keep-alive (cheaper per call than the global fetch) unless the user
// passes a `fetch` option.
wasm.__setDefaultFetch(httpFetch);

module.exports = {
  Arduino: wasm.Arduino,
  Particle: wasm.Particle,
  CThings: wasm.CThings,
  IoTConnect: wasm.IoTConnect,
  CloudError,
  IotApi: iotApi(wasm.__iotApiInvoke),
  connect: unified({ arduino: wasm.Arduino, particle: wasm.Particle, cthings: wasm.CThings, iotconnect: wasm.IoTConnect }),
  CAPABILITIES,
  /** Resolves at once in Node; here so that the same code runs in browsers, where it loads the wasm. */
  init: () => Promise.resolve(),
};
