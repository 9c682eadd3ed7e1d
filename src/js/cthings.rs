use super::invoke::{invoke, Any};
use super::options::Opts;
use super::{describe, to_js};
use crate::error::Vendor;
use crate::http::fetch::FetchTransport;
use crate::vendors::cthings;
use alloc::rc::Rc;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

type Client = cthings::CThings<FetchTransport>;
const V: Vendor = Vendor::CThings;

/// cThings Cloud client: client credentials by HTTP Basic, the v3 API, envelopes unwrapped.
#[wasm_bindgen]
pub struct CThings {
    inner: Rc<Client>,
}

#[wasm_bindgen]
impl CThings {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "CThingsOptions")] options: JsValue) -> Result<CThings, JsValue> {
        let build = || {
            let o = Opts::new(options, "CThings")?;
            let (credentials, token) = o.credentials("clientId", "clientSecret")?;
            let auth = o.url("authUrl", cthings::DEFAULT_AUTH_URL)?;
            let base = o.url("baseUrl", cthings::DEFAULT_BASE_URL)?;
            Ok(cthings::CThings::new(o.client_config()?, auth, base, credentials, token))
        };
        build().map(|c| CThings { inner: Rc::new(c) }).map_err(|e| to_js(e, V))
    }

    /// Calls operation `op` (`devices.get`, `devices.getEnvelope`: made in JavaScript from the table).
    #[wasm_bindgen(js_name = "__invoke", skip_typescript)]
    pub fn invoke(&self, op: u32, name: &JsValue, args: &JsValue, mode: u32) -> Promise {
        invoke(Ok(self.inner.clone() as Any), V, op, name, args, mode)
    }

    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        describe(V, &[("baseUrl", Some(self.inner.base_url()))])
    }
}
