//! Particle Device Cloud: the password grant and the device calls of particle-api-js, with its
//! `{body, statusCode}` results. Tokens go in the `Authorization` header only: accounts made since
//! December 2024 refuse them in query strings and form bodies.

use super::segment;
use crate::auth::is_token;
use crate::error::Error;
use crate::http::{encode, Body, Core, Request, Response, Shape, Transport};
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
        let duration = opts.token_duration.map(|d| d.to_string());
        let mut fields = vec![("grant_type", "password"), ("username", username), ("password", password)];
        if let Some(d) = &duration {
            fields.push(("expires_in", d));
        }
        let req = Request::post(format!("{}/oauth/token", self.base_url))
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

    /// `GET /v1/devices`.
    pub fn list_devices(&self) -> Request {
        Request::get(format!("{}/v1/devices", self.base_url)).returns(Shape::Array)
    }

    /// `GET /v1/devices/:id`.
    pub fn get_device(&self, device_id: &str) -> Result<Request, Error> {
        let id = segment("deviceId", device_id)?;
        Ok(Request::get(format!("{}/v1/devices/{id}", self.base_url)).returns(Shape::Object))
    }

    /// `GET /v1/devices/:id/:name`: `{name, result, coreInfo}`. An offline device answers 408.
    pub fn get_variable(&self, device_id: &str, name: &str) -> Result<Request, Error> {
        Ok(Request::get(self.device_member(device_id, name)?).returns(Shape::Object))
    }

    /// `POST /v1/devices/:id/:name` with `{"arg": argument}`: `{id, name, connected, return_value}`.
    pub fn call_function(&self, device_id: &str, name: &str, argument: &str) -> Result<Request, Error> {
        let body = format!("{{\"arg\":{}}}", encode::json_string(argument));
        Ok(Request::post(self.device_member(device_id, name)?).json(body).returns(Shape::Object))
    }

    fn device_member(&self, device_id: &str, name: &str) -> Result<String, Error> {
        let id = segment("deviceId", device_id)?;
        let name = segment("name", name)?;
        Ok(format!("{}/v1/devices/{id}/{name}", self.base_url))
    }

    /// Sends a request built by one of the methods above with the token `auth`, or the default one.
    /// Building is separate from sending so that every call shares one sending path.
    pub async fn send(&self, req: Request, auth: Option<&str>) -> Result<Response<T::Body>, Error> {
        let token = match auth {
            Some(a) if !a.is_empty() => a.to_string(),
            Some(_) => return Err(Error::invalid("auth must be a non-empty access token")),
            None => self.default_auth.borrow().clone().ok_or_else(|| {
                Error::invalid("no access token: pass { auth }, log in first, or give `auth` to the constructor")
            })?,
        };
        let req = req.bearer(&token).header("Accept", "application/json");
        self.core.send_ok(&req, &[]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::mock::{reply, Mock};
    use crate::http::retry::RetryPolicy;
    use futures_executor::block_on;
    use std::rc::Rc;

    fn client(mock: &Rc<Mock>) -> Particle<Rc<Mock>> {
        Particle::new(Core::new(mock.clone(), RetryPolicy::default()), "https://p.test".into(), None, None)
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
        block_on(p.send(p.list_devices(), None)).unwrap();
        assert_eq!(mock.requests.borrow()[1].header_value("authorization"), Some("Bearer pt"));
    }

    #[test]
    fn calls_need_a_token_and_send_it_in_the_header_only() {
        let mock = Mock::new(|_, _| reply(200, r#"{"id":"d1","name":"led","connected":true,"return_value":1}"#));
        let p = client(&mock);
        assert!(matches!(block_on(p.send(p.list_devices(), None)), Err(Error::InvalidArgument(_))));
        assert!(mock.requests.borrow().is_empty());
        let resp = block_on(p.send(p.call_function("d1", "led", "on \"now\"").unwrap(), Some("tk"))).unwrap();
        assert_eq!(resp.body["return_value"], 1);
        let req = mock.requests.borrow()[0].clone();
        assert_eq!(req.url, "https://p.test/v1/devices/d1/led");
        assert_eq!(req.body.as_deref(), Some(r#"{"arg":"on \"now\""}"#));
        assert_eq!(req.header_value("authorization"), Some("Bearer tk"));
        assert!(!req.url.contains("tk"));
    }

    #[test]
    fn an_offline_device_answers_408_and_is_not_retried() {
        let mock = Mock::new(|_, _| reply(408, r#"{"ok":false,"error":"timed out"}"#));
        let p = client(&mock);
        let err = block_on(p.send(p.get_variable("d1", "temp").unwrap(), Some("tk"))).unwrap_err();
        assert_eq!((err.status(), err.to_string().as_str()), (Some(408), "timed out"));
        assert_eq!(mock.requests.borrow().len(), 1);
        assert!(mock.slept.borrow().is_empty());
    }

    #[test]
    fn bad_ids_and_names_are_refused_before_sending() {
        let mock = Mock::new(|_, _| reply(200, "{}"));
        let p = client(&mock);
        for (id, name) in [("", "x"), ("a/b", "x"), ("d", ""), ("d", "x?y"), ("d", "x#y")] {
            assert!(matches!(p.get_variable(id, name), Err(Error::InvalidArgument(_))));
        }
        assert!(mock.requests.borrow().is_empty());
    }
}
