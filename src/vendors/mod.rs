//! One module per cloud: its endpoints, its login flow and the few response fields Rust reads.
//! Each client borrows out small handlers per resource (`arduino.things().list(..)`), in the style of
//! octocrab; results are the vendor's own bodies, passed through unchanged.

use crate::prelude::*;

pub mod arduino;
pub mod cthings;
pub mod iotconnect;
pub mod particle;

use crate::error::Error;
use crate::http::{encode, retry::RetryPolicy, Core, Response, Transport};
use crate::ops::{Call, Op};
use core::future::Future;
use core::pin::Pin;

/// The answer of an operation sent by a [`Client`].
pub type Sent<'a, B> = Pin<Box<dyn Future<Output = Result<Response<B>, Error>> + 'a>>;

/// A vendor client as the one invoke path sees it: its table of operations and how it sends a prepared
/// call (host, token, envelope, paging). Object-safe, so that the path is compiled once for every vendor.
pub trait Client<B> {
    /// Row `index` of the client's table.
    fn op(&self, index: usize) -> Option<Op>;
    /// Completes call `index` as [`crate::ops::prepare`] made it from its options `opts` (Particle's
    /// login family: required strings, token lifetimes, the token form); nothing to add elsewhere.
    fn finish(&self, _index: usize, _ctx: &str, _opts: Option<&B>, _call: &mut Call) -> Result<(), Error> {
        Ok(())
    }
    fn dispatch<'a>(&'a self, index: usize, op: &'a Op, call: &'a Call) -> Sent<'a, B>;
    /// The least time between two of the client's requests, in ms (`maxRequestsPerSecond`; 0: none), which
    /// the unified model's `connect()` sets.
    fn spacing(&self) -> &core::cell::Cell<f64>;
}

/// Operation `index` of `client`'s table prepared with `args` (see [`crate::ops::prepare`]; `org_key` names
/// the organization option) and completed by the client: what the invoke path and the unified model send.
/// Nothing is sent when an argument is wrong. (`invoke` does the same in place.)
#[cfg(test)]
pub fn prepared<B: crate::ops::Arg>(
    client: &dyn Client<B>,
    index: usize,
    ctx: &str,
    args: &[B],
    org_key: &str,
) -> Result<(Op, Call), Error> {
    let op = client.op(index).ok_or_else(|| Error::invalid("no such operation"))?;
    let mut call = crate::ops::prepare(&op, ctx, args, org_key)?;
    client.finish(index, ctx, args.get(op.positional()), &mut call)?;
    Ok((op, call))
}

/// Prepares operation `index` of `client`'s table with `args`, completes and sends it, as the invoke path
/// does (native tests).
#[cfg(test)]
pub fn run<B: crate::ops::Arg>(
    client: &dyn Client<B>,
    index: usize,
    ctx: &str,
    args: &[B],
) -> Result<Response<B>, Error> {
    let (op, call) = prepared(client, index, ctx, args, "organization")?;
    futures_executor::block_on(client.dispatch(index, &op, &call))
}

/// Settings every client shares.
pub struct ClientConfig<T> {
    pub transport: T,
    pub retry: RetryPolicy,
}

impl<T: Transport> ClientConfig<T> {
    pub fn core(self) -> Core<T> {
        Core::new(self.transport, self.retry)
    }
}

pub(crate) use encode::path_segment as segment;
