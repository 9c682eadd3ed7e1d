// Node, import: the same instance as require() gets, so both module systems share one wasm.
import cjs from './index.cjs';

export const { Arduino, Particle, CThings, IoTConnect, CloudError, IotApi, init, connect, CAPABILITIES } = cjs;
