//! The wasm build's memory allocator: one free list kept in address order, first fit, with neighbouring
//! free blocks merged on release, growing the wasm memory as needed.
//!
//! The standard allocator (dlmalloc) costs about 8 KB of the wasm — a sixth of the package's budget, and
//! talc, a binned allocator, about 1.3 KB of code. This one is a few hundred bytes: blocks carry no header
//! (`dealloc` is told the layout), a free block holds its size and the address of the next free block, so
//! every block is a multiple of two words. Memory freed after a burst of large responses merges back into
//! large blocks that serve later allocations of any size. Its cost is a walk of the free list per
//! allocation and release; the list holds at most one block more than the live blocks between them, and a
//! client's live set is small (the 100,000-call soaks of tests/js/leaks.test.mjs keep it flat). Memory is
//! never returned (wasm memory cannot shrink); a resize always moves the block.
//!
//! Natively the system allocator stays; the tests below run the same allocator over a fixed arena.

// Natively only the tests use it.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

/// A word: a free block holds its size, then the address of the next free block (0: none).
const W: usize = core::mem::size_of::<usize>();
/// Every block is a multiple of this, and at an address that is one.
const GRAIN: usize = 2 * W;

/// Where new memory comes from: `grow(bytes)` adds a region of at least `bytes` bytes (fewer only when it
/// is the last memory there is), GRAIN-aligned, and answers its address and length.
pub trait Grow {
    fn grow(&self, bytes: usize) -> Option<(usize, usize)>;
}

pub struct FreeList<G> {
    grow: G,
    /// The free block with the lowest address (0: none).
    head: UnsafeCell<usize>,
}

// The wasm build is single-threaded: there is no concurrent access to the list.
unsafe impl<G: Sync> Sync for FreeList<G> {}

unsafe fn get(at: usize) -> usize {
    (at as *const usize).read()
}

unsafe fn put(at: usize, v: usize) {
    (at as *mut usize).write(v)
}

/// A free block of `size` bytes at `at`, followed in the list by `next`.
unsafe fn node(at: usize, size: usize, next: usize) {
    put(at, size);
    put(at + W, next);
}

/// The bytes a block of `size` bytes takes.
fn rounded(size: usize) -> Option<usize> {
    Some(size.max(1).checked_add(GRAIN - 1)? & !(GRAIN - 1))
}

impl<G: Grow> FreeList<G> {
    pub const fn new(grow: G) -> Self {
        FreeList { grow, head: UnsafeCell::new(0) }
    }

    /// The link to `next` from `prev` (0: the head).
    unsafe fn link(&self, prev: usize, next: usize) {
        if prev == 0 {
            *self.head.get() = next;
        } else {
            put(prev + W, next);
        }
    }

    /// Puts `[at, at + size)` back in the list in address order, merged with the free blocks it touches.
    unsafe fn release(&self, at: usize, mut size: usize) {
        let (mut prev, mut next) = (0, *self.head.get());
        while next != 0 && next < at {
            prev = next;
            next = get(next + W);
        }
        if next != 0 && at + size == next {
            size += get(next);
            next = get(next + W);
        }
        if prev != 0 && prev + get(prev) == at {
            node(prev, get(prev) + size, next);
        } else {
            node(at, size, next);
            self.link(prev, at);
        }
    }
}

unsafe impl<G: Grow> GlobalAlloc for FreeList<G> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let align = layout.align().max(GRAIN);
        let Some(size) = rounded(layout.size()) else { return null_mut() };
        loop {
            let (mut prev, mut at) = (0, *self.head.get());
            while at != 0 {
                let (len, next) = (get(at), get(at + W));
                // The first block that holds `size` bytes at an `align`ed address: what is left before and
                // after them stays free, in its place in the list.
                if let Some(start) = at.checked_add(align - 1).map(|a| a & !(align - 1)) {
                    if start.checked_add(size).is_some_and(|end| end <= at + len) {
                        let (tail, end) = (start + size, at + len);
                        let after = if tail < end {
                            node(tail, end - tail, next);
                            tail
                        } else {
                            next
                        };
                        if start > at {
                            node(at, start - at, after);
                        } else {
                            self.link(prev, after);
                        }
                        return start as *mut u8;
                    }
                }
                prev = at;
                at = next;
            }
            let Some((region, len)) = size.checked_add(align).and_then(|n| self.grow.grow(n)) else {
                return null_mut();
            };
            self.release(region, len);
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(size) = rounded(layout.size()) {
            self.release(ptr as usize, size);
        }
    }
}

/// The wasm linear memory, grown by whole 64 KiB pages.
#[cfg(target_arch = "wasm32")]
pub struct WasmMemory;

#[cfg(target_arch = "wasm32")]
impl Grow for WasmMemory {
    fn grow(&self, bytes: usize) -> Option<(usize, usize)> {
        const PAGE: usize = 65_536;
        let pages = bytes.div_ceil(PAGE);
        let previous = core::arch::wasm32::memory_grow(0, pages);
        (previous != usize::MAX).then(|| (previous * PAGE, pages * PAGE))
    }
}

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: FreeList<WasmMemory> = FreeList::new(WasmMemory);

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::collections::BTreeMap;
    use std::time::Instant;

    /// An arena handed out as the wasm memory is: in 64 KiB pages, each region after the last.
    struct Arena {
        next: Cell<usize>,
        end: usize,
    }

    impl Grow for Arena {
        fn grow(&self, bytes: usize) -> Option<(usize, usize)> {
            let start = self.next.get();
            let len = bytes.div_ceil(1 << 16).checked_mul(1 << 16)?.min(self.end - start);
            self.next.set(start + len);
            (len > 0).then_some((start, len))
        }
    }

    /// The allocator over `arena` (its start aligned to a grain).
    fn over(arena: &mut [u8]) -> FreeList<Arena> {
        let start = (arena.as_mut_ptr() as usize).next_multiple_of(GRAIN);
        let end = arena.as_mut_ptr() as usize + arena.len();
        FreeList::new(Arena { next: Cell::new(start), end })
    }

    const ARENA: usize = 16 << 20;
    const STEPS: usize = 100_000;
    const MAX_LIVE: usize = 64;
    const MAX_SIZE: usize = 64 << 10;

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        /// 1 B … 64 KiB, spread evenly over the powers of two so that small blocks dominate, as in the client.
        fn size(&mut self) -> usize {
            let bits = self.below(17) as u32;
            (1 + self.below(1 << bits)).min(MAX_SIZE)
        }

        /// 1 … 4096, mostly small.
        fn align(&mut self) -> usize {
            match self.below(8) {
                0..=4 => 1 << self.below(4),
                _ => 1 << self.below(13),
            }
        }
    }

    /// A live block: where it is, its layout and the byte it is filled with.
    type Live = BTreeMap<usize, (Layout, u8)>;

    /// The block must be aligned and must not overlap a live block (its neighbours in address order).
    fn check_new(live: &Live, p: usize, layout: Layout) {
        assert_ne!(p, 0, "out of memory for {layout:?}");
        assert_eq!(p % layout.align(), 0, "misaligned block for {layout:?}");
        if let Some((&q, (l, _))) = live.range(..=p).next_back() {
            assert!(q + l.size().max(1) <= p, "{p:#x} overlaps the block at {q:#x}");
        }
        if let Some((&q, _)) = live.range(p..).next() {
            assert!(p + layout.size().max(1) <= q, "{p:#x} overlaps the block at {q:#x}");
        }
    }

    /// The first `len` bytes at `p` still hold `fill` (memcmp against a reference, fast in debug builds).
    unsafe fn check_fill(p: usize, len: usize, fill: u8, reference: &mut [u8]) {
        reference[..len].fill(fill);
        assert!(
            std::slice::from_raw_parts(p as *const u8, len) == &reference[..len],
            "block at {p:#x} was overwritten"
        );
    }

    /// Random allocations, reallocations and releases of mixed sizes and alignments through the wasm build's
    /// allocator, its memory grown in 64 KiB regions; every block is filled with its own byte and checked when it moves or is freed. Afterwards
    /// nearly the whole arena is one allocation again, which only works if freed blocks were coalesced.
    #[test]
    fn free_list_stress_random_sizes_and_alignments() {
        let started = Instant::now();
        let mut arena = vec![0u8; ARENA];
        let heap = over(&mut arena);
        let mut reference = vec![0u8; MAX_SIZE];
        let mut live = Live::new();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut allocs, mut reallocs, mut frees) = (0, 0, 0);
        unsafe {
            for step in 0..STEPS {
                let fill = (step % 255) as u8 + 1;
                let roll = rng.below(10);
                if live.len() >= MAX_LIVE || (!live.is_empty() && roll < 3) {
                    let &p = live.keys().nth(rng.below(live.len())).unwrap();
                    let (layout, old) = live.remove(&p).unwrap();
                    check_fill(p, layout.size(), old, &mut reference);
                    if roll == 0 && live.len() < MAX_LIVE {
                        let new_size = rng.size();
                        let q = heap.realloc(p as *mut u8, layout, new_size) as usize;
                        let new_layout = Layout::from_size_align(new_size, layout.align()).unwrap();
                        check_new(&live, q, new_layout);
                        check_fill(q, layout.size().min(new_size), old, &mut reference);
                        std::ptr::write_bytes(q as *mut u8, fill, new_size);
                        live.insert(q, (new_layout, fill));
                        reallocs += 1;
                    } else {
                        heap.dealloc(p as *mut u8, layout);
                        frees += 1;
                    }
                } else {
                    let layout = Layout::from_size_align(rng.size(), rng.align()).unwrap();
                    let p = heap.alloc(layout) as usize;
                    check_new(&live, p, layout);
                    std::ptr::write_bytes(p as *mut u8, fill, layout.size());
                    live.insert(p, (layout, fill));
                    allocs += 1;
                }
            }
            for (p, (layout, fill)) in std::mem::take(&mut live) {
                check_fill(p, layout.size(), fill, &mut reference);
                heap.dealloc(p as *mut u8, layout);
            }
            // Alignment lost at the arena's start and its last page take well under 4 KiB.
            let whole = Layout::from_size_align(ARENA - 4096, 8).unwrap();
            let p = heap.alloc(whole);
            assert!(!p.is_null(), "free blocks were not coalesced: {} bytes cannot be allocated again", whole.size());
            std::ptr::write_bytes(p, 0xa5, whole.size());
            heap.dealloc(p, whole);
        }
        assert!(allocs > STEPS / 3 && reallocs > STEPS / 20 && frees > STEPS / 3, "{allocs} {reallocs} {frees}");
        eprintln!(
            "free list stress: {STEPS} steps ({allocs} alloc, {reallocs} realloc, {frees} free) in {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn free_list_refuses_what_does_not_fit() {
        let mut arena = vec![0u8; 1 << 16];
        let heap = over(&mut arena);
        unsafe {
            assert!(heap.alloc(Layout::from_size_align(1 << 17, 8).unwrap()).is_null());
            let p = heap.alloc(Layout::from_size_align(1 << 15, 8).unwrap());
            assert!(!p.is_null());
            heap.dealloc(p, Layout::from_size_align(1 << 15, 8).unwrap());
        }
    }
}
