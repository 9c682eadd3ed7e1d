// Type-checks tests/types/usage.ts and arduino-usage.ts against the package as installed from the tarball, with TypeScript's
// Node (nodenext) and bundler module resolution, in strict mode and with the package's own .d.ts checked.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const consumer = path.join(root, 'target', 'consumers', 'esm');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

for (const [module, moduleResolution] of [['nodenext', 'nodenext'], ['esnext', 'bundler']]) {
  test(`the documented usage type-checks (${moduleResolution} resolution)`, () => {
    const dir = fs.mkdtempSync(path.join(consumer, `types-${moduleResolution}-`));
    try {
      for (const f of ['usage.ts', 'arduino-usage.ts']) fs.copyFileSync(path.join(root, 'tests', 'types', f), path.join(dir, f));
      const config = {
        compilerOptions: {
          strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', lib: ['es2022', 'dom'],
          module, moduleResolution, types: [],
        },
        files: ['usage.ts', 'arduino-usage.ts'],
      };
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
      let output = '';
      try {
        execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
      } catch (err) {
        output = `${err.stdout}${err.stderr}`;
      }
      assert.equal(output, '', output);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
