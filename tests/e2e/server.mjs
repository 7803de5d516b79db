// ovop-local on a free port with a fresh data folder, and the Chromium flags: shared by the
// browser tests (`helpers.mjs`) and the benches (`bench/`). No test-runner imports here.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's headless Chromium, quiet and without background traffic. */
export const CHROMIUM_ARGS = [
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

/** Waits until `url` answers 2xx (every 50 ms, `tries` times), failing if ovop-local exits. */
async function waitUntilUp(url, server, log, tries) {
  for (let i = 0; i < tries; i++) {
    if (server.exitCode !== null) throw new Error(`ovop-local exited early:\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ovop-local did not answer ${url}:\n${log()}`);
}

/**
 * ovop-local (`OVOP_LOCAL_BIN`, with the built SPA in `OVOP_SPA_DIR`) on a free port, its own
 * S3 endpoint on another (apps run side by side), once `readyPath` answers. `env` adds to its
 * environment. Answers `{ base, log(), stop() }`.
 */
export async function startServer({ env = {}, readyPath = '/api/v1/openapi.json', tries = 200 } = {}) {
  const bin = process.env.OVOP_LOCAL_BIN;
  const spa = process.env.OVOP_SPA_DIR;
  if (!bin || !spa) throw new Error('set OVOP_LOCAL_BIN and OVOP_SPA_DIR (make test and make bench do)');
  const dataDir = mkdtempSync(join(tmpdir(), 'ovop-e2e-'));
  const port = await freePort();
  let output = '';
  const server = spawn(bin, [], {
    env: {
      ...process.env, OVOP_ADDR: `127.0.0.1:${port}`, OVOP_DATA_DIR: dataDir, OVOP_SPA_DIR: spa,
      OVOP_S3_ADDR: '127.0.0.1:0', RUST_LOG: 'warn', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.on('data', (d) => { output += d; });
  server.stderr.on('data', (d) => { output += d; });
  const base = `http://localhost:${port}`;
  const log = () => output;
  await waitUntilUp(`${base}${readyPath}`, server, log, tries);
  return {
    base,
    log,
    stop() {
      server.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
