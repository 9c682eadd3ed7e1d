use super::options::Opts;
use crate::error::{Error, Vendor};
use crate::http::fetch::FetchTransport;
use crate::vendors::arduino;
use alloc::rc::Rc;
use wasm_bindgen::prelude::*;

pub(crate) type Client = arduino::Arduino<FetchTransport>;
pub(crate) const V: Vendor = Vendor::Arduino;

/// `new Arduino(options)`: client-credentials tokens, cached and refreshed before their 300 s run out.
pub(super) fn new(options: JsValue) -> Result<Rc<Client>, Error> {
    let o = Opts::new(options, "Arduino")?;
    let (credentials, token) = o.credentials("clientId", "clientSecret")?;
    let base = o.url("baseUrl", arduino::DEFAULT_BASE_URL)?;
    let org = o.string("organization")?;
    let scoped = o.flag("organizationToken")?;
    Ok(Rc::new(arduino::Arduino::new(o.client_config()?, base, credentials, token, org, scoped)))
}

/// What `JSON.stringify(client)` shows: never credentials or tokens.
pub(super) fn describe(c: &Client) -> JsValue {
    super::describe(V, &[("baseUrl", Some(c.base_url())), ("organization", c.organization())])
}
