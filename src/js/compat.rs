//! `IotApi`: the classes of `@arduino/arduino-iot-client`, so code written for it runs after changing the
//! import. The `ApiClient` (a settings holder and module-level singleton) is in the entry files; these
//! classes read its `basePath`, `authentications.oauth2.accessToken` and `timeout` at each call, as the
//! official client does, and send the same requests.

use super::arduino::{list_properties, things_options};
use super::options::Opts;
use super::{promise, reject};
use crate::error::{Error, Vendor};
use crate::http::{fetch::FetchTransport, retry::RetryPolicy};
use crate::vendors::{arduino, ClientConfig};
use js_sys::Promise;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

const V: Vendor = Vendor::Arduino;

/// A one-call Arduino client from the ApiClient's current settings and the token it holds.
fn client_from(api_client: &JsValue, organization: Option<String>) -> Result<arduino::Arduino<FetchTransport>, Error> {
    // Read like any options object: a getter that throws, a revoked Proxy or a wrong type is an error,
    // never a silent fallback to the production host.
    let o = Opts::new(api_client.clone(), "IotApi: apiClient")?;
    let base = o.url("basePath", arduino::DEFAULT_BASE_URL)?;
    let token = o.object("authentications")?.object("oauth2")?.string("accessToken")?;
    let token =
        token.ok_or_else(|| Error::invalid("IotApi: set apiClient.authentications['oauth2'].accessToken first"))?;
    let timeout = o.number("timeout", 0, u32::MAX)?.unwrap_or(60_000);
    // Timers take at most 2^31 - 1 ms.
    let timeout = timeout.min(2_147_483_647);
    let transport = FetchTransport::new(None, timeout, None)?;
    let config = ClientConfig { transport, retry: RetryPolicy::default() };
    Ok(arduino::Arduino::new(config, base, None, Some(token), organization))
}

/// `new IotApi.PropertiesV2Api(apiClient)`.
#[wasm_bindgen]
pub struct PropertiesV2Api {
    api_client: JsValue,
}

#[wasm_bindgen]
impl PropertiesV2Api {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = apiClient, unchecked_param_type = "IotApiClientLike")] api_client: JsValue,
    ) -> PropertiesV2Api {
        PropertiesV2Api { api_client }
    }

    #[wasm_bindgen(getter, js_name = apiClient, unchecked_return_type = "IotApiClientLike")]
    pub fn api_client(&self) -> JsValue {
        self.api_client.clone()
    }

    /// `GET /iot/v2/things/{id}/properties`; `opts`: `{showDeleted, xOrganization}`.
    #[wasm_bindgen(js_name = propertiesV2List, unchecked_return_type = "Promise<ArduinoProperty[]>")]
    pub fn properties_v2_list(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ showDeleted?: boolean; xOrganization?: string }")]
        opts: Option<JsValue>,
    ) -> Promise {
        list_properties(client_from(&self.api_client, None).map(Rc::new), id, opts, "propertiesV2List", "xOrganization")
    }
}

/// `new IotApi.ThingsV2Api(apiClient)`.
#[wasm_bindgen]
pub struct ThingsV2Api {
    api_client: JsValue,
}

#[wasm_bindgen]
impl ThingsV2Api {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = apiClient, unchecked_param_type = "IotApiClientLike")] api_client: JsValue,
    ) -> ThingsV2Api {
        ThingsV2Api { api_client }
    }

    #[wasm_bindgen(getter, js_name = apiClient, unchecked_return_type = "IotApiClientLike")]
    pub fn api_client(&self) -> JsValue {
        self.api_client.clone()
    }

    /// `GET /iot/v2/things`; `opts`: `{acrossUserIds, deviceId, ids, showDeleted, showProperties, tags,
    /// xOrganization}`.
    #[wasm_bindgen(js_name = thingsV2List, unchecked_return_type = "Promise<ArduinoThing[]>")]
    pub fn things_v2_list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ArduinoThingsListOptions & { xOrganization?: string }")]
        opts: Option<JsValue>,
    ) -> Promise {
        let client = things_options(opts, "thingsV2List", "xOrganization").and_then(|mut opts| {
            let client = client_from(&self.api_client, opts.organization.take())?;
            Ok((client, opts))
        });
        match client {
            Ok((client, opts)) => promise(V, async move { client.things().list(&opts).await }),
            Err(e) => reject(V, e),
        }
    }
}
