// The wasm-opt optimization of the package's wasm, shared by the package build (pkg-templates/assemble.mjs,
// which also strips names and debug info) and the size table (tools/size-table.mjs, which keeps names).
// --low-memory-unused: Rust puts the 1 MB stack first, so the lowest 1 KiB of memory is only reached by a
// stack about to overflow; wasm-opt may then fold constant offsets into loads and stores (≈300 B gzip).
// --merge-similar-functions first, before -Oz inlines them apart: functions that differ only in constants
// (each class's copy of the same wasm-bindgen shim, say) become one (≈220 B gzip).
// Then --flatten and --rereloop rebuild every function's control flow from scratch, and -Os with one more
// merge tidies what that leaves (≈350 B gzip). -ocimfs 40: a function with one caller is inlined only up to
// 40 instructions, and -aimfs 3: tiny functions are always inlined: big single-use helpers (the operation
// engine's steps, say) stay out of line, where they compress better than pasted into their callers
// (≈400 B gzip). Measured together on the whole build; --converge repeats the list while it shrinks.
export const WASM_OPT_FLAGS = [
  '--merge-similar-functions', '-Oz', '--flatten', '--rereloop', '-Os', '--merge-similar-functions', '-Oz',
  '-ocimfs', '40', '-aimfs', '3', '--converge', '--low-memory-unused', '--strip-producers',
  '--enable-bulk-memory', '--enable-reference-types', '--enable-multivalue', '--enable-sign-ext',
  '--enable-nontrapping-float-to-int', '--enable-mutable-globals',
];
