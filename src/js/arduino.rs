use super::invoke::{answer, arguments, per_call, COMPAT};
use super::options::Opts;
use super::{describe, promise, reject, to_js};
use crate::error::{Error, Vendor};
use crate::http::fetch::FetchTransport;
use crate::ops::Arg;
use crate::ops::{arduino::OPS, prepare, row};
use crate::vendors::arduino;
use js_sys::Promise;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

pub(crate) type Client = arduino::Arduino<FetchTransport>;
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
            let org = o.string("organization")?;
            let scoped = o.flag("organizationToken")?;
            Ok(arduino::Arduino::new(o.client_config()?, base, credentials, token, org, scoped))
        };
        build().map(|c| Arduino { inner: Rc::new(c) }).map_err(|e| to_js(e, V))
    }

    /// Calls operation `op` of the Arduino table with the arguments of a generated method named `name`;
    /// `mode`: see `invoke::COMPAT` and `invoke::FULL`.
    #[wasm_bindgen(js_name = "__invoke", skip_typescript)]
    pub fn invoke(&self, op: u32, name: JsValue, args: JsValue, mode: u32) -> Promise {
        invoke(Ok(self.inner.clone()), op, &name, &args, mode)
    }

    /// What `JSON.stringify(client)` shows: never credentials or tokens.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsValue {
        describe(V, &[("baseUrl", Some(self.inner.base_url())), ("organization", self.inner.organization())])
    }
}

/// Prepares the call (nothing is sent when an argument is wrong) and sends it.
pub(crate) fn invoke(client: Result<Rc<Client>, Error>, op: u32, name: &JsValue, args: &JsValue, mode: u32) -> Promise {
    let prepared = client.and_then(|client| {
        let (args, name) = arguments(args, name)?;
        let op = row(OPS, op as usize).ok_or_else(|| Error::invalid(format!("{name}: no such operation")))?;
        let org_key = if mode & COMPAT != 0 { "xOrganization" } else { "organization" };
        let mut call = prepare(&op, &name, &args, org_key)?;
        let opts = args.get(op.positional());
        (call.signal, call.timeout_ms) = per_call(opts, &name)?;
        let start = match opts.map(|o| o.field("start")) {
            Some(Ok(Some(s))) => s.string().ok().flatten(),
            _ => None,
        };
        Ok((client, op, call, start))
    });
    match prepared {
        Ok((client, op, call, start)) => {
            promise(V, async move { Ok(answer(client.send(&op, &call).await?, mode, start)) })
        }
        Err(e) => reject(V, e),
    }
}
