use super::invoke::{invoke, Any};
use super::options::Opts;
use super::{describe, promise, set, to_js};
use crate::error::Vendor;
use crate::http::{fetch::FetchTransport, Response};
use crate::vendors::particle::{self, LoginOptions};
use js_sys::{Object, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

type Client = particle::Particle<FetchTransport>;
const V: Vendor = Vendor::Particle;

/// Particle Device Cloud client with particle-api-js's method names, argument objects and
/// `{body, statusCode}` results.
#[wasm_bindgen]
pub struct Particle {
    pub(super) inner: Rc<Client>,
}

/// `{body, statusCode}`, as particle-api-js resolves.
fn body_and_status(resp: Response<JsValue>) -> JsValue {
    let o = Object::new();
    set(&o, "body", &resp.body);
    set(&o, "statusCode", &resp.status.into());
    o.into()
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
            Ok(particle::Particle::new(core, base, o.pair("clientId", "clientSecret")?, o.string("auth")?))
        };
        build().map(|c| Particle { inner: Rc::new(c) }).map_err(|e| to_js(e, V))
    }

    /// `POST /oauth/token` (password grant). Resolves `{body: {access_token, …}, statusCode}`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ParticleResponse<ParticleToken>>")]
    pub fn login(&self, #[wasm_bindgen(unchecked_param_type = "ParticleLoginOptions")] options: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(V, async move {
            let o = Opts::new(options, "particle.login")?;
            let username = o.required("username")?;
            let password = o.text("password")?.unwrap_or_default();
            let opts = LoginOptions { token_duration: o.number("tokenDuration", 0, u32::MAX)? };
            inner.login(&username, &password, &opts).await.map(body_and_status)
        })
    }

    /// Calls device operation `op` (`listDevices`, `getDevice`, `getVariable`, `callFunction`: the methods
    /// are made in JavaScript from the table); see `invoke::invoke`.
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
        let auth = Some(auth).filter(|a| !a.is_undefined() && !a.is_null());
        let auth = Opts::new(JsValue::UNDEFINED, "particle.setDefaultAuth").and_then(|o| o.string_of("auth", auth));
        auth.map(|a| self.inner.set_default_auth(a)).map_err(|e| to_js(e, V))
    }

    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        describe(V, &[("baseUrl", Some(self.inner.base_url()))])
    }
}
