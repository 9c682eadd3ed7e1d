'use strict';
// Node, require(): the wasm is compiled synchronously at load.
const wasm = require('./node/iot_cloud_wasm.js');
const { CloudError, iotApi } = require('./common.cjs');

wasm.__setErrorClass(CloudError);

module.exports = {
  Arduino: wasm.Arduino,
  Particle: wasm.Particle,
  CThings: wasm.CThings,
  IoTConnect: wasm.IoTConnect,
  CloudError,
  IotApi: iotApi(wasm),
  /** Resolves at once in Node; here so that the same code runs in browsers, where it loads the wasm. */
  init: () => Promise.resolve(),
};
