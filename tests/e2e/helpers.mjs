// Starts ovop-local with the built SPA on a free port and Debian's headless Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitUntilUp(url, server, log) {
  for (let i = 0; i < 200; i++) {
    if (server.exitCode !== null) throw new Error(`ovop-local exited early:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ovop-local did not start:\n${log()}`);
}

/** The app and a browser; call `stop()` when done. */
export async function start() {
  const bin = process.env.OVOP_LOCAL_BIN;
  const spa = process.env.OVOP_SPA_DIR;
  if (!bin || !spa) throw new Error('set OVOP_LOCAL_BIN and OVOP_SPA_DIR (make test does)');
  const dataDir = mkdtempSync(join(tmpdir(), 'ovop-e2e-'));
  const port = await freePort();
  let output = '';
  const server = spawn(bin, [], {
    env: { ...process.env, OVOP_ADDR: `127.0.0.1:${port}`, OVOP_DATA_DIR: dataDir, OVOP_SPA_DIR: spa, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => { output += d; });
  server.stderr.on('data', (d) => { output += d; });
  const base = `http://localhost:${port}`;
  await waitUntilUp(`${base}/api/v1/openapi.json`, server, () => output);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    base,
    browser,
    async stop() {
      await browser.close();
      server.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in on the demo sign-in page by the account's visible name. */
export async function signIn(page, base, accountName) {
  await page.goto(`${base}/masuk`);
  await page.getByRole('button', { name: accountName }).click();
  await page.getByRole('heading', { level: 1 }).filter({ hasText: /Usulan IKM|IKM nominations/ }).waitFor();
}

/** Serious and critical axe-core violations on the current page. */
export async function axeViolations(page) {
  const source = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  await page.addScriptTag({ content: source });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}
