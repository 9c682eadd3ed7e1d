//! Particle Device Cloud: the password grant and the device calls of particle-api-js, with its
//! `{body, statusCode}` results. Tokens go in the `Authorization` header only: accounts made since
//! December 2024 refuse them in query strings and form bodies.

use super::{Client, Sent};
use crate::auth::is_token;
use crate::error::Error;
use crate::http::{encode, Body, Core, Request, Response, Transport};
use crate::ops::{particle::OPS, row, Call, Op};
use std::cell::RefCell;
pub const DEFAULT_BASE_URL: &str = "https://api.particle.io";
/// The OAuth client particle-api-js logs in with.
pub const DEFAULT_CLIENT: &str = "particle-api";

pub struct Particle<T> {
    core: Core<T>,
    base_url: String,
    client_id: String,
    client_secret: String,
    default_auth: RefCell<Option<String>>,
}

/// What `login` sends besides username and password.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoginOptions {
    /// Seconds the token lives; 0 = never expires. The server's default is 90 days.
    pub token_duration: Option<u32>,
}

impl<T: Transport> Particle<T> {
    pub fn new(core: Core<T>, base_url: String, client: Option<(String, String)>, auth: Option<String>) -> Self {
        let (client_id, client_secret) = client.unwrap_or_else(|| (DEFAULT_CLIENT.into(), DEFAULT_CLIENT.into()));
        Particle { core, base_url, client_id, client_secret, default_auth: RefCell::new(auth) }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token used when a call passes no `auth`.
    pub fn set_default_auth(&self, auth: Option<String>) {
        *self.default_auth.borrow_mut() = auth;
    }

    /// `POST /oauth/token` with the password grant (form-encoded, client by HTTP Basic). The first
    /// successful login also becomes the default `auth` when none was set.
    pub async fn login(&self, username: &str, password: &str, opts: &LoginOptions) -> Result<Response<T::Body>, Error> {
        if username.trim().is_empty() || password.is_empty() {
            return Err(Error::invalid("login needs a non-empty username and password"));
        }
        let duration = opts.token_duration.map(|d| encode::num(d.into()));
        let mut fields = vec![("grant_type", "password"), ("username", username), ("password", password)];
        if let Some(d) = &duration {
            fields.push(("expires_in", d));
        }
        let req = Request::post(encode::cat(&[&self.base_url, "/oauth/token"]))
            .header("Authorization", encode::basic_auth(&self.client_id, &self.client_secret))
            .form(&fields)
            .credentials();
        let resp = self.core.send_ok(&req, &[503]).await?;
        let token = resp.body.str_at("access_token").filter(|t| is_token(t));
        let token = token.ok_or_else(|| Error::InvalidResponse("login answer has no usable access_token".into()))?;
        let mut auth = self.default_auth.borrow_mut();
        if auth.is_none() {
            *auth = Some(token);
        }
        drop(auth);
        Ok(resp)
    }

    /// The token of a call: its own `auth` (checked non-empty by the row), else the default one.
    fn token(&self, auth: &Option<String>) -> Result<String, Error> {
        match auth {
            Some(a) => Ok(a.clone()),
            None => self.default_auth.borrow().clone().ok_or_else(|| {
                Error::invalid("no access token: pass { auth }, log in first, or give `auth` to the constructor")
            }),
        }
    }
}

/// The device calls of [`OPS`](crate::ops::particle::OPS), sent with the call's `auth` or the default token.
impl<T: Transport> Client<T::Body> for Particle<T> {
    fn op(&self, index: usize) -> Option<Op> {
        row(OPS, index)
    }
    fn dispatch<'a>(&'a self, _op: &'a Op, call: &'a Call) -> Sent<'a, T::Body> {
        Box::pin(async move {
            let req = call.request(&self.base_url, &self.token(&call.token)?, None, false);
            self.core.send_ok(&req, &[]).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::mock::{reply, Mock};
    use crate::http::retry::RetryPolicy;
    use crate::http::{Method, Payload, Shape};
    use crate::vendors::run;
    use futures_executor::block_on;
    use serde_json::{json, Value};
    use std::rc::Rc;

    const LIST: usize = 0;
    const DEVICE: usize = 1;
    const VARIABLE: usize = 16;
    const FUNCTION: usize = 21;

    fn client(mock: &Rc<Mock>) -> Particle<Rc<Mock>> {
        Particle::new(Core::new(mock.clone(), RetryPolicy::default()), "https://p.test".into(), None, None)
    }

    fn call(p: &Particle<Rc<Mock>>, op: usize, opts: Value) -> Result<Response<Value>, Error> {
        run(p, op, "particle.test", &[opts])
    }

    #[test]
    fn login_is_a_form_encoded_password_grant_with_basic_client_auth() {
        let mock = Mock::new(|req, _| match req.url.ends_with("/oauth/token") {
            true => reply(200, r#"{"token_type":"bearer","access_token":"pt","expires_in":7776000}"#),
            false => reply(200, "[]"),
        });
        let p = client(&mock);
        let resp =
            block_on(p.login("joe@example.com", "Super Secret", &LoginOptions { token_duration: Some(3600) })).unwrap();
        assert_eq!((resp.status, resp.body["access_token"].as_str()), (200, Some("pt")));
        let req = mock.requests.borrow()[0].clone();
        assert_eq!(req.url, "https://p.test/oauth/token");
        assert_eq!(req.header_value("authorization"), Some("Basic cGFydGljbGUtYXBpOnBhcnRpY2xlLWFwaQ=="));
        assert_eq!(
            req.body.as_deref(),
            Some("grant_type=password&username=joe%40example.com&password=Super+Secret&expires_in=3600")
        );
        // The token became the default auth.
        call(&p, LIST, json!({})).unwrap();
        assert_eq!(mock.requests.borrow()[1].header_value("authorization"), Some("Bearer pt"));
    }

    #[test]
    fn calls_need_a_token_and_send_it_in_the_header_only() {
        let mock = Mock::new(|_, _| reply(200, r#"{"id":"d1","name":"led","connected":true,"return_value":1}"#));
        let p = client(&mock);
        assert!(matches!(call(&p, LIST, Value::Null), Err(Error::InvalidArgument(_))));
        assert!(mock.requests.borrow().is_empty());
        let opts = json!({"deviceId": "d1", "name": "led", "argument": "on \"now\"", "auth": "tk"});
        let resp = call(&p, FUNCTION, opts).unwrap();
        assert_eq!(resp.body["return_value"], 1);
        let req = mock.requests.borrow()[0].clone();
        assert_eq!(req.url, "https://p.test/v1/devices/d1/led");
        assert_eq!(req.payload, Some(Payload::Object(vec![("arg", r#""on \"now\"""#.into())])));
        assert_eq!(req.header_value("content-type"), Some("application/json"));
        assert_eq!(req.header_value("authorization"), Some("Bearer tk"));
        assert!(!req.url.contains("tk"));
    }

    #[test]
    fn an_offline_device_answers_408_and_is_not_retried() {
        let mock = Mock::new(|_, _| reply(408, r#"{"ok":false,"error":"timed out"}"#));
        let p = client(&mock);
        let err = call(&p, VARIABLE, json!({"deviceId": "d1", "name": "temp", "auth": "tk"})).unwrap_err();
        assert_eq!((err.status(), err.to_string().as_str()), (Some(408), "timed out"));
        assert_eq!(mock.requests.borrow().len(), 1);
        assert!(mock.slept.borrow().is_empty());
    }

    #[test]
    fn bad_ids_and_names_are_refused_before_sending() {
        let mock = Mock::new(|_, _| reply(200, "{}"));
        let p = client(&mock);
        for (id, name) in [("", "x"), ("a/b", "x"), ("d", ""), ("d", "x?y"), ("d", "x#y")] {
            let opts = json!({"deviceId": id, "name": name, "auth": "tk"});
            assert!(matches!(call(&p, VARIABLE, opts), Err(Error::InvalidArgument(_))));
        }
        assert!(mock.requests.borrow().is_empty());
    }

    #[test]
    fn every_row_sends_its_documented_request() {
        let mock = Mock::new(|req, _| reply(200, if req.url.ends_with("/devices") { "[]" } else { r#"{"id":"d1"}"# }));
        let p = Particle::new(
            Core::new(mock.clone(), RetryPolicy::default()),
            "https://p.test".into(),
            None,
            Some("dflt".into()),
        );
        assert_eq!(call(&p, LIST, Value::Null).unwrap().status, 200);
        call(&p, DEVICE, json!({"deviceId": "d 1"})).unwrap();
        call(&p, VARIABLE, json!({"deviceId": "d1", "name": "temp", "auth": "own"})).unwrap();
        call(&p, FUNCTION, json!({"deviceId": "d1", "name": "led"})).unwrap();
        let reqs = mock.requests.borrow();
        let got: Vec<_> =
            reqs.iter().map(|r| (r.method, r.url.as_str(), r.header_value("authorization"), r.expect)).collect();
        assert_eq!(
            got,
            vec![
                (Method::Get, "https://p.test/v1/devices", Some("Bearer dflt"), Shape::Any),
                (Method::Get, "https://p.test/v1/devices/d%201", Some("Bearer dflt"), Shape::Any),
                (Method::Get, "https://p.test/v1/devices/d1/temp", Some("Bearer own"), Shape::Any),
                (Method::Post, "https://p.test/v1/devices/d1/led", Some("Bearer dflt"), Shape::Any),
            ]
        );
        assert!(reqs[..3].iter().all(|r| r.payload.is_none() && r.header_value("content-type").is_none()));
        // No argument: an empty object, as JSON.stringify({arg: undefined}) gives.
        assert_eq!(reqs[3].payload, Some(Payload::Object(vec![])));
        drop(reqs);
        // Required keys, types and an empty token are refused before sending.
        for (op, opts) in [
            (DEVICE, json!({})),
            (DEVICE, Value::Null),
            (VARIABLE, json!({"deviceId": "d1"})),
            (FUNCTION, json!({"deviceId": "d1", "name": "led", "argument": 5})),
            (LIST, json!({"auth": 42})),
            (LIST, json!({"auth": ""})),
            (LIST, json!("token")),
        ] {
            assert!(matches!(call(&p, op, opts.clone()), Err(Error::InvalidArgument(_))), "{opts}");
        }
        assert_eq!(mock.requests.borrow().len(), 4);
    }
}
