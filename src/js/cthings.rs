use super::id_arg;
use super::options::Opts;
use super::{describe, promise, to_js};
use crate::error::Vendor;
use crate::http::fetch::FetchTransport;
use crate::vendors::cthings;
use js_sys::Promise;
use std::rc::Rc;
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

    /// Devices: `cthings.devices.get(id)`, `cthings.devices.getEnvelope(id)`.
    #[wasm_bindgen(getter)]
    pub fn devices(&self) -> CThingsDevices {
        CThingsDevices { inner: self.inner.clone() }
    }

    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        describe(V, &[("baseUrl", Some(self.inner.base_url()))])
    }
}

#[wasm_bindgen]
pub struct CThingsDevices {
    inner: Rc<Client>,
}

#[wasm_bindgen]
impl CThingsDevices {
    /// `GET /v3/device/{deviceId}`: the device (the envelope's `data`).
    #[wasm_bindgen(unchecked_return_type = "Promise<CThingsDevice>")]
    pub fn get(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
    ) -> Promise {
        get(&self.inner, device_id, "cthings.devices.get", true)
    }

    /// `GET /v3/device/{deviceId}`: the whole envelope `{api, code, data, links, message, request, …}`.
    #[wasm_bindgen(js_name = getEnvelope, unchecked_return_type = "Promise<CThingsEnvelope<CThingsDevice>>")]
    pub fn get_envelope(
        &self,
        #[wasm_bindgen(js_name = deviceId, unchecked_param_type = "string")] device_id: JsValue,
    ) -> Promise {
        get(&self.inner, device_id, "cthings.devices.getEnvelope", false)
    }
}

/// `GET /v3/device/{id}`: the envelope, or its `data` when `unwrap`.
fn get(inner: &Rc<Client>, device_id: JsValue, ctx: &'static str, unwrap: bool) -> Promise {
    let inner = inner.clone();
    promise(V, async move {
        let envelope = inner.devices().get_envelope(&id_arg(&device_id, ctx)?).await?;
        if unwrap {
            cthings::data(envelope)
        } else {
            Ok(envelope)
        }
    })
}
