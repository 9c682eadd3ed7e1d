use super::options::Opts;
use super::{describe, promise, reject, to_js};
use crate::error::{Error, Vendor};
use crate::http::fetch::FetchTransport;
use crate::vendors::arduino::{self, ThingsListOptions};
use js_sys::Promise;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

type Client = arduino::Arduino<FetchTransport>;
const V: Vendor = Vendor::Arduino;

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
            Ok(arduino::Arduino::new(o.client_config()?, base, credentials, token, o.string("organization")?))
        };
        build().map(|c| Arduino { inner: Rc::new(c) }).map_err(|e| to_js(e, V))
    }

    /// Things: `arduino.things.list(opts)`.
    #[wasm_bindgen(getter)]
    pub fn things(&self) -> ArduinoThings {
        ArduinoThings { inner: self.inner.clone() }
    }

    /// Properties: `arduino.properties.list(thingId, opts)`.
    #[wasm_bindgen(getter)]
    pub fn properties(&self) -> ArduinoProperties {
        ArduinoProperties { inner: self.inner.clone() }
    }

    /// What `JSON.stringify(client)` shows: never credentials or tokens.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        describe(V, &[("baseUrl", Some(self.inner.base_url())), ("organization", self.inner.organization())])
    }
}

#[wasm_bindgen]
pub struct ArduinoThings {
    inner: Rc<Client>,
}

#[wasm_bindgen]
impl ArduinoThings {
    /// `GET /iot/v2/things`: the things of the account or organization.
    #[wasm_bindgen(unchecked_return_type = "Promise<ArduinoThing[]>")]
    pub fn list(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ArduinoThingsListOptions")] options: Option<JsValue>,
    ) -> Promise {
        let opts = match things_options(options, "arduino.things.list", "organization") {
            Ok(o) => o,
            Err(e) => return reject(V, e),
        };
        let inner = self.inner.clone();
        promise(V, async move { inner.things().list(&opts).await })
    }
}

#[wasm_bindgen]
pub struct ArduinoProperties {
    inner: Rc<Client>,
}

#[wasm_bindgen]
impl ArduinoProperties {
    /// `GET /iot/v2/things/{thingId}/properties`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ArduinoProperty[]>")]
    pub fn list(
        &self,
        #[wasm_bindgen(js_name = thingId, unchecked_param_type = "string")] thing_id: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ArduinoPropertiesListOptions")] options: Option<JsValue>,
    ) -> Promise {
        list_properties(Ok(self.inner.clone()), thing_id, options, "arduino.properties.list", "organization")
    }
}

/// `properties.list` and `propertiesV2List`: the thing id, `showDeleted`, and an organization option.
pub(crate) fn list_properties(
    client: Result<Rc<Client>, Error>,
    id: JsValue,
    options: Option<JsValue>,
    ctx: &'static str,
    org_key: &str,
) -> Promise {
    let parsed = client.and_then(|client| {
        let id = id_arg(&id, ctx)?;
        let o = Opts::new(options, ctx)?;
        Ok((client, id, o.bool("showDeleted")?, o.string(org_key)?))
    });
    match parsed {
        Ok((client, id, show_deleted, org)) => {
            promise(V, async move { client.properties().list(&id, show_deleted, org.as_deref()).await })
        }
        Err(e) => reject(V, e),
    }
}

/// A positional id argument: must be a string (its content is checked where it goes into the path).
pub(crate) fn id_arg(value: &JsValue, ctx: &str) -> Result<String, Error> {
    super::options::text(value, ctx, "id")?
        .ok_or_else(|| Error::invalid(format!("{ctx}: the id must be a non-empty string")))
}

/// The options of `things.list` (and of `thingsV2List`, whose organization option is `xOrganization`).
pub(crate) fn things_options(
    options: Option<JsValue>,
    ctx: &'static str,
    org_key: &str,
) -> Result<ThingsListOptions, Error> {
    let o = Opts::new(options, ctx)?;
    Ok(ThingsListOptions {
        across_user_ids: o.bool("acrossUserIds")?,
        device_id: o.string("deviceId")?,
        ids: o.strings("ids")?,
        show_deleted: o.bool("showDeleted")?,
        show_properties: o.bool("showProperties")?,
        tags: o.strings("tags")?,
        organization: o.string(org_key)?,
    })
}
