//! What the standard prelude gives a `std` build and a `no_std` one lacks; every module imports it.

pub use alloc::borrow::ToOwned;
pub use alloc::boxed::Box;
pub use alloc::string::{String, ToString};
pub use alloc::vec;
pub use alloc::vec::Vec;

/// Whether `n` is a whole number (`f64::fract`, `ceil` and `powi` need `std`).
#[cfg(target_arch = "wasm32")]
#[inline]
pub fn is_whole(n: f64) -> bool {
    n == (n as i64) as f64
}

/// The smallest whole number ≥ `n`, for `0 ≤ n < 2^63`.
#[inline]
pub fn ceil(n: f64) -> f64 {
    let t = n as i64 as f64;
    if t < n {
        t + 1.0
    } else {
        t
    }
}

/// A value that a wasm instance keeps for its whole life. A wasm instance without threads runs on one thread,
/// which is what makes sharing it sound; the crate's wasm is built without the `atomics` feature.
#[cfg(target_arch = "wasm32")]
pub struct Local<T>(pub core::cell::RefCell<T>);

#[cfg(target_arch = "wasm32")]
unsafe impl<T> Sync for Local<T> {}

#[cfg(target_arch = "wasm32")]
impl<T> Local<T> {
    pub const fn new(value: T) -> Self {
        Local(core::cell::RefCell::new(value))
    }

    /// `f` over the value. Never `Err` (no threads, no destructors to outlive): the `Result` keeps the shape
    /// of `LocalKey::try_with`, whose call sites this serves; a re-entrant `borrow_mut` is the `RefCell`'s to
    /// refuse.
    pub fn try_with<R>(&self, f: impl FnOnce(&core::cell::RefCell<T>) -> R) -> Result<R, ()> {
        Ok(f(&self.0))
    }
}
