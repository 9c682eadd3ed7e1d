use super::options::Opts;
use super::{describe as settings, opt_num, promise, set};
use crate::error::{Error, Vendor};
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

pub(crate) type Client = iotconnect::IoTConnect<FetchTransport>;
const V: Vendor = Vendor::IoTConnect;

/// `new IoTConnect(options)`: discovery or given service URLs, basic-token + login, refresh before expiry,
/// the calls of the fact sheet (made in JavaScript from the table) and `request` for any other.
pub(super) fn new(options: JsValue) -> Result<Rc<Client>, Error> {
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
    Ok(Rc::new(iotconnect::IoTConnect::new(o.client_config()?, solution, urls, user, token)))
}

/// `login()`: logs in (basic-token, then login) unless a fresh token is cached; resolves `{expiresAt}` (ms
/// since the epoch, or undefined for a given token).
pub(super) fn login(c: Rc<Client>) -> Promise {
    promise(V, async move {
        let expires = c.login().await?;
        let o = Object::new();
        set(&o, "expiresAt", &opt_num(expires));
        Ok(o.into())
    })
}

/// `endpoints()`: the solution's service base URLs, given or from discovery (cached).
pub(super) fn endpoints(c: Rc<Client>) -> Promise {
    promise(V, async move {
        let urls = c.endpoints().await?;
        let o = Object::new();
        for (i, name) in SERVICES.iter().enumerate() {
            if let Some(url) = urls.get(i).filter(|u| !u.is_empty()) {
                set(&o, name, &url.as_str().into());
            }
        }
        Ok(o.into())
    })
}

/// `identity()`: the claims of the access token the client holds (`user{companyId, entityGuid, solutionKey,
/// …}`, `exp`): nothing is sent, and before the first login there is nothing to read.
pub(super) fn identity(c: &Client) -> JsValue {
    c.access_token().map_or(JsValue::UNDEFINED, |t| claims(&t))
}

pub(super) fn describe(c: &Client) -> JsValue {
    let s = c.solution();
    let list = [("discoveryUrl", &s.discovery_url), ("environment", &s.environment), ("platform", &s.platform)];
    settings(V, &list.map(|(k, v)| (k, Some(v.as_str()).filter(|v| !v.is_empty()))))
}
