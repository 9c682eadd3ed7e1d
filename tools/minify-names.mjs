// Shortens the names between the wasm and its wasm-bindgen glue: the imports from the glue module
// ("./iot_cloud_wasm_bg.js"), named like `__wbg_show_e7ac93c7907297e0` (hash suffixes do not compress), and
// the exports, which the glue reads as `wasm.<name>`. The .wasm's import and export sections and the glues
// are rewritten together; an import key not found exactly once in a glue stops the build.

const GLUE_MODULE = './iot_cloud_wasm_bg.js';

function readU32(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[at++];
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value >>> 0, at];
    shift += 7;
  }
}

function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return Buffer.from(out);
}

const name = (text) => Buffer.concat([u32(Buffer.byteLength(text)), Buffer.from(text)]);

// Short names in order: a … z, A … Z, then two letters.
function shortName(i) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let out = '';
  do {
    out = letters[i % letters.length] + out;
    i = Math.floor(i / letters.length) - 1;
  } while (i >= 0);
  return `$${out}`;
}

/** Returns the rewritten wasm and the maps old name → new name of the imports and of the exports. */
export function minifyNames(wasm, glues) {
  // Only exports every glue reads as `wasm.<name>` are renamed (wasm-bindgen exports a few it never reads).
  const read = (field) => glues.every((g) => new RegExp(`\\bwasm\\.${field}\\b`).test(g));
  const renames = new Map();
  const exports = new Map();
  const text = (p) => {
    const [len, at] = readU32(wasm, p);
    return [wasm.toString('utf8', at, at + len), at + len];
  };
  // A section of `count` entries rewritten by `entry(p)`, which returns [the new entry's bytes, the end].
  const rewrite = (start, end, what, entry) => {
    let [count, p] = readU32(wasm, start);
    const entries = [u32(count)];
    while (count-- > 0) {
      let bytes;
      [bytes, p] = entry(p);
      entries.push(bytes);
    }
    if (p !== end) throw new Error(`minify-names: the ${what} section was not read to its end`);
    const body = Buffer.concat(entries);
    return [u32(body.length), body];
  };
  const exportEntry = (p) => {
    let field;
    [field, p] = text(p);
    const desc = p;
    [, p] = readU32(wasm, p + 1); // kind, index
    // `memory` keeps its name: the glue also names it outside `wasm.memory`.
    const newField = field === 'memory' || !read(field) ? field : shortName(exports.size);
    if (newField !== field) exports.set(field, newField);
    return [Buffer.concat([name(newField), wasm.subarray(desc, p)]), p];
  };
  const importEntry = (p) => {
    let module;
    let field;
    [module, p] = text(p);
    [field, p] = text(p);
    const desc = p;
    const kind = wasm[p++];
    if (kind === 0) [, p] = readU32(wasm, p); // function: type index
    else if (kind === 1 || kind === 2) {
      if (kind === 1) p++; // table: element type
      const flags = wasm[p++];
      [, p] = readU32(wasm, p);
      if (flags & 1) [, p] = readU32(wasm, p);
    } else if (kind === 3) p += 2; // global: value type, mutability
    else throw new Error(`minify-names: import kind ${kind} is not handled`);
    let newField = field;
    if (module === GLUE_MODULE) {
      newField = renames.get(field) ?? shortName(renames.size);
      renames.set(field, newField);
    }
    return [Buffer.concat([name(module), name(newField), wasm.subarray(desc, p)]), p];
  };
  const parts = [wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, start] = readU32(wasm, at + 1);
    const end = start + size;
    if (id === 2) parts.push(Buffer.from([2]), ...rewrite(start, end, 'import', importEntry));
    else if (id === 7) parts.push(Buffer.from([7]), ...rewrite(start, end, 'export', exportEntry));
    else parts.push(wasm.subarray(at, end));
    at = end;
  }
  return { wasm: Buffer.concat(parts), renames, exports };
}

/** The glue with its import object's keys and its `wasm.<export>` reads renamed. */
export function renameInGlue(glue, { renames, exports }, file) {
  let out = glue;
  for (const [from, to] of exports) {
    const read = new RegExp(`\\bwasm\\.${from}\\b`, 'g');
    if (!read.test(out)) throw new Error(`minify-names: ${file}: the export ${from} is never read`);
    out = out.replace(read, () => `wasm.${to}`);
  }
  for (const [from, to] of renames) {
    const key = new RegExp(`(^|[\\s{,])${from.replace(/\$/g, '\\$')}(?=\\s*:)`, 'g');
    const hits = out.match(key)?.length ?? 0;
    if (hits !== 1) throw new Error(`minify-names: ${file}: the import ${from} appears ${hits} times as a key`);
    out = out.replace(key, (_, before) => before + to);
  }
  return out;
}
