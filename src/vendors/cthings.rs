//! cThings Cloud: client credentials by HTTP Basic + multipart/form-data, and the `/v3` API whose every
//! answer is an envelope `{api, code, data, links, message, request, websocket, version}`.

use crate::prelude::*;

use super::{Client, ClientConfig, Sent};
use crate::auth::{ClientCredentials, Login, Session};
use crate::error::Error;
use crate::http::{encode, Body, Request, Response, Transport};
use crate::ops::{cthings::OPS, Call, Op, DATA};

pub const DEFAULT_AUTH_URL: &str = "https://authserver.cthings.cloud";
pub const DEFAULT_BASE_URL: &str = "https://api.cthings.cloud";

/// The token request: HTTP Basic client authentication and a multipart form (`grant_type`, `scope=api`).
fn token_request(c: &ClientCredentials, random: f64) -> Request {
    let boundary = encode::cat(&["----iot-cloud-wasm-", &encode::num((random * 1e15) as u64)]);
    let (content_type, body) = encode::multipart(&[("grant_type", "client_credentials"), ("scope", "api")], &boundary);
    let mut req = Request::post(&c.token_url)
        .header("Authorization", encode::basic_auth(&c.client_id, &c.client_secret))
        .header("Content-Type", content_type);
    req.body = Some(body);
    req
}

pub struct CThings<T> {
    session: Session<T>,
    base_url: String,
}

impl<T: Transport> CThings<T> {
    pub fn new(
        config: ClientConfig<T>,
        auth_url: String,
        base_url: String,
        credentials: Option<(String, String)>,
        access_token: Option<String>,
    ) -> Self {
        let login = credentials.map(|(client_id, client_secret)| -> Box<dyn Login<T>> {
            Box::new(ClientCredentials {
                scope: None,
                token_url: encode::cat(&[&auth_url, "/token"]),
                client_id,
                client_secret,
                request: token_request,
            })
        });
        CThings { session: Session::new(config.core(), login, access_token), base_url }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Checks an envelope: one whose `code` is an error is one, even under HTTP 200.
    fn envelope(envelope: T::Body) -> Result<T::Body, Error> {
        // The envelope's `code` is an HTTP status; anything else (99999) is not one to report as such.
        match envelope.num_at("code") {
            Some(code) if (200.0..400.0).contains(&code) => Ok(envelope),
            Some(code) if (400.0..600.0).contains(&code) => {
                Err(Error::from_response(&Response::new(code as u16, envelope)))
            }
            None => Ok(envelope),
            Some(_) => Err(Error::UnexpectedBody("an envelope with an odd code", envelope.to_error_body())),
        }
    }
}

/// The `data` of an envelope.
pub fn data<B: Body>(envelope: B) -> Result<B, Error> {
    envelope.get("data").ok_or_else(|| Error::InvalidResponse("envelope has no data".into()))
}

/// The calls of [`OPS`](crate::ops::cthings::OPS): the whole envelope, or its `data` ([`DATA`]).
impl<T: Transport> Client<T::Body> for CThings<T> {
    fn op(&self, index: usize) -> Option<Op> {
        OPS.get(index).copied()
    }
    fn dispatch<'a>(&'a self, _index: usize, op: &'a Op, call: &'a Call) -> Sent<'a, T::Body> {
        Box::pin(async move {
            let body = self.session.send_ok(&|token| call.request(&self.base_url, token, None, false)).await?;
            let body = Self::envelope(body)?;
            Ok(Response::new(200, if op.flags & DATA != 0 { data(body)? } else { body }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::mock::{reply, Mock};
    use crate::http::retry::RetryPolicy;
    use crate::vendors::run;
    use alloc::rc::Rc;
    use serde_json::{json, Value};

    const GET: usize = 0;
    const ENVELOPE: usize = 1;

    fn call(c: &CThings<Rc<Mock>>, op: usize, id: &str) -> Result<Value, Error> {
        Ok(run(c, op, "cthings.test", &[json!(id)])?.body)
    }

    fn client(mock: &Rc<Mock>) -> CThings<Rc<Mock>> {
        CThings::new(
            ClientConfig { transport: mock.clone(), retry: RetryPolicy::default() },
            "https://auth.test".into(),
            "https://api.test".into(),
            Some(("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".into(), "xxxxxxxxxxxxxxxxxxxxxxxx".into())),
            None,
        )
    }

    fn handler(req: &Request, _: f64) -> Result<crate::http::Response<serde_json::Value>, Error> {
        if req.url.ends_with("/token") {
            reply(200, r#"{"access_token":"jwt","expires_in":3600,"scope":["api"],"token_type":"Bearer"}"#)
        } else if req.url.ends_with("/missing") {
            reply(404, r#"{"api":"cThings Cloud API","code":404,"data":null,"message":"Device not found"}"#)
        } else {
            reply(
                200,
                r#"{"api":"cThings Cloud API","code":200,"data":{"id":"d-1","name":"Example Device"},"message":null}"#,
            )
        }
    }

    #[test]
    fn token_is_multipart_with_basic_auth() {
        let mock = Mock::new(handler);
        let device = call(&client(&mock), GET, "d-1").unwrap();
        assert_eq!(device["name"], "Example Device");
        let reqs = mock.requests.borrow();
        assert_eq!(reqs[0].url, "https://auth.test/token");
        assert_eq!(
            reqs[0].header_value("authorization"),
            Some("Basic eHh4eHh4eHgteHh4eC14eHh4LXh4eHgteHh4eHh4eHh4eHh4Onh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA==")
        );
        let ct = reqs[0].header_value("content-type").unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let body = reqs[0].body.as_deref().unwrap();
        assert!(body.contains("name=\"grant_type\"\r\n\r\nclient_credentials\r\n"));
        assert!(body.contains("name=\"scope\"\r\n\r\napi\r\n"));
        assert!(body.ends_with(&format!("--{boundary}--\r\n")));
        assert_eq!(reqs[1].url, "https://api.test/v3/device/d-1");
        assert_eq!(reqs[1].header_value("authorization"), Some("Bearer jwt"));
    }

    #[test]
    fn the_whole_envelope_is_reachable_and_errors_keep_its_message() {
        let mock = Mock::new(handler);
        let c = client(&mock);
        let env = call(&c, ENVELOPE, "d-1").unwrap();
        assert_eq!(env["api"], "cThings Cloud API");
        let err = call(&c, GET, "missing").unwrap_err();
        assert_eq!((err.status(), err.to_string().as_str()), (Some(404), "Device not found"));
    }

    #[test]
    fn both_rows_get_the_device_by_its_encoded_id() {
        let mock = Mock::new(handler);
        let c = client(&mock);
        assert_eq!(call(&c, ENVELOPE, "d 1/x").unwrap_err().code(), "invalid_argument");
        assert_eq!(call(&c, GET, "d 1").unwrap()["id"], "d-1");
        assert_eq!(call(&c, ENVELOPE, "d 1").unwrap()["code"], 200);
        let reqs = mock.requests.borrow();
        for r in &reqs[1..] {
            assert_eq!((r.method, r.url.as_str()), (crate::http::Method::Get, "https://api.test/v3/device/d%201"));
            assert_eq!(r.header_value("accept"), Some("application/json"));
            assert_eq!(r.header_value("authorization"), Some("Bearer jwt"));
            assert!(r.payload.is_none() && r.body.is_none());
        }
        assert_eq!(reqs.len(), 3);
        drop(reqs);
        // An envelope without data is an invalid answer for `get`, the whole of it for `getEnvelope`.
        let mock = Mock::new(|req, now| match req.url.ends_with("/token") {
            true => handler(req, now),
            false => reply(200, r#"{"code":200,"message":null}"#),
        });
        let c = client(&mock);
        assert_eq!(call(&c, GET, "d").unwrap_err().code(), "invalid_response");
        assert_eq!(call(&c, ENVELOPE, "d").unwrap(), json!({"code": 200, "message": null}));
    }
}
