use super::options::Opts;
use super::{describe, opt_num, promise, reject, set, to_js};
use crate::error::{Error, Vendor};
use crate::http::fetch::FetchTransport;
use crate::vendors::iotconnect::{self, DeviceListOptions, Solution};
use js_sys::{Object, Promise};
use std::rc::Rc;
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

    /// Devices: `iotc.devices.list(opts)`.
    #[wasm_bindgen(getter)]
    pub fn devices(&self) -> IoTConnectDevices {
        IoTConnectDevices { inner: self.inner.clone() }
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

#[wasm_bindgen]
pub struct IoTConnectDevices {
    inner: Rc<Client>,
}

#[wasm_bindgen]
impl IoTConnectDevices {
    /// `GET /Device`, every page: all devices as one array.
    #[wasm_bindgen(unchecked_return_type = "Promise<IoTConnectDevice[]>")]
    pub fn list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "IoTConnectDeviceListOptions")] options: Option<JsValue>,
    ) -> Promise {
        let opts = match list_options(options) {
            Ok(o) => o,
            Err(e) => return reject(V, e),
        };
        let inner = self.inner.clone();
        promise(V, async move { inner.devices().list(&opts).await })
    }
}

fn list_options(options: Option<JsValue>) -> Result<DeviceListOptions, Error> {
    let o = Opts::new(options, "iotc.devices.list")?;
    let mut filters = Vec::new();
    for (js, api) in [
        ("uniqueId", "UniqueId"),
        ("templateGuid", "TemplateGuid"),
        ("entityGuid", "EntityGuid"),
        ("status", "Status"),
        ("searchText", "searchText"),
    ] {
        if let Some(v) = o.string(js)? {
            filters.push((api, v));
        }
    }
    let page_size = o.number("pageSize", 1, iotconnect::MAX_PAGE_SIZE)?;
    Ok(DeviceListOptions { page_size, sort_by: o.string("sortBy")?, filters })
}
