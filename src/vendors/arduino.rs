//! Arduino IoT Cloud: client-credentials tokens (300 s) and the `/iot/v2` API.

use crate::prelude::*;

use super::{Client, ClientConfig, Sent};
use crate::auth::{ClientCredentials, Session};
use crate::error::Error;
use crate::http::{Request, Response, Transport};
use crate::ops::arduino::OPS;
use crate::ops::{prepare, row, Arg, Call, Op, ORG};

pub const DEFAULT_BASE_URL: &str = "https://api2.arduino.cc";
pub const AUDIENCE: &str = "https://api2.arduino.cc/iot";

/// The token request of `POST /iot/v1/clients/token`: a form with the client's id, secret and `audience`,
/// and `organization_id` for a token scoped to an organization.
fn token_request(c: &ClientCredentials) -> Request {
    let org = c.scope.as_deref().unwrap_or_default();
    let fields = [
        ("grant_type", "client_credentials"),
        ("client_id", c.client_id.as_str()),
        ("client_secret", c.client_secret.as_str()),
        ("audience", AUDIENCE),
        ("organization_id", org),
    ];
    // (`organization_id`, the last, only for a token scoped to an organization.)
    let n = if c.scope.is_some() { 5 } else { 4 };
    Request::post(&c.token_url).form(fields.get(..n).unwrap_or_default())
}

pub struct Arduino<T> {
    session: Session<T>,
    base_url: String,
    organization: Option<String>,
    /// Headers sent with every call (the `IotApi` `defaultHeaders`).
    pub default_headers: Vec<(String, String)>,
}

impl<T: Transport> Arduino<T> {
    /// `base_url` is checked by the caller (`encode::base_url`); give credentials, a token, or both. With
    /// `scoped_token`, tokens are asked for the organization (`organization_id` in the token form).
    pub fn new(
        config: ClientConfig<T>,
        base_url: String,
        credentials: Option<(String, String)>,
        access_token: Option<String>,
        organization: Option<String>,
        scoped_token: bool,
    ) -> Self {
        let scope = organization.clone().filter(|_| scoped_token);
        let login = ClientCredentials::boxed(&base_url, "/iot/v1/clients/token", credentials, scope, token_request);
        Arduino {
            session: Session::new(config.core(), login, access_token),
            base_url,
            organization,
            default_headers: Vec::new(),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn organization(&self) -> Option<&str> {
        self.organization.as_deref()
    }

    /// Sends a call prepared from one of [`OPS`](crate::ops::arduino::OPS) with the token, and the client's
    /// organization where the operation takes one and the call names none. A 401 gets one new token and
    /// one resend; a non-success status is an error.
    pub async fn send(&self, op: &Op, call: &Call) -> Result<Response<T::Body>, Error> {
        let org = op.flags & ORG != 0;
        let default_org = self.organization.as_deref();
        self.session
            .send_checked(&|token| {
                let mut req = call.request(&self.base_url, token, default_org, org);
                // The call's own headers win over the defaults, as in the official client.
                let mut own = core::mem::take(&mut req.extra);
                for (k, v) in &self.default_headers {
                    if !req.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k)) {
                        req.extra.push((k.clone(), v.clone()));
                    }
                }
                req.extra.append(&mut own);
                req
            })
            .await
    }

    /// Prepares and sends operation `index` of the table with `args` (see [`crate::ops::prepare`]); the body
    /// of the answer.
    pub async fn call<A: Arg>(&self, index: usize, ctx: &str, args: &[A]) -> Result<T::Body, Error> {
        let op = row(OPS, index).ok_or_else(|| Error::invalid("no such operation"))?;
        let call = prepare(&op, ctx, args, "organization")?;
        Ok(self.send(&op, &call).await?.body)
    }
}

impl<T: Transport> Client<T::Body> for Arduino<T> {
    fn spacing(&self) -> &core::cell::Cell<f64> {
        &self.session.core.spacing
    }
    fn op(&self, index: usize) -> Option<Op> {
        row(OPS, index)
    }
    fn dispatch<'a>(&'a self, _index: usize, op: &'a Op, call: &'a Call) -> Sent<'a, T::Body> {
        Box::pin(self.send(op, call))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::mock::{reply, Mock};
    use crate::http::retry::RetryPolicy;
    use alloc::rc::Rc;
    use futures_executor::block_on;
    use serde_json::{json, Value};

    fn index(route: &str) -> usize {
        OPS.split('\n').position(|line| line.split('|').next() == Some(route)).expect("a row of the table")
    }

    fn things(c: &Arduino<Rc<Mock>>, opts: Value) -> Result<Value, Error> {
        block_on(c.call(index("GET /iot/v2/things"), "arduino.things.list", &[opts]))
    }

    fn client(mock: &Rc<Mock>) -> Arduino<Rc<Mock>> {
        Arduino::new(
            ClientConfig { transport: mock.clone(), retry: RetryPolicy::default() },
            "https://api.test".into(),
            Some(("id-1".into(), "s3cret".into())),
            None,
            Some("org-1".into()),
            false,
        )
    }

    fn token_then(
        status: u16,
        body: &'static str,
    ) -> impl FnMut(&Request, f64) -> Result<crate::http::Response<serde_json::Value>, Error> {
        move |req, _| {
            if req.url.ends_with("/clients/token") {
                reply(200, r#"{"access_token":"tok","expires_in":300,"token_type":"Bearer"}"#)
            } else {
                reply(status, body)
            }
        }
    }

    #[test]
    fn default_headers_go_first_unless_a_header_of_the_call_has_their_name() {
        let mock = Mock::new(token_then(200, "[]"));
        let mut c = client(&mock);
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        c.default_headers = vec![pair("X-Default", "1"), pair("authorization", "Bearer no"), pair("X-Two", "2")];
        things(&c, Value::Null).unwrap();
        let reqs = mock.requests.borrow();
        assert_eq!(reqs[1].extra, vec![pair("X-Default", "1"), pair("X-Two", "2")]);
        assert_eq!(reqs[1].header_value("authorization"), Some("Bearer tok"));
        // The token request is not a call: no default headers.
        assert!(reqs[0].extra.is_empty());
    }

    /// The form a request sends (`URLSearchParams` at the edge), URL-encoded.
    fn form_body(req: &Request) -> String {
        let Some(crate::http::Payload::Form(fields)) = &req.payload else { panic!("not a form") };
        // (A field's value is its text in native builds, a JS string in wasm.)
        #[cfg(target_arch = "wasm32")]
        let text = |v: &crate::http::Value| v.as_string().unwrap_or_default();
        #[cfg(not(target_arch = "wasm32"))]
        let text = |v: &crate::http::Value| v.clone();
        let fields: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, text(v))).collect();
        crate::http::encode::form(&fields.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())
    }

    #[test]
    fn token_request_is_the_documented_form() {
        let mock = Mock::new(token_then(200, "[]"));
        things(&client(&mock), Value::Null).unwrap();
        let reqs = mock.requests.borrow();
        assert_eq!(reqs[0].url, "https://api.test/iot/v1/clients/token");
        assert_eq!(reqs[0].header_value("content-type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(
            form_body(&reqs[0]),
            "grant_type=client_credentials&client_id=id-1&client_secret=s3cret&audience=https%3A%2F%2Fapi2.arduino.cc%2Fiot"
        );
    }

    #[test]
    fn a_token_scoped_to_the_organization_names_it_in_the_token_form() {
        let mock = Mock::new(token_then(200, "[]"));
        let c = Arduino::new(
            ClientConfig { transport: mock.clone(), retry: RetryPolicy::default() },
            "https://api.test".into(),
            Some(("id-1".into(), "s3cret".into())),
            None,
            Some("org 1".into()),
            true,
        );
        things(&c, Value::Null).unwrap();
        let body = form_body(&mock.requests.borrow()[0]);
        assert!(body.ends_with("&audience=https%3A%2F%2Fapi2.arduino.cc%2Fiot&organization_id=org+1"), "{body}");
        assert_eq!(mock.requests.borrow()[1].header_value("x-organization"), Some("org 1"));
    }

    #[test]
    fn things_list_sends_snake_case_query_and_organization() {
        let mock = Mock::new(token_then(200, r#"[{"id":"t1"}]"#));
        let opts = json!({"showDeleted": true, "ids": ["a", "b c"], "tags": ["room:kitchen"]});
        let body = things(&client(&mock), opts).unwrap();
        assert_eq!(body[0]["id"], "t1");
        let reqs = mock.requests.borrow();
        assert_eq!(reqs[1].url, "https://api.test/iot/v2/things?ids=a&ids=b%20c&show_deleted=true&tags=room%3Akitchen");
        assert_eq!(reqs[1].header_value("authorization"), Some("Bearer tok"));
        assert_eq!(reqs[1].header_value("x-organization"), Some("org-1"));
    }

    #[test]
    fn properties_list_encodes_the_thing_id_and_checks_it_first() {
        let mock = Mock::new(token_then(200, "[]"));
        let c = client(&mock);
        let props = index("GET /iot/v2/things/{id}/properties");
        let list = |args: &[Value]| block_on(c.call(props, "arduino.properties.list", args));
        list(&[json!("th 1"), json!({"showDeleted": true, "organization": "org-2"})]).unwrap();
        let url = mock.requests.borrow()[1].url.clone();
        assert_eq!(url, "https://api.test/iot/v2/things/th%201/properties?show_deleted=true");
        assert_eq!(mock.requests.borrow()[1].header_value("x-organization"), Some("org-2"));
        let before = mock.requests.borrow().len();
        for bad in [json!("a/b"), json!("x?y"), json!("#"), json!(""), json!(7), Value::Null] {
            let err = list(&[bad]).unwrap_err();
            assert!(
                matches!(err, Error::InvalidArgument(ref m) if m.contains("arduino.properties.list") && m.contains("id")),
                "{err}"
            );
        }
        assert_eq!(mock.requests.borrow().len(), before, "no request for bad input");
    }

    #[test]
    fn tokens_are_reused_then_refreshed_before_expiry() {
        let mock = Mock::new(token_then(200, "[]"));
        let c = client(&mock);
        let list = || things(&c, Value::Null).unwrap();
        list();
        list();
        assert_eq!(mock.count("/clients/token"), 1);
        mock.advance(269_000.0);
        list();
        assert_eq!(mock.count("/clients/token"), 1);
        mock.advance(2_000.0); // inside the 30 s margin of the 300 s token
        list();
        assert_eq!(mock.count("/clients/token"), 2);
    }

    #[test]
    fn a_401_gets_a_new_token_and_one_retry_only() {
        let mock =
            Mock::new(token_then(401, r#"{"id":"x","code":"unauthorized","status":401,"detail":"invalid token"}"#));
        let err = things(&client(&mock), Value::Null).unwrap_err();
        assert_eq!((err.status(), err.code(), err.to_string().as_str()), (Some(401), "unauthorized", "invalid token"));
        assert_eq!(mock.count("/clients/token"), 2);
        assert_eq!(mock.count("/iot/v2/things"), 2);
    }

    #[test]
    fn a_ready_token_is_used_without_login_and_a_401_is_final() {
        let mock = Mock::new(token_then(401, r#"{"code":"unauthorized","detail":"expired"}"#));
        let c = Arduino::new(
            ClientConfig { transport: mock.clone(), retry: RetryPolicy::default() },
            "https://api.test".into(),
            None,
            Some("given".into()),
            None,
            false,
        );
        let err = things(&c, Value::Null).unwrap_err();
        assert_eq!(err.status(), Some(401));
        assert_eq!(mock.count("/clients/token"), 0);
        assert_eq!(mock.requests.borrow().len(), 1);
        assert_eq!(mock.requests.borrow()[0].header_value("authorization"), Some("Bearer given"));
    }

    #[test]
    fn header_breaking_tokens_are_refused_before_sending_and_not_echoed() {
        let mock = Mock::new(token_then(200, "[]"));
        let c = Arduino::new(
            ClientConfig { transport: mock.clone(), retry: RetryPolicy::default() },
            "https://api.test".into(),
            None,
            Some("s3cr3t\r\nX-Evil: 1".into()),
            None,
            false,
        );
        let err = things(&c, Value::Null).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(ref m) if m.contains("Authorization")), "{err}");
        assert!(!err.to_string().contains("s3cr3t"));
        assert!(mock.requests.borrow().is_empty());
    }

    #[test]
    fn wrong_credentials_surface_the_token_endpoints_error() {
        let mock = Mock::new(|_, _| {
            reply(401, r#"{"error":"invalid_client","error_description":"Invalid client credentials"}"#)
        });
        let err = things(&client(&mock), Value::Null).unwrap_err();
        assert_eq!((err.code(), err.to_string().as_str()), ("invalid_client", "Invalid client credentials"));
        assert!(!format!("{err:?}").contains("s3cret"));
    }

    #[test]
    fn rate_limits_are_waited_out() {
        let mut calls = 0;
        let mock = Mock::new(move |req, _| {
            if req.url.ends_with("/clients/token") {
                return reply(200, r#"{"access_token":"tok","expires_in":300}"#);
            }
            calls += 1;
            let mut r =
                if calls < 3 { reply(429, "You have reached maximum request limit.") } else { reply(200, "[]") }?;
            if calls == 1 {
                r.retry_after_ms = Some(2_000.0);
            }
            Ok(r)
        });
        things(&client(&mock), Value::Null).unwrap();
        assert_eq!(*mock.slept.borrow(), vec![2_000.0, 750.0]);
    }
}
