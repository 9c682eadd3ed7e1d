use super::invoke::{invoke, Any};
use super::options::Opts;
use super::{describe, to_js};
use crate::error::{Error, Vendor};
use crate::http::fetch::FetchTransport;
use crate::vendors::particle;
use alloc::rc::Rc;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

type Client = particle::Particle<FetchTransport>;
const V: Vendor = Vendor::Particle;

/// Particle Device Cloud client with particle-api-js's method names, argument objects and
/// `{body, statusCode}` results.
#[wasm_bindgen]
pub struct Particle {
    pub(super) inner: Rc<Client>,
}

#[wasm_bindgen]
impl Particle {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "ParticleOptions")] options: Option<JsValue>,
    ) -> Result<Particle, JsValue> {
        let build = || {
            let o = Opts::new(options.unwrap_or_default(), "Particle")?;
            let base = o.url("baseUrl", particle::DEFAULT_BASE_URL)?;
            let core = o.client_config()?.core();
            let pair = o.pair("clientId", "clientSecret")?;
            let renew = o.flag("useClientCredentials")?;
            if renew && pair.is_none() {
                return Err(Error::invalid("Particle: `useClientCredentials` needs `clientId` and `clientSecret`"));
            }
            let duration = o.number("tokenDuration", 0, u32::MAX)?;
            Ok(Rc::new(particle::Particle::build(core, base, pair, o.string("auth")?, duration, renew)))
        };
        build().map(|inner| Particle { inner }).map_err(|e| to_js(e, V))
    }

    /// Calls device operation `op` (`listDevices`, `getDevice`, `getVariable`, `callFunction`: the methods
    /// are made in JavaScript from the table), or from `FLOW_BASE` on login-family call `op - FLOW_BASE`
    /// (`login`, `sendOtp`, …, `deleteAccessToken`); see `invoke::invoke`.
    #[wasm_bindgen(js_name = "__invoke", skip_typescript)]
    pub fn invoke(&self, op: u32, name: &JsValue, args: &JsValue, mode: u32) -> Promise {
        invoke(Ok(self.inner.clone() as Any), V, op, name, args, mode)
    }

    /// The token used by calls that pass no `auth`.
    #[wasm_bindgen(js_name = setDefaultAuth)]
    pub fn set_default_auth(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | undefined")] auth: JsValue,
    ) -> Result<(), JsValue> {
        // Read with the same checks as every option.
        let auth = super::options::string_of("particle.setDefaultAuth", "auth", Some(auth));
        auth.map(|a| self.inner.set_default_auth(a)).map_err(|e| to_js(e, V))
    }

    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        describe(V, &[("baseUrl", Some(self.inner.base_url()))])
    }
}
