// Debian's Chromium, headless, driven by playwright-core (which cannot download browsers here), with the
// flags that keep it off the network except for the pages it is sent to, and a throw-away profile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // Every host name resolves to "not found" except the simulator's address, so that even a request that
  // slipped past the route below could not reach another machine.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** Starts Chromium; `close()` ends it and removes its profile. */
export async function launchChromium(options = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iot-cloud-wasm-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    ...options,
  });
  const close = async () => {
    await context.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, close };
}

/**
 * Lets the pages of `context` talk to 127.0.0.1 only: any other request (another host, `localhost`, a
 * vendor cloud) is aborted before it leaves the browser and its URL is added to the returned array, which
 * a test file checks is empty at the end. Requests that never go to the network (data: URLs) are not routed
 * by the browser at all.
 */
export async function keepOnLoopback(context) {
  const offLoopback = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      // not a URL with a host: treated as leaving the machine
    }
    if (host === '127.0.0.1') return route.fallback();
    offLoopback.push(url);
    return route.abort('blockedbyclient');
  });
  return offLoopback;
}
