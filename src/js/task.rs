//! The promises the package returns, run by a small executor of its own, without wasm-bindgen closures.
//!
//! A task is a boxed future in a list here; JavaScript polls it (a microtask after each wake) and settles
//! the promise made for it when it is done. A JavaScript promise is awaited with [`Settled`]: its callbacks
//! fill a small array and wake the waker that polled it (any executor's, so the wasm tests can await the
//! transport too). JavaScript calls back into Rust through two plain exports of the wasm instance,
//! [`iot_poll`] and [`iot_wake`], whose exports object it is handed on first use (no wasm-bindgen class:
//! its glue, destructor and borrow checks would cost more than the two calls).

use crate::prelude::*;

use crate::error::{Error, Vendor};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
let rt;
const queued = new Set();
const settlers = new Map();

export function hook(r) {
  rt = r;
}

const aborted = new Set();

export function spawn(id, signal) {
  return new Promise((resolve, reject) => {
    let off;
    if (signal) {
      // The call's signal ends the task wherever it waits (a login, a discovery, a pause between attempts).
      const abort = () => {
        aborted.add(id);
        schedule(id);
      };
      try {
        signal.addEventListener('abort', abort);
        off = () => signal.removeEventListener('abort', abort);
      } catch {}
    }
    settlers.set(id, [resolve, reject, off]);
    schedule(id);
  });
}

export function schedule(id) {
  if (queued.has(id)) return;
  queued.add(id);
  queueMicrotask(() => {
    queued.delete(id);
    rt.iot_poll(id, aborted.delete(id));
  });
}

export function done(id, ok, value) {
  const s = settlers.get(id);
  settlers.delete(id);
  try {
    s[2]?.();
  } catch {}
  s[ok ? 0 : 1](value);
}

export function watch(promise, waker) {
  const cell = [];
  promise.then(
    (v) => {
      cell.push(true, v);
      rt.iot_wake(waker);
    },
    (e) => {
      cell.push(false, e);
      rt.iot_wake(waker);
    },
  );
  return cell;
}
"#)]
extern "C" {
    /// Hands JavaScript the exports of the wasm instance, whose [`iot_poll`] and [`iot_wake`] it calls.
    fn hook(exports: JsValue);
    /// The promise of task `id`, whose first poll is scheduled; `signal` (an `AbortSignal` or undefined)
    /// ends the task when it fires.
    fn spawn(id: u32, signal: &JsValue) -> Promise;
    /// Polls task `id` in a microtask (once however often it is woken before).
    fn schedule(id: u32);
    /// Settles the promise of task `id`.
    fn done(id: u32, ok: bool, value: JsValue);
    /// `[]`, filled with `[true, value]` or `[false, error]` when `promise` settles, which then wakes the
    /// boxed waker at `waker`.
    fn watch(promise: &Promise, waker: u32) -> Array;
}

type Task = Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>;

/// The tasks not yet done, with their ids and vendors (a task being polled is out of the list).
static TASKS: Local<Vec<(u32, Vendor, Task)>> = Local::new(Vec::new());
/// The id of the last task (ids start at 2); 0 until JavaScript has the exports.
static LAST: Local<u32> = Local::new(0);

/// Polls task `id`, if it is not done, and settles its promise when it is. (A raw export: JavaScript calls
/// it on the instance's exports, with a number.)
#[no_mangle]
pub extern "C" fn iot_poll(id: u32, aborted: bool) {
    let Some((vendor, mut task)) = take(id) else { return };
    // SAFETY: the data of this vtable's wakers is a task id, never dereferenced.
    let waker = unsafe { Waker::from_raw(RawWaker::new(id as usize as *const (), &VTABLE)) };
    // Aborted: dropped where it waits (a shared login it was running is left for the next caller to run).
    let result = if aborted {
        Err(Error::Aborted)
    } else {
        match task.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Pending => {
                let _ = TASKS.try_with(|t| t.borrow_mut().push((id, vendor, task)));
                return;
            }
            Poll::Ready(r) => r,
        }
    };
    match result {
        Ok(v) => done(id, true, v),
        Err(e) => done(id, false, super::to_js(e, vendor)),
    }
}

/// Wakes the waker [`Settled`] boxed for `watch`; called once for each, by its callbacks.
#[no_mangle]
pub extern "C" fn iot_wake(waker: u32) {
    // SAFETY: `waker` is a box `Settled::poll` leaked for `watch`, whose callbacks call this once.
    unsafe { Box::from_raw(waker as usize as *mut Waker) }.wake();
}

/// Task `id` out of the list.
fn take(id: u32) -> Option<(Vendor, Task)> {
    TASKS
        .try_with(|t| {
            let mut t = t.borrow_mut();
            let i = t.iter().position(|(k, ..)| *k == id)?;
            let (_, vendor, task) = t.swap_remove(i);
            Some((vendor, task))
        })
        .ok()
        .flatten()
}

/// A waker of a task of this executor: its id.
static VTABLE: RawWakerVTable = RawWakerVTable::new(
    |id| RawWaker::new(id, &VTABLE),
    |id| schedule(id as usize as u32),
    |id| schedule(id as usize as u32),
    |_| {},
);

/// A promise of `fut`'s value; its error becomes a `CloudError` of `vendor`. When `signal` (an
/// `AbortSignal`, or undefined) fires, the task is dropped and the promise rejects with `aborted`.
pub(crate) fn run(vendor: Vendor, fut: Task, signal: &JsValue) -> Promise {
    ensure_hooked();
    let id = LAST
        .try_with(|last| {
            let mut last = last.borrow_mut();
            *last = last.wrapping_add(1).max(2);
            *last
        })
        .unwrap_or(2);
    let _ = TASKS.try_with(|t| t.borrow_mut().push((id, vendor, fut)));
    spawn(id, signal)
}

/// The outcome of a JavaScript promise, as a future.
pub struct Settled {
    promise: Option<Promise>,
    cell: Option<Array>,
}

impl From<Promise> for Settled {
    fn from(promise: Promise) -> Self {
        Settled { promise: Some(promise), cell: None }
    }
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(promise) = self.promise.take() {
            ensure_hooked();
            let waker = Box::into_raw(Box::new(cx.waker().clone())) as usize as u32;
            self.cell = Some(watch(&promise, waker));
            return Poll::Pending;
        }
        match &self.cell {
            Some(cell) if cell.length() == 2 => {
                let value = cell.get(1);
                Poll::Ready(if cell.get(0).as_bool() == Some(true) { Ok(value) } else { Err(value) })
            }
            _ => Poll::Pending,
        }
    }
}

/// Hands JavaScript the instance's exports, once.
#[inline(never)]
fn ensure_hooked() {
    let _ = LAST.try_with(|last| {
        let mut last = last.borrow_mut();
        if *last == 0 {
            hook(wasm_bindgen::exports());
            *last = 1;
        }
    });
}
