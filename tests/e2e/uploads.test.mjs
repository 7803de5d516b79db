// A regency official uploads the nomination's document bundle in a real browser: bytes go
// straight to the embedded S3 on presigned requests. A 20 MiB document goes in parts; a reload
// mid-upload resumes after the file is chosen again (only the missing parts are sent); the
// connection to S3 is cut and the upload carries on; a photo gets its thumbnail; the checklist
// turns complete and the nomination is submitted.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { api, axeViolations, createNomination, nominationForm, signIn, start, tokenFor } from './helpers.mjs';

const SEMARANG = '33.74';
const MiB = 1024 * 1024;
let app;
let dir;
let nomination;

/** A PDF as far as the server's type check goes: the `%PDF-` signature, then `size` bytes. */
function pdf(name, size) {
  const path = join(dir, name);
  const body = Buffer.alloc(size);
  Buffer.from('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n', 'latin1').copy(body);
  randomBytes(Math.min(size, 64 * 1024)).copy(body, 32);
  body.fill(0x20, 32 + 64 * 1024);
  writeFileSync(path, body);
  return path;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}
/** A real 320×240 PNG photo (a woven-bag brown gradient), made here so no fixture is needed. */
function photo(name) {
  const [w, h] = [320, 240];
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) row.set([150 + (x % 60), 100 + (y % 40), 50], 1 + x * 3);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0)),
  ]);
  const path = join(dir, name);
  writeFileSync(path, png);
  return path;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ovop-e2e-files-'));
  app = await start();
  const admin = await tokenFor(app.base, 'admin');
  const rounds = await api(app.base, 'GET', '/rounds', { token: admin });
  const round = rounds.body.items[0];
  assert.equal(round.documents_required, true, 'the demo round requires the bundle');
  const semarang = await tokenFor(app.base, 'dinas-semarang');
  nomination = await createNomination(app.base, semarang, nominationForm(round.id, SEMARANG, 'Anyaman Berkas Lengkap'));
});
after(async () => {
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The S3 requests of `page` that carry bytes (presigned PUTs), as `{ url, part }`. */
function isS3Put(request) {
  const url = new URL(request.url());
  return request.method() === 'PUT' && url.searchParams.has('X-Amz-Signature');
}
const signed = (url) => url.searchParams.has('X-Amz-Signature');
const partOf = (url) => Number(new URL(url).searchParams.get('partNumber') ?? 1);

const row = (page, code) => page.locator(`li.doc-row[data-code="${code}"]`);
const phaseOf = (page, code) => row(page, code).locator('.file-progress').getAttribute('data-phase');
/** Waits until `code`'s file is uploaded and the checklist, reloaded, shows it attached. */
async function uploaded(page, code) {
  await row(page, code).locator('.file-progress[data-phase="done"]').waitFor({ timeout: 60_000 });
  await row(page, code).locator('.doc-state.attached').waitFor({ timeout: 30_000 });
}

test('a wrong type or an oversize file is refused before any byte is sent', async () => {
  const page = await app.browser.newPage();
  const declared = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/uploads')) declared.push(r.url()); });
  await signIn(page, app.base, /Kota Semarang/);
  await page.goto(`${app.base}/usulan/${nomination.id}`);
  await row(page, 'D01').waitFor();
  const word = join(dir, 'surat.doc');
  writeFileSync(word, 'not a pdf');
  await page.locator('#file-D01').setInputFiles(word);
  const refusal = row(page, 'D01').locator('.file-progress [role="alert"]');
  assert.match(await refusal.innerText(), /tidak diterima|PDF, JPEG, PNG atau WebP/);
  await page.locator('#file-D07').setInputFiles(pdf('foto-besar.pdf', 1000));
  assert.match(await row(page, 'D07').locator('.file-progress [role="alert"]').innerText(), /PDF tidak diterima/);
  assert.deepEqual(declared, [], 'nothing is declared, nothing is sent');
  await page.close();
});

test('an official uploads the bundle: a 20 MiB document resumes after a reload and a cut connection, a photo gets its thumbnail, and the nomination is submitted', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Kota Semarang/);
  await page.goto(`${app.base}/usulan/${nomination.id}`);
  await row(page, 'D05').waitFor();
  assert.match(await page.locator('.bundle').innerText(), /Belum lengkap/);

  // 1. The big document: part 1 reaches S3, parts 2 and 3 hang; the page is reloaded.
  const big = pdf('profil-ikm.pdf', 20 * MiB);
  const held = [];
  let firstPartStored;
  const stored = new Promise((resolve) => { firstPartStored = resolve; });
  await page.route(signed, async (route) => {
    if (partOf(route.request().url()) === 1) {
      await route.continue();
    } else {
      held.push(route); // never answered: the reload cuts it
    }
  });
  page.on('requestfinished', (r) => { if (isS3Put(r) && partOf(r.url()) === 1) firstPartStored(); });
  await page.locator('#file-D05').setInputFiles(big);
  await row(page, 'D05').locator('.file-progress progress').waitFor();
  assert.ok(await page.locator('#bundle-progress').isVisible(), 'the bundle has a progress bar too');
  await stored;
  assert.equal(await phaseOf(page, 'D05'), 'sending');
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.reload();

  // 2. After the reload the page names the unfinished upload; the same file chosen again
  //    sends only parts 2 and 3 — and the connection to S3 is cut twice on the way.
  await page.locator('.notice.resume').filter({ hasText: 'profil-ikm.pdf' }).waitFor();
  const sentAfterReload = [];
  let cuts = 0;
  await page.route(signed, async (route) => {
    if (route.request().method() === 'PUT' && cuts < 2) {
      cuts += 1;
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  page.on('requestfinished', (r) => { if (isS3Put(r)) sentAfterReload.push(partOf(r.url())); });
  await page.locator('#file-D05').setInputFiles(big);
  await row(page, 'D05').locator('.file-progress').filter({ hasText: /Koneksi terputus|Melanjutkan/ }).waitFor();
  await uploaded(page, 'D05');
  assert.equal(cuts, 2, 'the connection was cut');
  assert.deepEqual([...new Set(sentAfterReload)].sort(), [2, 3], 'only the missing parts were sent again');
  await page.unroute(signed);

  // 3. The photo, with its thumbnail (made by the server without EXIF).
  await page.locator('#file-D07').setInputFiles(photo('tas-anyaman.png'));
  await uploaded(page, 'D07');
  const thumb = row(page, 'D07').locator('img.thumb');
  await thumb.waitFor();
  await page.waitForFunction(() => document.querySelector('li[data-code="D07"] img.thumb')?.naturalWidth > 0);

  // 4. The rest of the required documents, and the sample's shipment.
  for (const code of ['D01', 'D02', 'D03', 'D04', 'D06', 'D14']) {
    await page.locator(`#file-${code}`).setInputFiles(pdf(`${code}.pdf`, 40 * 1024));
    await uploaded(page, code);
  }
  const sample = row(page, 'D08');
  await sample.getByLabel('Jasa pengiriman').fill('JNE');
  await sample.getByLabel('Nomor resi').fill('JNE0012345678');
  await sample.getByLabel('Tanggal kirim').fill('2026-03-02');
  await sample.getByRole('button', { name: 'Catat pengiriman sampel' }).click();
  await page.locator('.bundle[data-complete="true"]').waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: 'test-results/documents-complete.png', fullPage: true });

  // 5. Submitted with the complete bundle.
  await page.getByRole('button', { name: 'Ajukan usulan' }).click();
  await page.locator('[data-status="SUBMITTED"]').waitFor();
  assert.deepEqual(app.cspViolations, []);
  await page.close();
});
