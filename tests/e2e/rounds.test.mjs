// Award rounds in the web app: with no demo data, the admin creates the first round and opens
// it, with the keyboard alone; others read the rounds; the regency office proposes in it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, axeViolations, chooseAccount, signIn, start, tokenFor } from './helpers.mjs';

let app;
const year = new Date().getFullYear() + 1;
const name = `OVOP ${year}`;
before(async () => { app = await start({ env: { OVOP_SEED: '0' } }); });
after(async () => { await app?.stop(); });

/** The rows of the rounds table: each cell's text, joined by " | ". */
async function rows(page) {
  return page.locator('table.rounds tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim()).join(' | ')));
}

/** Moves focus to `locator` and presses Enter, as a keyboard user would. */
async function press(locator) {
  await locator.focus();
  await locator.press('Enter');
}

test('the admin creates the first round and opens it for proposals, with the keyboard', async () => {
  const page = await app.browser.newPage();
  await page.goto(`${app.base}/`);
  await chooseAccount(page, /Admin Ditjen IKMA/);
  await page.locator('.list-status').filter({ hasText: 'Belum ada periode penghargaan.' }).waitFor();
  await press(page.getByRole('link', { name: 'Buat periode pertama di halaman Periode' }));
  await page.waitForURL(`${app.base}/periode`);
  await page.getByRole('heading', { level: 1, name: 'Periode penghargaan' }).waitFor();
  await page.locator('.list-status').filter({ hasText: 'Belum ada periode penghargaan.' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Periode', exact: true }).getAttribute('aria-current'), 'page');
  assert.deepEqual(await axeViolations(page), [], 'rounds page, empty');

  const writes = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname.startsWith('/api/v1/rounds')) {
      writes.push({ path: new URL(r.url()).pathname, headers: r.headers(), body: r.postData() });
    }
  });

  // Nothing is sent until the form is right; each wrong field says why.
  const create = page.getByRole('button', { name: 'Buat periode' });
  await press(create);
  await page.getByRole('alert').filter({ hasText: 'Periksa isian yang ditandai.' }).waitFor();
  const yearField = page.getByLabel('Tahun', { exact: true });
  assert.equal(await yearField.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#round-year-error').innerText(), 'Wajib diisi.');
  assert.equal(await page.locator('#round-proposal-deadline-error').innerText(), 'Wajib diisi.');
  assert.equal(writes.length, 0, 'nothing sent');
  assert.deepEqual(await axeViolations(page), [], 'rounds form with errors');

  await yearField.focus();
  await page.keyboard.type(String(year));
  await page.keyboard.press('Tab');
  await page.keyboard.type(name);
  const deadline = page.getByLabel(/^Batas pengusulan/);
  assert.match(await deadline.getAttribute('aria-describedby'), /round-proposal-deadline-hint/);
  assert.match(await page.locator('#round-proposal-deadline-hint').innerText(), /WIB, UTC\+7/);
  await deadline.fill(`${year}-06-30T23:59`);
  await deadline.press('Enter');
  await page.getByRole('status').filter({ hasText: `${name} dibuat (direncanakan).` }).waitFor();
  assert.deepEqual(await rows(page), [`${name} | ${year} | Direncanakan | 30-06-${year} 23:59 WIB | Buka pengusulan ${name}`]);
  assert.equal(await yearField.inputValue(), '', 'the form is emptied for the next round');

  await press(page.getByRole('button', { name: `Buka pengusulan ${name}` }));
  await page.getByRole('status').filter({ hasText: `${name} dibuka untuk pengusulan.` }).waitFor();
  assert.deepEqual(await rows(page), [`${name} | ${year} | Pengusulan dibuka | 30-06-${year} 23:59 WIB | Tutup pengusulan ${name}`]);

  assert.deepEqual(writes.map((w) => w.path), ['/api/v1/rounds', `/api/v1/rounds/ovop-${year}/open`]);
  assert.deepEqual(JSON.parse(writes[0].body), { year, name, proposal_deadline: `${year}-06-30T16:59:00Z`, documents_required: true });
  const keys = writes.map((w) => w.headers['idempotency-key']);
  assert.ok(keys.every(Boolean) && new Set(keys).size === 2, `one key per intended action: ${keys}`);
  assert.equal(writes[1].headers['if-match'], '"1"');

  const admin = await tokenFor(app.base, 'admin');
  const listed = await api(app.base, 'GET', '/rounds', { token: admin });
  assert.equal(listed.status, 200);
  assert.equal(listed.body.items.length, 1);
  assert.equal(listed.body.items[0].phase, 'open_for_proposals');
  assert.equal(listed.body.items[0].proposal_deadline, `${year}-06-30T16:59:00Z`);
  assert.deepEqual(await axeViolations(page), [], 'rounds page with a round');

  await page.getByRole('button', { name: 'EN', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Award rounds' }).waitFor();
  assert.deepEqual(await rows(page), [`${name} | ${year} | Open for proposals | 30-06-${year} 23:59 WIB | Close proposals ${name}`]);
  assert.deepEqual(await axeViolations(page), [], 'rounds page in English');
  await page.getByRole('button', { name: 'ID', exact: true }).click();
  await page.screenshot({ path: 'test-results/rounds-admin.png', fullPage: true });
  await page.close();
});

test('other roles read the rounds without changing them; the regency office proposes in the open one', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Kota Semarang/);
  await page.getByRole('link', { name: 'Periode', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Periode penghargaan' }).waitFor();
  await page.locator('table.rounds').waitFor();
  assert.deepEqual(await rows(page), [`${name} | ${year} | Pengusulan dibuka | 30-06-${year} 23:59 WIB`]);
  assert.equal(await page.getByRole('button', { name: /pengusulan/ }).count(), 0, 'no phase buttons');
  assert.equal(await page.locator('form.new-round').count(), 0, 'no form');
  assert.deepEqual(await axeViolations(page), [], 'read-only rounds page');

  await page.getByRole('link', { name: 'Usulan', exact: true }).click();
  await page.getByRole('link', { name: /Usulan baru/ }).click();
  await page.locator('.context').filter({ hasText: `${name} — batas pengusulan 30-06-${year} 23:59 WIB` }).waitFor();
  await page.close();
});

test('the admin closes proposals; a stale page is told the round changed', async () => {
  const page = await app.browser.newPage();
  await page.goto(`${app.base}/periode`);
  await chooseAccount(page, /Admin Ditjen IKMA/);
  await page.locator('table.rounds').waitFor();
  const close = page.getByRole('button', { name: `Tutup pengusulan ${name}` });
  await close.waitFor();

  // Someone else closes it meanwhile: this page's version is stale.
  const admin = await tokenFor(app.base, 'admin');
  const closed = await api(app.base, 'POST', `/rounds/ovop-${year}/close`, { token: admin });
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  await press(close);
  await page.getByRole('alert').filter({ hasText: /diubah/ }).waitFor();
  // The page shows the round as it is now, without a reload.
  await page.locator('table.rounds .phase').filter({ hasText: 'Seleksi administrasi' }).waitFor();
  assert.deepEqual(await rows(page), [`${name} | ${year} | Seleksi administrasi | 30-06-${year} 23:59 WIB | `]);
  await page.close();
});
