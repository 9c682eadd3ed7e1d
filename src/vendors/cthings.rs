//! cThings Cloud: client credentials by HTTP Basic + multipart/form-data, and the `/v3` API (or `/v2`, for
//! what v3 lacks) whose every answer is an envelope `{api, code, data, links, message, request, websocket,
//! version}`.

use crate::prelude::*;

use super::{Client, ClientConfig, Sent};
use crate::auth::{ClientCredentials, Session};
use crate::error::Error;
use crate::http::{encode, success, Body, Payload, Request, Response, Shape, Transport};
use crate::ops::{bad, cthings::OPS, Call, Op, DATA};

pub const DEFAULT_AUTH_URL: &str = "https://authserver.cthings.cloud";
pub const DEFAULT_BASE_URL: &str = "https://api.cthings.cloud";

/// The token request: HTTP Basic client authentication and a multipart form (`grant_type`, `scope=api`), made
/// at the edge (`FormData`: the platform writes the boundary and the `Content-Type`).
fn token_request(c: &ClientCredentials) -> Request {
    let mut req =
        Request::post(&c.token_url).header("Authorization", encode::basic_auth(&c.client_id, &c.client_secret));
    req.payload = Some(Payload::Multipart(vec![("grant_type", "client_credentials".into()), ("scope", "api".into())]));
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
        let login = ClientCredentials::boxed(&auth_url, "/token", credentials, None, token_request);
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

/// The first `request` row of [`OPS`](crate::ops::cthings::OPS).
const REQUEST: usize = 2;

/// Checks a `request` call: its version is `v3`, `v2` or `auto`, and its path does not begin with one of its
/// own (`/v` and a digit).
fn complete(ctx: &str, call: &Call) -> Result<(), Error> {
    let rest = match call.path.as_bytes() {
        [b'/', b'v', b'2' | b'3', rest @ ..] | [b'/', b'a', b'u', b't', b'o', rest @ ..] => rest,
        _ => &[],
    };
    match rest {
        [b'/', b'v' | b'V', b'0'..=b'9', ..] => Err(bad(ctx, "path", "must not begin with a version")),
        [b'/', ..] => Ok(()),
        _ => Err(bad(ctx, "version", "must be 'v3', 'v2' or 'auto'")),
    }
}

/// The `data` of an envelope.
pub fn data<B: Body>(envelope: B) -> Result<B, Error> {
    envelope.get("data").ok_or_else(|| Error::InvalidResponse("envelope has no data".into()))
}

/// The calls of [`OPS`](crate::ops::cthings::OPS): the whole envelope, or its `data` ([`DATA`]). The
/// `request` rows (2 and 3) are checked by [`complete`]; with `version: 'auto'` an HTTP 404 of the v3 route
/// is sent once more to v2, and v2's answer is the call's.
impl<T: Transport> Client<T::Body> for CThings<T> {
    fn spacing(&self) -> &core::cell::Cell<f64> {
        &self.session.core.spacing
    }
    fn op(&self, index: usize) -> Option<Op> {
        OPS.get(index).copied()
    }
    fn finish(&self, index: usize, ctx: &str, _opts: Option<&T::Body>, call: &mut Call) -> Result<(), Error> {
        // The `request` rows.
        if index >= REQUEST {
            complete(ctx, call)
        } else {
            Ok(())
        }
    }
    fn dispatch<'a>(&'a self, _index: usize, op: &'a Op, call: &'a Call) -> Sent<'a, T::Body> {
        Box::pin(async move {
            // `/auto…` (see `complete`): sent as `/v3…`, and once more as `/v2…` when that answers 404.
            let auto = call.path.as_bytes().get(1) == Some(&b'a');
            let mut v2 = false;
            let resp = loop {
                let resp = self
                    .session
                    .send(&|token| {
                        // The call's own `auth`, else the client's token.
                        let mut req = call.request(&self.base_url, call.token.as_deref().unwrap_or(token), None, false);
                        if auto {
                            let version = if v2 { "/v2" } else { "/v3" };
                            req.url = encode::cat(&[&self.base_url, version, call.path.get(5..).unwrap_or_default()]);
                        }
                        req
                    })
                    .await?;
                if resp.status != 404 || !auto || v2 {
                    break resp;
                }
                v2 = true;
            };
            let body = Self::envelope(success(resp, Shape::Object)?.body)?;
            Ok(Response::new(200, if op.flags & DATA != 0 { data(body)? } else { body }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::mock::{reply, Mock};
    use crate::http::retry::RetryPolicy;
    use crate::http::Method;
    use crate::vendors::run;
    use alloc::rc::Rc;
    use core::cell::Cell;
    use serde_json::{json, Value};

    const GET: usize = 0;
    const ENVELOPE: usize = 1;
    const REQUEST: usize = 2;
    const REQUEST_ENVELOPE: usize = 3;
    const ID: &str = "d5d60237-be30-4ca6-bc8b-e9d5a947404c";

    fn call(c: &CThings<Rc<Mock>>, op: usize, id: &str) -> Result<Value, Error> {
        Ok(run(c, op, "cthings.test", &[json!(id)])?.body)
    }

    fn request(c: &CThings<Rc<Mock>>, opts: Value) -> Result<Value, Error> {
        Ok(run(c, REQUEST, "cthings.request", &[opts])?.body)
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

    fn envelope(code: u16, data: &str, message: &str) -> String {
        let code = code.to_string();
        ["{\"api\":\"cThings Cloud API\",\"code\":", &code, ",\"data\":", data, ",\"message\":", message, "}"].concat()
    }

    /// The token endpoint, and an API whose v3 knows `/device/…` only and whose v2 knows everything.
    fn handler(req: &Request, _: f64) -> Result<crate::http::Response<serde_json::Value>, Error> {
        if req.url.ends_with("/token") {
            reply(200, r#"{"access_token":"jwt","expires_in":3600,"scope":["api"],"token_type":"Bearer"}"#)
        } else if req.url.ends_with("/00000000-0000-4000-8000-000000000000") {
            reply(404, &envelope(404, "null", "\"Device not found\""))
        } else if req.url.starts_with("https://api.test/v2/") {
            reply(200, &envelope(200, r#"{"from":"v2"}"#, "null"))
        } else if req.url.starts_with("https://api.test/v3/device/") {
            reply(200, &envelope(200, r#"{"id":"d-1","name":"Example Device"}"#, "null"))
        } else {
            reply(404, &envelope(404, "null", "\"Route not found\""))
        }
    }

    fn urls(mock: &Mock) -> Vec<String> {
        mock.requests.borrow().iter().filter(|r| !r.url.ends_with("/token")).map(|r| r.url.clone()).collect()
    }

    #[test]
    fn token_is_multipart_with_basic_auth() {
        let mock = Mock::new(handler);
        let device = call(&client(&mock), GET, ID).unwrap();
        assert_eq!(device["name"], "Example Device");
        let reqs = mock.requests.borrow();
        assert_eq!(reqs[0].url, "https://auth.test/token");
        assert_eq!(
            reqs[0].header_value("authorization"),
            Some("Basic eHh4eHh4eHgteHh4eC14eHh4LXh4eHgteHh4eHh4eHh4eHh4Onh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA==")
        );
        // A multipart form (`FormData` at the edge: the platform writes the Content-Type and boundary).
        assert_eq!(reqs[0].header_value("content-type"), None);
        assert_eq!(
            reqs[0].payload,
            Some(Payload::Multipart(vec![("grant_type", "client_credentials".into()), ("scope", "api".into())]))
        );
        assert_eq!(reqs[0].method, Method::Post);
        assert!(!reqs[0].follow);
        assert_eq!(reqs[1].url, format!("https://api.test/v3/device/{ID}"));
        assert_eq!(reqs[1].header_value("authorization"), Some("Bearer jwt"));
    }

    #[test]
    fn the_whole_envelope_is_reachable_and_errors_keep_its_message() {
        let mock = Mock::new(handler);
        let c = client(&mock);
        let env = call(&c, ENVELOPE, ID).unwrap();
        assert_eq!(env["api"], "cThings Cloud API");
        let err = call(&c, GET, "00000000-0000-4000-8000-000000000000").unwrap_err();
        assert_eq!((err.status(), err.code(), err.to_string().as_str()), (Some(404), "http_404", "Device not found"));
    }

    #[test]
    fn both_rows_get_the_device_by_its_uuid() {
        let mock = Mock::new(handler);
        let c = client(&mock);
        assert_eq!(call(&c, GET, ID).unwrap()["id"], "d-1");
        assert_eq!(call(&c, ENVELOPE, &ID.to_uppercase()).unwrap()["code"], 200);
        let reqs = mock.requests.borrow();
        for r in &reqs[1..] {
            assert_eq!(r.method, Method::Get);
            assert_eq!(r.url.to_lowercase(), format!("https://api.test/v3/device/{ID}"));
            assert_eq!(r.header_value("accept"), Some("application/json"));
            assert_eq!(r.header_value("authorization"), Some("Bearer jwt"));
            assert!(r.payload.is_none());
        }
        assert_eq!(reqs.len(), 3);
        drop(reqs);
        // An envelope without data is an invalid answer for `get`, the whole of it for `getEnvelope`.
        let mock = Mock::new(|req, now| match req.url.ends_with("/token") {
            true => handler(req, now),
            false => reply(200, r#"{"code":200,"message":null}"#),
        });
        let c = client(&mock);
        assert_eq!(call(&c, GET, ID).unwrap_err().code(), "invalid_response");
        assert_eq!(call(&c, ENVELOPE, ID).unwrap(), json!({"code": 200, "message": null}));
    }

    #[test]
    fn device_ids_must_be_uuids_and_nothing_is_sent_otherwise() {
        let mock = Mock::new(handler);
        let c = client(&mock);
        let bad = [
            "d-1",
            "d 1/x",
            "",
            "d5d60237-be30-4ca6-bc8b-e9d5a947404",
            "d5d60237-be30-4ca6-bc8b-e9d5a947404c0",
            "d5d60237be30-4ca6-bc8b-e9d5a947404c0",
            "g5d60237-be30-4ca6-bc8b-e9d5a947404c",
            "d5d60237-be30-4ca6-bc8b_e9d5a947404c",
            "../../../../../../../../../../../xx",
        ];
        for op in [GET, ENVELOPE] {
            for id in bad {
                let err = call(&c, op, id).unwrap_err();
                assert_eq!(err.code(), "invalid_argument", "{id}");
                assert!(err.to_string().contains("`deviceId`"), "{err}");
            }
            let err = run(&c, op, "cthings.test", &[json!(42)]).unwrap_err();
            assert_eq!(err.code(), "invalid_argument");
        }
        assert!(mock.requests.borrow().is_empty());
    }

    #[test]
    fn request_builds_method_path_query_body_and_headers() {
        let mock = Mock::new(handler);
        let c = client(&mock);
        let device = request(&c, json!({"path": "/device/d-1"})).unwrap();
        assert_eq!(device, json!({"id": "d-1", "name": "Example Device"}));
        let whole = run(&c, REQUEST_ENVELOPE, "cthings.requestEnvelope", &[json!({"path": "/device/x"})]).unwrap();
        assert_eq!(whole.body["api"], "cThings Cloud API");
        for (method, m) in
            [("POST", Method::Post), ("PUT", Method::Put), ("PATCH", Method::Patch), ("DELETE", Method::Delete)]
        {
            let got = request(
                &c,
                json!({"method": method, "path": "/device/d 1/x%20y", "version": "v2",
                       "query": {"limit": 10, "ok": true, "tag": ["a b", "c"], "none": null, "q": "é&"},
                       "body": {"name": "Boiler", "n": [1, 2]}}),
            )
            .unwrap();
            assert_eq!(got, json!({"from": "v2"}));
            let reqs = mock.requests.borrow();
            let r = reqs.last().unwrap();
            assert_eq!(r.method, m);
            // (serde_json's objects iterate their keys in order; JavaScript's in the order they were set.)
            assert_eq!(r.url, "https://api.test/v2/device/d 1/x%20y?limit=10&ok=true&q=%C3%A9%26&tag=a%20b&tag=c");
            assert_eq!(r.payload, Some(Payload::Json(r#"{"n":[1,2],"name":"Boiler"}"#.into())));
            assert_eq!(r.header_value("content-type"), Some("application/json"));
            assert_eq!(r.header_value("accept"), Some("application/json"));
            assert_eq!(r.header_value("authorization"), Some("Bearer jwt"));
            assert_eq!(r.expect, Shape::Object);
        }
        // No body: none sent, and no Content-Type; DELETE without one is fine.
        request(&c, json!({"method": "DELETE", "path": "/device/d-1", "query": {}})).unwrap();
        {
            let reqs = mock.requests.borrow();
            let r = reqs.last().unwrap();
            assert_eq!((r.method, r.url.as_str()), (Method::Delete, "https://api.test/v3/device/d-1"));
            assert!(r.payload.is_none() && r.header_value("content-type").is_none());
        }
        // One token for every call; a call's own `auth` is sent instead of it.
        assert_eq!(mock.count("/token"), 1);
        request(&c, json!({"path": "/device/d-1", "auth": "own"})).unwrap();
        let reqs = mock.requests.borrow();
        assert_eq!(reqs.last().unwrap().header_value("authorization"), Some("Bearer own"));
    }

    #[test]
    fn request_refuses_bad_options_before_sending() {
        let mock = Mock::new(handler);
        let c = client(&mock);
        let cases = [
            (json!({}), "`path` is required"),
            (json!(null), "`path` is required"),
            (json!("/device/x"), "options"),
            (json!({"path": "device/x"}), "`path`"),
            (json!({"path": ""}), "`path`"),
            (json!({"path": "//evil.test/x"}), "`path`"),
            (json!({"path": 7}), "`path`"),
            (json!({"path": "/device/../token"}), "`path`"),
            (json!({"path": "/device/.."}), "`path`"),
            (json!({"path": "/./device"}), "`path`"),
            (json!({"path": "/device/%2e%2E/x"}), "`path`"),
            (json!({"path": "/device/.%2e"}), "`path`"),
            (json!({"path": "/device/%2E"}), "`path`"),
            (json!({"path": "/device\\..\\x"}), "`path`"),
            (json!({"path": "/device/x?limit=1"}), "`path`"),
            (json!({"path": "/device/x#y"}), "`path`"),
            (json!({"path": "/device/x\ny"}), "`path`"),
            (json!({"path": "/device/x\u{7f}"}), "`path`"),
            (json!({"path": "/v3/device/x"}), "`path` must not begin with a version"),
            (json!({"path": "/V2/device"}), "`path` must not begin with a version"),
            (json!({"path": "/v10"}), "`path` must not begin with a version"),
            (json!({"path": "/device", "method": "get"}), "`method` must be GET, POST, PUT, PATCH or DELETE"),
            (json!({"path": "/device", "method": "HEAD"}), "`method`"),
            (json!({"path": "/device", "method": "GETS"}), "`method`"),
            (json!({"path": "/device", "method": 1}), "`method`"),
            (json!({"path": "/device", "body": {"a": 1}}), "`body` cannot be sent with GET"),
            (json!({"path": "/device", "method": "GET", "body": "x"}), "`body` cannot be sent with GET"),
            (json!({"path": "/device", "version": "v4"}), "`version` must be 'v3', 'v2' or 'auto'"),
            (json!({"path": "/device", "version": "V3"}), "`version`"),
            (json!({"path": "/device", "version": "v3x"}), "`version`"),
            (json!({"path": "/device", "version": "autov"}), "`version`"),
            (json!({"path": "/device", "version": "v3/.."}), "`version`"),
            (json!({"path": "/device", "version": 3}), "`version`"),
            (json!({"path": "/device", "query": "a=1"}), "`query` must be an object"),
            (json!({"path": "/device", "query": ["a"]}), "`query`"),
            (json!({"path": "/device", "query": {"a": {"b": 1}}}), "`a` must be a string, number or boolean"),
            (json!({"path": "/device", "query": {"a": [[1]]}}), "`a`"),
            (json!({"path": "/device", "auth": ""}), "`auth`"),
            (json!({"path": "/device", "methd": "POST"}), "`methd` is not an option"),
        ];
        for (opts, what) in cases {
            let err = request(&c, opts.clone()).unwrap_err();
            assert_eq!(err.code(), "invalid_argument", "{opts}");
            let message = err.to_string();
            assert!(message.starts_with("cthings.request: ") && message.contains(what), "{opts}: {message}");
        }
        assert!(mock.requests.borrow().is_empty());
        // What looks odd but is no dot segment or version passes.
        for path in ["/", "/device/...", "/device/.x/%2fx", "/vendor/v3", "/v", "/vx1", "/device//x", "/é"] {
            request(&c, json!({"path": path, "version": "v2"})).unwrap();
            assert_eq!(urls(&mock).pop().unwrap(), ["https://api.test/v2", path].concat());
        }
    }

    #[test]
    fn auto_falls_back_to_v2_once_on_a_v3_404_only() {
        let mock = Mock::new(handler);
        let c = client(&mock);
        // v3 has the route: v2 is never asked.
        assert_eq!(request(&c, json!({"path": "/device/d-1", "version": "auto"})).unwrap()["id"], "d-1");
        assert_eq!(urls(&mock), ["https://api.test/v3/device/d-1"]);
        // v3 lacks it: once more on v2, with the same method, query, body and token.
        let got = request(
            &c,
            json!({"method": "POST", "path": "/alarm", "version": "auto", "query": {"a": 1}, "body": {"on": true}}),
        )
        .unwrap();
        assert_eq!(got, json!({"from": "v2"}));
        {
            let reqs = mock.requests.borrow();
            let tail: Vec<_> = reqs.iter().skip(reqs.len() - 2).collect();
            assert_eq!(tail[0].url, "https://api.test/v3/alarm?a=1");
            assert_eq!(tail[1].url, "https://api.test/v2/alarm?a=1");
            for r in tail {
                assert_eq!(r.method, Method::Post);
                assert_eq!(r.payload, Some(Payload::Json(r#"{"on":true}"#.into())));
                assert_eq!(r.header_value("authorization"), Some("Bearer jwt"));
            }
        }
        // The whole envelope, through the fallback too.
        let env = run(&c, REQUEST_ENVELOPE, "cthings.requestEnvelope", &[json!({"path": "/x", "version": "auto"})]);
        assert_eq!(env.unwrap().body["data"], json!({"from": "v2"}));
        // Without `auto`, a 404 is the answer.
        let err = request(&c, json!({"path": "/alarm"})).unwrap_err();
        assert_eq!((err.status(), err.to_string().as_str()), (Some(404), "Route not found"));
        assert_eq!(urls(&mock).last().unwrap(), "https://api.test/v3/alarm");
        assert_eq!(urls(&mock).len(), 6);
        assert_eq!(mock.count("/token"), 1);
    }

    #[test]
    fn auto_retries_an_http_404_only_and_keeps_v2s_answer() {
        let status = Rc::new(Cell::new(404u16));
        let s = status.clone();
        let mock = Mock::new(move |req, now| {
            if req.url.ends_with("/token") {
                handler(req, now)
            } else if req.url.contains("/v3/") {
                reply(s.get(), &envelope(s.get(), "null", "\"v3 says no\""))
            } else {
                reply(404, &envelope(404, "null", "\"v2 says no\""))
            }
        });
        let c = client(&mock);
        let err = request(&c, json!({"path": "/x", "version": "auto"})).unwrap_err();
        assert_eq!((err.status(), err.to_string().as_str()), (Some(404), "v2 says no"));
        assert_eq!(urls(&mock), ["https://api.test/v3/x", "https://api.test/v2/x"]);
        for code in [400, 403, 409, 500] {
            status.set(code);
            let err = request(&c, json!({"path": "/x", "version": "auto"})).unwrap_err();
            assert_eq!((err.status(), err.to_string().as_str()), (Some(code), "v3 says no"));
            assert!(urls(&mock).last().unwrap().contains("/v3/"));
        }
        assert_eq!(urls(&mock).len(), 6);
        // An error code in the envelope of an HTTP 200 is that error, not retried.
        let mock = Mock::new(|req, now| match req.url.ends_with("/token") {
            true => handler(req, now),
            false => reply(200, &envelope(404, "null", "\"Not here\"")),
        });
        let c = client(&mock);
        let err = request(&c, json!({"path": "/x", "version": "auto"})).unwrap_err();
        assert_eq!((err.status(), err.to_string().as_str()), (Some(404), "Not here"));
        assert_eq!(urls(&mock), ["https://api.test/v3/x"]);
    }

    #[test]
    fn tokens_are_renewed_before_expiry_and_once_on_a_401() {
        let issued = Rc::new(Cell::new(0u32));
        let refuse = Rc::new(Cell::new(0u32));
        let (i, r) = (issued.clone(), refuse.clone());
        let mock = Mock::new(move |req, _| {
            if req.url.ends_with("/token") {
                i.set(i.get() + 1);
                let body = ["{\"access_token\":\"jwt", &i.get().to_string(), "\",\"expires_in\":3600}"].concat();
                return reply(200, &body);
            }
            if r.get() > 0 {
                r.set(r.get() - 1);
                return reply(401, &envelope(401, "null", "\"Unauthorized\""));
            }
            reply(200, &envelope(200, "{}", "null"))
        });
        let c = client(&mock);
        let bearer = |m: &Mock| m.requests.borrow().last().unwrap().header_value("authorization").unwrap().to_string();
        request(&c, json!({"path": "/device"})).unwrap();
        request(&c, json!({"path": "/device"})).unwrap();
        assert_eq!((issued.get(), bearer(&mock).as_str()), (1, "Bearer jwt1"));
        // Within 60 s of its expiry the token is renewed before the call.
        mock.advance(3_545_000.0);
        call(&c, GET, ID).unwrap();
        assert_eq!((issued.get(), bearer(&mock).as_str()), (2, "Bearer jwt2"));
        // A 401: a new token and one resend.
        refuse.set(1);
        request(&c, json!({"method": "PUT", "path": "/device", "body": {}})).unwrap();
        assert_eq!((issued.get(), bearer(&mock).as_str()), (3, "Bearer jwt3"));
        // Refused again after the renewal: the 401 is the answer, sent no more than twice.
        refuse.set(5);
        let before = mock.requests.borrow().len();
        let err = request(&c, json!({"path": "/device"})).unwrap_err();
        assert_eq!((err.status(), err.to_string().as_str()), (Some(401), "Unauthorized"));
        assert_eq!(mock.requests.borrow().len() - before, 3); // call, token, resend
        assert_eq!(issued.get(), 4);
    }
}
