//! The wasm build's memory allocator: power-of-two size classes with one free list each.
//!
//! The standard allocator (dlmalloc) costs about 8 KB of the wasm — a sixth of the package's budget.
//! A client library allocates small, short-lived buffers of a few recurring sizes (URLs, headers, tokens),
//! which size classes serve well: allocation and release are a few instructions, and freed blocks are
//! reused for the next block of the same class. Memory is never returned (wasm memory cannot shrink).
//!
//! Invariant: a block of class `c` (2^c bytes) starts at a multiple of `min(2^c, PAGE)`, so it satisfies
//! any alignment up to its size; requests aligned to more than a wasm page are refused.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr::null_mut;

const MIN_SHIFT: u32 = 4;
const CLASSES: usize = (usize::BITS - MIN_SHIFT) as usize;
pub const PAGE: usize = 65_536;

/// Where new memory comes from: `grow(pages)` adds that many 64 KiB pages and returns the address of the
/// first, or `None` when memory is exhausted.
pub trait Heap {
    fn grow(&self, pages: usize) -> Option<usize>;
}

pub struct SizeClasses<H> {
    heap: H,
    state: UnsafeCell<State>,
}

struct State {
    /// Head of each class's free list (0 = empty); a free block holds the address of the next.
    free: [usize; CLASSES],
    /// The unused tail of the last region taken from the heap.
    bump: usize,
    end: usize,
}

// The wasm build is single-threaded: there is no concurrent access to the state.
unsafe impl<H: Sync> Sync for SizeClasses<H> {}

/// The class of a layout, or `None` if it cannot be served.
fn class_of(layout: Layout) -> Option<usize> {
    if layout.align() > PAGE {
        return None;
    }
    let size = layout.size().max(layout.align()).max(1 << MIN_SHIFT).checked_next_power_of_two()?;
    Some((size.trailing_zeros() - MIN_SHIFT) as usize)
}

const fn align_up(addr: usize, align: usize) -> usize {
    (addr + align - 1) & !(align - 1)
}

impl<H: Heap> SizeClasses<H> {
    pub const fn new(heap: H) -> Self {
        SizeClasses { heap, state: UnsafeCell::new(State { free: [0; CLASSES], bump: 0, end: 0 }) }
    }

    /// Carves a fresh block of `size` bytes aligned to `align` from the bump region, growing the heap when
    /// the region is too small. Alignment padding is handed to the free lists, not lost.
    unsafe fn carve(&self, st: &mut State, size: usize, align: usize) -> Option<usize> {
        let start = align_up(st.bump, align);
        let start = if start.checked_add(size)? <= st.end && st.end != 0 {
            start
        } else {
            let pages = size.checked_add(align)?.div_ceil(PAGE);
            let region = self.heap.grow(pages)?;
            if region != st.end {
                // Not contiguous with the old region (or the first one): keep the old tail for small blocks.
                self.release_span(st, st.bump, st.end);
                st.bump = region;
            }
            st.end = region.checked_add(pages.checked_mul(PAGE)?)?;
            align_up(st.bump, align)
        };
        self.release_span(st, st.bump, start);
        st.bump = start + size;
        Some(start)
    }

    /// Puts `[from, to)` on the free lists as the largest naturally aligned blocks that fit.
    unsafe fn release_span(&self, st: &mut State, mut from: usize, to: usize) {
        from = align_up(from, 1 << MIN_SHIFT);
        while from < to && to - from >= 1 << MIN_SHIFT {
            let mut shift = from.trailing_zeros().min(usize::BITS - 1).min(PAGE.trailing_zeros());
            while (1usize << shift) > to - from {
                shift -= 1;
            }
            self.push(st, (shift - MIN_SHIFT) as usize, from);
            from += 1 << shift;
        }
    }

    unsafe fn push(&self, st: &mut State, class: usize, block: usize) {
        (block as *mut usize).write(st.free[class]);
        st.free[class] = block;
    }
}

unsafe impl<H: Heap> GlobalAlloc for SizeClasses<H> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(class) = class_of(layout) else { return null_mut() };
        let st = &mut *self.state.get();
        let head = st.free[class];
        if head != 0 {
            st.free[class] = (head as *const usize).read();
            return head as *mut u8;
        }
        let size = 1usize << (class as u32 + MIN_SHIFT);
        self.carve(st, size, size.min(PAGE)).map_or(null_mut(), |p| p as *mut u8)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(class) = class_of(layout) {
            self.push(&mut *self.state.get(), class, ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else { return null_mut() };
        if class_of(layout) == class_of(new_layout) {
            return ptr;
        }
        let new = self.alloc(new_layout);
        if !new.is_null() {
            std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        new
    }
}

/// The wasm linear memory.
#[cfg(target_arch = "wasm32")]
pub struct WasmMemory;

#[cfg(target_arch = "wasm32")]
impl Heap for WasmMemory {
    fn grow(&self, pages: usize) -> Option<usize> {
        let previous = core::arch::wasm32::memory_grow(0, pages);
        (previous != usize::MAX).then(|| previous * PAGE)
    }
}

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: SizeClasses<WasmMemory> = SizeClasses::new(WasmMemory);

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A heap inside a host buffer, growing page by page like wasm memory.
    struct Arena {
        base: usize,
        pages: Cell<usize>,
        limit: usize,
        _buf: Vec<u8>,
    }

    impl Arena {
        fn new(limit: usize) -> Self {
            let buf = vec![0u8; (limit + 1) * PAGE];
            let base = align_up(buf.as_ptr() as usize, PAGE);
            Arena { base, pages: Cell::new(0), limit, _buf: buf }
        }
    }

    impl Heap for &Arena {
        fn grow(&self, pages: usize) -> Option<usize> {
            let at = self.pages.get();
            (at + pages <= self.limit).then(|| {
                self.pages.set(at + pages);
                self.base + at * PAGE
            })
        }
    }

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_reused() {
        let arena = Arena::new(256);
        let a = SizeClasses::new(&arena);
        unsafe {
            let mut live: Vec<(usize, Layout)> = Vec::new();
            let mut seed = 0x2545_f491_u64;
            let mut next = || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            for round in 0..4000 {
                if live.len() > 40 || (live.len() > 20 && next() % 2 == 0) {
                    let (p, l) = live.swap_remove((next() % live.len() as u64) as usize);
                    a.dealloc(p as *mut u8, l);
                    continue;
                }
                let size = [1, 7, 16, 24, 100, 513, 4096, 70_000][(next() % 8) as usize];
                let l = layout(size, 1 << (next() % 5));
                let p = a.alloc(l) as usize;
                assert_ne!(p, 0, "round {round}");
                assert_eq!(p % l.align(), 0);
                std::ptr::write_bytes(p as *mut u8, (round % 251) as u8, size);
                for &(q, m) in &live {
                    assert!(p + size <= q || q + m.size() <= p, "overlap");
                }
                live.push((p, l));
            }
        }
        // At most 41 blocks (≤ 128 KiB each) are live at once: without reuse 4000 rounds would need far more.
        assert!(arena.pages.get() < 200, "freed blocks were not reused: {} pages", arena.pages.get());
    }

    #[test]
    fn a_freed_block_is_handed_out_again_and_realloc_keeps_data() {
        let arena = Arena::new(8);
        let a = SizeClasses::new(&arena);
        unsafe {
            let p = a.alloc(layout(40, 8));
            a.dealloc(p, layout(40, 8));
            assert_eq!(a.alloc(layout(33, 8)), p, "same class, same block");
            p.copy_from(b"0123456789".as_ptr(), 10);
            assert_eq!(a.realloc(p, layout(33, 8), 60), p, "still fits its class");
            let q = a.realloc(p, layout(60, 8), 1000);
            assert_ne!(q, p);
            assert_eq!(std::slice::from_raw_parts(q, 10), b"0123456789");
        }
    }

    #[test]
    fn exhaustion_and_huge_alignment_give_null() {
        let arena = Arena::new(2);
        let a = SizeClasses::new(&arena);
        unsafe {
            assert!(a.alloc(layout(3 * PAGE, 8)).is_null());
            assert!(a.alloc(layout(16, 2 * PAGE)).is_null());
            assert!(!a.alloc(layout(PAGE / 2, 8)).is_null());
        }
    }
}
