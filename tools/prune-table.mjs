// Empties the function-table slots of code that nothing can call, so that wasm-opt can drop that code.
//
// The crate creates no wasm-bindgen `Closure`, yet the linked module holds the invoke shims of the closure
// types js-sys and wasm-bindgen describe, and js-sys's JSPI task machinery (its `__wbg_jspi_task_poll` export
// keeps them linked; wasm-bindgen then deletes that export). Their addresses sit in the function table's
// element segment, which wasm-opt must keep whole: any `call_indirect` could reach any slot. With no closure
// handed to JavaScript and the JSPI poll gone, those slots are dead; this sets them to `ref.null func` (a call
// through one would trap, never reach other code) and wasm-opt then removes the functions and what only they
// used (about 1 KB of gzip).
//
// Functions are found by name, so the input needs its `name` section (wasm-bindgen `--keep-debug`).
//
//   pruneTable(wasm: Buffer, dead = deadInTable) → { wasm: Buffer, pruned: number }
//   checkNoClosures(glue: string): throws when the wasm-bindgen glue hands closures to JavaScript, as it
//   would once the crate used `Closure`: then these slots are live and the pruning must go.

/// The functions no call can reach in this crate's module.
export const deadInTable = (name) => name.startsWith('wasm_bindgen::convert::closures::') || name.startsWith('js_sys::futures::');

export function checkNoClosures(glue, file) {
  if (/makeMutClosure|makeClosure|CLOSURE_DTORS/.test(glue)) {
    throw new Error(`${file}: the glue uses wasm-bindgen closures; tools/prune-table.mjs would break them`);
  }
}

function readU32(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return Buffer.from(out);
}

function sections(wasm) {
  const out = [];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, body] = readU32(wasm, at + 1);
    out.push({ id, start: at, body, end: body + size });
    at = body + size;
  }
  return out;
}

// Function index → name, from the `name` custom section's function names.
function functionNames(wasm, list) {
  const names = new Map();
  for (const s of list.filter((s) => s.id === 0)) {
    let [len, at] = readU32(wasm, s.body);
    if (wasm.toString('utf8', at, at + len) !== 'name') continue;
    at += len;
    while (at < s.end) {
      const sub = wasm[at];
      const [size, body] = readU32(wasm, at + 1);
      if (sub === 1) {
        let [count, p] = readU32(wasm, body);
        for (let i = 0; i < count; i++) {
          let index;
          [index, p] = readU32(wasm, p);
          [len, p] = readU32(wasm, p);
          names.set(index, wasm.toString('utf8', p, p + len));
          p += len;
        }
      }
      at = body + size;
    }
  }
  return names;
}

export function pruneTable(wasm, dead = deadInTable) {
  const list = sections(wasm);
  const names = functionNames(wasm, list);
  if (names.size === 0) throw new Error('prune-table: the module has no function names (wasm-bindgen --keep-debug)');
  const elem = list.find((s) => s.id === 9);
  if (!elem) return { wasm, pruned: 0 };
  let [count, at] = readU32(wasm, elem.body);
  const segments = [];
  let pruned = 0;
  for (let i = 0; i < count; i++) {
    const start = at;
    let flags;
    [flags, at] = readU32(wasm, at);
    if (flags !== 0) {
      // Only the form rustc's linker writes is rewritten (active, table 0, function indices); any other
      // segment is kept as it is.
      throw new Error(`prune-table: element segment of kind ${flags} not handled`);
    }
    const exprStart = at;
    while (wasm[at] !== 0x0b) at++;
    at++;
    const offset = wasm.subarray(exprStart, at);
    let n;
    [n, at] = readU32(wasm, at);
    const items = [];
    for (let j = 0; j < n; j++) {
      let index;
      [index, at] = readU32(wasm, at);
      items.push(index);
    }
    if (!items.some((f) => dead(names.get(f) ?? ''))) {
      segments.push(wasm.subarray(start, at));
      continue;
    }
    // Kind 4: active, table 0, expressions: `ref.func f` or `ref.null func`, each ended by `end`.
    const exprs = items.map((f) => {
      if (dead(names.get(f) ?? '')) {
        pruned++;
        return Buffer.from([0xd0, 0x70, 0x0b]);
      }
      return Buffer.concat([Buffer.from([0xd2]), u32(f), Buffer.from([0x0b])]);
    });
    segments.push(Buffer.concat([u32(4), offset, u32(items.length), ...exprs]));
  }
  const body = Buffer.concat([u32(count), ...segments]);
  const section = Buffer.concat([Buffer.from([9]), u32(body.length), body]);
  return { wasm: Buffer.concat([wasm.subarray(0, elem.start), section, wasm.subarray(elem.end)]), pruned };
}
