// Browsers, workers, Deno and bundlers. The wasm is fetched and instantiated on first use: clients can be
// created and called at once, and calls wait for the module. `await init()` loads it ahead of time.
import initWasm, * as glue from './web/iot_cloud_wasm.js';
import { CloudError, clientClasses, setErrorClass, iotApi, iotApiInvoke, unified, CAPABILITIES } from './common.mjs';
import { eventStreams } from './events.mjs';

let loaded = false;
let loading;
// The real classes: usable once the module is loaded (their calls go straight into wasm).
const classes = clientClasses(glue);
eventStreams(classes.Particle);

/** Loads the wasm (once). `input`: another URL, Response or WebAssembly.Module for the .wasm file. */
export function init(input) {
  loading ??= initWasm({ module_or_path: input ?? new URL('./iot_cloud_wasm_bg.wasm', import.meta.url) }).then(
    () => {
      setErrorClass(glue);
      loaded = true;
    },
    (err) => {
      loading = undefined; // a later call may try again (the network may be back)
      throw new CloudError(`could not load the iot-cloud-wasm module: ${err?.message ?? err}`, {
        code: 'network_error',
        cause: err,
      });
    },
  );
  return loading;
}

// A member of a client that will exist once the wasm is loaded: reading a property gives another such
// member, and calling one waits for the module, then calls the real method on the real object.
function later(resolve) {
  return new Proxy(function () {}, {
    get(_, key) {
      if (typeof key === 'symbol' || key === 'then') return undefined;
      return later(async () => {
        const target = await resolve();
        const value = target[key];
        return typeof value === 'function' ? value.bind(target) : value;
      });
    },
    apply(_, __, args) {
      return resolve().then((fn) => fn(...args));
    },
  });
}

// Once loaded, `new` gives the real class instance; before, a stand-in whose calls wait for it (an error
// in the constructor's options then rejects the first call). `instanceof` holds for both.
function lazyClass(name) {
  const standIns = new WeakSet();
  const Lazy = {
    [name]: function (...args) {
      if (!new.target) throw new TypeError(`Class constructor ${name} cannot be invoked without 'new'`);
      if (loaded) return new classes[name](...args);
      // The real client, once the module is there. A failed load is tried again by the next call; an
      // error from the constructor (bad options) is final.
      let instance;
      const real = () => {
        instance ??= init().then(
          () => new classes[name](...args),
          (err) => {
            instance = undefined;
            throw err;
          },
        );
        return instance;
      };
      real().catch(() => {});
      const members = later(real);
      // JSON.stringify gives {} and String() a name, without waiting; nothing else is readable yet.
      const standIn = new Proxy(Object.create(null), {
        get(_, key) {
          if (typeof key === 'symbol' || key === 'then' || key === 'toJSON') return undefined;
          if (key === 'toString') return () => `[object ${name}]`;
          return members[key];
        },
      });
      standIns.add(standIn);
      return standIn;
    },
  }[name];
  Object.defineProperty(Lazy, Symbol.hasInstance, {
    value: (value) => standIns.has(value) || (loaded && value instanceof classes[name]),
  });
  return Lazy;
}

export const Arduino = lazyClass('Arduino');
export const Particle = lazyClass('Particle');
export const CThings = lazyClass('CThings');
export const IoTConnect = lazyClass('IoTConnect');
const invoke = iotApiInvoke(glue);
export const IotApi = iotApi((...args) => (loaded ? invoke(...args) : init().then(() => invoke(...args))));
export const connect = unified(Arduino, Particle, CThings, IoTConnect);
export { CloudError, CAPABILITIES };
