use super::invoke::{invoke, Any};
use super::options::Opts;
use super::{describe, opt_num, promise, set, to_js};
use crate::error::Vendor;
use crate::http::fetch::FetchTransport;
use crate::http::Body;
use crate::vendors::iotconnect::{self, service_urls, Solution, SERVICES};
use alloc::rc::Rc;
use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;

// A JWT's payload (base64url, UTF-8 JSON) decoded by the platform; undefined when it is not one.
#[wasm_bindgen(
    inline_js = "export function claims(t) {\n  try {\n    const p = atob(t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'));\n    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(p, (c) => c.charCodeAt(0))));\n  } catch {}\n}\n"
)]
extern "C" {
    fn claims(token: &str) -> JsValue;
}

type Client = iotconnect::IoTConnect<FetchTransport>;
const V: Vendor = Vendor::IoTConnect;

/// Avnet IoTConnect client: discovery or given service URLs, basic-token + login, refresh before expiry, the
/// calls of the fact sheet (made in JavaScript from the table) and `request` for any other.
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
            let platform = o.string("platform")?.unwrap_or_default();
            // Given service URLs: discovery is not asked, so none of its settings is needed.
            let urls = match o.raw("urls")? {
                Some(v) if Body::is_object(&v) => Some(service_urls(&v, "IoTConnect", "urls.", "", &platform)?),
                Some(_) => return Err(o.bad("urls", "must be an object")),
                None => None,
            };
            let discover = urls.is_none();
            if !(platform == "aws" || platform == "az" || (!discover && platform.is_empty())) {
                return Err(o.bad("platform", "must be \"aws\" or \"az\""));
            }
            let (user, token) = o.credentials("username", "password")?;
            // Discovery needs the solution key and the environment; the login, the solution key.
            let solution = Solution {
                discovery_url: o.url("discoveryUrl", iotconnect::DEFAULT_DISCOVERY_URL)?,
                solution_key: o.required("solutionKey", discover || user.is_some())?,
                environment: o.required("environment", discover)?,
                platform,
            };
            Ok(iotconnect::IoTConnect::new(o.client_config()?, solution, urls, user, token))
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

    /// The solution's service base URLs, given or from discovery (cached).
    #[wasm_bindgen(unchecked_return_type = "Promise<IoTConnectEndpoints>")]
    pub fn endpoints(&self) -> Promise {
        let inner = self.inner.clone();
        promise(V, async move {
            let urls = inner.endpoints().await?;
            let o = Object::new();
            for (i, name) in SERVICES.iter().enumerate() {
                if let Some(url) = urls.get(i).filter(|u| !u.is_empty()) {
                    set(&o, name, &url.as_str().into());
                }
            }
            Ok(o.into())
        })
    }

    /// The claims of the access token the client holds (`user{companyId, entityGuid, solutionKey, …}`,
    /// `exp`): nothing is sent, and before the first login there is nothing to read.
    #[wasm_bindgen(unchecked_return_type = "IoTConnectClaims | undefined")]
    pub fn identity(&self) -> JsValue {
        self.inner.access_token().map_or(JsValue::UNDEFINED, |t| claims(&t))
    }

    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        let s = self.inner.solution();
        let settings = [("discoveryUrl", &s.discovery_url), ("environment", &s.environment), ("platform", &s.platform)];
        describe(V, &settings.map(|(k, v)| (k, Some(v.as_str()).filter(|v| !v.is_empty()))))
    }
}
