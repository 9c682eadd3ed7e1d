//! Authorized sending: a token from the cache (fetched once for all concurrent callers), the request, and
//! on a 401 one refresh and one resend.

use super::{SingleFlight, Token};
use crate::error::Error;
use crate::http::{Core, Request, Response, Transport};

/// A vendor's way of getting a token. `previous` is the stale token, if any, for flows that refresh.
#[allow(async_fn_in_trait)]
pub trait Login<T: Transport> {
    async fn login(&self, core: &Core<T>, previous: Option<Token>) -> Result<Token, Error>;
}

pub struct Session<T, L> {
    pub core: Core<T>,
    tokens: SingleFlight<Token>,
    /// `None` when the user gave only an access token: it is sent as is and never replaced.
    login: Option<L>,
}

impl<T: Transport, L: Login<T>> Session<T, L> {
    /// Needs `login` or `access_token` (or both: the token is used until the server refuses it).
    pub fn new(core: Core<T>, login: Option<L>, access_token: Option<String>) -> Self {
        Session { core, tokens: SingleFlight::new(access_token.map(Token::fixed)), login }
    }

    pub fn login_flow(&self) -> Option<&L> {
        self.login.as_ref()
    }

    /// A usable token: the cached one while fresh, else one fetch shared by every caller.
    pub async fn token(&self) -> Result<Token, Error> {
        let now = self.core.now_ms();
        match &self.login {
            Some(login) => self.tokens.get(|t| t.is_fresh(now), |prev| login.login(&self.core, prev)).await,
            None => self.tokens.peek().filter(|t| t.is_fresh(now)).ok_or_else(|| {
                Error::invalid("the access token was refused and no credentials were given to get another")
            }),
        }
    }

    /// Sends the request `build` makes for a token. A 401 marks that token expired and, when the client
    /// can log in, the request is sent once more with a new token — never more than once.
    pub async fn send(&self, build: impl Fn(&str) -> Request) -> Result<Response<T::Body>, Error> {
        let token = self.token().await?;
        let resp = self.core.send(&build(&token.access), &[]).await?;
        if resp.status != 401 || self.login.is_none() {
            return Ok(resp);
        }
        self.tokens.update(|t| {
            if t.access == token.access {
                t.expire();
            }
        });
        let token = self.token().await?;
        self.core.send(&build(&token.access), &[]).await
    }

    /// Like [`Session::send`], but a non-success status becomes an [`Error::Http`].
    pub async fn send_ok(&self, build: impl Fn(&str) -> Request) -> Result<T::Body, Error> {
        let resp = self.send(build).await?;
        if resp.ok() {
            Ok(resp.body)
        } else {
            Err(Error::from_response(&resp, self.core.now_ms()))
        }
    }
}
