// Starts ovop-local with the built SPA on a free port and Debian's headless Chromium.
//
// Every page is watched for Content-Security-Policy violations (the `securitypolicyviolation`
// events of each document and the console's "Content Security Policy" errors); after each test
// the shared hook below fails it when there were any.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, startServer } from './server.mjs';


/** Apps started by this test file: their CSP violations are checked after every test. */
const running = new Set();

afterEach(async () => {
  // Violation events are delivered asynchronously: give the last ones a moment.
  await new Promise((r) => setTimeout(r, 100));
  const found = [...running].flatMap((app) => app.cspViolations.splice(0));
  assert.deepEqual(found, [], 'Content-Security-Policy violations');
});

/** Records CSP violations of every page of `context` into `sink`. */
async function watchCsp(context, sink) {
  await context.exposeBinding('__ovopCspViolation', ({ page }, v) => sink.push({ ...v, page: page?.url() }));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__ovopCspViolation?.({
        directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
        line: e.lineNumber, sample: e.sample,
      });
    });
  });
  context.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) {
      sink.push({ console: message.text(), page: message.page()?.url() });
    }
  });
}

/**
 * The app and a browser; call `stop()` when done. `env` adds to ovop-local's environment
 * (e.g. `{ OVOP_ACCESS_TOKEN_SECS: '5' }`).
 */
export async function start({ env = {} } = {}) {
  const server = await startServer({ env });
  const { base } = server;
  const chromiumBrowser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const cspViolations = [];
  // An Indonesian browser by default (the issuer's page follows Accept-Language).
  const newContext = async (options) => {
    const context = await chromiumBrowser.newContext({ locale: 'id-ID', ...options });
    await watchCsp(context, cspViolations);
    return context;
  };
  // Tests open pages through this browser, so none escapes the CSP watch.
  const browser = {
    newContext,
    async newPage(options) {
      const context = await newContext(options);
      const page = await context.newPage();
      page.on('close', () => { context.close().catch(() => {}); });
      return page;
    },
  };
  const app = {
    base,
    browser,
    cspViolations,
    log: server.log,
    async stop() {
      running.delete(app);
      await chromiumBrowser.close();
      server.stop();
    },
  };
  running.add(app);
  return app;
}

/** Whether `url` is the issuer's authorize page. */
export const atIssuer = (url) => new URL(url).pathname === '/oidc/authorize';

/** On the issuer's authorize page: chooses the demo account by its visible name, and waits
 * until the app shows the page it came back to. */
export async function chooseAccount(page, accountName) {
  await page.waitForURL(atIssuer);
  await page.getByRole('button', { name: accountName }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/oidc/') && !url.pathname.startsWith('/auth/'));
  await page.locator('main h1').first().waitFor();
}

/** Opens the app, signs in at the issuer by the account's visible name, and waits for the list. */
export async function signIn(page, base, accountName) {
  await page.goto(`${base}/`);
  await chooseAccount(page, accountName);
  await page.getByRole('heading', { level: 1 }).filter({ hasText: /Usulan IKM|IKM nominations/ }).waitFor();
}

/** Serious and critical axe-core violations on the current page. axe is evaluated through the
 * DevTools protocol, not added as a script element, which the page's CSP would refuse. */
export async function axeViolations(page) {
  const source = readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  await page.evaluate(source);
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

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');

/** The S256 challenge of a PKCE verifier. */
export const challengeOf = (verifier) => base64url(createHash('sha256').update(verifier).digest());

function unescapeHtml(text) {
  return text.replace(/&(quot|#39|lt|gt|amp);/g, (_, e) => ({ quot: '"', '#39': "'", lt: '<', gt: '>', amp: '&' })[e]);
}

/**
 * Tokens for a demo account (`dinas-semarang`, `admin`, …) through the issuer's own endpoints,
 * as a browser would get them: authorize page, the account's button, code, token exchange.
 */
export async function tokensFor(base, username) {
  const config = await (await fetch(`${base}/config.json`)).json();
  const discovery = await (await fetch(`${config.issuer}/.well-known/openid-configuration`)).json();
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const query = new URLSearchParams({
    response_type: 'code', client_id: config.client_id, redirect_uri: config.redirect_uri,
    scope: config.scopes, state, code_challenge: challengeOf(verifier), code_challenge_method: 'S256',
  });
  const page = await fetch(`${discovery.authorization_endpoint}?${query}`);
  assert.equal(page.status, 200, 'authorize page');
  const form = new URLSearchParams();
  for (const [, name, value] of (await page.text()).matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    form.append(unescapeHtml(name), unescapeHtml(value));
  }
  form.append('username', username);
  const chosen = await fetch(discovery.authorization_endpoint, { method: 'POST', body: form, redirect: 'manual' });
  assert.equal(chosen.status, 302, `choosing ${username}`);
  const back = new URL(chosen.headers.get('location'));
  assert.equal(back.searchParams.get('state'), state);
  const exchange = await fetch(discovery.token_endpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: back.searchParams.get('code'),
      redirect_uri: config.redirect_uri, client_id: config.client_id, code_verifier: verifier,
    }),
  });
  const tokens = await exchange.json();
  assert.equal(exchange.status, 200, JSON.stringify(tokens));
  return tokens;
}

/** An access token for a demo account, by its username. */
export async function tokenFor(base, username) {
  return (await tokensFor(base, username)).access_token;
}

/** The form fields of POST /oidc/token requests seen by `page`, as they happen. */
export function tokenRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/oidc/token') {
      seen.push(Object.fromEntries(new URLSearchParams(r.postData() ?? '')));
    }
  });
  return seen;
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

/** A fresh Idempotency-Key. */
export const newKey = () => `e2e-${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** Creates a draft through the API (and, when asked, attaches its complete document bundle
 * and submits it); answers the nomination. */
export async function createNomination(base, token, form, { submit = false } = {}) {
  const created = await api(base, 'POST', '/nominations', { token, body: form, headers: { 'Idempotency-Key': newKey() } });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  if (!submit) return created.body;
  await attachCompleteBundle(base, token, created.body.id);
  const sent = await api(base, 'POST', `/nominations/${created.body.id}/submit`, { token });
  if (sent.status !== 200) throw new Error(`submit: ${sent.status} ${JSON.stringify(sent.body)}`);
  return sent.body;
}

/** A one-page PDF showing `lines` (printable ASCII; anything else becomes `?`), with a correct
 * cross-reference table. */
export function demoPdf(lines) {
  const escape = (line) => line.replace(/[^ -~]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
  const content = `BT /F1 14 Tf 72 770 Td 18 TL\n${lines.map((l) => `(${escape(l)}) Tj T*\n`).join('')}ET\n`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${content.length} >>\nstream\n${content}endstream`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** A small JPEG photo (32×24, no EXIF), for D07. */
export const DEMO_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAA'
  + 'AABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
  + 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAA'
  + 'ABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAA'
  + 'AAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAA'
  + 'AAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAA'
  + 'AABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAAYEBQYF'
  + 'BAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMK'
  + 'ChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAYACADASIAAhEB'
  + 'AxEB/8QAGgAAAQUBAAAAAAAAAAAAAAAAAAQFBgcIAf/EAB4QAAIBBQEBAQAAAAAAAAAAAAADMQIEBQbSoxGD/8QAFgEBAQEA'
  + 'AAAAAAAAAAAAAAAAAwYE/8QAHhEAAQQCAwEAAAAAAAAAAAAAAgABAxEEEjEyQRP/2gAMAwEAAhEDEQA/AOIXAjTtOEpm9+fl'
  + 'XyPKFwUkRuNAM17eKrmlcKpXArcMBTN/4s5JkhcGbTT6FwFmwDBWvqMJHO7UZQuBuVo+Aqmw9mdABn+hB1ekxMz8parQdcqn'
  + 'He7OibIXAADJIZ9ntFTNwv/Z',
  'base64',
);

/**
 * Does what a regency office does before submitting, through the HTTP API as the browser does:
 * reads the checklist and, for every document still missing, declares a small valid file (a
 * one-page PDF, or a JPEG for the photos), PUTs it to the presigned URL and completes the
 * upload; when the sample (D08) is missing, records its shipment. Checks that the bundle is
 * then complete.
 */
export async function attachCompleteBundle(base, token, nominationId) {
  const path = (rest) => `/nominations/${nominationId}/${rest}`;
  const checklist = await api(base, 'GET', path('documents'), { token });
  assert.equal(checklist.status, 200, JSON.stringify(checklist.body));
  for (const code of checklist.body.missing) {
    const entry = checklist.body.entries.find((e) => e.document === code);
    if (entry.kind === 'physical') {
      const shipment = { courier: 'JNE', tracking_number: 'CGK0001', shipped_on: new Date().toISOString().slice(0, 10) };
      const shipped = await api(base, 'PUT', path('sample/shipment'), { token, body: shipment, headers: { 'Idempotency-Key': newKey() } });
      assert.equal(shipped.status, 200, `shipping the sample: ${JSON.stringify(shipped.body)}`);
      continue;
    }
    let file;
    if (entry.accepts.includes('application/pdf')) {
      file = { name: `${code}.pdf`, type: 'application/pdf', bytes: demoPdf([`${code} e2e test file`, `nomination ${nominationId}`]) };
    } else if (entry.accepts.includes('image/jpeg')) {
      file = { name: `${code}.jpg`, type: 'image/jpeg', bytes: DEMO_JPEG };
    } else {
      throw new Error(`${code} accepts neither PDF nor JPEG: ${entry.accepts}`);
    }
    const declared = await api(base, 'POST', path('uploads'), {
      token,
      headers: { 'Idempotency-Key': newKey() },
      body: { document_code: code, file_name: file.name, media_type: file.type, size: file.bytes.length },
    });
    assert.equal(declared.status, 201, `declaring ${code}: ${JSON.stringify(declared.body)}`);
    assert.equal(declared.body.mode, 'single', `${code}: a small file goes in one PUT`);
    const { put, upload_id: upload } = declared.body;
    // The signed headers as given; the body sets content-length itself.
    const headers = Object.fromEntries(Object.entries(put.headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
    const sent = await fetch(put.url, { method: put.method, headers, body: file.bytes });
    assert.equal(sent.status, 200, `sending ${code}: ${await sent.text()}`);
    const done = await api(base, 'POST', path(`uploads/${upload}/complete`), { token, body: {}, headers: { 'Idempotency-Key': newKey() } });
    assert.equal(done.status, 200, `completing ${code}: ${JSON.stringify(done.body)}`);
  }
  const after = await api(base, 'GET', path('documents'), { token });
  assert.equal(after.body.complete, true, `the bundle is complete; missing: ${JSON.stringify(after.body.missing)}`);
}

/**
 * The secretariat's decision on nomination `id` in the browser, with the form on its page:
 * `revise` (D01 invalid with a note, reasons, a deadline a week ahead) or `pass`; waits for the
 * status the decision leads to.
 */
export async function verifyInBrowser(desk, base, id, decision) {
  await desk.goto(`${base}/usulan/${id}`);
  const form = desk.locator('form.verification');
  await form.locator('tr[data-code="D01"]').waitFor();
  if (decision === 'revise') {
    await form.getByLabel('Hasil D01').selectOption('invalid');
    await form.getByLabel('Catatan D01').fill('Surat usulan belum ditandatangani kepala dinas.');
    await form.getByLabel('Kembalikan untuk perbaikan').check();
    await form.getByLabel('Alasan untuk dinas pengusul').fill('Tanda tangan kepala dinas diperlukan.');
    await form.getByLabel('Batas perbaikan').fill(new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16));
  } else {
    await form.getByLabel('Lulus', { exact: true }).check();
  }
  await form.getByRole('button', { name: 'Simpan keputusan' }).click();
  await desk.locator(`[data-status="${decision === 'revise' ? 'NEEDS_REVISION' : 'ADMIN_PASSED'}"]`).waitFor();
}

/** The regency office resubmits nomination `id`, returned for revision, in the browser. */
export async function resubmitInBrowser(office, base, id) {
  await office.goto(`${base}/usulan/${id}`);
  await office.locator('section.revision').waitFor();
  await office.getByRole('button', { name: 'Ajukan usulan' }).click();
  await office.locator('[data-status="SUBMITTED"]').waitFor();
}

/** Asserts an API answer's status, showing its body when it differs; answers the body. */
export function expectStatus(answer, status, what) {
  assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Every criterion of `rubric` at its highest level, with the comment that level needs. */
export function topSheet(rubric) {
  const levels = {};
  const comments = {};
  for (const aspect of rubric.aspects) {
    for (const c of aspect.criteria) {
      levels[c.code] = c.levels.length;
      comments[c.code] = 'Mutu produk sangat rapi dan konsisten.';
    }
  }
  return { levels, comments };
}
