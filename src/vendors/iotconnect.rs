//! Avnet IoTConnect: endpoint discovery (cached, retried on 502), the three-step login (basic-token, login
//! with `solution-key`, refresh-token) and paged lists.

use crate::prelude::*;

use super::{segment, Client, ClientConfig, Sent};
use crate::auth::{Login, LoginFuture, Session, SingleFlight, Token};
use crate::error::Error;
use crate::http::encode::{self, cat, num};
use crate::http::{success, Body, Core, Request, Response, Shape, Transport};
use crate::ops::{iotconnect::OPS, Call, Op, PAGE_ALL, SVC_DEVICE};
use alloc::rc::Rc;

pub const DEFAULT_DISCOVERY_URL: &str = "https://discovery.iotconnect.io";
/// Largest page the API serves; also the default, so that a long list takes few requests.
pub const MAX_PAGE_SIZE: u32 = 1000;
const DEFAULT_PAGE_SIZE: u32 = 100;
/// A bound on pages in one list, so that a server that ignores paging cannot loop the client forever.
pub const MAX_PAGES: u32 = 10_000;

/// Where a solution's services live; each URL already ends in its API version (`/api/v2.1`). Discovery
/// names more services (user, telemetry, firmware, …); they are read here as the clients come to use them.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoints {
    pub auth: String,
    pub device: String,
}

/// What discovery needs: solution key, environment (`poc`, `prod`, `avnet`), platform (`aws`, `az`).
pub struct Solution {
    pub discovery_url: String,
    pub solution_key: String,
    pub environment: String,
    pub platform: String,
}

struct Discovery {
    solution: Solution,
    cache: SingleFlight<Rc<Endpoints>>,
}

impl Discovery {
    async fn endpoints<T: Transport>(&self, core: &Core<T>) -> Result<Rc<Endpoints>, Error> {
        self.cache.get(|_| true, |_| self.fetch(core)).await
    }

    async fn fetch<T: Transport>(&self, core: &Core<T>) -> Result<Rc<Endpoints>, Error> {
        let s = &self.solution;
        let version = if s.platform == "az" { "2" } else { "2.1" };
        let url = cat(&[
            &s.discovery_url,
            "/api/uisdk/solutionkey/",
            &segment("solutionKey", &s.solution_key)?,
            "/env/",
            &segment("environment", &s.environment)?,
            &encode::query(&[("version", version.into()), ("pf", s.platform.clone())]),
        ]);
        // Discovery is known to answer 502 with an HTML page now and then: retry that too.
        let resp = core
            .send_ok(&Request::get(url).header("Accept", "application/json").returns(Shape::Object), &[502])
            .await?;
        let data = resp.body.get("data").unwrap_or_else(T::Body::null);
        // The password goes to the auth URL: take only absolute http(s) URLs from the answer.
        let base = |key: &str| {
            let url = data.str_at(key).unwrap_or_default();
            encode::base_url(key, &url)
                .map_err(|_| Error::InvalidResponse(cat(&["discovery answer has no valid ", key])))
        };
        Ok(Rc::new(Endpoints { auth: base("authBaseUrl")?, device: base("deviceBaseUrl")? }))
    }
}

/// The user login of the auth service. The password is kept only to log in again when the refresh token
/// is refused.
pub struct UserLogin {
    discovery: Rc<Discovery>,
    username: String,
    password: String,
}

impl<T: Transport> Login<T> for UserLogin {
    fn login<'a>(&'a self, core: &'a Core<T>, previous: Option<Token>) -> LoginFuture<'a> {
        Box::pin(self.login_or_refresh(core, previous))
    }
}

impl UserLogin {
    async fn login_or_refresh<T: Transport>(&self, core: &Core<T>, previous: Option<Token>) -> Result<Token, Error> {
        let auth = self.discovery.endpoints(core).await?.auth.clone();
        if let Some(refresh) = previous.and_then(|t| t.refresh) {
            let body = cat(&["{\"refreshtoken\":", &encode::json_string(&refresh), "}"]);
            let resp = core
                .send(&Request::post(cat(&[&auth, "/Auth/refresh-token"])).json(body).credentials(), &[503])
                .await?;
            if resp.ok() {
                return Token::from_grant(&resp.body, core.now_ms());
            }
            // 409 (refresh token invalid) or 400/401: fall back to a full login; anything else is an outage.
            if !matches!(resp.status, 400 | 401 | 403 | 409) {
                return Err(Error::from_response(&resp));
            }
        }
        let basic = core.send_ok(&Request::get(cat(&[&auth, "/Auth/basic-token"])).credentials(), &[]).await?;
        let basic = basic
            .body
            .str_at("data")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::InvalidResponse("basic-token answer has no data".into()))?;
        let body = cat(&[
            "{\"username\":",
            &encode::json_string(&self.username),
            ",\"password\":",
            &encode::json_string(&self.password),
            "}",
        ]);
        let req = Request::post(cat(&[&auth, "/Auth/login"]))
            .header("Authorization", cat(&["Basic ", &basic]))
            .header("solution-key", &self.discovery.solution.solution_key)
            .json(body)
            .credentials();
        let resp = core.send_ok(&req, &[503]).await?;
        Token::from_grant(&resp.body, core.now_ms())
    }
}

pub struct IoTConnect<T> {
    session: Session<T>,
    discovery: Rc<Discovery>,
}

impl<T: Transport> IoTConnect<T> {
    pub fn new(
        config: ClientConfig<T>,
        solution: Solution,
        user: Option<(String, String)>,
        access_token: Option<String>,
    ) -> Self {
        let discovery = Rc::new(Discovery { solution, cache: SingleFlight::default() });
        let login = user.map(|(username, password)| -> Box<dyn Login<T>> {
            Box::new(UserLogin { discovery: discovery.clone(), username, password })
        });
        IoTConnect { session: Session::new(config.core(), login, access_token), discovery }
    }

    pub fn solution(&self) -> &Solution {
        &self.discovery.solution
    }

    /// The solution's service URLs, from discovery (asked once, then cached).
    pub async fn endpoints(&self) -> Result<Rc<Endpoints>, Error> {
        self.discovery.endpoints(&self.session.core).await
    }

    /// Logs in now (or reuses a fresh token) and says until when the token is good (ms since the epoch).
    pub async fn login(&self) -> Result<Option<f64>, Error> {
        Ok(self.session.token().await?.expires_at_ms)
    }

    /// Every item of a paged list: pages of `page_size` from 1 until a short or empty page (or 204), or
    /// until `count` items when the server states a count (`/Device` says `count: -1`). Without `all`:
    /// the first page's body, as it comes.
    async fn all_pages(&self, base: &str, call: &Call, page_size: u32, all: bool) -> Result<T::Body, Error> {
        let mut items = Vec::new();
        let mut seen = Vec::new();
        let size = num(page_size.into());
        for page in 1.. {
            if page > MAX_PAGES {
                return Err(Error::InvalidResponse("the list did not end within 10,000 pages".into()));
            }
            // After the call's own query: `pageNumber` and `pageSize`.
            let mut paging = String::from(if call.path.contains('?') { "&pageNumber=" } else { "?pageNumber=" });
            paging.push_str(&num(page.into()));
            paging.push_str("&pageSize=");
            paging.push_str(&size);
            let resp = self
                .session
                .send(&|token| {
                    let mut req = call.request(base, token, None, false);
                    req.url.push_str(&paging);
                    req
                })
                .await?;
            if resp.status == 204 {
                break;
            }
            let body = success(resp, call.shape)?.body;
            if !all {
                return Ok(body);
            }
            let count = body.num_at("count").filter(|c| *c >= 0.0);
            let data = body.get("data").unwrap_or_else(T::Body::null);
            let Some(page_items) = data.items() else {
                if data.is_null() {
                    break;
                }
                return Err(Error::InvalidResponse("list answer's data is not an array".into()));
            };
            // A server that ignores pageNumber answers a page again (or cycles through a few): stop at the
            // first repeat. Pages are told apart by their whole first item, so items without ids count too.
            let first = page_items.first().map(Body::fingerprint);
            if first.as_ref().is_some_and(|f| seen.contains(f)) {
                return Err(Error::InvalidResponse(
                    "the server sent the same page twice: paging is not honoured".into(),
                ));
            }
            seen.extend(first);
            let got = page_items.len();
            items.extend(page_items);
            if got < page_size as usize || count.is_some_and(|c| items.len() as f64 >= c) {
                break;
            }
        }
        Ok(T::Body::from_items(items))
    }
}

/// The calls of [`OPS`](crate::ops::iotconnect::OPS), sent to the service their row names after
/// discovery; a [`PAGE_ALL`] list is read to its last page.
impl<T: Transport> Client<T::Body> for IoTConnect<T> {
    fn op(&self, index: usize) -> Option<Op> {
        OPS.get(index).copied()
    }
    fn dispatch<'a>(&'a self, _index: usize, op: &'a Op, call: &'a Call) -> Sent<'a, T::Body> {
        Box::pin(async move {
            let page_size = call.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
            if page_size == 0 || page_size > MAX_PAGE_SIZE {
                return Err(Error::invalid("pageSize must be between 1 and 1000"));
            }
            let endpoints = self.endpoints().await?;
            let base = if op.flags & SVC_DEVICE != 0 { &endpoints.device } else { &endpoints.auth };
            // A row without PAGE_ALL is one page: the first, as it comes.
            Ok(Response::new(200, self.all_pages(base, call, page_size, op.flags & PAGE_ALL != 0).await?))
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
    use futures_executor::block_on;
    use serde_json::{json, Value};

    fn list(c: &IoTConnect<Rc<Mock>>, opts: Value) -> Result<Value, Error> {
        Ok(run(c, 0, "iotc.devices.list", &[opts])?.body)
    }

    const DISCOVERY: &str = r#"{"data":{"authBaseUrl":"https://auth.test/api/v2.1/","deviceBaseUrl":"https://device.test/api/v2.1"},"message":"Success"}"#;

    fn client(mock: &Rc<Mock>) -> IoTConnect<Rc<Mock>> {
        IoTConnect::new(
            ClientConfig { transport: mock.clone(), retry: RetryPolicy::default() },
            Solution {
                discovery_url: "https://discovery.test".into(),
                solution_key: "sk 1".into(),
                environment: "poc".into(),
                platform: "aws".into(),
            },
            Some(("user@example.com".into(), "pa\"ss".into())),
            None,
        )
    }

    /// A fake solution with `devices` devices; tokens live 3600 s.
    fn cloud(devices: usize) -> impl FnMut(&Request, f64) -> Result<Response<Value>, Error> {
        move |req, _| {
            let url = req.url.as_str();
            if url.starts_with("https://discovery.test") {
                reply(200, DISCOVERY)
            } else if url.ends_with("/Auth/basic-token") {
                reply(200, r#"{"data":"b4s1c","status":200,"message":"Basic token has been generated successfully"}"#)
            } else if url.ends_with("/Auth/login") {
                reply(
                    200,
                    r#"{"token_type":"bearer","access_token":"at1","expires_in":3600,"refresh_token":"rt1","status":200}"#,
                )
            } else if url.ends_with("/Auth/refresh-token") {
                if req.body.as_deref() == Some(r#"{"refreshtoken":"rt1"}"#) {
                    reply(200, r#"{"access_token":"at2","expires_in":3600,"refresh_token":"rt2"}"#)
                } else {
                    reply(409, r#"{"status":409,"message":"Refresh token is invalid","error":[]}"#)
                }
            } else if let Some(q) = url.strip_prefix("https://device.test/api/v2.1/Device?") {
                let num = |k: &str| -> usize {
                    q.split('&').find_map(|p| p.strip_prefix(&format!("{k}="))).unwrap().parse().unwrap()
                };
                let (page, size) = (num("pageNumber"), num("pageSize"));
                let items: Vec<String> = ((page - 1) * size..(page * size).min(devices))
                    .map(|i| format!("{{\"uniqueId\":\"d{i}\"}}"))
                    .collect();
                if items.is_empty() {
                    reply(204, "")
                } else {
                    reply(200, &format!(r#"{{"data":[{}],"status":200,"count":-1}}"#, items.join(",")))
                }
            } else {
                reply(404, "{}")
            }
        }
    }

    #[test]
    fn discovery_basic_token_and_login_are_sent_as_documented() {
        let mock = Mock::new(cloud(3));
        let c = client(&mock);
        list(&c, json!({})).unwrap();
        let reqs = mock.requests.borrow();
        assert_eq!(reqs[0].url, "https://discovery.test/api/uisdk/solutionkey/sk%201/env/poc?version=2.1&pf=aws");
        assert_eq!(reqs[1].url, "https://auth.test/api/v2.1/Auth/basic-token");
        assert_eq!(reqs[2].url, "https://auth.test/api/v2.1/Auth/login");
        assert_eq!(reqs[2].header_value("authorization"), Some("Basic b4s1c"));
        assert_eq!(reqs[2].header_value("solution-key"), Some("sk 1"));
        assert_eq!(reqs[2].body.as_deref(), Some(r#"{"username":"user@example.com","password":"pa\"ss"}"#));
        assert_eq!(reqs[3].header_value("authorization"), Some("Bearer at1"));
    }

    #[test]
    fn devices_are_paged_until_a_short_page() {
        let mock = Mock::new(cloud(250));
        let devices = list(&client(&mock), json!({})).unwrap();
        let ids: Vec<&str> = devices.as_array().unwrap().iter().map(|d| d["uniqueId"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 250);
        assert_eq!((ids[0], ids[249]), ("d0", "d249"));
        assert_eq!(mock.count("/Device?"), 3);
    }

    #[test]
    fn an_exact_multiple_ends_on_204_and_discovery_is_cached() {
        let mock = Mock::new(cloud(200));
        let c = client(&mock);
        let opts = json!({"pageSize": 100});
        assert_eq!(list(&c, opts.clone()).unwrap().as_array().unwrap().len(), 200);
        assert_eq!(list(&c, opts).unwrap().as_array().unwrap().len(), 200);
        assert_eq!(mock.count("/Device?"), 6);
        assert_eq!(mock.count("discovery.test"), 1);
        assert_eq!(mock.count("/Auth/login"), 1);
    }

    #[test]
    fn expired_tokens_are_refreshed_then_relogged_when_refresh_fails() {
        let mock = Mock::new(cloud(1));
        let c = client(&mock);
        block_on(c.login()).unwrap();
        mock.advance(3_600_000.0);
        block_on(c.login()).unwrap();
        assert_eq!((mock.count("/Auth/refresh-token"), mock.count("/Auth/login")), (1, 1));
        // at2/rt2 now; rt2 is unknown to the fake, so the next refresh fails with 409 and we log in again.
        mock.advance(3_600_000.0);
        block_on(c.login()).unwrap();
        assert_eq!((mock.count("/Auth/refresh-token"), mock.count("/Auth/login")), (2, 2));
    }

    #[test]
    fn discovery_502_html_is_retried() {
        let mut failures = 2;
        let mut inner = cloud(1);
        let mock = Mock::new(move |req, now| {
            if req.url.starts_with("https://discovery.test") && failures > 0 {
                failures -= 1;
                return reply(502, "<html><body>502 Bad Gateway</body></html>");
            }
            inner(req, now)
        });
        list(&client(&mock), json!({})).unwrap();
        assert_eq!(mock.count("discovery.test"), 3);
    }

    #[test]
    fn a_server_that_ignores_paging_is_an_error_not_a_loop() {
        let mut inner = cloud(1);
        let mock = Mock::new(move |req, now| {
            if req.url.contains("/Device?") {
                return reply(200, r#"{"data":[{"uniqueId":"a"},{"uniqueId":"b"}],"status":200,"count":-1}"#);
            }
            inner(req, now)
        });
        let err = list(&client(&mock), json!({"pageSize": 2})).unwrap_err();
        assert!(matches!(err, Error::InvalidResponse(ref m) if m.contains("same page twice")), "{err}");
        assert_eq!(mock.count("/Device?"), 2);
    }

    #[test]
    fn discovery_urls_must_be_absolute() {
        let mut inner = cloud(1);
        let mock = Mock::new(move |req, now| {
            if req.url.starts_with("https://discovery.test") {
                return reply(200, r#"{"data":{"authBaseUrl":"/relative/api","deviceBaseUrl":"https://d.test"}}"#);
            }
            inner(req, now)
        });
        let err = block_on(client(&mock).login()).unwrap_err();
        assert!(matches!(err, Error::InvalidResponse(ref m) if m.contains("authBaseUrl")), "{err}");
        assert_eq!(mock.requests.borrow().len(), 1, "no login sent to a relative URL");
    }

    #[test]
    fn page_size_is_checked() {
        let mock = Mock::new(cloud(1));
        for bad in [json!(0), json!(MAX_PAGE_SIZE + 1), json!(-1), json!(1.5), json!("x")] {
            let opts = json!({ "pageSize": bad });
            assert!(matches!(list(&client(&mock), opts), Err(Error::InvalidArgument(_))));
        }
        assert!(mock.requests.borrow().is_empty());
    }

    #[test]
    fn filters_and_sort_go_in_the_query_before_the_paging() {
        let mock = Mock::new(cloud(3));
        let opts = json!({"uniqueId": "d 1", "templateGuid": "t", "entityGuid": "e", "status": "active",
            "searchText": "x&y", "sortBy": "uniqueId desc", "pageSize": 1000, "other": 1});
        list(&client(&mock), opts).unwrap_or_default();
        let reqs = mock.requests.borrow();
        let page = reqs.iter().find(|r| r.url.contains("/Device")).unwrap();
        assert_eq!(
            page.url,
            "https://device.test/api/v2.1/Device?UniqueId=d%201&TemplateGuid=t&EntityGuid=e&Status=active&searchText=x%26y&sortBy=uniqueId%20desc&pageNumber=1&pageSize=1000"
        );
        assert_eq!(page.method, crate::http::Method::Get);
        assert_eq!(page.header_value("accept"), Some("application/json"));
        assert_eq!(page.header_value("authorization"), Some("Bearer at1"));
        drop(reqs);
        let m = list(&client(&mock), json!({"sortBy": 42})).unwrap_err();
        assert_eq!(m.to_string(), "iotc.devices.list: `sortBy` must be a string");
    }
}
