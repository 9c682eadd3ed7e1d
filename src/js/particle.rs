use super::options::Opts;
use crate::error::{Error, Vendor};
use crate::http::fetch::FetchTransport;
use crate::vendors::particle;
use alloc::rc::Rc;
use wasm_bindgen::prelude::*;

pub(crate) type Client = particle::Particle<FetchTransport>;
const V: Vendor = Vendor::Particle;

/// `new Particle(options)`: particle-api-js's method names, argument objects and `{body, statusCode}`
/// results; no options (undefined or null) is a client without a token.
pub(super) fn new(options: JsValue) -> Result<Rc<Client>, Error> {
    let o = Opts::new(options, "Particle")?;
    let base = o.url("baseUrl", particle::DEFAULT_BASE_URL)?;
    let core = o.client_config()?.core();
    let pair = o.pair("clientId", "clientSecret")?;
    let renew = o.flag("useClientCredentials")?;
    if renew && pair.is_none() {
        return Err(Error::invalid("Particle: `useClientCredentials` needs `clientId` and `clientSecret`"));
    }
    let duration = o.number("tokenDuration", 0, u32::MAX)?;
    Ok(Rc::new(particle::Particle::build(core, base, pair, o.string("auth")?, duration, renew)))
}

/// `setDefaultAuth(auth)`: the token used by calls that pass no `auth`, read with the same checks as every
/// option.
pub(super) fn set_default_auth(c: &Client, auth: JsValue) -> Result<(), Error> {
    super::options::string_of("particle.setDefaultAuth", "auth", Some(auth)).map(|a| c.set_default_auth(a))
}

pub(super) fn describe(c: &Client) -> JsValue {
    super::describe(V, &[("baseUrl", Some(c.base_url()))])
}
