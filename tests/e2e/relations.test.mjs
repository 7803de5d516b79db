// Conflicts of interest after assignment, in a real browser. The admin records on the
// nomination's page that an assessor already assigned to it is related to the IKM: the relation
// is listed, the assessor shows as in conflict, and the nomination is hidden from them from then
// on; the same relation twice is refused, and one without a reason is refused naming the field.
// An assessor declares a conflict on their own scoring page: the nomination leaves their work
// list and the admin sees why. axe finds nothing on the pages.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api, axeViolations, createNomination, nominationForm, signIn, start, tokenFor,
} from './helpers.mjs';

let app;
let nomination;
let second;

before(async () => {
  app = await start();
  const admin = await tokenFor(app.base, 'admin');
  const round = (await api(app.base, 'GET', '/rounds', { token: admin })).body.items[0];
  const semarang = await tokenFor(app.base, 'dinas-semarang');
  nomination = await createNomination(app.base, semarang,
    nominationForm(round.id, '33.74', 'Anyaman Bersaudara'), { submit: true });
  // Passed by the secretariat, with Jawa Tengah's panel and penilai-1 assigned (set up through
  // the API: the browser story of these steps is selection.test.mjs).
  const secretariat = await tokenFor(app.base, 'sekretariat');
  const checklist = (await api(app.base, 'GET', `/nominations/${nomination.id}/documents`, { token: secretariat })).body;
  const findings = checklist.entries
    .filter((e) => e.need === 'required')
    .map((e) => ({ document: e.document, finding: 'valid' }));
  const passed = await api(app.base, 'POST', `/nominations/${nomination.id}/verification`, {
    token: secretariat, body: { findings, decision: 'pass' }, headers: { 'Idempotency-Key': `pass-${nomination.id}` },
  });
  assert.equal(passed.status, 201, JSON.stringify(passed.body));
  const panels = await api(app.base, 'PUT', `/rounds/${round.id}/panels`, {
    token: admin,
    body: { panels: [{ id: 'jateng', name: 'Panel Jawa Tengah', scope: { kind: 'province', province: '33' },
      members: [{ user_id: 'penilai-1', name: 'Dr. Ratna' }] }] },
  });
  assert.equal(panels.status, 200, JSON.stringify(panels.body));
  const assigned = await api(app.base, 'PUT', `/nominations/${nomination.id}/assessors/penilai-1`, {
    token: admin, body: { panel: 'jateng' },
  });
  assert.equal(assigned.status, 201, JSON.stringify(assigned.body));
  // A second nomination, for the conflict the assessor declares.
  second = await createNomination(app.base, semarang,
    nominationForm(round.id, '33.74', 'Anyaman Tetangga'), { submit: true });
  const again = await api(app.base, 'POST', `/nominations/${second.id}/verification`, {
    token: secretariat, body: { findings, decision: 'pass' }, headers: { 'Idempotency-Key': `pass-${second.id}` },
  });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  const rubric = await api(app.base, 'POST', `/rounds/${round.id}/rubrics/anyaman/proposed`, { token: admin });
  assert.equal(rubric.status, 201, JSON.stringify(rubric.body));
  const assignedSecond = await api(app.base, 'PUT', `/nominations/${second.id}/assessors/penilai-1`, {
    token: admin, body: { panel: 'jateng' },
  });
  assert.equal(assignedSecond.status, 201, JSON.stringify(assignedSecond.body));
});
after(async () => { await app?.stop(); });

test('relations: the admin records a relation and the assigned assessor is in conflict', async () => {
  const assessor = await tokenFor(app.base, 'penilai-1');
  const seen = await api(app.base, 'GET', `/nominations/${nomination.id}`, { token: assessor });
  assert.equal(seen.status, 200, 'assigned, the assessor opens it');

  const page = await app.browser.newPage();
  await signIn(page, app.base, /Admin Ditjen IKMA/);
  await page.goto(`${app.base}/usulan/${nomination.id}`);
  const form = page.locator('form.relation');
  await form.waitFor();
  await page.locator('ul.assessors li').filter({ hasText: 'penilai-1' }).waitFor();

  // No reason: refused, naming the field.
  await form.getByLabel('Id pengguna penilai').fill('penilai-1');
  await form.getByRole('button', { name: 'Catat hubungan' }).click();
  const reason = form.getByLabel(/^Hubungan \(keluarga/);
  const described = await reason.getAttribute('aria-describedby');
  assert.ok(described, 'the reason field points at its message');
  await page.locator(`#${described}`).waitFor();

  // With a reason, typed and sent from the keyboard.
  await reason.focus();
  await page.keyboard.type('Pemilik IKM adalah adik kandung penilai.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByText('Hubungan tercatat.', { exact: true }).waitFor();
  const row = page.locator('table.relations tbody tr').filter({ hasText: 'penilai-1' });
  await row.waitFor();
  assert.match(await row.innerText(), /adik kandung/);
  await page.locator('ul.assessors li')
    .filter({ hasText: 'Penilai disebut memiliki hubungan dalam usulan.' }).waitFor();
  assert.deepEqual(await axeViolations(page), []);

  // The nomination no longer exists for the assessor; the same relation twice is refused.
  const hidden = await api(app.base, 'GET', `/nominations/${nomination.id}`, { token: assessor });
  assert.equal(hidden.status, 404);
  await form.getByLabel('Id pengguna penilai').fill('penilai-1');
  await reason.fill('Sekali lagi, hubungan yang sama.');
  await form.getByRole('button', { name: 'Catat hubungan' }).click();
  await page.getByRole('alert').filter({ hasText: 'sudah dicatat' }).waitFor();
  await page.close();
});

test('conflicts: an assessor declares one on their scoring page and the nomination leaves their list', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Dr\. Ratna/);
  await page.goto(`${app.base}/penilaian`);
  await page.getByRole('link', { name: 'Anyaman Tetangga' }).click();
  await page.getByRole('heading', { level: 1, name: 'Anyaman Tetangga' }).waitFor();
  await page.getByText('Nyatakan konflik kepentingan').click();
  await page.getByLabel('Alasan konflik kepentingan').fill('Pemilik IKM adalah tetangga saya sejak kecil.');
  await page.getByRole('button', { name: 'Nyatakan konflik' }).click();
  await page.getByText('Konflik kepentingan tercatat').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Anyaman Tetangga' }).count(), 0, 'gone from the work list');
  assert.deepEqual(await axeViolations(page), []);
  const assessor = await tokenFor(app.base, 'penilai-1');
  const hidden = await api(app.base, 'GET', `/nominations/${second.id}`, { token: assessor });
  assert.equal(hidden.status, 404);
  const admin = await tokenFor(app.base, 'admin');
  const assessors = await api(app.base, 'GET', `/nominations/${second.id}/assessors`, { token: admin });
  assert.equal(assessors.body.items[0].conflict.kind, 'declared');
  assert.match(assessors.body.items[0].conflict.reason, /tetangga/);
  await page.close();
});
