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

/** Calls the API directly (test setup): answers `{ status, body }`. */
export async function api(base, method, path, { token, body, headers = {} } = {}) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A bearer token for a demo account, by its user id (`dinas-semarang`, `admin`, …). */
export async function tokenFor(base, userId) {
  const { status, body } = await api(base, 'POST', '/auth/dev-login', { body: { user_id: userId } });
  if (status !== 200) throw new Error(`dev-login ${userId}: ${status} ${JSON.stringify(body)}`);
  return body.token;
}

/** A complete nomination form. */
export function nominationForm(roundId, regencyCode, ikmName) {
  return {
    round_id: roundId,
    regency_code: regencyCode,
    ikm: {
      name: ikmName, nib: '9120001112223', owner_name: 'Sri Wahyuni', address: 'Jl. Gunungpati Raya 7, Semarang',
      year_founded: 2012, workers: 14, investment_idr: 300000000,
    },
    sentra: { name: 'Sentra Anyaman Gunungpati', unit_count: 32, sk_number: '530/112/2021' },
    product: {
      name: `Produk ${ikmName}`, commodity: 'anyaman',
      description: 'Anyaman pandan dengan motif khas Gunungpati.', local_material_pct: 90,
    },
  };
}

/** Creates a draft through the API (and submits it when asked); answers the nomination. */
export async function createNomination(base, token, form, { submit = false } = {}) {
  const key = `e2e-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const created = await api(base, 'POST', '/nominations', { token, body: form, headers: { 'Idempotency-Key': key } });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  if (!submit) return created.body;
  const sent = await api(base, 'POST', `/nominations/${created.body.id}/submit`, { token });
  if (sent.status !== 200) throw new Error(`submit: ${sent.status} ${JSON.stringify(sent.body)}`);
  return sent.body;
}
