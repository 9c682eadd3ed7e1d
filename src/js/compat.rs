//! `IotApi`: the classes of `@arduino/arduino-iot-client`, so code written for it runs after changing the
//! import. The classes and the `ApiClient` (a settings holder and module-level singleton) are made in
//! JavaScript from the generated table; each call comes here, reads the `ApiClient`'s `basePath`,
//! `authentications.oauth2.accessToken`, `defaultHeaders` and `timeout` as the official client does at each
//! call, and sends the same request through the one invoke path.

use super::invoke::COMPAT;
use super::options::{header_pairs, Opts};
use crate::error::Error;
use crate::http::fetch::FetchTransport;
use crate::http::retry::RetryPolicy;
use crate::vendors::{arduino, ClientConfig};
use alloc::rc::Rc;
use wasm_bindgen::prelude::*;

/// A one-call Arduino client from the ApiClient's current settings and the token it holds.
fn client_from(api_client: &JsValue) -> Result<super::invoke::Any, Error> {
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
    let mut client = arduino::Arduino::new(config, base, None, Some(token), None, false);
    // `defaultHeaders` go on every request, as the official client sends them.
    if let Some(headers) = o.raw("defaultHeaders")? {
        if !header_pairs(&headers, &mut client.default_headers) {
            return Err(Error::invalid("IotApi: apiClient.defaultHeaders must be an object of header values"));
        }
    }
    Ok(Rc::new(client))
}

/// A call of an `IotApi` method (the classes are made in JavaScript from the generated table): the
/// `ApiClient`'s settings are read now, as the official client does at each call.
pub(super) fn iot_api_invoke(api_client: &JsValue, op: u32, name: &JsValue, args: &JsValue, mode: u32) -> JsValue {
    super::invoke::invoke(client_from(api_client), super::arduino::V, op, name, args, mode | COMPAT)
}
