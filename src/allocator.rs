//! The wasm build's memory allocator: talc (<https://crates.io/crates/talc>), single-threaded, growing the
//! wasm memory as needed and extending its heap over the new pages.
//!
//! The standard allocator (dlmalloc) costs about 8 KB of the wasm — a sixth of the package's budget. talc
//! is a boundary-tagged, binned allocator that coalesces neighbouring free blocks, so memory freed after a
//! burst of large responses serves later allocations of any size. It is built with
//! `disable-realloc-in-place` (a resize always moves the block, as with the size classes this replaced),
//! which saves 140 B gzip; in all it costs 194 B gzip more than those size classes, which never coalesced.
//! Memory is never returned (wasm memory cannot shrink).
//!
//! Natively the system allocator stays; the test below runs the same allocator over a fixed arena.

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::alloc::{GlobalAlloc, Layout};
    use std::collections::BTreeMap;
    use std::time::Instant;
    use talc::cell::TalcCell;
    use talc::source::Claim;
    use talc::wasm::WasmBinning;

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

    /// Random allocations, reallocations and releases of mixed sizes and alignments, the same binning as the
    /// wasm build; every block is filled with its own byte and checked when it moves or is freed. Afterwards
    /// nearly the whole arena is one allocation again, which only works if freed blocks were coalesced.
    #[test]
    fn talc_stress_random_sizes_and_alignments() {
        let started = Instant::now();
        let mut arena = vec![0u8; ARENA];
        let talc: TalcCell<Claim, WasmBinning> = TalcCell::new(unsafe { Claim::new(arena.as_mut_ptr(), ARENA) });
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
                        let q = talc.realloc(p as *mut u8, layout, new_size) as usize;
                        let new_layout = Layout::from_size_align(new_size, layout.align()).unwrap();
                        check_new(&live, q, new_layout);
                        check_fill(q, layout.size().min(new_size), old, &mut reference);
                        std::ptr::write_bytes(q as *mut u8, fill, new_size);
                        live.insert(q, (new_layout, fill));
                        reallocs += 1;
                    } else {
                        talc.dealloc(p as *mut u8, layout);
                        frees += 1;
                    }
                } else {
                    let layout = Layout::from_size_align(rng.size(), rng.align()).unwrap();
                    let p = talc.alloc(layout) as usize;
                    check_new(&live, p, layout);
                    std::ptr::write_bytes(p as *mut u8, fill, layout.size());
                    live.insert(p, (layout, fill));
                    allocs += 1;
                }
            }
            for (p, (layout, fill)) in std::mem::take(&mut live) {
                check_fill(p, layout.size(), fill, &mut reference);
                talc.dealloc(p as *mut u8, layout);
            }
            // The arena's bookkeeping (bins, heap ends) takes well under 4 KiB.
            let whole = Layout::from_size_align(ARENA - 4096, 8).unwrap();
            let p = talc.alloc(whole);
            assert!(!p.is_null(), "free blocks were not coalesced: {} bytes cannot be allocated again", whole.size());
            std::ptr::write_bytes(p, 0xa5, whole.size());
            talc.dealloc(p, whole);
        }
        assert!(allocs > STEPS / 3 && reallocs > STEPS / 20 && frees > STEPS / 3, "{allocs} {reallocs} {frees}");
        eprintln!(
            "talc stress: {STEPS} steps ({allocs} alloc, {reallocs} realloc, {frees} free) in {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn talc_refuses_what_does_not_fit() {
        let mut arena = vec![0u8; 1 << 16];
        let talc: TalcCell<Claim, WasmBinning> = TalcCell::new(unsafe { Claim::new(arena.as_mut_ptr(), 1 << 16) });
        unsafe {
            assert!(talc.alloc(Layout::from_size_align(1 << 17, 8).unwrap()).is_null());
            let p = talc.alloc(Layout::from_size_align(1 << 15, 8).unwrap());
            assert!(!p.is_null());
            talc.dealloc(p, Layout::from_size_align(1 << 15, 8).unwrap());
        }
    }
}
