//! One module per cloud: its endpoints, its login flow and the few response fields Rust reads.
//! Each client borrows out small handlers per resource (`arduino.things().list(..)`), in the style of
//! octocrab; results are the vendor's own bodies, passed through unchanged.

pub mod arduino;
pub mod cthings;
pub mod iotconnect;
pub mod particle;

use crate::http::{encode, retry::RetryPolicy, Core, Transport};

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
