'use strict';
// Node, require(): the wasm is compiled synchronously at load.
const wasm = require('./node/iot_cloud_wasm.js');
const { CloudError, clientClasses, setErrorClass, iotApi, iotApiInvoke, unified, CAPABILITIES } = require('./common.cjs');
const { httpFetch } = require('./http-fetch.cjs');
const { eventStreams } = require('./events.cjs');

setErrorClass(wasm);
const { Arduino, Particle, CThings, IoTConnect } = clientClasses(wasm);
eventStreams(Particle);
// Requests go through node:http with keep-alive (cheaper per call than the global fetch) unless the user
// passes a `fetch` option.
wasm.__setDefaultFetch(httpFetch);

module.exports = {
  Arduino,
  Particle,
  CThings,
  IoTConnect,
  CloudError,
  IotApi: iotApi(iotApiInvoke(wasm)),
  connect: unified(Arduino, Particle, CThings, IoTConnect),
  CAPABILITIES,
  /** Resolves at once in Node; here so that the same code runs in browsers, where it loads the wasm. */
  init: () => Promise.resolve(),
};
