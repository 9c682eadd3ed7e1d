//! Avnet IoTConnect: the service URLs (discovered once, retried on 502, or given), the three-step login
//! (basic-token, login with `solution-key`, refresh-token), the envelope `{data, status, message, error}` and
//! lists read one page a call.

use crate::prelude::*;

use super::{segment, Client, ClientConfig, Sent};
use crate::auth::{Login, LoginFuture, Session, Token};
use crate::error::Error;
use crate::http::encode::{self, cat, num};
#[cfg(all(test, not(target_arch = "wasm32")))]
use crate::http::Method;
use crate::http::{success, Body, Core, Payload, Request, Response, Shape, Transport};
#[cfg(all(test, not(target_arch = "wasm32")))]
use crate::ops::iotconnect::REQUEST;
use crate::ops::iotconnect::{HISTORY, OPS};
use crate::ops::{bad, row, split, Arg, Call, Op, DATA, PAGE_NUMBER, RET_OBJECT, VENDOR};
use alloc::rc::Rc;
use core::cell::OnceCell;
use core::future::Future;
use core::pin::Pin;

pub const DEFAULT_DISCOVERY_URL: &str = "https://discovery.iotconnect.io";
/// The services discovery names (`{name}BaseUrl`), in the order of [`Urls`].
pub const SERVICES: [&str; 8] = ["master", "auth", "user", "device", "firmware", "event", "telemetry", "file"];
const AUTH: usize = 1;
/// Page size of an `iterate` that names none: long lists in few requests.
const DEFAULT_PAGE_SIZE: u32 = 100;
/// A bound on the pages of one list, so that a server that ignores paging cannot loop the client forever.
pub const MAX_PAGES: u32 = 10_000;
/// The longest window of the telemetry history, in ms.
const WEEK: f64 = 7.0 * 86_400_000.0;

/// The base URL of each of [`SERVICES`] (each ends in its API version, `/api/v2.1`); empty when unknown.
pub type Urls = Rc<Vec<String>>;

/// What discovery needs: solution key, environment (`poc`, `prod`, `avnet`), platform (`aws`, `az`).
pub struct Solution {
    pub discovery_url: String,
    pub solution_key: String,
    pub environment: String,
    pub platform: String,
}

/// The service URLs: given, or asked of discovery on first use. (Calls ask for a token first, and the
/// login asks for the URLs: concurrent first calls share its one discovery.)
struct Services {
    solution: Solution,
    urls: OnceCell<Urls>,
}

impl Services {
    /// Every service's URL. (Boxed: one copy of this future, however many callers await it.)
    fn all<'a, T: Transport>(&'a self, core: &'a Core<T>) -> Pin<Box<dyn Future<Output = Result<Urls, Error>> + 'a>> {
        Box::pin(self.discover(core))
    }

    async fn discover<T: Transport>(&self, core: &Core<T>) -> Result<Urls, Error> {
        if let Some(urls) = self.urls.get() {
            return Ok(urls.clone());
        }
        let s = &self.solution;
        let url = cat(&[
            &s.discovery_url,
            "/api/uisdk/solutionkey/",
            &segment("IoTConnect", "solutionKey", &s.solution_key)?,
            "/env/",
            &segment("IoTConnect", "environment", &s.environment)?,
            "?version=",
            version(&s.platform),
            "&pf=",
            &s.platform,
        ]);
        // Discovery is known to answer 502 with an HTML page now and then: retry that too.
        let resp = core
            .send_ok(&Request::get(url).header("Accept", "application/json").returns(Shape::Object), &[502])
            .await?;
        let data = resp.body.get("data").unwrap_or_else(T::Body::null);
        // The password goes to the auth URL: only absolute http(s) URLs are taken from the answer.
        let urls = service_urls(&data, "IoTConnect discovery", "", "BaseUrl", "").map_err(|e| match e {
            Error::InvalidArgument(m) => Error::InvalidResponse(m),
            e => e,
        })?;
        let urls = Rc::new(urls);
        // (Set by the first of concurrent discoveries to end.)
        let _ = self.urls.set(urls.clone());
        Ok(urls)
    }

    /// The base URL of service `i` of [`SERVICES`].
    async fn url<T: Transport>(&self, core: &Core<T>, i: usize) -> Result<String, Error> {
        let urls = self.all(core).await?;
        let name = SERVICES.get(i).copied().unwrap_or("");
        match urls.get(i).filter(|u| !u.is_empty()) {
            Some(url) => Ok(url.clone()),
            None => Err(Error::invalid(cat(&["IoTConnect: no URL for the ", name, " service (`urls.", name, "`)"]))),
        }
    }
}

/// The API version discovery is asked for, and that a service URL given without a path gets.
fn version(platform: &str) -> &'static str {
    if platform == "aws" {
        "2.1"
    } else {
        "2"
    }
}

/// The URL of each of [`SERVICES`] that `o` names as `{service}{suffix}` (empty for the others), each an
/// absolute http(s) URL (a wrong one named `{prefix}{service}{suffix}` in an error of `ctx`). One given without a path
/// (`https://authpoc.iotconnect.io`, the seed's POC auth host) gets the API's version path: `/api/v2.1` on
/// AWS, `/api/v2` otherwise.
#[inline(never)]
pub fn service_urls<B: Body>(
    o: &B,
    ctx: &str,
    prefix: &str,
    suffix: &str,
    platform: &str,
) -> Result<Vec<String>, Error> {
    let mut urls = Vec::new();
    for name in SERVICES {
        // `{prefix}{service}{suffix}`, read as `{service}{suffix}`.
        let named = cat(&[prefix, name, suffix]);
        let mut url = match o.str_at(named.get(prefix.len()..).unwrap_or_default()) {
            Some(url) => encode::base_url(ctx, &named, &url)?,
            None => String::new(),
        };
        // After `https://` (or `http://` and the host's first letter), a path begins with `/`.
        if !url.is_empty() && !url.bytes().skip(8).any(|b| b == b'/') {
            url.push_str("/api/v");
            url.push_str(version(platform));
        }
        urls.push(url);
    }
    Ok(urls)
}

/// A string as a field of a request body made at the edge (its JSON text in native tests).
#[cfg(not(target_arch = "wasm32"))]
fn text(s: &str) -> crate::http::Value {
    encode::json_string(s)
}
#[cfg(target_arch = "wasm32")]
use crate::http::text;

/// The user login of the auth service. The password is kept only to log in again when the refresh token
/// is refused.
pub struct UserLogin {
    services: Rc<Services>,
    username: String,
    password: String,
}

impl<T: Transport> Login<T> for UserLogin {
    fn login<'a>(&'a self, core: &'a Core<T>, previous: Option<Rc<Token>>) -> LoginFuture<'a> {
        Box::pin(self.login_or_refresh(core, previous))
    }
}

impl UserLogin {
    /// The refresh token if there is one; when it is refused (409, or 400/401/403), the basic token and the
    /// login.
    async fn login_or_refresh<T: Transport>(
        &self,
        core: &Core<T>,
        previous: Option<Rc<Token>>,
    ) -> Result<Rc<Token>, Error> {
        let auth = self.services.url(core, AUTH).await?;
        let mut refresh = previous.and_then(|t| t.refresh.clone());
        // The basic token, once the login has one. One request a turn (one `send` in this state machine):
        // the refresh; or the basic token, then the login.
        let mut basic: Option<String> = None;
        loop {
            let req = match (&refresh, &basic) {
                (None, None) => Request::get(cat(&[&auth, "/Auth/basic-token"])),
                (r, b) => {
                    // The fields as strings, made JSON by the edge (`JSON.stringify`).
                    let (path, fields) = match r {
                        Some(r) => ("/Auth/refresh-token", vec![("refreshtoken", text(r))]),
                        None => (
                            "/Auth/login",
                            vec![("username", text(&self.username)), ("password", text(&self.password))],
                        ),
                    };
                    let mut req = Request::post(cat(&[&auth, path])).header("Content-Type", "application/json");
                    req.payload = Some(Payload::Object(fields));
                    if let (None, Some(b)) = (r, b) {
                        req.headers.push(("Authorization", cat(&["Basic ", b])));
                        req.headers.push(("solution-key", self.services.solution.solution_key.clone()));
                    }
                    req
                }
            };
            let resp = core.send(&req.credentials(), &[503]).await?;
            if resp.ok() {
                if refresh.is_none() && basic.is_none() {
                    let data = resp.body.str_at("data").filter(|t| !t.is_empty());
                    basic = Some(data.ok_or_else(|| Error::InvalidResponse("basic-token answer has no data".into()))?);
                    continue;
                }
                return Token::from_grant(&resp.body, core.now_ms());
            }
            // A refresh token refused: a full login; anything else is an answer to report.
            if refresh.take().is_none() || !matches!(resp.status, 400 | 401 | 403 | 409) {
                return Err(Error::from_response(&resp));
            }
        }
    }
}

pub struct IoTConnect<T> {
    session: Session<T>,
    services: Rc<Services>,
}

impl<T: Transport> IoTConnect<T> {
    /// With `urls` (one per [`SERVICES`], empty for those not given), discovery is never asked.
    pub fn new(
        config: ClientConfig<T>,
        solution: Solution,
        urls: Option<Vec<String>>,
        user: Option<(String, String)>,
        access_token: Option<String>,
    ) -> Self {
        let services = Rc::new(Services { solution, urls: urls.map_or_else(OnceCell::new, |u| Rc::new(u).into()) });
        let login = user.map(|(username, password)| -> Box<dyn Login<T>> {
            Box::new(UserLogin { services: services.clone(), username, password })
        });
        IoTConnect { session: Session::new(config.core(), login, access_token), services }
    }

    pub fn solution(&self) -> &Solution {
        &self.services.solution
    }

    /// The solution's service URLs: given, or from discovery (asked once, then cached).
    pub async fn endpoints(&self) -> Result<Urls, Error> {
        self.services.all(&self.session.core).await
    }

    /// Logs in now (or reuses a fresh token) and says until when the token is good (ms since the epoch).
    pub async fn login(&self) -> Result<Option<f64>, Error> {
        Ok(self.session.token().await?.expires_at_ms)
    }

    /// The access token the client holds now (nothing is sent); `identity()` decodes its claims.
    pub fn access_token(&self) -> Option<String> {
        Some(self.session.cached()?.access.clone())
    }
}

/// The calls of [`OPS`]: sent with the access token to the service their path names; the envelope resolved
/// whole (`list`), as its `data` ([`DATA`]) or its one item ([`VENDOR`]); a [`PAGE_NUMBER`] row is one page
/// of an iteration. Errors keep the envelope: its `message` is the error's, its field errors stay in `body`.
impl<T: Transport> Client<T::Body> for IoTConnect<T>
where
    T::Body: Arg,
{
    fn spacing(&self) -> &core::cell::Cell<f64> {
        &self.session.core.spacing
    }
    fn op(&self, index: usize) -> Option<Op> {
        row(OPS, index)
    }

    fn finish(&self, index: usize, ctx: &str, opts: Option<&T::Body>, call: &mut Call) -> Result<(), Error> {
        if index == HISTORY {
            // Both are valid dates: `prepare` has checked them.
            let at = |key: &str| opts.and_then(|o| o.field(key).ok()??.utc()).map_or(0.0, |t| t.0);
            let (from, to) = (at("from"), at("to"));
            if from > to {
                return Err(bad(ctx, "from", "is after `to`"));
            }
            if to - from > WEEK {
                return Err(bad(ctx, "to", "is more than 7 days after `from`"));
            }
        } else if self.op(index).is_some_and(|op| op.flags & PAGE_NUMBER != 0) {
            // This page: the cursor's (`{page}\n{first page's first item}\n{the page before's}`), `pageNumber`'s,
            // or 1 (`start` and `pageNumber` are checked and read as the row's `v` options).
            let cursor = call.cursor.as_deref().unwrap_or("1");
            let page = split(cursor, b'\n').map_or(cursor, |(p, _)| p);
            let Some(page) = encode::whole32(page) else {
                return Err(bad(ctx, "start", "is not a cursor of this list"));
            };
            let size = num(call.page_size.unwrap_or(DEFAULT_PAGE_SIZE).into());
            let sep = if call.path.bytes().any(|b| b == b'?') { "&" } else { "?" };
            call.path.push_str(&cat(&[sep, "pageNumber=", &num(page.into()), "&pageSize=", &size]));
        }
        Ok(())
    }

    fn dispatch<'a>(&'a self, _index: usize, op: &'a Op, call: &'a Call) -> Sent<'a, T::Body> {
        Box::pin(async move {
            // The service is the path's first segment. The token first: a login discovers the services once
            // for every call waiting on it.
            let (name, path) = split(call.path.get(1..).unwrap_or(""), b'/').unwrap_or(("", ""));
            let Some(service) = SERVICES.iter().position(|s| *s == name) else {
                return Err(Error::invalid(
                    "iotc.request: `service` must be one of master, auth, user, device, firmware, event, telemetry, file",
                ));
            };
            self.session.token().await?;
            let base = self.services.url(&self.session.core, service).await?;
            let mut resp = self
                .session
                .send(&|token| {
                    let mut req = call.request("", token, None, false).header("Accept", "application/json");
                    req.url = cat(&[&base, "/", path]);
                    req
                })
                .await?;
            // An error, also one an envelope states under a 200 (`success` reports it).
            if let Some(s) = resp.body.num_at("status").filter(|s| (400.0..600.0).contains(s)) {
                resp.status = s as u16;
            }
            let empty = resp.status == 204;
            let body = success(resp, if empty { Shape::Any } else { call.shape })?.body;
            let data = body.get("data").unwrap_or_else(T::Body::null);
            let out = if op.flags & PAGE_NUMBER != 0 {
                // No data (an empty page, 204) is no items.
                let data = if data.is_null() { T::Body::array(None, None) } else { data };
                let Some((len, first)) = data.head() else {
                    return Err(Error::InvalidResponse("list answer's data is not an array".into()));
                };
                // `{page}\n{first page's first item}\n{the page before's}` (JSON text, without line breaks).
                let cursor = call.cursor.as_deref().unwrap_or("1");
                let (page, seen) = split(cursor, b'\n').unwrap_or((cursor, ""));
                let (one, before) = split(seen, b'\n').unwrap_or(("", ""));
                let page = encode::whole32(page).unwrap_or(MAX_PAGES);
                // A server that ignores pageNumber answers a page seen before (the first, or the last one
                // again): the first item tells.
                let first = first.fingerprint().as_str().unwrap_or_default();
                if len > 0 && (first == one || first == before) {
                    return Err(Error::InvalidResponse(
                        "the server sent the same page twice: paging is not honoured".into(),
                    ));
                }
                // A short (or empty) page is the last.
                let more = len > 0 && len >= call.page_size.unwrap_or(DEFAULT_PAGE_SIZE) as usize;
                if more && page >= MAX_PAGES {
                    return Err(Error::InvalidResponse("the list did not end within 10,000 pages".into()));
                }
                let next = more.then(|| {
                    let one = if one.is_empty() { &first } else { one };
                    T::Body::literal(&cat(&[&num((page + 1).into()), "\n", one, "\n", &first]), false)
                });
                T::Body::array(Some(data), next)
            } else if op.flags & DATA == 0 {
                // A list's page: an empty one (204) as `{data: []}`.
                if empty && op.flags & RET_OBJECT != 0 {
                    T::Body::object("data", T::Body::array(None, None))
                } else {
                    body
                }
            } else if op.flags & VENDOR != 0 {
                match data.head() {
                    Some((_, first)) => first,
                    None => data,
                }
            } else {
                data
            };
            Ok(Response::new(200, out))
        })
    }
}

// Native only: request bodies are JSON text there.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
