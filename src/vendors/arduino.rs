//! Arduino IoT Cloud: client-credentials tokens (300 s) and the `/iot/v2` API.

use super::{push_bool, segment, ClientConfig};
use crate::auth::{ClientCredentials, Login, Session};
use crate::error::Error;
use crate::http::{Request, Shape, Transport};

pub const DEFAULT_BASE_URL: &str = "https://api2.arduino.cc";
pub const AUDIENCE: &str = "https://api2.arduino.cc/iot";

/// The token request of `POST /iot/v1/clients/token`: a form with the client's id, secret and `audience`.
fn token_request(c: &ClientCredentials, _random: f64) -> Request {
    Request::post(&c.token_url).form(&[
        ("grant_type", "client_credentials"),
        ("client_id", &c.client_id),
        ("client_secret", &c.client_secret),
        ("audience", AUDIENCE),
    ])
}

pub struct Arduino<T> {
    session: Session<T>,
    base_url: String,
    organization: Option<String>,
}

impl<T: Transport> Arduino<T> {
    /// `base_url` is checked by the caller (`encode::base_url`); give credentials, a token, or both.
    pub fn new(
        config: ClientConfig<T>,
        base_url: String,
        credentials: Option<(String, String)>,
        access_token: Option<String>,
        organization: Option<String>,
    ) -> Self {
        let login = credentials.map(|(client_id, client_secret)| -> Box<dyn Login<T>> {
            Box::new(ClientCredentials {
                token_url: format!("{base_url}/iot/v1/clients/token"),
                client_id,
                client_secret,
                request: token_request,
            })
        });
        Arduino { session: Session::new(config.core(), login, access_token), base_url, organization }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn organization(&self) -> Option<&str> {
        self.organization.as_deref()
    }

    pub fn things(&self) -> Things<'_, T> {
        Things { client: self }
    }

    pub fn properties(&self) -> Properties<'_, T> {
        Properties { client: self }
    }

    /// `GET {base}{path}` of a list (a JSON array) with the token, the media type the API answers with, and
    /// `X-Organization` (`organization` overrides the client's).
    async fn get(&self, path: &str, accept: &str, organization: Option<&str>) -> Result<T::Body, Error> {
        let url = format!("{}{}", self.base_url, path);
        let org = organization.or(self.organization.as_deref());
        self.session
            .send_ok(&|token| {
                let mut req = Request::get(&url).bearer(token).header("Accept", accept).returns(Shape::Array);
                if let Some(org) = org {
                    req = req.header("X-Organization", org);
                }
                req
            })
            .await
    }
}

/// Query options of `GET /iot/v2/things` (`things_v2#list`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ThingsListOptions {
    pub across_user_ids: Option<bool>,
    pub device_id: Option<String>,
    pub ids: Vec<String>,
    pub show_deleted: Option<bool>,
    pub show_properties: Option<bool>,
    pub tags: Vec<String>,
    pub organization: Option<String>,
}

pub struct Things<'a, T> {
    client: &'a Arduino<T>,
}

impl<T: Transport> Things<'_, T> {
    /// The things of the account (or of the organization), as the API's JSON array.
    pub async fn list(&self, opts: &ThingsListOptions) -> Result<T::Body, Error> {
        let mut q = Vec::new();
        push_bool(&mut q, "across_user_ids", opts.across_user_ids);
        if let Some(d) = &opts.device_id {
            q.push(("device_id", d.clone()));
        }
        q.extend(opts.ids.iter().map(|id| ("ids", id.clone())));
        push_bool(&mut q, "show_deleted", opts.show_deleted);
        push_bool(&mut q, "show_properties", opts.show_properties);
        q.extend(opts.tags.iter().map(|t| ("tags", t.clone())));
        let path = format!("/iot/v2/things{}", crate::http::encode::query(&q));
        self.client
            .get(&path, "application/vnd.arduino.thing+json; type=collection", opts.organization.as_deref())
            .await
    }
}

pub struct Properties<'a, T> {
    client: &'a Arduino<T>,
}

impl<T: Transport> Properties<'_, T> {
    /// `GET /iot/v2/things/{id}/properties` (`properties_v2#list`).
    pub async fn list(
        &self,
        thing_id: &str,
        show_deleted: Option<bool>,
        organization: Option<&str>,
    ) -> Result<T::Body, Error> {
        let id = segment("thingId", thing_id)?;
        let mut q = Vec::new();
        push_bool(&mut q, "show_deleted", show_deleted);
        let path = format!("/iot/v2/things/{id}/properties{}", crate::http::encode::query(&q));
        self.client.get(&path, "application/vnd.arduino.property+json; type=collection", organization).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::mock::{reply, Mock};
    use crate::http::retry::RetryPolicy;
    use futures_executor::block_on;
    use std::rc::Rc;

    fn client(mock: &Rc<Mock>) -> Arduino<Rc<Mock>> {
        Arduino::new(
            ClientConfig { transport: mock.clone(), retry: RetryPolicy::default() },
            "https://api.test".into(),
            Some(("id-1".into(), "s3cret".into())),
            None,
            Some("org-1".into()),
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
    fn token_request_is_the_documented_form() {
        let mock = Mock::new(token_then(200, "[]"));
        block_on(client(&mock).things().list(&ThingsListOptions::default())).unwrap();
        let reqs = mock.requests.borrow();
        assert_eq!(reqs[0].url, "https://api.test/iot/v1/clients/token");
        assert_eq!(reqs[0].header_value("content-type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(
            reqs[0].body.as_deref(),
            Some("grant_type=client_credentials&client_id=id-1&client_secret=s3cret&audience=https%3A%2F%2Fapi2.arduino.cc%2Fiot")
        );
    }

    #[test]
    fn things_list_sends_snake_case_query_and_organization() {
        let mock = Mock::new(token_then(200, r#"[{"id":"t1"}]"#));
        let opts = ThingsListOptions {
            show_deleted: Some(true),
            ids: vec!["a".into(), "b c".into()],
            tags: vec!["room:kitchen".into()],
            ..Default::default()
        };
        let body = block_on(client(&mock).things().list(&opts)).unwrap();
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
        block_on(c.properties().list("th 1", Some(true), Some("org-2"))).unwrap();
        let url = mock.requests.borrow()[1].url.clone();
        assert_eq!(url, "https://api.test/iot/v2/things/th%201/properties?show_deleted=true");
        assert_eq!(mock.requests.borrow()[1].header_value("x-organization"), Some("org-2"));
        let before = mock.requests.borrow().len();
        let err = block_on(c.properties().list("a/b", None, None)).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)));
        assert_eq!(mock.requests.borrow().len(), before, "no request for bad input");
    }

    #[test]
    fn tokens_are_reused_then_refreshed_before_expiry() {
        let mock = Mock::new(token_then(200, "[]"));
        let c = client(&mock);
        let list = || block_on(c.things().list(&ThingsListOptions::default())).unwrap();
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
        let err = block_on(client(&mock).things().list(&ThingsListOptions::default())).unwrap_err();
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
        );
        let err = block_on(c.things().list(&ThingsListOptions::default())).unwrap_err();
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
        );
        let err = block_on(c.things().list(&ThingsListOptions::default())).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(ref m) if m.contains("Authorization")), "{err}");
        assert!(!err.to_string().contains("s3cr3t"));
        assert!(mock.requests.borrow().is_empty());
    }

    #[test]
    fn wrong_credentials_surface_the_token_endpoints_error() {
        let mock = Mock::new(|_, _| {
            reply(401, r#"{"error":"invalid_client","error_description":"Invalid client credentials"}"#)
        });
        let err = block_on(client(&mock).things().list(&ThingsListOptions::default())).unwrap_err();
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
        block_on(client(&mock).things().list(&ThingsListOptions::default())).unwrap();
        assert_eq!(*mock.slept.borrow(), vec![2_000.0, 750.0]);
    }
}
