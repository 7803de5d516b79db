// The regency official's story in a real browser, from sign-in to a submitted nomination that
// another regency cannot see.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { atIssuer, attachCompleteBundle, axeViolations, chooseAccount, signIn, start, tokenFor } from './helpers.mjs';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

async function fillNomination(page, ikmName) {
  const fill = (label, value) => page.getByLabel(label, { exact: true }).fill(value);
  await fill('Nama IKM', ikmName);
  await fill('NIB (13 digit)', '9120001112223');
  await fill('Nama pemilik', 'Sri Wahyuni');
  await fill('Alamat', 'Jl. Gunungpati Raya 7, Semarang');
  await fill('Tahun berdiri', '2012');
  await fill('Jumlah tenaga kerja', '14');
  await fill('Nilai investasi (Rp, di luar tanah dan bangunan)', '300000000');
  await fill('Nama sentra', 'Sentra Anyaman Gunungpati');
  await fill('Jumlah unit usaha di sentra', '32');
  await fill('Nomor SK Bupati/Wali Kota', '530/112/2021');
  await fill('Nama produk', 'Tas anyaman pandan');
  await page.getByLabel('Kelompok komoditas', { exact: true }).selectOption('anyaman');
  await fill('Deskripsi dan keunikan lokal', 'Anyaman pandan dengan motif khas Gunungpati.');
  await fill('Bahan baku lokal (%)', '90');
}

test('a regency official creates and submits a nomination, and another regency does not see it', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Kota Semarang/);

  await page.getByRole('link', { name: /Usulan baru/ }).click();
  await fillNomination(page, 'Anyaman Pandan Gunungpati');
  await page.getByRole('button', { name: 'Simpan draf' }).click();
  await page.waitForURL(/\/usulan\/[0-9A-Z]{26}$/);
  await page.locator('[data-status="DRAFT"]').waitFor();

  // The round requires the complete document bundle: attached through the API, as the
  // office's browser would upload it; then the page is read again.
  const id = new URL(page.url()).pathname.split('/').pop();
  await attachCompleteBundle(app.base, await tokenFor(app.base, 'dinas-semarang'), id);
  await page.reload();
  await page.locator('[data-status="DRAFT"]').waitFor();

  await page.getByRole('button', { name: 'Ajukan usulan' }).click();
  await page.locator('[data-status="SUBMITTED"]').waitFor();
  assert.match(await page.getByRole('status').innerText(), /telah diajukan/);

  await page.getByRole('link', { name: /Kembali ke daftar/ }).click();
  const row = page.getByRole('row', { name: /Anyaman Pandan Gunungpati/ });
  await row.waitFor();
  assert.match(await row.innerText(), /Diajukan/);
  await page.screenshot({ path: 'test-results/list-semarang.png', fullPage: true });

  await page.getByRole('button', { name: 'Keluar' }).click();
  await chooseAccount(page, /Kab\. Pekalongan/);
  await page.locator('table.nominations').waitFor();
  const names = await page.locator('table.nominations tbody td:first-child').allInnerTexts();
  assert.ok(names.length > 0, 'Pekalongan sees its own seeded nominations');
  assert.ok(!names.includes('Anyaman Pandan Gunungpati'), `Pekalongan must not see Semarang's nomination: ${names}`);
  await page.close();
});

test('the form names each wrong field before anything is sent', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Kota Semarang/);
  await page.getByRole('link', { name: /Usulan baru/ }).click();
  let posts = 0;
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/nominations')) posts++; });
  await page.getByLabel('NIB (13 digit)', { exact: true }).fill('12345');
  await page.getByLabel('Jumlah unit usaha di sentra', { exact: true }).fill('3');
  await page.getByRole('button', { name: 'Simpan draf' }).click();
  const nib = page.getByLabel('NIB (13 digit)', { exact: true });
  assert.equal(await nib.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#f-ikm-nib-error').innerText(), 'NIB harus tepat 13 digit angka.');
  assert.match(await page.locator('#f-sentra-unit-count-error').innerText(), /minimal 5 unit/);
  assert.equal(await page.locator('#f-ikm-name-error').innerText(), 'Wajib diisi.');
  assert.equal(posts, 0, 'nothing was sent');
  await page.screenshot({ path: 'test-results/form-errors.png', fullPage: true });
  await page.close();
});

test('the interface switches to English', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Kota Semarang/);
  await page.getByRole('button', { name: 'EN', exact: true }).click();
  await page.getByRole('heading', { name: 'IKM nominations' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByRole('button', { name: 'ID', exact: true }).click();
  await page.getByRole('heading', { name: 'Usulan IKM' }).waitFor();
  await page.close();
});

test('sign-in, list and form pass an axe-core accessibility scan', async () => {
  const page = await app.browser.newPage();
  await page.goto(`${app.base}/`);
  await page.waitForURL(atIssuer);
  await page.getByRole('button', { name: /Kota Semarang/ }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'sign-in page (issuer)');
  await chooseAccount(page, /Kota Semarang/);
  await page.locator('table.nominations, .empty').first().waitFor();
  assert.deepEqual(await axeViolations(page), [], 'list page');
  await page.goto(`${app.base}/usulan/baru`);
  await page.getByLabel('Nama IKM', { exact: true }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'form page');
  await page.close();
});
