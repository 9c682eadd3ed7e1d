//! A cached value that at most one caller fetches at a time: concurrent callers on a cold or stale cache
//! wait for that one fetch and share its result — or its error.

use crate::prelude::*;

use crate::error::Error;
use core::cell::RefCell;
use core::future::Future;
use core::task::{Poll, Waker};

pub struct SingleFlight<V> {
    value: RefCell<Option<V>>,
    flight: Flight,
}

/// The fetch in flight and its waiters; not generic, so that one copy serves every kind of value.
struct Flight {
    state: RefCell<State>,
}

struct State {
    fetching: bool,
    /// Bumped whenever a fetch ends, so waiters can tell that theirs is over.
    generation: u64,
    /// The error of the fetch that ended at this generation, for its waiters.
    failed: Option<(u64, Error)>,
    waiters: Vec<Waker>,
}

impl<V: Clone> Default for SingleFlight<V> {
    fn default() -> Self {
        Self::new(None)
    }
}

impl<V: Clone> SingleFlight<V> {
    pub fn new(value: Option<V>) -> Self {
        SingleFlight {
            value: RefCell::new(value),
            flight: Flight {
                state: RefCell::new(State { fetching: false, generation: 0, failed: None, waiters: Vec::new() }),
            },
        }
    }

    pub fn peek(&self) -> Option<V> {
        self.value.borrow().clone()
    }

    /// Changes the cached value in place, if there is one (for example: marks as expired the token a 401
    /// just refused, keeping its refresh token for the next fetch).
    pub fn update(&self, f: impl FnOnce(&mut V)) {
        if let Some(v) = self.value.borrow_mut().as_mut() {
            f(v);
        }
    }

    /// The cached value if `fresh` accepts it; otherwise the result of `fetch(previous value)`, run by one
    /// caller only while the others wait for it.
    pub async fn get<F, Fut>(&self, fresh: impl Fn(&V) -> bool, fetch: F) -> Result<V, Error>
    where
        F: FnOnce(Option<V>) -> Fut,
        Fut: Future<Output = Result<V, Error>>,
    {
        loop {
            if let Some(v) = self.value.borrow().as_ref().filter(|v| fresh(v)) {
                return Ok(v.clone());
            }
            match self.flight.in_flight() {
                Some(generation) => self.flight.wait(generation).await?,
                None => break,
            }
        }
        let previous = self.peek();
        let mut guard = Finish { flight: &self.flight, done: false };
        let result = fetch(previous).await;
        guard.done = true;
        let failed = match &result {
            Ok(v) => {
                *self.value.borrow_mut() = Some(v.clone());
                None
            }
            Err(e) => Some(e.clone()),
        };
        self.flight.finish(failed);
        result
    }
}

impl Flight {
    /// The generation of the fetch in flight, if one is; else marks this caller's fetch as started.
    #[inline(never)]
    fn in_flight(&self) -> Option<u64> {
        let mut st = self.state.borrow_mut();
        if st.fetching {
            return Some(st.generation);
        }
        st.fetching = true;
        None
    }

    /// Waits for the end of the fetch of `generation`; its error, if it failed.
    fn wait(&self, generation: u64) -> impl Future<Output = Result<(), Error>> + '_ {
        core::future::poll_fn(move |cx| {
            let mut st = self.state.borrow_mut();
            if st.generation == generation {
                st.waiters.push(cx.waker().clone());
                return Poll::Pending;
            }
            Poll::Ready(match &st.failed {
                Some((g, err)) if *g == generation + 1 => Err(err.clone()),
                _ => Ok(()),
            })
        })
    }

    /// Ends the fetch in flight (with the error its waiters get, if it failed) and wakes them.
    #[inline(never)]
    fn finish(&self, failed: Option<Error>) {
        let waiters = {
            let mut st = self.state.borrow_mut();
            st.fetching = false;
            st.generation += 1;
            if let Some(e) = failed {
                st.failed = Some((st.generation, e));
            }
            core::mem::take(&mut st.waiters)
        };
        waiters.into_iter().for_each(Waker::wake);
    }
}

/// Ends the fetch if the fetching future is dropped half-way, so that waiters do not wait forever: they
/// wake, find no value and no error, and one of them fetches.
struct Finish<'a> {
    flight: &'a Flight,
    done: bool,
}

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.flight.finish(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;
    use core::pin::Pin;
    use core::task::Context;
    use futures_executor::block_on;

    use crate::http::mock::round_trip as network;

    #[test]
    fn concurrent_callers_share_one_fetch() {
        let cell = SingleFlight::<u32>::default();
        let fetches = Cell::new(0);
        let get = || {
            cell.get(
                |_| true,
                |_| async {
                    fetches.set(fetches.get() + 1);
                    network().await;
                    Ok(7)
                },
            )
        };
        let results = block_on(futures_util_join(vec![get(), get(), get(), get(), get()]));
        assert_eq!(results, vec![Ok(7); 5]);
        assert_eq!(fetches.get(), 1);
        // Warm: no further fetch.
        assert_eq!(block_on(get()), Ok(7));
        assert_eq!(fetches.get(), 1);
    }

    #[test]
    fn waiters_get_the_fetchers_error_and_the_next_call_tries_again() {
        let cell = SingleFlight::<u32>::default();
        let fetches = Cell::new(0);
        let get = || {
            cell.get(
                |_| true,
                |_| async {
                    fetches.set(fetches.get() + 1);
                    network().await;
                    if fetches.get() == 1 {
                        Err(Error::Network("down".into()))
                    } else {
                        Ok(1)
                    }
                },
            )
        };
        let results = block_on(futures_util_join(vec![get(), get(), get()]));
        assert_eq!(results, vec![Err(Error::Network("down".into())); 3]);
        assert_eq!(fetches.get(), 1);
        assert_eq!(block_on(get()), Ok(1));
        assert_eq!(fetches.get(), 2);
    }

    #[test]
    fn stale_values_are_refetched_with_the_previous_value_in_hand() {
        let cell = SingleFlight::new(Some(1u32));
        let seen = Cell::new(None);
        let v = block_on(cell.get(
            |v| *v > 1,
            |prev| {
                seen.set(prev);
                async { Ok(2) }
            },
        ));
        assert_eq!((v, seen.get()), (Ok(2), Some(1)));
        cell.update(|v| *v += 1);
        assert_eq!(cell.peek(), Some(3));
    }

    #[test]
    fn a_dropped_fetch_releases_the_waiters() {
        let cell = SingleFlight::<u32>::default();
        let mut first = Box::pin(cell.get(|_| true, |_| async { core::future::pending::<Result<u32, Error>>().await }));
        let waker = futures_task_noop();
        let mut cx = Context::from_waker(&waker);
        assert!(first.as_mut().poll(&mut cx).is_pending());
        drop(first);
        assert_eq!(block_on(cell.get(|_| true, |_| async { Ok(5) })), Ok(5));
    }

    /// Runs the futures concurrently on one thread and collects their outputs in order.
    async fn futures_util_join<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
        let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
        let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
        core::future::poll_fn(|cx| {
            for (f, slot) in futures.iter_mut().zip(out.iter_mut()) {
                if slot.is_none() {
                    if let Poll::Ready(v) = f.as_mut().poll(cx) {
                        *slot = Some(v);
                    }
                }
            }
            if out.iter().all(Option::is_some) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        out.into_iter().flatten().collect()
    }

    fn futures_task_noop() -> Waker {
        Waker::noop().clone()
    }
}
