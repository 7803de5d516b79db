// The determination (penetapan) in a real browser: a round whose recommendation is locked
// (built through the API, as the selection's own story ends), the admin records the decree —
// a missing signer is refused naming the field before anything is sent, a connection lost on
// the way is retried with the same Idempotency-Key and without sending the PDF again —, the
// awards show, a certificate downloads as a PDF, one award is revoked with a reason, and the
// gallery is published, its link leaving the app. axe finds nothing on every new state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  api, axeViolations, createNomination, demoPdf, expectStatus, newKey, nominationForm, signIn,
  start, tokenFor, topSheet,
} from './helpers.mjs';

const IKM = 'Anyaman Penetapan Gunungpati';
let app;
let round;
let nomination;

/** Through the API: the nomination of Kota Semarang submitted with its bundle, passed by the
 * secretariat, scored at the top by penilai-1 of Jawa Tengah's panel, and the round's
 * recommendation locked (3★). */
async function lockedRecommendation() {
  const admin = await tokenFor(app.base, 'admin');
  round = (await api(app.base, 'GET', '/rounds', { token: admin })).body.items[0];
  const office = await tokenFor(app.base, 'dinas-semarang');
  nomination = await createNomination(app.base, office, nominationForm(round.id, '33.74', IKM), { submit: true });

  const desk = await tokenFor(app.base, 'sekretariat');
  const checklist = expectStatus(await api(app.base, 'GET', `/nominations/${nomination.id}/documents`, { token: desk }), 200, 'checklist');
  const findings = checklist.entries.filter((e) => e.need === 'required').map((e) => ({ document: e.document, finding: 'valid' }));
  expectStatus(await api(app.base, 'POST', `/nominations/${nomination.id}/verification`, {
    token: desk, headers: { 'Idempotency-Key': newKey() }, body: { findings, decision: 'pass' },
  }), 201, 'the secretariat passes it');

  expectStatus(await api(app.base, 'PUT', `/rounds/${round.id}/panels`, {
    token: admin,
    body: {
      panels: [{
        id: 'jateng', name: 'Panel Jawa Tengah', scope: { kind: 'province', province: '33' },
        members: [{ user_id: 'penilai-1', name: 'Dr. Ratna' }],
      }],
    },
  }), 200, 'panels');
  const rubric = expectStatus(await api(app.base, 'POST', `/rounds/${round.id}/rubrics/anyaman/proposed`, { token: admin }), 201, 'rubric');
  expectStatus(await api(app.base, 'PUT', `/nominations/${nomination.id}/assessors/penilai-1`, {
    token: admin, body: { panel: 'jateng' },
  }), 201, 'assignment');
  const assessor = await tokenFor(app.base, 'penilai-1');
  expectStatus(await api(app.base, 'POST', `/nominations/${nomination.id}/score/submit`, {
    token: assessor, headers: { 'Idempotency-Key': newKey() }, body: topSheet(rubric),
  }), 200, 'the score sheet');
  expectStatus(await api(app.base, 'POST', `/rounds/${round.id}/recommendation`, {
    token: admin, headers: { 'Idempotency-Key': newKey() },
  }), 201, 'the lock');
}

before(async () => {
  app = await start();
  await lockedRecommendation();
});
after(async () => { await app?.stop(); });

/** Waits until the element matching `selector` has the focus. */
async function expectFocused(page, selector) {
  await page.waitForFunction((s) => document.activeElement === document.querySelector(s), selector);
}

test('determination: the decree, the awards, a certificate, a revocation and the publication', async () => {
  const admin = await app.browser.newPage({ acceptDownloads: true });
  // What the page sends: the Idempotency-Key of each determination, and each PDF upload.
  const determinations = [];
  let uploads = 0;
  admin.on('request', (r) => {
    if (r.method() !== 'POST') return;
    const path = new URL(r.url()).pathname;
    if (path === `/api/v1/rounds/${round.id}/determination`) determinations.push(r.headers()['idempotency-key']);
    if (path === `/api/v1/rounds/${round.id}/decree/upload`) uploads += 1;
  });
  await signIn(admin, app.base, /Admin Ditjen IKMA/);
  await admin.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name: 'Penetapan' }).click();
  await admin.getByRole('heading', { level: 1, name: 'Penetapan' }).waitFor();
  await admin.waitForURL((url) => url.searchParams.get('periode') === round.id);
  await admin.locator('table.recommended tbody tr', { hasText: IKM }).waitFor();
  const form = admin.locator('form.decree');
  await form.waitFor();
  assert.deepEqual(await axeViolations(admin), [], 'determination: the locked list and the form');

  // The form without a signer: refused before anything is sent, the field named.
  await form.getByLabel('Nomor keputusan').fill('1234/M-IND/Kep/11/2026');
  assert.match(await form.getByLabel('Tanggal keputusan', { exact: true }).inputValue(), /^\d{4}-\d\d-\d\d$/, 'dated today by default');
  await form.getByLabel(/Berkas PDF keputusan/).setInputFiles({
    name: 'keputusan-menteri.pdf', mimeType: 'application/pdf',
    buffer: demoPdf(['Keputusan Menteri Perindustrian', 'Nomor 1234/M-IND/Kep/11/2026']),
  });
  await form.getByRole('button', { name: 'Tetapkan penghargaan' }).click();
  await form.getByRole('alert').filter({ hasText: 'Periksa isian yang ditandai.' }).waitFor();
  const signer = form.getByLabel('Penanda tangan', { exact: true });
  assert.equal(await signer.getAttribute('aria-invalid'), 'true');
  const described = await signer.getAttribute('aria-describedby');
  assert.equal(await admin.locator(`#${described}`).innerText(), 'Wajib diisi.');
  assert.equal(uploads, 0, 'nothing is sent while the form is refused');
  assert.deepEqual(await axeViolations(admin), [], 'determination: the form with an error');
  await admin.screenshot({ path: 'test-results/determination-form.png', fullPage: true });

  // The connection drops on the determination: the PDF is in S3 already, the retry sends the
  // same key and not the PDF again.
  await signer.fill('Menteri Perindustrian');
  let cut = true;
  await admin.route(`**/api/v1/rounds/${round.id}/determination`, async (route) => {
    if (cut && route.request().method() === 'POST') {
      cut = false;
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  await form.getByRole('button', { name: 'Tetapkan penghargaan' }).click();
  await form.getByRole('alert').filter({ hasText: 'Tidak dapat menghubungi server' }).waitFor();
  await form.getByRole('button', { name: 'Tetapkan penghargaan' }).click();

  // Determined: the decree and the awards.
  const award = admin.locator('table.awards tbody tr', { hasText: IKM });
  await award.waitFor();
  await expectFocused(admin, '#decree-title');
  assert.equal(uploads, 1, 'the PDF is sent once');
  assert.equal(determinations.length, 2);
  assert.ok(determinations[0], 'the determination carries an Idempotency-Key');
  assert.equal(determinations[1], determinations[0], 'the retry carries the same key');
  const decree = await admin.locator('table.decree').innerText();
  assert.match(decree, /1234\/M-IND\/Kep\/11\/2026/);
  assert.match(decree, /Menteri Perindustrian/);
  const cells = await award.locator('th, td').allInnerTexts();
  assert.match(cells[0], new RegExp(`^OVOP/${round.year}/0001$`));
  assert.equal(cells[4], 'Kota Semarang');
  assert.match(cells[5], /Bintang 3/);
  assert.match(cells[6], /^Berlaku sampai/);
  // The decree's PDF, as sent, behind its signed link (outside the app).
  const pdfLink = admin.getByRole('link', { name: 'Buka PDF keputusan' });
  assert.equal(await pdfLink.getAttribute('rel'), 'external');
  const stored = Buffer.from(await (await fetch(await pdfLink.getAttribute('href'))).arrayBuffer());
  assert.equal(stored.subarray(0, 8).toString('latin1'), '%PDF-1.4');
  assert.deepEqual(await axeViolations(admin), [], 'determination: the determined round');
  await admin.screenshot({ path: 'test-results/determination-awards.png', fullPage: true });

  // The certificate: a PDF fetched with the sign-in and saved.
  const [response, download] = await Promise.all([
    admin.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/awards/${nomination.id}/certificate`),
    admin.waitForEvent('download'),
    award.getByRole('button', { name: `Unduh piagam ${IKM}` }).click(),
  ]);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /^application\/pdf/);
  assert.match(download.suggestedFilename(), new RegExp(`^piagam-OVOP-${round.year}-0001\\.pdf$`));
  const saved = readFileSync(await download.path());
  assert.equal(saved.subarray(0, 5).toString('latin1'), '%PDF-', 'the file saved is the PDF');

  // Revocation: a reason is required; then the award shows revoked, with no more actions.
  await award.getByRole('button', { name: `Cabut ${IKM}` }).click();
  const revoke = admin.locator('form.revoke');
  await expectFocused(admin, '#revoke-title');
  await revoke.getByRole('button', { name: 'Cabut penghargaan' }).click();
  const reason = revoke.getByLabel('Alasan pencabutan');
  await admin.locator(`#${await reason.getAttribute('aria-describedby')}`).filter({ hasText: 'Wajib diisi.' }).waitFor();
  assert.equal(await reason.getAttribute('aria-invalid'), 'true');
  await reason.fill('Produk tidak lagi dibuat di sentra IKM.');
  assert.deepEqual(await axeViolations(admin), [], 'determination: the revocation form');
  await revoke.getByRole('button', { name: 'Cabut penghargaan' }).click();
  await award.filter({ hasText: 'Dicabut: Produk tidak lagi dibuat di sentra IKM.' }).waitFor();
  await admin.getByRole('status').filter({ hasText: 'penghargaan dicabut.' }).waitFor();
  assert.equal(await award.getByRole('button').count(), 0, 'a revoked award has no actions');
  const again = await api(app.base, 'POST', `/awards/${nomination.id}/revocation`, {
    token: await tokenFor(app.base, 'admin'), headers: { 'Idempotency-Key': newKey() }, body: { reason: 'Lagi.' },
  });
  assert.equal(again.status, 409, 'revoked once');

  // Publication: the report, and the gallery outside the app.
  const publication = admin.locator('section.publication');
  await publication.getByRole('button', { name: 'Terbitkan galeri' }).click();
  const report = publication.locator('table.publication');
  await report.waitFor();
  assert.match(await report.innerText(), /Versi\s+\S+/);
  await publication.getByRole('status').filter({ hasText: /Galeri diterbitkan\.|Tidak ada perubahan/ }).first().waitFor();
  await publication.locator('p.context').filter({ hasText: 'Terbitan terakhir: versi' }).waitFor();
  const gallery = publication.getByRole('link', { name: 'Buka galeri publik' });
  assert.equal(await gallery.getAttribute('href'), '/galeri/');
  assert.equal(await gallery.getAttribute('rel'), 'external');
  assert.deepEqual(await axeViolations(admin), [], 'determination: the publication report');

  // In English, the same page.
  await admin.getByRole('button', { name: 'EN', exact: true }).click();
  await admin.getByRole('heading', { level: 2, name: 'Awards' }).waitFor();
  assert.match(await award.innerText(), /Revoked: Produk tidak lagi dibuat/);
  await admin.getByRole('button', { name: 'ID', exact: true }).click();

  // The gallery's link is a full navigation, not one of the app's pages.
  const [navigation] = await Promise.all([
    admin.waitForRequest((r) => r.isNavigationRequest() && new URL(r.url()).pathname === '/galeri/'),
    gallery.click(),
  ]);
  assert.equal(navigation.method(), 'GET');
  // The gallery's own document (its images may still be loading).
  await admin.waitForURL((url) => url.pathname.startsWith('/galeri/'), { waitUntil: 'domcontentloaded' });
  assert.equal(await admin.locator('header .brand').count(), 0, 'the gallery is not drawn by the app');
  assert.deepEqual(app.cspViolations, []);
});
