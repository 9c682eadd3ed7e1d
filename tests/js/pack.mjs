// Packs pkg/ with `npm pack` and installs the tarball into fresh consumer projects, as a user would:
//   target/consumers/cjs  ("type": "commonjs")
//   target/consumers/esm  ("type": "module")
// The JS tests, the examples and the benchmark load the package from there, never from pkg/ directly.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const packDir = path.join(root, 'target', 'pack');
fs.rmSync(packDir, { recursive: true, force: true });
fs.mkdirSync(packDir, { recursive: true });
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

const [info] = JSON.parse(npm(['pack', path.join(root, 'pkg'), '--pack-destination', packDir, '--json'], root));
const tarball = path.join(packDir, info.filename);
console.log(`packed ${info.filename}: ${info.entryCount} files, ${(info.size / 1024).toFixed(1)} KB packed, ${(info.unpackedSize / 1024).toFixed(1)} KB unpacked`);

for (const type of ['commonjs', 'module']) {
  const dir = path.join(root, 'target', 'consumers', type === 'module' ? 'esm' : 'cjs');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: `consumer-${type}`, private: true, type }, null, 2)}\n`);
  npm(['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], dir);
  console.log(`installed into ${path.relative(root, dir)}`);
}
fs.writeFileSync(path.join(packDir, 'latest.json'), `${JSON.stringify({ tarball, ...info, files: undefined }, null, 2)}\n`);
