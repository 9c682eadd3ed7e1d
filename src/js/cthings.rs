use super::options::Opts;
use crate::error::{Error, Vendor};
use crate::http::fetch::FetchTransport;
use crate::vendors::cthings;
use alloc::rc::Rc;
use wasm_bindgen::prelude::*;

pub(crate) type Client = cthings::CThings<FetchTransport>;
const V: Vendor = Vendor::CThings;

/// `new CThings(options)`: client credentials by HTTP Basic, the v3 API, envelopes unwrapped.
pub(super) fn new(options: JsValue) -> Result<Rc<Client>, Error> {
    let o = Opts::new(options, "CThings")?;
    let (credentials, token) = o.credentials("clientId", "clientSecret")?;
    let auth = o.url("authUrl", cthings::DEFAULT_AUTH_URL)?;
    let base = o.url("baseUrl", cthings::DEFAULT_BASE_URL)?;
    Ok(Rc::new(cthings::CThings::new(o.client_config()?, auth, base, credentials, token)))
}

pub(super) fn describe(c: &Client) -> JsValue {
    super::describe(V, &[("baseUrl", Some(c.base_url()))])
}
