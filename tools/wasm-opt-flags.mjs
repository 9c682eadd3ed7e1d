// The wasm-opt optimization of the package's wasm, shared by the package build (pkg-templates/assemble.mjs,
// which also strips names and debug info) and the size table (tools/size-table.mjs, which keeps names).
export const WASM_OPT_FLAGS = [
  '-Oz', '--converge', '--strip-producers',
  '--enable-bulk-memory', '--enable-reference-types', '--enable-multivalue', '--enable-sign-ext',
  '--enable-nontrapping-float-to-int', '--enable-mutable-globals',
];
