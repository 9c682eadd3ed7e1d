use super::invoke::{invoke, Any};
use super::options::Opts;
use super::{describe, opt_num, promise, set, to_js};
use crate::error::{Error, Vendor};
use crate::http::fetch::FetchTransport;
use crate::vendors::iotconnect::{self, Solution};
use alloc::rc::Rc;
use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

type Client = iotconnect::IoTConnect<FetchTransport>;
const V: Vendor = Vendor::IoTConnect;

/// Avnet IoTConnect client: discovery, basic-token + login, refresh before expiry, paged lists.
#[wasm_bindgen]
pub struct IoTConnect {
    inner: Rc<Client>,
}

#[wasm_bindgen]
impl IoTConnect {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "IoTConnectOptions")] options: JsValue,
    ) -> Result<IoTConnect, JsValue> {
        let build = || {
            let o = Opts::new(options, "IoTConnect")?;
            let platform = o.required("platform")?;
            if platform != "aws" && platform != "az" {
                return Err(Error::invalid("IoTConnect: `platform` must be \"aws\" or \"az\""));
            }
            let solution = Solution {
                discovery_url: o.url("discoveryUrl", iotconnect::DEFAULT_DISCOVERY_URL)?,
                solution_key: o.required("solutionKey")?,
                environment: o.required("environment")?,
                platform,
            };
            let (user, token) = o.credentials("username", "password")?;
            Ok(iotconnect::IoTConnect::new(o.client_config()?, solution, user, token))
        };
        build().map(|c| IoTConnect { inner: Rc::new(c) }).map_err(|e| to_js(e, V))
    }

    /// Calls operation `op` (`devices.list`: made in JavaScript from the table).
    #[wasm_bindgen(js_name = "__invoke", skip_typescript)]
    pub fn invoke(&self, op: u32, name: &JsValue, args: &JsValue, mode: u32) -> Promise {
        invoke(Ok(self.inner.clone() as Any), V, op, name, args, mode)
    }

    /// Logs in (basic-token, then login) unless a fresh token is cached; resolves `{expiresAt}` (ms since
    /// the epoch, or undefined for a given token).
    #[wasm_bindgen(unchecked_return_type = "Promise<{ expiresAt?: number }>")]
    pub fn login(&self) -> Promise {
        let inner = self.inner.clone();
        promise(V, async move {
            let expires = inner.login().await?;
            let o = Object::new();
            set(&o, "expiresAt", &opt_num(expires));
            Ok(o.into())
        })
    }

    /// The solution's service base URLs, from discovery (cached).
    #[wasm_bindgen(unchecked_return_type = "Promise<IoTConnectEndpoints>")]
    pub fn endpoints(&self) -> Promise {
        let inner = self.inner.clone();
        promise(V, async move {
            let e = inner.endpoints().await?;
            let o = Object::new();
            set(&o, "auth", &e.auth.as_str().into());
            set(&o, "device", &e.device.as_str().into());
            Ok(o.into())
        })
    }

    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let s = self.inner.solution();
        let settings = [("discoveryUrl", &s.discovery_url), ("environment", &s.environment), ("platform", &s.platform)];
        describe(V, &settings.map(|(k, v)| (k, Some(v.as_str()))))
    }
}
