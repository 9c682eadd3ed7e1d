use super::options::Opts;
use super::{describe, promise, reject, set, to_js};
use crate::error::{Error, Vendor};
use crate::http::{fetch::FetchTransport, Request, Response};
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
    inner: Rc<Client>,
}

/// `{body, statusCode}`, as particle-api-js resolves.
fn body_and_status(resp: Response<JsValue>) -> JsValue {
    let o = Object::new();
    set(&o, "body", &resp.body);
    set(&o, "statusCode", &resp.status.into());
    o.into()
}

/// Builds a method's request from its options.
type Build = fn(&Client, &Opts) -> Result<Request, Error>;

/// Reads the options of the method `ctx`, builds its request, and sends it with the call's `auth`:
/// every device call goes through this one path.
#[inline(never)]
fn send(inner: &Rc<Client>, options: Option<JsValue>, ctx: &'static str, build: Build) -> Promise {
    let prepared = Opts::new(options, ctx).and_then(|o| Ok((build(inner, &o)?, o.string("auth")?)));
    let (req, auth) = match prepared {
        Ok(p) => p,
        Err(e) => return reject(V, e),
    };
    let inner = inner.clone();
    promise(V, async move { inner.send(req, auth.as_deref()).await.map(body_and_status) })
}

#[wasm_bindgen]
impl Particle {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "ParticleOptions")] options: Option<JsValue>,
    ) -> Result<Particle, JsValue> {
        let build = || {
            let o = Opts::new(options, "Particle")?;
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

    /// `GET /v1/devices`.
    #[wasm_bindgen(js_name = listDevices, unchecked_return_type = "Promise<ParticleResponse<ParticleDevice[]>>")]
    pub fn list_devices(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ParticleAuthOptions")] options: Option<JsValue>,
    ) -> Promise {
        send(&self.inner, options, "particle.listDevices", |p, _| Ok(p.list_devices()))
    }

    /// `GET /v1/devices/:deviceId`.
    #[wasm_bindgen(js_name = getDevice, unchecked_return_type = "Promise<ParticleResponse<ParticleDevice>>")]
    pub fn get_device(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ParticleDeviceOptions")] options: JsValue,
    ) -> Promise {
        send(&self.inner, Some(options), "particle.getDevice", |p, o| p.get_device(&o.required("deviceId")?))
    }

    /// `GET /v1/devices/:deviceId/:name`. An offline device rejects with status 408 (not retried).
    #[wasm_bindgen(js_name = getVariable, unchecked_return_type = "Promise<ParticleResponse<ParticleVariable>>")]
    pub fn get_variable(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ParticleVariableOptions")] options: JsValue,
    ) -> Promise {
        send(&self.inner, Some(options), "particle.getVariable", |p, o| {
            p.get_variable(&o.required("deviceId")?, &o.required("name")?)
        })
    }

    /// `POST /v1/devices/:deviceId/:name` with `argument`. `return_value` is whatever the firmware returns.
    #[wasm_bindgen(js_name = callFunction, unchecked_return_type = "Promise<ParticleResponse<ParticleFunctionResult>>")]
    pub fn call_function(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ParticleFunctionOptions")] options: JsValue,
    ) -> Promise {
        send(&self.inner, Some(options), "particle.callFunction", |p, o| {
            let argument = o.text("argument")?.unwrap_or_default();
            p.call_function(&o.required("deviceId")?, &o.required("name")?, &argument)
        })
    }

    /// The token used by calls that pass no `auth`.
    #[wasm_bindgen(js_name = setDefaultAuth)]
    pub fn set_default_auth(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | undefined")] auth: JsValue,
    ) -> Result<(), JsValue> {
        // Read as the one option of an object, with the same checks as every other option.
        let o = js_sys::Object::new();
        set(&o, "auth", &auth);
        let auth = Opts::new(JsValue::from(o), "particle.setDefaultAuth").and_then(|o| o.string("auth"));
        auth.map(|a| self.inner.set_default_auth(a)).map_err(|e| to_js(e, V))
    }

    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        describe(V, &[("baseUrl", Some(self.inner.base_url()))])
    }
}
