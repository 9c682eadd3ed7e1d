// Assembles the npm package in pkg/ from the cargo build and these templates, and prints its size.
//
//   node pkg-templates/assemble.mjs <crate.wasm> <out dir>
//
// wasm-bindgen runs once per target (nodejs: CommonJS glue; web: ES module glue). Both targets produce the
// same .wasm, so one wasm-opt'ed copy at the package root serves both glues.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { WASM_OPT_FLAGS } from '../tools/wasm-opt-flags.mjs';
import { minifyNames, renameInGlue } from '../tools/minify-names.mjs';
import { transformSync } from 'esbuild';
import { pruneTable, checkNoClosures } from '../tools/prune-table.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const [wasmIn, outDir] = process.argv.slice(2);
if (!wasmIn || !outDir) {
  console.error('usage: node pkg-templates/assemble.mjs <crate.wasm> <out dir>');
  process.exit(2);
}
const NAME = 'iot_cloud_wasm';
const tmp = fs.mkdtempSync(path.join(root, 'target', 'assemble-'));
const run = (cmd, args) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });

for (const target of ['nodejs', 'web']) {
  // --keep-debug: the function names, for pruneTable (wasm-opt strips them).
  run('wasm-bindgen', ['--target', target, '--keep-debug', '--out-dir', path.join(tmp, target), '--out-name', NAME, wasmIn]);
  checkNoClosures(fs.readFileSync(path.join(tmp, target, `${NAME}.js`), 'utf8'), `${target} glue`);
}
const bgNode = fs.readFileSync(path.join(tmp, 'nodejs', `${NAME}_bg.wasm`));
const bgWeb = fs.readFileSync(path.join(tmp, 'web', `${NAME}_bg.wasm`));
if (!bgNode.equals(bgWeb)) throw new Error('the nodejs and web targets produced different .wasm files');

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(path.join(outDir, 'node'), { recursive: true });
fs.mkdirSync(path.join(outDir, 'web'), { recursive: true });

const wasmOut = path.join(outDir, `${NAME}_bg.wasm`);
const wasmOpt = path.join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt');
// The function-table slots of code nothing calls are emptied first, so that wasm-opt drops that code.
const pruned = path.join(tmp, 'pruned.wasm');
fs.writeFileSync(pruned, pruneTable(bgNode).wasm);
run(process.execPath, [wasmOpt, ...WASM_OPT_FLAGS, '--strip-debug', pruned, '-o', wasmOut]);
// Short import and export names instead of wasm-bindgen's hashed ones, in the .wasm and in both glues.
const glues = ['nodejs', 'web'].map((t) => fs.readFileSync(path.join(tmp, t, `${NAME}.js`), 'utf8'));
const minified = minifyNames(fs.readFileSync(wasmOut), glues);
fs.writeFileSync(wasmOut, minified.wasm);

// The glues sit one folder below the shared .wasm.
const patch = (file, from, to) => {
  const text = renameInGlue(fs.readFileSync(file, 'utf8'), minified, file);
  if (!text.includes(from)) throw new Error(`${file}: expected to find ${from}`);
  return text.replace(from, to);
};
fs.writeFileSync(path.join(outDir, 'node', `${NAME}.js`),
  patch(path.join(tmp, 'nodejs', `${NAME}.js`), `\${__dirname}/${NAME}_bg.wasm`, `\${__dirname}/../${NAME}_bg.wasm`));
fs.writeFileSync(path.join(outDir, 'web', `${NAME}.js`),
  patch(path.join(tmp, 'web', `${NAME}.js`), `new URL('${NAME}_bg.wasm', import.meta.url)`, `new URL('../${NAME}_bg.wasm', import.meta.url)`));
// The transport's JS step (an `inline_js` snippet) sits beside each glue. The Node glue require()s it, so
// its copy is made CommonJS (Node 18 cannot require an ES module); both glues must name the same files.
const snippets = (target) => {
  const dir = path.join(tmp, target, 'snippets');
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.js')).sort() : [];
};
if (JSON.stringify(snippets('nodejs')) !== JSON.stringify(snippets('web'))) throw new Error('the glues use different snippets');
for (const file of snippets('nodejs')) {
  const esm = fs.readFileSync(path.join(tmp, 'web', 'snippets', file), 'utf8');
  const names = [...esm.matchAll(/^export (?:async )?function (\w+)/gm)].map((m) => m[1]);
  const cjs = `'use strict';\n${esm.replace(/^export (async )?function /gm, '$1function ')}\nmodule.exports = { ${names.join(', ')} };\n`;
  if (/^(export|import)\b/m.test(cjs)) throw new Error(`${file}: a snippet may only export functions`);
  for (const [target, text] of [['node', cjs], ['web', esm]]) {
    fs.mkdirSync(path.dirname(path.join(outDir, target, 'snippets', file)), { recursive: true });
    fs.writeFileSync(path.join(outDir, target, 'snippets', file), text);
  }
}
// The declarations of src/js/types.rs (the client classes are among them: wasm-bindgen exports no class).
fs.copyFileSync(path.join(tmp, 'nodejs', `${NAME}.d.ts`), path.join(outDir, `${NAME}.d.ts`));
// The web glue is an ES module inside a CommonJS package: say so for hosts that go by `type`.
fs.writeFileSync(path.join(outDir, 'web', 'package.json'), '{ "type": "module" }\n');
const webSnippets = snippets('web').map((f) => path.join('web', 'snippets', f));
fs.rmSync(tmp, { recursive: true, force: true });

for (const f of ['index.cjs', 'index.mjs', 'http-fetch.cjs', 'browser.mjs', 'common.mjs', 'events.mjs', 'arduino-api.mjs', 'index.d.ts', 'arduino-api.d.ts', 'README.md']) {
  fs.copyFileSync(path.join(here, f), path.join(outDir, f));
}
// common.cjs, events.cjs and arduino-api.cjs: the same modules for require(): `export` dropped, names exported at the
// end, relative imports of .mjs files turned into require()s of their .cjs copies.
for (const name of ['common', 'events', 'arduino-api']) {
  const esm = fs.readFileSync(path.join(here, `${name}.mjs`), 'utf8');
  const exported = [...esm.matchAll(/^export (?:class|function|const) (\w+)/gm)].map((m) => m[1]);
  const cjs = `'use strict';\n${esm
    .replace(/^import \{([^}]+)\} from '\.\/([\w-]+)\.mjs';$/gm, "const {$1} = require('./$2.cjs');")
    .replace(/^export (class|function|const) /gm, '$1 ')}\nmodule.exports = { ${exported.join(', ')} };\n`;
  if (/^(export|import)\b/m.test(cjs)) throw new Error(`${name}.mjs may only import names and export classes, functions and constants`);
  fs.writeFileSync(path.join(outDir, `${name}.cjs`), cjs);
}

const cargo = fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
const version = cargo.match(/^version = "([^"]+)"/m)[1];
const manifest = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
manifest.version = version;
fs.writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);


// The budgets: the wasm below the browser bundles of the official vendor clients (about 50 KB gzip each) with
// all four vendors in; the browser's JS (wasm-bindgen glue and its snippets, entry, shared module, the
// generated Arduino surface and the event-stream emitter, each file gzipped on its own) small beside it. A
// build over either fails, so a change that spends bytes has to say so here.
// 47,000 → 55,600: Particle's whole particle-api-js surface — its 101 calls as table rows (≈1.9 KB gzip), the
// engine's options-object extensions (≈2 KB), the 16 login and token flows (≈3 KB) and event streams
// (≈3.1 KB), already squeezed from 57,500 (one `__invoke` path for the login family, its table in the rows'
// grammar, wasm-opt merging similar functions first).
// 55,600 → 49,000, each step measured: the wasm built without `std`, a panic traps (55,546 → 54,536 B); one
// state machine for a send, its retries and its 401 resend (→ 54,011); a small executor of the package's own
// instead of wasm-bindgen-futures (→ 51,627); Particle's calls in one state machine and the global `fetch`
// read by the transport's JS step (→ 50,876); event streams without a wasm-bindgen class, a fixed opens
// window, the parser reading lines in place (→ 50,646); the function-table slots of closure shims nothing
// creates emptied, and with them the formatting code they kept (→ 49,637); a `CloudError` made in one JS step
// (→ 49,292); constructors that build their client in place (→ 48,897).
// The browser JS was 15,488 B gzip without the snippets (2,048 B more) until it was counted whole; shipped
// minified it is 12,593 B.
// 48,897 → 52,000: issue 8, cThings' `request` and IoTConnect's whole API (34 rows). The branches added
// ≈ +857 B (cThings: `request`/`requestEnvelope`, the engine's `m` method, `qo` query objects, `g` UUIDs,
// `k` scalars, `r` raw paths) and ≈ +4,800 B (IoTConnect: paging by cursor, `identity()`, `D` dates,
// `#min-max` bounds, `+` keyed parameters, `urls`, `request()`). Merged, with one raw-path check and
// IoTConnect's `request` on the engine's `m`/`qo` as cThings' is: 53,574 B. Then, each step measured:
// `identity()` decoded by the platform (atob, TextDecoder, JSON.parse) instead of base64url + UTF-8 + JSON in
// Rust (→ 53,060; browser JS +149); `D` dates read by the platform (`new Date(v).toISOString()`, ms by
// `Date.parse`), only cut and joined in Rust (→ 52,355; JS +35); IoTConnect's pages pass the answer's data
// array through, reading only its length and first item (→ 52,038); the page cursor read as the string it
// is (→ 51,990). Tried and not kept: a query object read by a JS step (+369), a 2-part page cursor (−51, but
// a server cycling through 3+ pages would no longer be caught before 10,000 pages), a leaner `#min-max` (+2).
// Over the 50,000 B by 1,990 B. What is left of IoTConnect's cost, measured by taking each out:
// paging (list/iterate cursor, repeat guard) ≈ 600 B, `#min-max` bounds 232 B, the 34-row table and its
// strings (data +2.7 KB raw), discovery for 8 services with the `urls` option, the engine additions in
// `prepare` (≈ +1.9 KB raw code in `invoke`). Reaching 50,000 needs about 2 KB more: e.g. one row for each
// list/iterate pair, paging folded into the generic `PAGE` mode of `invoke` with the Arduino cursor rule
// made per-vendor, and discovery/`urls` sharing one URL reader with the constructor.
// Then: `start` and `pageNumber` read by the engine as the iterate rows' `v` options into the call's cursor,
// not again by `finish` (→ 51,915), and the page read from it in place (→ 51,900). Measured by taking each
// out (the upper bound of a cut, behaviour lost): all of IoTConnect's paging in finish and dispatch 944 B
// (the repeated-page guard alone 286); the body of the `#min-max` check 186; the three iterate rows 31 (so
// one row per list/iterate pair cannot pay for the code that would pick the mode); asking for the token
// before the service URL (which makes concurrent first calls share one discovery) 106. Tried and not kept:
// the service URL picked by a sync helper (+6), the token's future boxed and shared with `login()` (−2),
// the two paging errors as one (−11, a vaguer message), `need` in the constructor as one match (+20).
// Two series of cuts, each measured from 51,900 on its own. The first, 51,900 → 49,821, each step measured (commits on the way say each): IoTConnect's login and refresh bodies made
// JSON by the edge (JSON.stringify) instead of escaped in Rust, its three auth requests sent from one place of
// the login's state machine (→ 51,575); its options read by `Opts::required(key, needed)` and worded by
// `Opts::bad`, an envelope's error status written into the response for `success()` to report, a 204 read
// by `success()` too, an empty page made `[]` up front, discovery's URL error moved not copied (→ 51,392);
// `Body::num_at` without a second integer parser (→ 51,277); a forward-only Unicode `encode::trim` in place
// of `str::trim` and its backward decoder (→ 51,106); JS arrays read by a loop, not `collect()` into a
// `Result` (→ 50,908); first-character checks by byte (→ 50,884); IoTConnect's finish errors by `bad()`,
// its page read as a u32, its version path pushed in place (→ 50,814); `Error::Http` an `Rc` (→ 50,748);
// tokens one shared `Rc<Token>` with a `Cell` flag for a refused one, so no token is ever copied (→ 50,441);
// the service URLs in a `OnceCell` (→ 50,378); a refused token marked on itself, not found in the cache
// (→ 50,325); every "ctx: `name` …" message (options, path segments, base URLs) made by the one
// `error::bad`, with one small decimal reader `encode::whole` for every integer (u64 for `num_at`, as
// before) (→ 49,938); from_response's text body trimmed once (→ 49,890); a grant's token refused in one
// check (→ 49,821). Tried and not kept: percent-encoding into a Vec<u8> (+106), a sync
// service-URL picker or `url` boxed with discovery inside (+3, +21), the no-login token path through the
// single flight (+88), `scalar`'s `k` without recursion (+44), one header-error exit in `check_headers`
// (+43), `Opts::pair` by `Option::zip` (+51), the login's method/path/fields as one match (+56), the
// service error text built from SERVICES (+95), header lines by `cat` (+20).
// The second, 51,900 → 50,713 (browser JS 13,116 → 12,964): the clients are plain JavaScript classes (common.mjs) over
// handles to a slot table in wasm (src/js/clients.rs), not a wasm-bindgen class per vendor with its own
// constructor, `__invoke`, `toJSON`, destructor, borrow checks and glue; one export, `__call`, for every
// call of theirs and the package's other crossings; the executor's `Runtime` class replaced by two raw
// exports. Each step measured: the four classes as slots with separate exports (→ 51,476), `Runtime` gone
// (→ 51,106), `__new`/`__invoke` folded into `__call` (→ 51,090), `__eventStep` (→ 51,004),
// `__iotApiInvoke` (→ 50,868), `__arity` and `__setErrorClass` (→ 50,837), `__call` as one `match`
// (→ 50,713).
// 50,713 → 49,543: a free-list allocator of our own (address-ordered, first fit, merging free neighbours)
// in place of talc (→ 50,332); Particle's token lifetimes and `full` read by the rows of FLOWS instead of
// hand-written option reading (→ 49,552); one boxed future for all of Particle's calls (→ 49,543).
// 49,543 → 49,597 (browser JS +96): a call's own signal ends its task wherever it waits, a login or a
// discovery included (the executor drops the task when the signal fires).
// Both series together, with the allocator and Particle cuts and the call signal: 47,363; a 303 after a
// POST drops a body made at the edge too: 47,372.
// 47,372 → 47,236 (browser JS +63): JSON bodies stringified by the edge's exchange (→ 47,256), its failures
// told by status (→ 47,253), iot_poll's two rejections as one (→ 47,252), CloudError's status and retryAfter
// as optional numbers (→ 47,236); not kept: token forms as URLSearchParams at the edge (+23), Particle's
// tokenless calls through Session::exchange (+87).
// And, measured from 47,372 on its own: → 46,802, in the engine and the crossing: byte scans by index loops
// (`split`, the template's placeholders, a free slot, `flat`), a route's template by `split`, its method by
// first letters, flags by `whole32`; `filled` and `checked` folded into `scalar`, whose checks return what
// is wrong for one `bad`; prepare's per-parameter work in a closure (errors leave at one place); `__call`
// one match without early returns, its values borrowed; `Call::request` cloning its headers whole; the
// common particle-api-js options by `matches!`; `Opts::number` by let-else; one caught-read helper.
// Together: 46,630.
// 49,597 → 54,511 (browser JS 13,060 → 13,467): the unified device model (`connect()`, src/unified.rs and
// src/js/unified.rs; its steps are `__call`'s UNIFIED, the calls they make go through the clients' invoke
// path). Measured after the merge with main: 54,676 wasm + 14,160 browser JS; with Arduino's devices read
// from the devices list (status and last activity) 54,822 + 14,160 = 68,982. What its parts cost then,
// each measured by taking it out: all of it 4,872 (the recipe interpreter `run` 2,827, of which a call's
// arguments 433 and picking from an answer 368; the fields of devices, readings, points and events 635;
// history's checks and a stream's history 352; change detection 292; the request rate 209; a stream's
// events 92; the edge — the settable spacing, the error codes, the dry-run mode — 353) and 1,100 of browser
// JS. Cut since, each measured: the default rate read from CAPABILITIES, not the Rust table (−62 total);
// `iterateDevices` as the package's page iterator, the cursor an option (−75); one `wait` for event streams
// and polls (−20); whole numbers checked on the number, not its text (−57); byte searches on slices (−55);
// dates read through the package's date check, the time now from Date.now (−18); the Cloud bounding the
// events it keeps (−25); an option read without a separate absent check (−11); a checked-only call
// answering undefined, not a resolved promise (−32). Outside the model, in the generated Arduino tables
// (browser JS): IotApi methods named without their class's prefix (−146), resources and IotApi classes as
// runs in op order read by the parser IoTConnect's table had (−91, −251), the date types as an array with
// holes (−118); Particle's login names as a string and cThings' methods from a table (−24); connect()
// taking the classes in CAPABILITIES' order (−19). Tried and not kept: one error variant for `unsupported`
// and `not_found` (+716: a larger Error everywhere), comparing strings instead of `===` (+70), the JS type
// computed in Rust instead of `typeof` (+74), a resolved promise from the executor (+19), the Cloud in
// events.mjs beside the streams (+84), shorter messages (±0), the IotApi names expanded at load by a
// generated function (−53 only). Earlier, before the merge: the steps sent by a wasm async function
// (+1,450: a second caller of `prepare` outlines it), validation through `prepare` with rows of checks
// (−190 only), dotted paths read by a JS step (±0), state kept between steps in a JS array (+880).
// Merged with main's later cuts (IoTConnect, the engine, sessions, errors, the edge): 52,477 (browser total 66,008).
// Merged with main's engine and crossing cuts (46,630 on main): 51,913 (browser JS 13,531, total 65,444).
// 51,913 → 51,697: one `cut` (a split keeping the whole without a separator) for the row parser, the recipes,
// shapes, paths and ranges (→ 51,704), whole-number options checked by the i32 round trip alone (→ 51,697).
// Not kept: `split` by `position` (+41), `path=yes=no` compared as Rust strings (+16). What the unified layer
// costs now, measured by taking it out: 4,502 (`changes` 374, `event` 104).
// 51,697 → 51,679: the unsupported message built from the method's context (`cthings.history is not supported`).
// 51,679 → 51,663: whole-number options (`intervalMs`, `page`) checked by the row parser's `in_range`.
// 51,663 → 51,647: no `-` (null) path in shapes (no vendor line used it).
// 51,647 → 51,635: a recipe step's operation cut at its first `:` (every step has one).
// 51,635 → 51,610: a step's `key=slot` arguments taken by cut (no `split` left in the unified model).
// 51,594 → 48,759 (browser JS 13,531 → 13,604), back under issue 8's 50,000 with the unified model in:
// wasm-opt rebuilding control flow (`--flatten --rereloop -Os`, then one more merge of similar functions) and
// inlining a single-caller function only up to 40 instructions (`-ocimfs 40 -aimfs 3`: the engine's big steps
// stay out of line) (→ 50,800, tools/wasm-opt-flags.mjs). Four series of cuts, each measured from 51,594 on
// its own (their commits say each step): the unified model −786 (its methods, fields and vendor lines as
// plain strings, a step's arguments read by one loop, its operation number by `whole32`, index loops, the
// method's name read once); the edge −464 (invoke prepares and completes a call in place, a parameter's text
// read and checked once for every place it goes, an array's items copied by one JS helper: browser JS +82);
// the transport, sessions and vendors −590 (header names checked by byte ranges, which drops core's byte
// search −142; Arduino's default headers added one by one; token forms as URLSearchParams at the edge and no
// text body left in `Request`; a followed redirect kept as its URL and GET mark; digits without an index
// check, which drops a panic path); the engine and tables −363 (a path entry without the name its route
// already gives, Arduino's media types without `application/vnd.arduino`, `Call::request` as one struct,
// text cut after ASCII bytes without a second boundary check). Not kept: `--traps-never-happen` (−570, but
// a trap that should happen, an allocation failure say, would be undefined behaviour instead of an abort).
const WASM_GZIP_BUDGET = 48_759;
const WEB_JS_GZIP_BUDGET = 17_000;
// What a browser downloads, the wasm and the browser JS together (measured 62,363).
const BROWSER_GZIP_BUDGET = 68_000;
// What a browser loads — the web glue, its snippets and the ES modules — ships without comments and
// whitespace (esbuild, names kept so that stack traces stay readable): a third less to download. The
// CommonJS copies for Node stay as written.
const browserFiles = [path.join('web', `${NAME}.js`), ...webSnippets, 'browser.mjs', 'common.mjs', 'events.mjs', 'arduino-api.mjs'];
for (const f of browserFiles) {
  const file = path.join(outDir, f);
  const { code } = transformSync(fs.readFileSync(file, 'utf8'), {
    loader: 'js', minifyWhitespace: true, minifySyntax: true, legalComments: 'none',
  });
  fs.writeFileSync(file, code);
}

// Size report: each file gzipped on its own, as a browser fetches them.
const gz = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB (${n.toLocaleString('en-US')} B)`;
const wasm = fs.readFileSync(wasmOut);
const report = {
  wasmRaw: wasm.length,
  wasmGzip: gz(wasm),
  webGlueGzip: browserFiles.reduce((n, f) => n + gz(fs.readFileSync(path.join(outDir, f))), 0),
  nodeGlueGzip: gz(fs.readFileSync(path.join(outDir, 'node', `${NAME}.js`))),
};
console.log(`package ${manifest.name}@${version} in ${path.relative(process.cwd(), outDir) || '.'}:`);
console.log(`  wasm            ${kb(report.wasmRaw)} raw, ${kb(report.wasmGzip)} gzip`);
console.log(`  JS (web)        ${kb(report.webGlueGzip)} gzip (glue, snippets, entry modules)`);
console.log(`  JS glue (node)  ${kb(report.nodeGlueGzip)} gzip`);
console.log(`  browser total   ${kb(report.wasmGzip + report.webGlueGzip)} gzip`);
fs.writeFileSync(path.join(root, 'target', 'size-report.json'), `${JSON.stringify(report, null, 2)}\n`);

let over = false;
for (const [what, size, budget] of [
  ['wasm', report.wasmGzip, WASM_GZIP_BUDGET],
  ['browser JS', report.webGlueGzip, WEB_JS_GZIP_BUDGET],
  ['browser total', report.wasmGzip + report.webGlueGzip, BROWSER_GZIP_BUDGET],
]) {
  if (size > budget) {
    console.error(`size budget exceeded: ${what} is ${size} B gzip, budget ${budget} B`);
    over = true;
  } else {
    console.log(`  budget          ${budget.toLocaleString('en-US')} B gzip for the ${what}: ${budget - size} B to spare`);
  }
}
console.log('  per function    make size (table in target/size-table.txt)');
if (over) process.exit(1);
