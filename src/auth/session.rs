//! Authorized sending: a token from the cache (fetched once for all concurrent callers), the request, and
//! on a 401 one refresh and one resend.

use crate::prelude::*;

use super::{SingleFlight, Token};
use crate::error::Error;
use crate::http::{success, Core, Request, Response, Transport};
use alloc::rc::Rc;
use core::future::Future;
use core::pin::Pin;

pub type LoginFuture<'a> = Pin<Box<dyn Future<Output = Result<Rc<Token>, Error>> + 'a>>;

/// A vendor's way of getting a token. `previous` is the stale token, if any, for flows that refresh.
///
/// Object-safe (a boxed future) so that one `Session` serves every vendor: a generic session would be
/// compiled once per vendor into the wasm.
pub trait Login<T: Transport> {
    fn login<'a>(&'a self, core: &'a Core<T>, previous: Option<Rc<Token>>) -> LoginFuture<'a>;
}

pub struct Session<T> {
    pub core: Core<T>,
    tokens: SingleFlight<Rc<Token>>,
    /// `None` when the user gave only an access token: it is sent as is and never replaced.
    login: Option<Box<dyn Login<T>>>,
}

impl<T: Transport> Session<T> {
    /// Needs `login` or `access_token` (or both: the token is used until the server refuses it).
    #[inline(never)]
    pub fn new(core: Core<T>, login: Option<Box<dyn Login<T>>>, access_token: Option<String>) -> Self {
        Session { core, tokens: SingleFlight::new(access_token.map(|t| Rc::new(Token::fixed(t)))), login }
    }

    /// A usable token: the cached one while fresh, else one fetch shared by every caller.
    pub async fn token(&self) -> Result<Rc<Token>, Error> {
        let now = self.core.now_ms();
        match &self.login {
            Some(login) => self.tokens.get(|t| t.is_fresh(now), |prev| login.login(&self.core, prev)).await,
            None => self.tokens.peek().filter(|t| t.is_fresh(now)).ok_or_else(|| {
                Error::invalid("the access token was refused and no credentials were given to get another")
            }),
        }
    }

    /// The token in the cache, fresh or not; nothing is sent.
    pub fn cached(&self) -> Option<Rc<Token>> {
        self.tokens.peek()
    }

    /// Sends the request `build` makes for a token. A 401 marks that token expired and, when the client
    /// can log in, the request is sent once more with a new token — never more than once.
    ///
    /// `build` is a trait object so that this one function serves every call site (a generic would be
    /// compiled into each of them).
    pub fn send<'a>(
        &'a self,
        build: &'a dyn Fn(&str) -> Request,
    ) -> impl Future<Output = Result<Response<T::Body>, Error>> + 'a {
        self.exchange(build, false)
    }

    /// Like [`Session::send`], but a non-success status becomes an [`Error::Http`] and a body of the wrong
    /// shape (see [`Request::expect`]) an `invalid_response` error.
    pub fn send_checked<'a>(
        &'a self,
        build: &'a dyn Fn(&str) -> Request,
    ) -> impl Future<Output = Result<Response<T::Body>, Error>> + 'a {
        self.exchange(build, true)
    }

    /// [`Session::send_checked`]'s body.
    pub async fn send_ok(&self, build: &dyn Fn(&str) -> Request) -> Result<T::Body, Error> {
        Ok(self.exchange(build, true).await?.body)
    }

    /// [`Session::send`], and with `ok` [`success`] of its answer: one state machine for both.
    async fn exchange(&self, build: &dyn Fn(&str) -> Request, ok: bool) -> Result<Response<T::Body>, Error> {
        let mut again = false;
        loop {
            let token = self.token().await?;
            let req = build(&token.access);
            let resp = self.core.send(&req, &[]).await?;
            if resp.status == 401 && self.login.is_some() && !again {
                // The cache's own token, unless a newer one has replaced it there already.
                token.expire();
                again = true;
                continue;
            }
            return if ok { success(resp, req.expect) } else { Ok(resp) };
        }
    }
}
