// The wasm-opt optimization of the package's wasm, shared by the package build (pkg-templates/assemble.mjs,
// which also strips names and debug info) and the size table (tools/size-table.mjs, which keeps names).
// --low-memory-unused: Rust puts the 1 MB stack first, so the lowest 1 KiB of memory is only reached by a
// stack about to overflow; wasm-opt may then fold constant offsets into loads and stores (≈300 B gzip).
// --merge-similar-functions first, before -Oz inlines them apart: functions that differ only in constants
// (each class's copy of the same wasm-bindgen shim, say) become one (≈220 B gzip).
export const WASM_OPT_FLAGS = [
  '--merge-similar-functions', '-Oz', '--converge', '--low-memory-unused', '--strip-producers',
  '--enable-bulk-memory', '--enable-reference-types', '--enable-multivalue', '--enable-sign-ext',
  '--enable-nontrapping-float-to-int', '--enable-mutable-globals',
];
