//! Clients for four IoT device clouds — the Arduino IoT Cloud, the Particle Device Cloud, cThings Cloud and
//! Avnet IoTConnect — compiled to WebAssembly and published as one npm package.
//!
//! The crate is split into a pure core and a thin edge:
//! - [`http`]: request/response values, the [`http::Transport`] seam, URL/form/multipart encoding and the
//!   retry policy; the `fetch` transport lives here too (wasm32 only).
//! - [`auth`]: the single-flight token cache shared by every vendor.
//! - [`vendors`]: one module per cloud: endpoints, login flows, paging and envelopes.
//! - [`unified`]: one device model over the four clouds (`connect()`), as data per vendor.
//! - `js` (wasm32 only): the classes and functions exported to JavaScript.
//!
//! Everything except `http::fetch` and `js` is plain Rust and is unit-tested natively with `cargo test`.

// The package's wasm is built without the standard library (`--no-default-features`): its panic machinery
// formats messages and locations that a wasm trap never shows, about 2 KB of gzip. Native builds and the
// wasm tests keep `std` (the default feature).
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

// The wasm global allocator and, natively, its stress test.
mod allocator;
pub mod auth;
pub mod error;
pub mod http;
pub mod ops;
mod prelude;
pub mod unified;
pub mod vendors;

// Property tests; proptest is a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests;

#[cfg(target_arch = "wasm32")]
mod js;

pub use error::{Error, ErrorBody, HttpError, Vendor};

/// Without `std`, a panic (none is reachable by design) traps: the instance reports `unreachable` and the
/// JavaScript around it rejects the call.
#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
