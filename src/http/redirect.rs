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

/// The request to send after `req` was answered `status` (the `hops`-th redirect), or why not to follow.
/// `location` is the absolute URL the redirect leads to when it stays on the request's origin, `""` when
/// it leaves it (or cannot be parsed), `None` when there is none. 303 (and 301/302 after a POST, as
/// browsers do) continue as a GET without the body; 307 and 308 repeat the request as it was.
#[inline(never)]
pub fn follow(req: &Request, status: u16, location: Option<String>, hops: u32) -> Result<Request, Error> {
    let why = if !req.follow {
        "requests carrying credentials are never redirected"
    } else if hops > MAX_HOPS {
        "too many redirects"
    } else {
        match location {
            None => "no Location",
            Some(l) if l.is_empty() => "the Location is on another origin",
            Some(next) => {
                let mut out = req.clone();
                out.url = next;
                if status == 303 || (matches!(status, 301 | 302) && req.method == Method::Post) {
                    out.method = Method::Get;
                    out.body = None;
                    out.payload = None;
                }
                return Ok(out);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str) -> Request {
        Request::get(url).header("Authorization", "Bearer t")
    }

    #[test]
    fn same_origin_redirects_are_followed_with_their_headers() {
        let next = follow(&get("http://h.test/v1/a"), 307, Some("http://h.test/v1/b".into()), 1).unwrap();
        assert_eq!(next.url, "http://h.test/v1/b");
        assert_eq!(next.header_value("authorization"), Some("Bearer t"));
    }

    #[test]
    fn cross_origin_and_credential_redirects_are_refused() {
        let code = |r: Result<Request, Error>| r.map(|_| ()).unwrap_err().code().to_string();
        assert_eq!(code(follow(&get("http://h.test/a"), 302, Some(String::new()), 1)), "redirect_refused");
        assert_eq!(code(follow(&get("http://h.test/a"), 302, None, 1)), "redirect_refused");
        assert_eq!(
            code(follow(&get("http://h.test/a"), 302, Some("http://h.test/b".into()), MAX_HOPS + 1)),
            "redirect_refused"
        );
        let token = Request::post("http://h.test/token").form(&[("client_secret", "s")]).credentials();
        assert_eq!(code(follow(&token, 307, Some("http://h.test/token2".into()), 1)), "redirect_refused");
    }

    #[test]
    fn see_other_turns_a_post_into_a_get_without_body() {
        let post = Request::post("http://h.test/a").json("{}".into());
        let next = follow(&post, 303, Some("http://h.test/b".into()), 1).unwrap();
        assert_eq!((next.method, next.body.as_deref()), (Method::Get, None));
        let again = follow(&post, 307, Some("http://h.test/b".into()), 1).unwrap();
        assert_eq!((again.method, again.body.as_deref()), (Method::Post, Some("{}")));
        // A body made at the edge from the caller's values goes the same way.
        let mut post = Request::post("http://h.test/a");
        post.payload = Some(super::super::Payload::Json("{}".into()));
        let next = follow(&post, 303, Some("http://h.test/b".into()), 1).unwrap();
        assert_eq!((next.method, next.payload), (Method::Get, None));
        let again = follow(&post, 308, Some("http://h.test/b".into()), 1).unwrap();
        assert_eq!((again.method, again.payload), (Method::Post, Some(super::super::Payload::Json("{}".into()))));
    }
}
