//! Which redirects are followed: a pure function of the request, the status and where the redirect leads.
//!
//! The transport never lets `fetch` follow a redirect (`redirect: 'manual'`): a token request re-POSTed
//! to wherever a `Location` points would hand that host the client secret or the password, and an API
//! request followed to another origin would return that origin's data as the cloud's. So requests that
//! carry credentials are never redirected, and other requests only within their origin. The transport
//! resolves the `Location` with the platform's `URL` and says whether it stays on the request's origin.

use crate::prelude::*;

use super::{Method, Request};
use crate::error::Error;

/// Redirects followed for one request, at most.
pub const MAX_HOPS: u32 = 5;

/// 301, 302, 303, 307 and 308; not 300 (a choice) or 304 (a cache answer).
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Where a followed redirect leads: the absolute URL, and whether the request goes on as a GET without its
/// body. (Kept beside the request rather than in a copy of it.)
pub type Hop = (String, bool);

/// Where to go after `req` (already turned into a GET by an earlier redirect when `get`) was answered
/// `status` (the `hops`-th redirect), or why not to follow. `location` is the absolute URL the redirect
/// leads to when it stays on the request's origin, `""` when it leaves it (or cannot be parsed), `None`
/// when there is none. 303 (and 301/302 after a POST, as browsers do) continue as a GET without the body;
/// 307 and 308 repeat the request as it was.
#[inline(never)]
pub fn follow(req: &Request, get: bool, status: u16, location: Option<String>, hops: u32) -> Result<Hop, Error> {
    let why = if !req.follow {
        "requests carrying credentials are never redirected"
    } else if hops > MAX_HOPS {
        "too many redirects"
    } else {
        match location {
            None => "no Location",
            Some(l) if l.is_empty() => "the Location is on another origin",
            Some(next) => {
                let post = !get && req.method == Method::Post;
                return Ok((next, get || status == 303 || (matches!(status, 301 | 302) && post)));
            }
        }
    };
    Err(Error::RedirectRefused(super::encode::cat(&[
        "redirect (HTTP ",
        &super::encode::num(status.into()),
        ") not followed: ",
        why,
    ])))
}

/// `req` as it goes after `hop`: what the transport sends (native tests look at it whole).
#[cfg(any(test, not(target_arch = "wasm32")))]
pub fn apply(req: &Request, hop: Option<&Hop>) -> Request {
    let mut out = req.clone();
    if let Some((url, get)) = hop {
        out.url = url.clone();
        if *get {
            out.method = Method::Get;
            out.payload = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str) -> Request {
        Request::get(url).header("Authorization", "Bearer t")
    }

    /// The request sent after `req` is answered `status` with `location` (the `hops`-th redirect).
    fn go(req: &Request, status: u16, location: Option<String>, hops: u32) -> Result<Request, Error> {
        follow(req, false, status, location, hops).map(|hop| apply(req, Some(&hop)))
    }

    #[test]
    fn same_origin_redirects_are_followed_with_their_headers() {
        let next = go(&get("http://h.test/v1/a"), 307, Some("http://h.test/v1/b".into()), 1).unwrap();
        assert_eq!(next.url, "http://h.test/v1/b");
        assert_eq!(next.header_value("authorization"), Some("Bearer t"));
    }

    #[test]
    fn cross_origin_and_credential_redirects_are_refused() {
        let code = |r: Result<Request, Error>| r.map(|_| ()).unwrap_err().code().to_string();
        assert_eq!(code(go(&get("http://h.test/a"), 302, Some(String::new()), 1)), "redirect_refused");
        assert_eq!(code(go(&get("http://h.test/a"), 302, None, 1)), "redirect_refused");
        assert_eq!(
            code(go(&get("http://h.test/a"), 302, Some("http://h.test/b".into()), MAX_HOPS + 1)),
            "redirect_refused"
        );
        let token = Request::post("http://h.test/token").form(&[("client_secret", "s")]).credentials();
        assert_eq!(code(go(&token, 307, Some("http://h.test/token2".into()), 1)), "redirect_refused");
    }

    #[test]
    fn see_other_turns_a_post_into_a_get_without_body() {
        let mut post = Request::post("http://h.test/a");
        post.payload = Some(super::super::Payload::Json("{}".into()));
        let next = go(&post, 303, Some("http://h.test/b".into()), 1).unwrap();
        assert_eq!((next.method, next.payload), (Method::Get, None));
        let again = go(&post, 308, Some("http://h.test/b".into()), 1).unwrap();
        assert_eq!((again.method, again.payload), (Method::Post, Some(super::super::Payload::Json("{}".into()))));
    }

    #[test]
    fn a_request_turned_into_a_get_stays_one() {
        let mut post = Request::post("http://h.test/a");
        post.payload = Some(super::super::Payload::Json("{}".into()));
        let hop = follow(&post, false, 303, Some("http://h.test/b".into()), 1).unwrap();
        assert_eq!(hop, ("http://h.test/b".into(), true));
        let hop = follow(&post, hop.1, 307, Some("http://h.test/c".into()), 2).unwrap();
        let next = apply(&post, Some(&hop));
        assert_eq!((next.url.as_str(), next.method, next.payload), ("http://h.test/c", Method::Get, None));
        assert_eq!(apply(&post, None), post);
    }
}
