// The wasm-opt optimization of the package's wasm, shared by the package build (pkg-templates/assemble.mjs,
// which also strips names and debug info) and the size table (tools/size-table.mjs, which keeps names).
// --low-memory-unused: Rust puts the 1 MB stack first, so the lowest 1 KiB of memory is only reached by a
// stack about to overflow; wasm-opt may then fold constant offsets into loads and stores (≈300 B gzip).
// --merge-similar-functions first, before -Oz inlines them apart: functions that differ only in constants
// (each class's copy of the same wasm-bindgen shim, say) become one (≈220 B gzip).
// --flatten --rereloop after the first -Oz: the control flow of every function rebuilt by the relooper,
// then optimized again twice (≈220 B gzip).
// --one-caller-inline-max-function-size=40: a function called from one place is inlined there only when it
// is small (by default wasm-opt inlines it whatever its size); the big ones (the operation engine, the
// unified model's steps) stay functions of their own, which compresses better (≈570 B gzip together with
// --always-inline-max-function-size=3; measured from 0 to unlimited, 30 to 60 is best).
export const WASM_OPT_FLAGS = [
  '--merge-similar-functions', '-Oz', '--flatten', '--rereloop', '-Oz', '-Oz', '--converge',
  '--one-caller-inline-max-function-size=40', '--always-inline-max-function-size=3', '--low-memory-unused',
  '--strip-producers',
  '--enable-bulk-memory', '--enable-reference-types', '--enable-multivalue', '--enable-sign-ext',
  '--enable-nontrapping-float-to-int', '--enable-mutable-globals',
];
