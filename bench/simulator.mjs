// What both bench scripts share: the local simulator in a process of its own (so that its work does not run
// on the clients' event loop), its control endpoints, and the plain-text tables they print.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts tests/simulator/cli.js on a free port with `args`; resolves `{url, close()}`. */
export function startSimulator(args = []) {
  return new Promise((resolve, reject) => {
    const cli = path.join(ROOT, 'tests', 'simulator', 'cli.js');
    const child = spawn(process.execPath, [cli, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('the simulator did not start within 15 s'));
    }, 15_000);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the simulator exited (${code}) before listening`)); });
    child.stdout.setEncoding('utf8').on('data', (s) => {
      out += s;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.resume();
      resolve({
        url: m[1],
        close: () => new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', done);
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

/** A call of the simulator's control API (`/__sim/<route>`); resolves its JSON answer. */
export async function simControl(sim, method, route, body) {
  const res = await fetch(`${sim.url}/__sim/${route}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`simulator ${method} /__sim/${route} answered ${res.status}`);
  return res.json();
}

/** A plain-text table: `align[i]` is `r` for a right-aligned column. */
export function table(headers, rows, align) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => '  ' + cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('   ');
  return [line(headers), '  ' + widths.map((w) => '─'.repeat(w)).join('   '), ...rows.map(line)].join('\n');
}
