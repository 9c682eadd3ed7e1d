// Per-function size table of the optimized wasm, from its name section and code section (no tools beyond
// Node: twiggy would do the same, but installing it costs minutes on every CI machine).
//
//   node tools/size-table.mjs <bindgen.wasm> [shipped.wasm] [-n 30] [-o target/size-table.txt]
//
// <bindgen.wasm> is wasm-bindgen's output with its `name` section (`make size` makes it); it is optimized
// here with the package build's wasm-opt flags, keeping the names (-g), into <bindgen>.opt.wasm, which is
// what the table describes. [shipped.wasm] (default pkg/iot_cloud_wasm_bg.wasm) is only measured. The size
// of a function is its body in the code section (locals and instructions, plus the body's length prefix),
// as twiggy's "shallow" size. Rust symbol names are demangled and their hashes dropped.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WASM_OPT_FLAGS } from './wasm-opt-flags.mjs';
import { pruneTable } from './prune-table.mjs';

const args = process.argv.slice(2);
const option = (flag, fallback) => {
  const i = args.indexOf(flag);
  if (i < 0) return fallback;
  const [, value] = args.splice(i, 2);
  return value;
};
const top = Number(option('-n', '30'));
const outFile = option('-o', null);
const [inputPath, shippedPath = 'pkg/iot_cloud_wasm_bg.wasm'] = args;
if (!inputPath || !Number.isInteger(top) || top <= 0) {
  console.error('usage: node tools/size-table.mjs <named.wasm> [shipped.wasm] [-n 30] [-o out.txt]');
  process.exit(2);
}

/** A reader over a wasm binary: LEB128 integers, names, sub-ranges. */
class Reader {
  constructor(buf, pos = 0, end = buf.length) {
    Object.assign(this, { buf, pos, end });
  }
  get done() {
    return this.pos >= this.end;
  }
  byte() {
    if (this.pos >= this.end) throw new Error(`unexpected end of data at ${this.pos}`);
    return this.buf[this.pos++];
  }
  u32() {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      if (shift > 28) throw new Error(`LEB128 too long at ${this.pos}`);
    }
  }
  name() {
    const len = this.u32();
    const text = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return text;
  }
  sub(len) {
    const r = new Reader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }
}

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start',
  'element', 'code', 'data', 'data count'];

/** Sections (id, name, size with header), the function bodies (index, size) and the function names. */
function parse(buf) {
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error('not a wasm module');
  const r = new Reader(buf, 8);
  const sections = [];
  const bodies = [];
  const names = new Map();
  let importedFunctions = 0;
  while (!r.done) {
    const start = r.pos;
    const id = r.byte();
    const len = r.u32();
    const s = r.sub(len);
    const section = { id, name: SECTION_NAMES[id] ?? `unknown ${id}`, size: r.pos - start };
    sections.push(section);
    if (id === 0) {
      section.name = `custom "${s.name()}"`;
      if (section.name === 'custom "name"') {
        while (!s.done) {
          const kind = s.byte();
          const sub = s.sub(s.u32());
          if (kind !== 1) continue; // 1: function names
          for (let n = sub.u32(); n > 0; n--) names.set(sub.u32(), sub.name());
        }
      }
    } else if (id === 2) {
      for (let n = s.u32(); n > 0; n--) {
        s.name();
        s.name();
        const kind = s.byte();
        if (kind === 0) { importedFunctions++; s.u32(); }
        else if (kind === 1) { s.byte(); limits(s); } // table: reftype, limits
        else if (kind === 2) limits(s); // memory
        else if (kind === 3) { s.byte(); s.byte(); } // global: valtype, mutability
        else if (kind === 4) { s.byte(); s.u32(); } // tag
        else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 10) {
      let index = importedFunctions;
      for (let n = s.u32(); n > 0; n--) {
        const at = s.pos;
        const body = s.u32();
        s.pos += body;
        bodies.push({ index: index++, size: s.pos - at });
      }
    }
  }
  return { sections, bodies, names };
}

function limits(s) {
  const flags = s.byte();
  s.u32();
  if (flags & 1) s.u32();
}

/** Rust's legacy mangling (`_ZN…E`) to a path without the hash; other names are left as they are. */
function demangle(name) {
  name = name.replace(/\[[0-9a-f]{16}\]/g, ''); // v0 mangling's crate disambiguators
  const m = /^_?_ZN(.*)E(\.\d+)?$/.exec(name);
  if (!m) return name.replace(/::h[0-9a-f]{16}$/, '');
  const parts = [];
  let rest = m[1];
  while (rest.length) {
    const len = /^\d+/.exec(rest);
    if (!len) return name;
    const start = len[0].length;
    parts.push(rest.slice(start, start + Number(len[0])));
    rest = rest.slice(start + Number(len[0]));
  }
  if (/^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  const escapes = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };
  return parts
    .map((p) => p.replace(/^_\$/, '$')
      .replace(/\$([A-Z]{1,2})\$/g, (all, e) => escapes[e] ?? all)
      .replace(/\$u([0-9a-f]+)\$/g, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
      .replace(/\.\./g, '::'))
    .join('::');
}

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const namedPath = inputPath.replace(/(\.wasm)?$/, '.opt.wasm');
// The package build's own steps: the dead table slots emptied (tools/prune-table.mjs), then wasm-opt.
const prunedPath = inputPath.replace(/(\.wasm)?$/, '.pruned.wasm');
fs.writeFileSync(prunedPath, pruneTable(fs.readFileSync(inputPath)).wasm);
execFileSync(process.execPath, [
  path.join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt'), ...WASM_OPT_FLAGS, '-g', prunedPath, '-o', namedPath,
], { stdio: ['ignore', 'inherit', 'inherit'] });
const named = fs.readFileSync(namedPath);
const { bodies, names } = parse(named);
if (names.size === 0) throw new Error(`${namedPath} has no function names (was it built with -g?)`);
const code = bodies.reduce((sum, b) => sum + b.size, 0);
const gz = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const pct = (n, of) => `${((100 * n) / of).toFixed(1).padStart(5)}%`;
const num = (n) => n.toLocaleString('en-US').padStart(8);

// The sections of the shipped wasm if there is one (the named copy's differ by the name section).
const lines = [];
const shipped = fs.existsSync(shippedPath) ? fs.readFileSync(shippedPath) : named;
const { sections } = parse(shipped);
if (shipped !== named) {
  lines.push(`${shippedPath}: ${shipped.length.toLocaleString('en-US')} B raw, ${gz(shipped).toLocaleString('en-US')} B gzip`);
}
lines.push(`${namedPath} (names kept): ${bodies.length} functions, ${code.toLocaleString('en-US')} B of code`);
lines.push('');
lines.push(`   bytes    wasm  section${shipped !== named ? ` (${path.basename(shippedPath)})` : ''}`);
for (const s of sections.filter((s) => s.name !== 'custom "name"')) {
  lines.push(`${num(s.size)}  ${pct(s.size, shipped.length)}  ${s.name}`);
}
lines.push('');
// Code by crate: the crate of the path a name starts with, else of the trait it implements (`<u32 as
// core::fmt::Display>::fmt`); wasm-bindgen's generated shims count as one.
function crateOf(name) {
  if (/ shim\b/.test(name)) return '(wasm-bindgen shims)';
  const crate = /^[<&\s]*(?:dyn |mut )?([A-Za-z_]\w*)::/.exec(name) ?? / as (?:dyn )?([A-Za-z_]\w*)::/.exec(name);
  if (crate) return crate[1];
  return name.startsWith('<') ? 'core' : '(exports, libc, unnamed)';
}
const crates = new Map();
for (const b of bodies) {
  const crate = crateOf(demangle(names.get(b.index) ?? ''));
  crates.set(crate, (crates.get(crate) ?? 0) + b.size);
}
lines.push('   bytes    code  crate');
for (const [crate, size] of [...crates].sort((a, b) => b[1] - a[1])) {
  lines.push(`${num(size)}  ${pct(size, code)}  ${crate}`);
}
lines.push('');
lines.push(`   bytes    code  function (top ${top} of ${bodies.length})`);
const sorted = [...bodies].sort((a, b) => b.size - a.size || a.index - b.index);
for (const b of sorted.slice(0, top)) {
  lines.push(`${num(b.size)}  ${pct(b.size, code)}  ${demangle(names.get(b.index) ?? `func[${b.index}]`)}`);
}
const rest = sorted.slice(top).reduce((sum, b) => sum + b.size, 0);
lines.push(`${num(rest)}  ${pct(rest, code)}  … ${Math.max(0, bodies.length - top)} more functions`);

const text = `${lines.join('\n')}\n`;
process.stdout.write(text);
if (outFile) {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, text);
}
