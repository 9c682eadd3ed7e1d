//! Tokens and the single-flight cache every vendor client keeps them in.

use crate::prelude::*;

mod session;
mod single_flight;

pub use session::{Login, LoginFuture, Session};
pub use single_flight::SingleFlight;

use crate::error::Error;
use crate::http::{encode, Body, Core, Request, Transport};

/// An OAuth client-credentials grant. Vendors differ only in how they ask (form fields, client
/// authentication), which `request` builds; the answer is a standard grant.
pub struct ClientCredentials {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    /// What the token is for beyond the client, where the vendor can scope it (Arduino's `organization_id`).
    pub scope: Option<String>,
    /// Builds the token request.
    pub request: fn(&ClientCredentials) -> Request,
}

impl ClientCredentials {
    /// The login of a vendor's client `credentials` (id, secret), if given: its token URL is `base` and
    /// `path`; one copy for every vendor.
    #[inline(never)]
    pub fn boxed<T: Transport>(
        base: &str,
        path: &str,
        credentials: Option<(String, String)>,
        scope: Option<String>,
        request: fn(&ClientCredentials) -> Request,
    ) -> Option<Box<dyn Login<T>>> {
        let (client_id, client_secret) = credentials?;
        Some(Box::new(ClientCredentials {
            token_url: encode::cat(&[base, path]),
            client_id,
            client_secret,
            scope,
            request,
        }))
    }
}

impl<T: Transport> Login<T> for ClientCredentials {
    fn login<'a>(&'a self, core: &'a Core<T>, _previous: Option<alloc::rc::Rc<Token>>) -> LoginFuture<'a> {
        Box::pin(async move {
            let req = (self.request)(self).credentials();
            // A token request is safe to repeat, so an unavailable token service is waited out too.
            let resp = core.send_ok(&req, &[503]).await?;
            Token::from_grant(&resp.body, core.now_ms())
        })
    }
}

/// An access token and when to stop using it.
#[derive(Clone, PartialEq)]
pub struct Token {
    pub access: String,
    /// When the token expires (ms since the epoch); `None` for tokens that do not expire.
    pub expires_at_ms: Option<f64>,
    /// Lifetime as granted, in ms, used to size the refresh margin.
    pub lifetime_ms: Option<f64>,
    pub refresh: Option<String>,
    /// Refused by the server (see [`Token::expire`]): set through the one copy the cache and its callers
    /// share.
    pub refused: core::cell::Cell<bool>,
}

impl core::fmt::Debug for Token {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Token").field("expires_at_ms", &self.expires_at_ms).finish_non_exhaustive()
    }
}

/// Whether `s` can be sent as a token: printable ASCII without spaces (RFC 6750's token characters and
/// more), so that a token with CR/LF or other characters a header cannot carry is refused when it arrives,
/// not cached to fail every later call.
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic())
}

/// Refresh this long before expiry: a tenth of the lifetime, at most a minute. A 300 s Arduino token is
/// replaced after 270 s; a 2 s test token after 1.8 s.
pub fn refresh_margin_ms(lifetime_ms: f64) -> f64 {
    (lifetime_ms / 10.0).min(60_000.0)
}

impl Token {
    /// A token the user handed in: used as is, never refreshed by the client.
    pub fn fixed(access: String) -> Self {
        Token { access, expires_at_ms: None, lifetime_ms: None, refresh: None, refused: Default::default() }
    }

    /// Reads an OAuth-style grant `{access_token, expires_in, refresh_token}` received at `now_ms`.
    /// `expires_in` absent or 0 means the token does not expire (Particle's `expires_in=0`). Shared, as the
    /// cache keeps it.
    pub fn from_grant<B: Body>(body: &B, now_ms: f64) -> Result<alloc::rc::Rc<Self>, Error> {
        // (Particle's own token answers are refused in the same words.)
        let access = body
            .str_at("access_token")
            .filter(|t| is_token(t))
            .ok_or_else(|| Error::InvalidResponse("the token answer has no usable access_token".into()))?;
        let lifetime_ms = body.num_at("expires_in").filter(|s| s.is_finite() && *s > 0.0).map(|s| s * 1000.0);
        Ok(alloc::rc::Rc::new(Token {
            access,
            expires_at_ms: lifetime_ms.map(|l| now_ms + l),
            lifetime_ms,
            refresh: body.str_at("refresh_token").filter(|t| is_token(t)),
            refused: Default::default(),
        }))
    }

    /// Marks the token as no longer usable (the server refused it), keeping its refresh token.
    pub fn expire(&self) {
        self.refused.set(true);
    }

    /// Whether the token can still be sent at `now_ms`, keeping the refresh margin.
    pub fn is_fresh(&self, now_ms: f64) -> bool {
        if self.refused.get() {
            return false;
        }
        match (self.expires_at_ms, self.lifetime_ms) {
            (Some(at), Some(life)) => now_ms < at - refresh_margin_ms(life),
            (Some(at), None) => now_ms < at,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::mock::json;

    #[test]
    fn grants_are_read_with_their_lifetime() {
        let t = Token::from_grant(&json(r#"{"access_token":"abc","expires_in":300,"token_type":"Bearer"}"#), 1000.0)
            .unwrap();
        assert_eq!((t.access.as_str(), t.expires_at_ms, t.refresh.as_deref()), ("abc", Some(301_000.0), None));
        assert!(t.is_fresh(1000.0 + 269_999.0));
        assert!(!t.is_fresh(1000.0 + 270_000.0));
    }

    #[test]
    fn string_lifetimes_and_refresh_tokens() {
        let t =
            Token::from_grant(&json(r#"{"access_token":"a","expires_in":"3600","refresh_token":"r"}"#), 0.0).unwrap();
        assert_eq!((t.expires_at_ms, t.refresh.as_deref()), (Some(3_600_000.0), Some("r")));
        // A long lifetime keeps at most one minute of margin.
        assert!(t.is_fresh(3_539_999.0) && !t.is_fresh(3_540_000.0));
    }

    #[test]
    fn tokens_without_lifetime_never_expire() {
        let t = Token::from_grant(&json(r#"{"access_token":"a","expires_in":0}"#), 0.0).unwrap();
        assert!(t.is_fresh(f64::MAX));
        assert!(Token::fixed("x".into()).is_fresh(f64::MAX));
    }

    #[test]
    fn a_grant_without_a_token_is_an_error() {
        for body in [r#"{"expires_in":300}"#, r#"{"access_token":""}"#, r#"[]"#, r#"{"access_token":"a\r\nX-Evil: 1"}"#]
        {
            assert!(matches!(Token::from_grant(&json(body), 0.0), Err(Error::InvalidResponse(_))), "{body}");
        }
    }

    #[test]
    fn debug_output_hides_the_token() {
        let t = Token::from_grant(&json(r#"{"access_token":"s3cr3t","refresh_token":"r3fr3sh"}"#), 0.0).unwrap();
        let shown = format!("{t:?}");
        assert!(!shown.contains("s3cr3t") && !shown.contains("r3fr3sh"), "{shown}");
    }
}
