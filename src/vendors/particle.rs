//! Particle Device Cloud: the login flows and token calls of particle-api-js, and its device calls, with
//! its `{body, statusCode}` results. Tokens go in the `Authorization` header only: accounts made since
//! December 2024 refuse them in query strings and form bodies.

use crate::prelude::*;

use super::{Client, Sent};
use crate::auth::{is_token, ClientCredentials, Session};
use crate::error::Error;
use crate::http::{encode, text, Body, Core, Payload, Request, Response, Transport};
use crate::ops::{self, particle::OPS, row, Arg, Call, Op};
use core::cell::RefCell;
pub const DEFAULT_BASE_URL: &str = "https://api.particle.io";
/// The OAuth client particle-api-js logs in with.
pub const DEFAULT_CLIENT: &str = "particle-api";
/// particle-api-js's default `tokenDuration`: 90 days.
pub const DEFAULT_TOKEN_DURATION: &str = "7776000";

pub struct Particle<T> {
    /// The transport, and the client-credentials token when the client renews one (`useClientCredentials`).
    session: Session<T>,
    client_credentials: bool,
    base_url: String,
    client_id: String,
    client_secret: String,
    token_duration: String,
    default_auth: RefCell<Option<String>>,
}

// ---------------------------------------------------------------------------------------------------------
// The login and token calls. Each is a row in the grammar of `crate::ops` (prepared by the same `prepare`),
// plus what no row says: the grant's form fields in particle-api-js's order, options read by hand, and
// how the call authenticates.

/// (`0`: no bearer token; the OAuth client in the form authenticates: token grants, `createCustomer`.)
/// The client's default token when there is one, as particle-api-js sends it; none otherwise.
const ANY_TOKEN: u8 = b'1';
/// The call's `auth`, else the client's token (default or client credentials); required.
const USER_TOKEN: u8 = b'2';

/// One login-family call of particle-api-js (or one it lacks: customer tokens, the refresh grant).
#[derive(Clone, Copy)]
pub struct Flow {
    pub op: Op,
    /// How the call authenticates: `0` (no token), [`ANY_TOKEN`] or [`USER_TOKEN`].
    auth: u8,
    /// For token grants, the `grant_type` and whether it comes before the row's form fields (see
    /// [`GRANTS`]).
    pub grant: Option<(&'static str, bool)>,
}

pub const LOGIN: usize = 0;
pub const SEND_OTP: usize = 1;
pub const CLIENT_OWNER: usize = 2;
pub const CUSTOMER_TOKEN: usize = 3;
pub const REFRESH: usize = 4;
pub const CONFIRM_MFA: usize = 7;
pub const TRACKING_IDENTITY: usize = 15;

/// The login-family calls, one a line in the grammar of [`crate::ops::row`] (`route|params|accept|flags`;
/// every row [`OPTS`]; 75 = OPTS | BODY_FORM | RET_OBJECT, 65 = OPTS | BODY_JSON, and 8192 more with
/// [`ops::VENDOR`]). The JavaScript methods are made in this order (`PARTICLE_LOGIN` in
/// pkg-templates/common.mjs; `NAMES` in the tests). A token grant ([`GRANTS`]) sends no token; one
/// marked [`ops::VENDOR`] (they take `auth`) needs the user's ([`USER_TOKEN`]); the others send the
/// default token if any ([`ANY_TOKEN`]).
pub static FLOWS: &str = "\
POST /oauth/token|fe!username,fe!password,fiexpires_in=tokenDuration#0,fiexpires_in=expiresIn#0,feexpires_at=expiresAt||75
POST /oauth/token|fe!mfa_token=mfaToken,fe!otp||75
POST /oauth/token|||75
POST /oauth/token|ve!email,fiexpires_in=tokenDuration#0,fiexpires_in=expiresIn#0,feexpires_at=expiresAt||75
POST /oauth/token|fe!refresh_token=refreshToken||75
POST /v1/products/{product}/customers|fe!email,fspassword,ps!product||75
GET /v1/user/mfa-enable|tsauth||8256
POST /v1/user/mfa-enable|je!mfa_token=mfaToken,je!otp,tsauth,jTinvalidate_tokens=invalidateTokens||8257
PUT /v1/user/mfa-disable|je!current_password=currentPassword,tsauth||8257
POST /v1/users|je!username,je!password,joaccount_info=accountInfo,joutm||65
POST /v1/user/password-reset|je!username||65
DELETE /v1/access_tokens/{token}|ps!token||64
DELETE /v1/access_tokens/current|tsauth||8256
DELETE /v1/access_tokens|tsauth||8256
DELETE /v1/user|je!password,tsauth||8257
GET /v1/user/identify|tsauth,vbfull||8256";

/// The token grants, the first rows of [`FLOWS`]: their `grant_type` and whether it comes before the
/// row's form fields. The form is then, in particle-api-js's order: those fields and `grant_type`,
/// `scope=customer=<email>` (`loginAsCustomer`), `client_id` and `client_secret`, and the lifetime
/// (`expires_in` or `expires_at`; `login` and `loginAsCustomer`).
static GRANTS: [(&str, bool); 6] = [
    ("password", false),
    ("urn:custom:mfa-otp", true),
    ("client_credentials", true),
    ("client_credentials", true),
    ("refresh_token", true),
    ("client_credentials", false),
];

/// The operation number of the first row of [`FLOWS`] in the client's one table of calls (the
/// JavaScript methods send `FLOW_BASE + row`: `PARTICLE_LOGIN` in pkg-templates/common.mjs).
pub const FLOW_BASE: usize = 1000;

/// Row `index` of [`FLOWS`].
pub fn flow(index: usize) -> Option<Flow> {
    let op = row(FLOWS, index)?;
    let grant = GRANTS.get(index).copied();
    let auth = if grant.is_some() {
        b'0'
    } else if op.flags & ops::VENDOR != 0 {
        USER_TOKEN
    } else {
        ANY_TOKEN
    };
    Some(Flow { op, auth, grant })
}

/// The token request of a client that renews its own token (`useClientCredentials`): particle-api-js's
/// `loginAsClientOwner`, the client in the form.
fn token_request(c: &ClientCredentials) -> Request {
    Request::post(&c.token_url).form(&[
        ("grant_type", "client_credentials"),
        ("client_id", &c.client_id),
        ("client_secret", &c.client_secret),
    ])
}

impl<T: Transport> Particle<T> {
    pub fn new(core: Core<T>, base_url: String, client: Option<(String, String)>, auth: Option<String>) -> Self {
        Self::build(core, base_url, client, auth, None, false)
    }

    /// [`Particle::new`] with the `expires_in` that `login` sends when the call names no lifetime
    /// (particle-api-js's `tokenDuration` option of the constructor; default 90 days), and with `renew`, a
    /// client whose calls without a token of their own (no `auth`, no default token) use a token of the
    /// client's OAuth client (client-credentials grant), fetched once for concurrent calls, renewed before
    /// it expires and once more when the cloud refuses it (401).
    pub fn build(
        core: Core<T>,
        base_url: String,
        client: Option<(String, String)>,
        auth: Option<String>,
        token_duration: Option<u32>,
        renew: bool,
    ) -> Self {
        let (client_id, client_secret) = client.unwrap_or_else(|| (DEFAULT_CLIENT.into(), DEFAULT_CLIENT.into()));
        let client = renew.then(|| (client_id.clone(), client_secret.clone()));
        let login = ClientCredentials::boxed(&base_url, "/oauth/token", client, None, token_request);
        Particle {
            session: Session::new(core, login, None),
            client_credentials: renew,
            base_url,
            client_id,
            client_secret,
            token_duration: token_duration.map_or_else(|| DEFAULT_TOKEN_DURATION.into(), |s| encode::num(s.into())),
            default_auth: RefCell::new(auth),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token used when a call passes no `auth`.
    pub fn set_default_auth(&self, auth: Option<String>) {
        *self.default_auth.borrow_mut() = auth;
    }

    /// Checks the options of login-family call `index` and builds its request parts; nothing is sent
    /// when this fails. (Unknown options are refused by the caller, which can list an object's keys.)
    #[inline(never)]
    pub fn prepare_flow<A: Arg>(&self, index: usize, ctx: &str, opts: &A) -> Result<Call, Error> {
        let flow = flow(index).ok_or_else(|| Error::invalid("no such operation"))?;
        let mut call = ops::prepare(&flow.op, ctx, core::slice::from_ref(opts), "organization")?;
        self.complete_flow(index, ctx, &mut call)?;
        Ok(call)
    }

    /// The parts of login-family call `index` that its row cannot say, added to `call` as
    /// [`ops::prepare`] made it.
    #[inline(never)]
    fn complete_flow(&self, index: usize, ctx: &str, call: &mut Call) -> Result<(), Error> {
        let flow = flow(index).ok_or_else(|| Error::invalid("no such operation"))?;
        // `?tracking=1` unless the whole identity is asked for (`full`, the row's one `v` option).
        if index == TRACKING_IDENTITY && call.cursor.as_deref() != Some("true") {
            call.path.push_str("?tracking=1");
        }
        if let Some((grant, first)) = flow.grant {
            let mut form = match call.payload.take() {
                Some(Payload::Form(fields)) => fields,
                _ => Vec::new(),
            };
            // The lifetime (`expires_in` from `tokenDuration` or `expiresIn`, `expires_at` from `expiresAt`),
            // the row's last fields, goes last; one at most, else the constructor's `tokenDuration` for `login`.
            let at = form.iter().position(|(k, _)| k.starts_with("expires")).unwrap_or(form.len());
            let mut lifetime = form.split_off(at);
            if let Some((second, _)) = lifetime.get(1) {
                let key = if *second == "expires_at" { "expiresAt" } else { "expiresIn" };
                return Err(ops::bad(
                    ctx,
                    key,
                    "with another lifetime: give one of `tokenDuration`, `expiresIn`, `expiresAt`",
                ));
            }
            if index == LOGIN && lifetime.is_empty() {
                lifetime.push(("expires_in", text(&self.token_duration)));
            }
            let grant = ("grant_type", text(grant));
            if first {
                form.insert(0, grant);
            } else {
                form.push(grant);
            }
            // `loginAsCustomer`: its `email` is the row's one `v` option.
            if index == CUSTOMER_TOKEN {
                form.push(("scope", text(&encode::cat(&["customer=", call.cursor.as_deref().unwrap_or("")]))));
            }
            form.push(("client_id", text(&self.client_id)));
            form.push(("client_secret", text(&self.client_secret)));
            form.append(&mut lifetime);
            call.payload = Some(Payload::Form(form));
        }
        Ok(())
    }

    /// Sends login-family call `index` as [`Particle::prepare_flow`] built it. A successful `login` or
    /// `sendOtp` also makes its token the default one when the client has none (and renews no token of
    /// its own).
    pub fn send_flow<'a>(
        &'a self,
        index: usize,
        call: &'a Call,
    ) -> impl core::future::Future<Output = Result<Response<T::Body>, Error>> + 'a {
        self.send_call(call, Some(index))
    }

    pub fn core(&self) -> &Core<T> {
        &self.session.core
    }

    /// The token of an event stream: its own `auth` (checked non-empty), else the default one.
    pub fn token(&self, auth: &Option<String>) -> Result<String, Error> {
        match auth {
            Some(a) => Ok(a.clone()),
            None => self.default_auth.borrow().clone().ok_or_else(|| {
                Error::invalid("no access token: pass { auth }, log in first, or give `auth` to the constructor")
            }),
        }
    }

    /// The request of `call` with `token` as its bearer, or no `Authorization` at all.
    fn request(&self, call: &Call, token: Option<&str>) -> Request {
        let mut req = call.request(&self.base_url, token.unwrap_or(""), None, false);
        if token.is_none() {
            req.headers.retain(|(k, _)| *k != "Authorization");
        }
        req
    }

    /// Sends a device call (`flow` none) or login-family call `flow` as its `auth` says: [`USER_TOKEN`]
    /// with its own `auth`, else the default token, else (with `useClientCredentials`) the client's renewed
    /// token, resent once with a new one on a 401; [`ANY_TOKEN`] with the default token if any; `0` with
    /// none (a request with a secret in its form). One state machine for both kinds of call.
    async fn send_call(&self, call: &Call, flow: Option<usize>) -> Result<Response<T::Body>, Error> {
        let (auth, grant) = match flow {
            Some(index) => {
                let f = self::flow(index).ok_or_else(|| Error::invalid("no such operation"))?;
                (f.auth, f.grant.is_some())
            }
            None => (USER_TOKEN, false),
        };
        // A token grant (`0`) sends none.
        let token =
            if auth >= ANY_TOKEN { call.token.clone().or_else(|| self.default_auth.borrow().clone()) } else { None };
        let resp = if auth == USER_TOKEN && token.is_none() {
            if !self.client_credentials {
                return Err(Error::invalid(
                    "no access token: pass { auth }, log in first, give `auth` to the constructor, or use client credentials",
                ));
            }
            self.session.send_checked(&|token| call.request(&self.base_url, token, None, false)).await?
        } else {
            let mut req = self.request(call, token.as_deref());
            if auth < ANY_TOKEN {
                req.follow = false;
            }
            self.session.core.send_ok(&req, if auth < ANY_TOKEN { &[503] } else { &[] }).await?
        };
        if grant {
            let token = resp.body.str_at("access_token").filter(|t| is_token(t));
            let token =
                token.ok_or_else(|| Error::InvalidResponse("the token answer has no usable access_token".into()))?;
            if matches!(flow, Some(LOGIN | SEND_OTP)) && !self.client_credentials {
                let mut auth = self.default_auth.borrow_mut();
                if auth.is_none() {
                    *auth = Some(token);
                }
            }
        }
        Ok(resp)
    }
}

/// The name of `getEventStream` in messages.
pub const EVENTS_CTX: &str = "particle.getEventStream";

/// The options of an event stream that make the path, in the order read, and their path parts.
static EVENT_SCOPES: [(&str, &str); 3] = [("org", "orgs/"), ("product", "products/"), ("deviceId", "devices/")];

/// The path of an event stream, as particle-api-js builds it: `/v1/[orgs/{org}/][products/{product}/]`
/// `[devices/[{deviceId}/]]events[/{name}]`, where `deviceId` `mine` (any case) means the user's devices and
/// `name` is an event name prefix (encoded whole, `/` included). `option(key)` reads the options `org`,
/// `product`, `deviceId` and `name`, in that order.
#[inline(never)]
pub fn events_path(mut option: impl FnMut(&str) -> Result<Option<String>, Error>) -> Result<String, Error> {
    let mut path = String::from("/v1/");
    for (i, (key, part)) in EVENT_SCOPES.iter().enumerate() {
        if let Some(v) = option(key)? {
            path.push_str(part);
            // `mine` (any case) for `deviceId`, the last: the user's devices, no segment.
            if !(i == 2 && v.eq_ignore_ascii_case("mine")) {
                path.push_str(&crate::vendors::segment(EVENTS_CTX, key, &v)?);
                path.push('/');
            }
        }
    }
    path.push_str("events");
    if let Some(n) = option("name")? {
        path.push('/');
        path.push_str(&encode::component(&n));
    }
    Ok(path)
}

/// The device calls of [`OPS`](crate::ops::particle::OPS), sent with the call's `auth` or the client's token.
/// Operations from [`FLOW_BASE`] on are the login-family calls of [`FLOWS`].
impl<T: Transport> Client<T::Body> for Particle<T>
where
    T::Body: Arg,
{
    fn spacing(&self) -> &core::cell::Cell<f64> {
        &self.session.core.spacing
    }
    fn op(&self, index: usize) -> Option<Op> {
        match index.checked_sub(FLOW_BASE) {
            Some(i) => flow(i).map(|f| f.op),
            None => row(OPS, index),
        }
    }
    fn finish(&self, index: usize, ctx: &str, _opts: Option<&T::Body>, call: &mut Call) -> Result<(), Error> {
        match index.checked_sub(FLOW_BASE) {
            Some(i) => self.complete_flow(i, ctx, call),
            None => Ok(()),
        }
    }
    fn dispatch<'a>(&'a self, index: usize, _op: &'a Op, call: &'a Call) -> Sent<'a, T::Body> {
        Box::pin(self.send_call(call, index.checked_sub(FLOW_BASE)))
    }
}

// Native only: request bodies are JSON text there (on wasm32 the unit tests are not run).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::http::mock::{reply, Mock};
    use crate::http::retry::RetryPolicy;
    use crate::http::{Method, Payload, Shape};
    use crate::vendors::run;
    use alloc::rc::Rc;
    use futures_executor::block_on;
    use serde_json::{json, Value};

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

    /// Login-family call `index` with options `opts`, prepared and sent.
    fn flow(p: &Particle<Rc<Mock>>, index: usize, opts: Value) -> Result<Response<Value>, Error> {
        let call = p.prepare_flow(index, "particle.test", &opts)?;
        block_on(p.send_flow(index, &call))
    }

    /// The JavaScript methods of the rows of `FLOWS`, in order (`PARTICLE_LOGIN` in pkg-templates/common.mjs).
    const NAMES: [&str; 16] = [
        "login",
        "sendOtp",
        "loginAsClientOwner",
        "loginAsCustomer",
        "refreshAccessToken",
        "createCustomer",
        "enableMfa",
        "confirmMfa",
        "disableMfa",
        "createUser",
        "resetPassword",
        "deleteAccessToken",
        "deleteCurrentAccessToken",
        "deleteActiveAccessTokens",
        "deleteUser",
        "trackingIdentity",
    ];

    fn index_of(name: &str) -> usize {
        NAMES.iter().position(|n| *n == name).unwrap()
    }

    #[test]
    fn the_javascript_methods_name_the_rows_in_order() {
        let js = include_str!("../../pkg-templates/common.mjs");
        // `('login sendOtp ' + '… ').split(' ')`: the names in the string parts, in order.
        let list = js.split("const PARTICLE_LOGIN = (").nth(1).unwrap().split(").split").next().unwrap();
        let text: String = list.split('\'').skip(1).step_by(2).collect();
        let names: Vec<&str> = text.split(' ').collect();
        assert_eq!(names, NAMES);
        assert_eq!(crate::ops::rows(FLOWS), NAMES.len());
        assert!(super::flow(NAMES.len() - 1).is_some() && super::flow(NAMES.len()).is_none());
        // The rows that need the user's token are those that take `auth` of their own.
        for (i, name) in NAMES.iter().enumerate() {
            let f = super::flow(i).unwrap();
            let own_auth = f.op.params.split(',').any(|p| p == "tsauth");
            assert_eq!(f.auth == USER_TOKEN, own_auth, "{name}");
            assert_eq!(f.auth == b'0', f.grant.is_some(), "{name}");
        }
    }

    /// The form fields of a request, in order.
    fn form(req: &Request) -> Vec<(&str, &str)> {
        match &req.payload {
            Some(Payload::Form(f)) => f.iter().map(|(k, v)| (*k, v.as_str())).collect(),
            _ => Vec::new(),
        }
    }

    const GRANTED: &str = r#"{"token_type":"bearer","access_token":"pt","expires_in":7776000,"refresh_token":"rt"}"#;

    fn grants(req: &Request, _: f64) -> Result<Response<Value>, Error> {
        if req.url.ends_with("/oauth/token") || req.url.ends_with("/customers") {
            reply(200, GRANTED)
        } else if req.url.ends_with("/v1/devices") {
            reply(200, "[]")
        } else {
            reply(200, r#"{"ok":true}"#)
        }
    }

    #[test]
    fn event_stream_paths_follow_particle_api_js() {
        let p = |d: Option<&str>, pr: Option<&str>, o: Option<&str>, n: Option<&str>| {
            let mut asked = Vec::new();
            let path = events_path(|key| {
                asked.push(key.to_owned());
                Ok(match key {
                    "deviceId" => d,
                    "product" => pr,
                    "org" => o,
                    _ => n,
                }
                .map(str::to_owned))
            });
            if path.is_ok() {
                assert_eq!(asked, ["org", "product", "deviceId", "name"]);
            }
            path
        };
        assert_eq!(p(None, None, None, None).unwrap(), "/v1/events");
        assert_eq!(p(Some("mine"), None, None, None).unwrap(), "/v1/devices/events");
        assert_eq!(p(Some("MINE"), None, None, Some("temp")).unwrap(), "/v1/devices/events/temp");
        assert_eq!(p(Some("d 1"), None, None, None).unwrap(), "/v1/devices/d%201/events");
        assert_eq!(
            p(None, Some("my-prod"), None, Some("spark/status")).unwrap(),
            "/v1/products/my-prod/events/spark%2Fstatus"
        );
        assert_eq!(p(Some("d1"), Some("42"), None, None).unwrap(), "/v1/products/42/devices/d1/events");
        assert_eq!(p(None, None, Some("acme"), None).unwrap(), "/v1/orgs/acme/events");
        for (d, pr) in [(Some("a/b"), None), (Some(".."), None), (None, Some("x?y"))] {
            assert!(matches!(p(d, pr, None, None), Err(Error::InvalidArgument(_))));
        }
    }

    #[test]
    fn login_is_a_form_encoded_password_grant_with_the_client_in_the_body() {
        let mock = Mock::new(grants);
        let p = client(&mock);
        let resp = flow(&p, LOGIN, json!({"username": "joe@example.com", "password": "Super Secret"})).unwrap();
        assert_eq!((resp.status, resp.body["access_token"].as_str()), (200, Some("pt")));
        let req = mock.requests.borrow()[0].clone();
        assert_eq!((req.method, req.url.as_str()), (Method::Post, "https://p.test/oauth/token"));
        assert_eq!(req.header_value("authorization"), None);
        assert_eq!(req.header_value("content-type"), Some("application/x-www-form-urlencoded"));
        assert!(!req.follow, "a request with a password is never redirected");
        assert_eq!(
            form(&req),
            [
                ("username", "joe@example.com"),
                ("password", "Super Secret"),
                ("grant_type", "password"),
                ("client_id", "particle-api"),
                ("client_secret", "particle-api"),
                ("expires_in", "7776000"),
            ]
        );
        // The token became the default auth.
        call(&p, LIST, json!({})).unwrap();
        assert_eq!(mock.requests.borrow()[1].header_value("authorization"), Some("Bearer pt"));
    }

    #[test]
    fn login_lifetimes_tokenduration_expiresin_expiresat() {
        let mock = Mock::new(grants);
        let p = Particle::build(
            Core::new(mock.clone(), RetryPolicy::default()),
            "https://p.test".into(),
            None,
            None,
            Some(60),
            false,
        );
        let last = |m: &Rc<Mock>| {
            form(&m.requests.borrow().last().unwrap().clone())
                .iter()
                .skip(5)
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let pair = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        let user = json!({"username": "u", "password": "p"});
        let with = |extra: Value| {
            let mut o = user.clone();
            o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            o
        };
        flow(&p, LOGIN, user.clone()).unwrap();
        assert_eq!(last(&mock), pair("expires_in", "60"), "the constructor's tokenDuration");
        flow(&p, LOGIN, with(json!({"tokenDuration": 0}))).unwrap();
        assert_eq!(last(&mock), pair("expires_in", "0"));
        flow(&p, LOGIN, with(json!({"expiresIn": 3600}))).unwrap();
        assert_eq!(last(&mock), pair("expires_in", "3600"));
        flow(&p, LOGIN, with(json!({"expiresAt": "2030-01-01T00:00:00.000Z"}))).unwrap();
        assert_eq!(last(&mock), pair("expires_at", "2030-01-01T00:00:00.000Z"));
        let sent = mock.requests.borrow().len();
        for bad in [
            json!({"tokenDuration": 1, "expiresIn": 1}),
            json!({"tokenDuration": 1, "expiresAt": "2030-01-01T00:00:00Z"}),
            json!({"tokenDuration": -1}),
            json!({"expiresIn": 1.5}),
            json!({"expiresIn": "60"}),
            json!({"expiresAt": 5}),
            json!({"expiresAt": ""}),
            json!({"password": ""}),
            json!({"username": " "}),
        ] {
            let err = flow(&p, LOGIN, with(bad.clone())).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(ref m) if m.starts_with("particle.test: `")), "{bad}: {err}");
        }
        assert!(matches!(flow(&p, LOGIN, json!({"username": "u"})), Err(Error::InvalidArgument(_))));
        assert!(matches!(flow(&p, LOGIN, Value::Null), Err(Error::InvalidArgument(_))));
        assert_eq!(mock.requests.borrow().len(), sent, "nothing is sent for bad options");
    }

    #[test]
    fn mfa_login_is_a_403_with_the_mfa_token_then_the_otp_grant() {
        let mock = Mock::new(|req, _| match form(req).iter().find(|(k, _)| *k == "grant_type").map(|(_, v)| *v) {
            Some("password") => reply(
                403,
                r#"{"error":"mfa_required","error_description":"Multiple factors are required","mfa_token":"m-1"}"#,
            ),
            Some("urn:custom:mfa-otp") => reply(200, GRANTED),
            _ if req.url.ends_with("/v1/devices") => reply(200, "[]"),
            _ => reply(400, r#"{"error":"unsupported_grant_type"}"#),
        });
        let p = client(&mock);
        let err = flow(&p, LOGIN, json!({"username": "u@x", "password": "p"})).unwrap_err();
        assert_eq!((err.status(), err.code()), (Some(403), "mfa_required"));
        let Error::Http(h) = &err else { panic!("{err}") };
        let body: Value = match &h.body {
            crate::error::ErrorBody::Json(j) => serde_json::from_str(j).unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(body["mfa_token"], "m-1");
        // Nothing became the default token.
        assert!(matches!(call(&p, LIST, json!({})), Err(Error::InvalidArgument(_))));
        let resp = flow(&p, SEND_OTP, json!({"mfaToken": "m-1", "otp": "123456"})).unwrap();
        assert_eq!(resp.body["access_token"], "pt");
        let req = mock.requests.borrow()[1].clone();
        assert_eq!(req.url, "https://p.test/oauth/token");
        assert_eq!(
            form(&req),
            [
                ("grant_type", "urn:custom:mfa-otp"),
                ("mfa_token", "m-1"),
                ("otp", "123456"),
                ("client_id", "particle-api"),
                ("client_secret", "particle-api"),
            ]
        );
        call(&p, LIST, json!({})).unwrap();
        assert_eq!(mock.requests.borrow()[2].header_value("authorization"), Some("Bearer pt"));
        assert!(matches!(
            flow(&p, SEND_OTP, json!({"mfaToken": "m-1", "otp": 123456})),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn the_other_grants_send_particle_api_js_forms() {
        let mock = Mock::new(grants);
        let core = Core::new(mock.clone(), RetryPolicy::default());
        let p = Particle::new(core, "https://p.test".into(), Some(("prod-1".into(), "s3cret".into())), None);
        flow(&p, CLIENT_OWNER, Value::Null).unwrap();
        flow(&p, REFRESH, json!({"refreshToken": "rt"})).unwrap();
        flow(&p, CUSTOMER_TOKEN, json!({"email": "c@x.io"})).unwrap();
        flow(&p, CUSTOMER_TOKEN, json!({"email": "c@x.io", "expiresIn": 60})).unwrap();
        flow(&p, index_of("createCustomer"), json!({"email": "c@x.io", "password": "pw", "product": "my-product"}))
            .unwrap();
        flow(&p, index_of("createCustomer"), json!({"email": "c@x.io", "product": "12 3"})).unwrap();
        let reqs = mock.requests.borrow();
        let client = [("client_id", "prod-1"), ("client_secret", "s3cret")];
        let grant = |g: &'static str| ("grant_type", g);
        let cc = grant("client_credentials");
        let expected: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("/oauth/token", [vec![cc], client.to_vec()].concat()),
            ("/oauth/token", [vec![grant("refresh_token"), ("refresh_token", "rt")], client.to_vec()].concat()),
            ("/oauth/token", [vec![cc, ("scope", "customer=c@x.io")], client.to_vec()].concat()),
            (
                "/oauth/token",
                [vec![cc, ("scope", "customer=c@x.io")], client.to_vec(), vec![("expires_in", "60")]].concat(),
            ),
            (
                "/v1/products/my-product/customers",
                [vec![("email", "c@x.io"), ("password", "pw"), cc], client.to_vec()].concat(),
            ),
            ("/v1/products/12%203/customers", [vec![("email", "c@x.io"), cc], client.to_vec()].concat()),
        ];
        for (req, (path, fields)) in reqs.iter().zip(expected) {
            assert_eq!((req.method, req.url.strip_prefix("https://p.test").unwrap()), (Method::Post, path));
            assert_eq!(form(req), fields, "{path}");
            assert_eq!(req.header_value("authorization"), None);
            assert!(!req.follow);
        }
        assert_eq!(reqs.len(), 6);
        drop(reqs);
        // Only `login` and `sendOtp` set the default token.
        assert!(matches!(call(&p, LIST, json!({})), Err(Error::InvalidArgument(_))));
        // A grant answer without a usable token is an invalid response.
        let mock = Mock::new(|_, _| reply(200, r#"{"access_token":"a b"}"#));
        assert_eq!(flow(&client_of(&mock), CLIENT_OWNER, json!({})).unwrap_err().code(), "invalid_response");
    }

    fn client_of(mock: &Rc<Mock>) -> Particle<Rc<Mock>> {
        client(mock)
    }

    #[test]
    fn account_calls_send_particle_api_js_requests() {
        let mock = Mock::new(grants);
        let p = client(&mock);
        let run = |name: &str, opts: Value| flow(&p, index_of(name), opts).unwrap();
        run("createUser", json!({"username": "n@x", "password": "pw", "accountInfo": {"first_name": "N"}}));
        run("resetPassword", json!({"username": "n@x"}));
        run("deleteAccessToken", json!({"token": "old-token"}));
        p.set_default_auth(Some("dflt".into()));
        run("enableMfa", json!({}));
        run("confirmMfa", json!({"mfaToken": "m", "otp": "1", "auth": "own"}));
        run("confirmMfa", json!({"mfaToken": "m", "otp": "1", "invalidateTokens": true}));
        run("confirmMfa", json!({"mfaToken": "m", "otp": "1", "invalidateTokens": false}));
        run("disableMfa", json!({"currentPassword": "pw"}));
        run("deleteCurrentAccessToken", json!({}));
        run("deleteActiveAccessTokens", json!({"auth": "own"}));
        run("deleteUser", json!({"password": "pw"}));
        run("trackingIdentity", Value::Null);
        run("trackingIdentity", json!({"full": true}));
        run("deleteAccessToken", json!({"token": "old-token"}));
        let reqs = mock.requests.borrow();
        let got: Vec<_> = reqs
            .iter()
            .map(|r| {
                let body = match &r.payload {
                    Some(Payload::Object(f)) => f.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"),
                    None => String::new(),
                    other => panic!("{other:?}"),
                };
                (
                    r.method,
                    r.url.strip_prefix("https://p.test").unwrap().to_string(),
                    r.header_value("authorization"),
                    body,
                )
            })
            .collect();
        let b = |s: &str| s.to_string();
        assert_eq!(
            got,
            vec![
                (
                    Method::Post,
                    b("/v1/users"),
                    None,
                    b(r#"username="n@x"&password="pw"&account_info={"first_name":"N"}"#)
                ),
                (Method::Post, b("/v1/user/password-reset"), None, b(r#"username="n@x""#)),
                (Method::Delete, b("/v1/access_tokens/old-token"), None, b("")),
                (Method::Get, b("/v1/user/mfa-enable"), Some("Bearer dflt"), b("")),
                (Method::Post, b("/v1/user/mfa-enable"), Some("Bearer own"), b(r#"mfa_token="m"&otp="1""#)),
                (
                    Method::Post,
                    b("/v1/user/mfa-enable"),
                    Some("Bearer dflt"),
                    b(r#"mfa_token="m"&otp="1"&invalidate_tokens=true"#)
                ),
                (Method::Post, b("/v1/user/mfa-enable"), Some("Bearer dflt"), b(r#"mfa_token="m"&otp="1""#)),
                (Method::Put, b("/v1/user/mfa-disable"), Some("Bearer dflt"), b(r#"current_password="pw""#)),
                (Method::Delete, b("/v1/access_tokens/current"), Some("Bearer dflt"), b("")),
                (Method::Delete, b("/v1/access_tokens"), Some("Bearer own"), b("")),
                (Method::Delete, b("/v1/user"), Some("Bearer dflt"), b(r#"password="pw""#)),
                (Method::Get, b("/v1/user/identify?tracking=1"), Some("Bearer dflt"), b("")),
                (Method::Get, b("/v1/user/identify"), Some("Bearer dflt"), b("")),
                (Method::Delete, b("/v1/access_tokens/old-token"), Some("Bearer dflt"), b("")),
            ]
        );
        assert!(reqs.iter().all(|r| r.header_value("accept").is_none()));
        drop(reqs);
        // Calls that need a token refuse to go without one; bad options are refused before sending.
        let mock = Mock::new(grants);
        let p = client(&mock);
        for (name, opts) in [
            ("enableMfa", json!({})),
            ("deleteCurrentAccessToken", Value::Null),
            ("confirmMfa", json!({"mfaToken": "m", "otp": "1", "auth": "a", "invalidateTokens": "yes"})),
            ("confirmMfa", json!({"mfaToken": "", "otp": "1", "auth": "a"})),
            ("trackingIdentity", json!({"full": 1, "auth": "a"})),
            ("deleteAccessToken", json!({"token": "a/b"})),
            ("deleteAccessToken", json!({})),
            ("createCustomer", json!({"email": "e", "password": "p"})),
        ] {
            assert!(matches!(flow(&p, index_of(name), opts.clone()), Err(Error::InvalidArgument(_))), "{name} {opts}");
        }
        assert!(mock.requests.borrow().is_empty());
    }

    #[test]
    fn each_call_takes_its_own_options_and_the_common_ones_only() {
        // The options of a login-family call: its row's (with the `auth` every options call takes) and those
        // every call takes.
        let takes = |f: &Flow, k: &str| ["headers", "context", "signal", "timeoutMs"].contains(&k) || f.op.takes(k);
        let login = super::flow(LOGIN).unwrap();
        for k in [
            "username",
            "password",
            "tokenDuration",
            "expiresIn",
            "expiresAt",
            "headers",
            "context",
            "signal",
            "timeoutMs",
        ] {
            assert!(takes(&login, k), "{k}");
        }
        for k in ["user", "grant_type", "mfaToken", ""] {
            assert!(!takes(&login, k), "{k}");
        }
        assert!(
            takes(&super::flow(SEND_OTP).unwrap(), "mfaToken") && !takes(&super::flow(SEND_OTP).unwrap(), "mfa_token")
        );
        assert!(
            takes(&super::flow(CONFIRM_MFA).unwrap(), "invalidateTokens")
                && takes(&super::flow(CONFIRM_MFA).unwrap(), "auth")
        );
        assert!(takes(&super::flow(TRACKING_IDENTITY).unwrap(), "full"));
        assert!(
            takes(&super::flow(index_of("createUser")).unwrap(), "accountInfo")
                && takes(&super::flow(index_of("createUser")).unwrap(), "utm")
        );
    }

    /// A client of OAuth client `prod-1` that renews its own tokens, on `mock`.
    fn renewing(mock: &Rc<Mock>) -> Particle<Rc<Mock>> {
        let core = Core::new(mock.clone(), RetryPolicy::default());
        Particle::build(core, "https://p.test".into(), Some(("prod-1".into(), "s3cret".into())), None, None, true)
    }

    /// Tokens `t1`, `t2`, … living `lifetime` s; the API answers `api` unless the token is in `refused`.
    fn issuing(
        lifetime: u32,
        refused: &'static [&'static str],
    ) -> impl FnMut(&Request, f64) -> Result<Response<Value>, Error> {
        let mut issued = 0;
        move |req, _| {
            if req.url.ends_with("/oauth/token") {
                issued += 1;
                return reply(
                    200,
                    &format!(r#"{{"access_token":"t{issued}","expires_in":{lifetime},"token_type":"bearer"}}"#),
                );
            }
            let token = req.header_value("authorization").unwrap_or("").trim_start_matches("Bearer ");
            if refused.contains(&token) {
                reply(401, r#"{"error":"invalid_token","error_description":"The access token provided is invalid."}"#)
            } else {
                reply(200, "[]")
            }
        }
    }

    #[test]
    fn client_credentials_tokens_are_fetched_once_for_concurrent_calls() {
        let mock = Mock::new(issuing(3600, &[]));
        let p = &renewing(&mock);
        let calls: Vec<_> = (0..5)
            .map(|_| {
                let call = crate::ops::prepare(&row(OPS, LIST).unwrap(), "t", &[json!({})], "organization").unwrap();
                Box::pin(async move { p.send_call(&call, None).await.map(|r| r.status) })
            })
            .collect();
        let results = block_on(join(calls));
        assert_eq!(results, vec![Ok(200); 5]);
        assert_eq!(mock.count("/oauth/token"), 1);
        let reqs = mock.requests.borrow();
        assert_eq!(
            form(&reqs[0]),
            [("grant_type", "client_credentials"), ("client_id", "prod-1"), ("client_secret", "s3cret")]
        );
        assert_eq!(reqs[0].header_value("authorization"), None);
        assert!(!reqs[0].follow);
        assert!(reqs[1..].iter().all(|r| r.header_value("authorization") == Some("Bearer t1")));
    }

    #[test]
    fn client_credentials_tokens_are_renewed_before_they_expire() {
        let mock = Mock::new(issuing(3600, &[]));
        let p = renewing(&mock);
        call(&p, LIST, json!({})).unwrap();
        mock.advance(3_539_000.0); // 1 s before the one-minute margin
        call(&p, LIST, json!({})).unwrap();
        assert_eq!(mock.count("/oauth/token"), 1);
        mock.advance(2_000.0); // inside it
        call(&p, LIST, json!({})).unwrap();
        assert_eq!(mock.count("/oauth/token"), 2);
        assert_eq!(mock.requests.borrow().last().unwrap().header_value("authorization"), Some("Bearer t2"));
    }

    #[test]
    fn a_refused_client_credentials_token_is_replaced_and_the_call_resent_once() {
        let mock = Mock::new(issuing(3600, &["t1"]));
        let p = renewing(&mock);
        assert_eq!(call(&p, LIST, json!({})).unwrap().status, 200);
        let seen: Vec<_> = mock.requests.borrow().iter().map(|r| r.url.ends_with("/oauth/token")).collect();
        assert_eq!(seen, [true, false, true, false]);
        // Refused again: one resend only, then the 401 is the answer.
        let mock = Mock::new(issuing(3600, &["t1", "t2", "t3"]));
        let err = call(&renewing(&mock), LIST, json!({})).unwrap_err();
        assert_eq!((err.status(), err.code()), (Some(401), "invalid_token"));
        assert_eq!((mock.count("/oauth/token"), mock.count("/v1/devices")), (2, 2));
        // A call's own `auth` (or a default token) is used as given: no grant, a 401 is final.
        let mock = Mock::new(issuing(3600, &["mine"]));
        let p = renewing(&mock);
        assert_eq!(call(&p, LIST, json!({"auth": "mine"})).unwrap_err().status(), Some(401));
        assert_eq!(mock.count("/oauth/token"), 0);
        // Login-family calls that need a token use the renewed one too; `login` leaves it in place.
        let mock = Mock::new(issuing(3600, &[]));
        let p = renewing(&mock);
        flow(&p, index_of("deleteCurrentAccessToken"), json!({})).unwrap();
        flow(&p, LOGIN, json!({"username": "u", "password": "p"})).unwrap();
        call(&p, LIST, json!({})).unwrap();
        let auths: Vec<_> =
            mock.requests.borrow().iter().map(|r| r.header_value("authorization").map(str::to_string)).collect();
        assert_eq!(auths, [None, Some("Bearer t1".into()), None, Some("Bearer t1".into())]);
    }

    /// Runs the futures concurrently on one thread and collects their outputs in order.
    async fn join<F: core::future::Future + Unpin>(mut futures: Vec<F>) -> Vec<F::Output> {
        let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
        core::future::poll_fn(|cx| {
            for (f, slot) in futures.iter_mut().zip(out.iter_mut()) {
                if slot.is_none() {
                    if let core::task::Poll::Ready(v) = core::pin::Pin::new(&mut *f).poll(cx) {
                        *slot = Some(v);
                    }
                }
            }
            if out.iter().all(Option::is_some) {
                core::task::Poll::Ready(())
            } else {
                core::task::Poll::Pending
            }
        })
        .await;
        out.into_iter().flatten().collect()
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
                (Method::Get, "https://p.test/v1/devices", Some("Bearer dflt"), Shape::Array),
                (Method::Get, "https://p.test/v1/devices/d%201", Some("Bearer dflt"), Shape::Object),
                (Method::Get, "https://p.test/v1/devices/d1/temp", Some("Bearer own"), Shape::Object),
                (Method::Post, "https://p.test/v1/devices/d1/led", Some("Bearer dflt"), Shape::Object),
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
