// Administrative selection in a real browser: the secretariat returns a nomination for
// revision with what to fix and by when, the regency office sees it and resubmits, the
// secretariat passes it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, axeViolations, createNomination, nominationForm, signIn, start, tokenFor } from './helpers.mjs';

let app;
let nomination;

before(async () => {
  app = await start();
  const admin = await tokenFor(app.base, 'admin');
  const round = (await api(app.base, 'GET', '/rounds', { token: admin })).body.items[0];
  const semarang = await tokenFor(app.base, 'dinas-semarang');
  nomination = await createNomination(app.base, semarang, nominationForm(round.id, '33.74', 'Anyaman Seleksi'), { submit: true });
});
after(async () => { await app?.stop(); });

/** `datetime-local` text for `days` from now (the browser's zone does not matter: WIB is read). */
function inDays(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 16);
}

test('the secretariat returns a nomination for revision, the office resubmits it, and the secretariat passes it', async () => {
  const desk = await app.browser.newPage();
  await signIn(desk, app.base, /Sekretariat OVOP/);
  await desk.goto(`${app.base}/usulan/${nomination.id}`);
  await desk.locator('[data-status="SUBMITTED"]').waitFor();
  const form = desk.locator('form.verification');
  await form.locator('tr[data-code="D01"]').waitFor();
  assert.deepEqual(await axeViolations(desk), []);
  await form.getByLabel('Hasil D01').selectOption('invalid');
  await form.getByLabel('Catatan D01').fill('Surat usulan belum ditandatangani kepala dinas.');
  await form.getByLabel('Kembalikan untuk perbaikan').check();
  await form.getByLabel('Alasan untuk dinas pengusul').fill('Tanda tangan kepala dinas diperlukan.');
  await form.getByLabel('Batas perbaikan').fill(inDays(7));
  await form.getByRole('button', { name: 'Simpan keputusan' }).click();
  await desk.locator('[data-status="NEEDS_REVISION"]').waitFor();

  const office = await app.browser.newPage();
  await signIn(office, app.base, /Kota Semarang/);
  await office.goto(`${app.base}/usulan/${nomination.id}`);
  const request = office.locator('section.revision');
  await request.waitFor();
  assert.match(await request.innerText(), /belum ditandatangani kepala dinas/);
  assert.match(await request.innerText(), /Ajukan kembali paling lambat/);
  await office.getByRole('button', { name: 'Ajukan usulan' }).click();
  await office.locator('[data-status="SUBMITTED"]').waitFor();

  await desk.reload();
  await form.locator('tr[data-code="D01"]').waitFor();
  await form.getByLabel('Lulus', { exact: true }).check();
  await form.getByRole('button', { name: 'Simpan keputusan' }).click();
  await desk.locator('[data-status="ADMIN_PASSED"]').waitFor();
  const history = await api(app.base, 'GET', `/nominations/${nomination.id}/verifications`, {
    token: await tokenFor(app.base, 'dinas-semarang'),
  });
  assert.deepEqual(history.body.items.map((v) => v.decision), ['revise', 'pass']);
  assert.deepEqual(app.cspViolations, []);
});
