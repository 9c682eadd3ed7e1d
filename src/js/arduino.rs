use super::invoke::{invoke, Any};
use super::options::Opts;
use super::{describe, to_js};
use crate::error::Vendor;
use crate::http::fetch::FetchTransport;
use crate::vendors::arduino;
use alloc::rc::Rc;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

pub(crate) type Client = arduino::Arduino<FetchTransport>;
pub(crate) const V: Vendor = Vendor::Arduino;

/// Arduino IoT Cloud client: client-credentials tokens, cached and refreshed before their 300 s run out.
#[wasm_bindgen]
pub struct Arduino {
    inner: Rc<Client>,
}

#[wasm_bindgen]
impl Arduino {
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(unchecked_param_type = "ArduinoOptions")] options: JsValue) -> Result<Arduino, JsValue> {
        let build = || {
            let o = Opts::new(options, "Arduino")?;
            let (credentials, token) = o.credentials("clientId", "clientSecret")?;
            let base = o.url("baseUrl", arduino::DEFAULT_BASE_URL)?;
            let org = o.string("organization")?;
            let scoped = o.flag("organizationToken")?;
            Ok(Rc::new(arduino::Arduino::new(o.client_config()?, base, credentials, token, org, scoped)))
        };
        build().map(|inner| Arduino { inner }).map_err(|e| to_js(e, V))
    }

    /// Calls operation `op` of the Arduino table with the arguments of a generated method named `name`;
    /// `mode`: see `invoke::COMPAT` and `invoke::FULL`.
    #[wasm_bindgen(js_name = "__invoke", skip_typescript)]
    pub fn invoke(&self, op: u32, name: &JsValue, args: &JsValue, mode: u32) -> Promise {
        invoke(Ok(self.inner.clone() as Any), V, op, name, args, mode)
    }

    /// What `JSON.stringify(client)` shows: never credentials or tokens.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        describe(V, &[("baseUrl", Some(self.inner.base_url())), ("organization", self.inner.organization())])
    }
}
