// Selection in a real browser, the story in one flow: the secretariat returns a
// nomination for revision, the regency office fixes and resubmits it, the secretariat passes
// it; the admin starts the commodity's rubric, sets a panel and assigns two assessors (a third,
// from the nomination's own province, is refused for a conflict of interest); both assessors
// score (the draft saves itself: a reload shows it); the admin sees the aggregate and the stars
// on the leaderboard, moderates once (a second, stale moderation is refused), locks the
// recommendation and reads the nomination's audit trail. axe finds nothing on every new page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api, axeViolations, createNomination, nominationForm, resubmitInBrowser, signIn, start, tokenFor,
  verifyInBrowser,
} from './helpers.mjs';

const IKM = 'Anyaman Seleksi Gunungpati';
let app;
let nomination;
let round;

before(async () => {
  app = await start();
  const admin = await tokenFor(app.base, 'admin');
  round = (await api(app.base, 'GET', '/rounds', { token: admin })).body.items[0];
  const semarang = await tokenFor(app.base, 'dinas-semarang');
  nomination = await createNomination(app.base, semarang, nominationForm(round.id, '33.74', IKM), { submit: true });
});
after(async () => { await app?.stop(); });

/** The page's selection part `part` of the round. */
const selection = (part) => `${app.base}/seleksi?periode=${round.id}&bagian=${part}`;

/** Every criterion of the sheet at level `level` (1-based); `comment` where a comment is needed. */
async function scoreAll(page, level, comment) {
  const criteria = page.locator('fieldset.criterion');
  const count = await criteria.count();
  assert.ok(count > 0, 'the rubric has criteria');
  for (let i = 0; i < count; i++) {
    const c = criteria.nth(i);
    await c.locator('input[type=radio]').nth(level - 1).check();
    if (comment) await c.locator('textarea').fill(comment);
  }
  return count;
}

/** An assessor opens the nomination from their work list. */
async function openFromWorkList(page) {
  await page.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name: 'Penilaian' }).click();
  await page.getByRole('heading', { level: 1, name: 'Penilaian' }).waitFor();
  await page.getByRole('link', { name: IKM }).click();
  await page.getByRole('heading', { level: 1, name: IKM }).waitFor();
  await page.locator('fieldset.criterion').first().waitFor();
}

test('selection: revision, panels and assignment, two assessors, leaderboard, moderation, lock, audit', async () => {
  // Administrative selection: returned, fixed and resubmitted, passed.
  const desk = await app.browser.newPage();
  await signIn(desk, app.base, /Sekretariat OVOP/);
  await verifyInBrowser(desk, app.base, nomination.id, 'revise');
  const office = await app.browser.newPage();
  await signIn(office, app.base, /Kota Semarang/);
  await resubmitInBrowser(office, app.base, nomination.id);
  await verifyInBrowser(desk, app.base, nomination.id, 'pass');

  // The admin: the commodity's rubric and a panel.
  const admin = await app.browser.newPage();
  await signIn(admin, app.base, /Admin Ditjen IKMA/);
  await admin.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name: 'Periode' }).click();
  await admin.getByRole('navigation', { name: 'Seleksi per periode' }).getByRole('link', { name: round.name }).click();
  await admin.getByRole('heading', { level: 1, name: 'Seleksi' }).waitFor();
  await admin.waitForURL(/periode=/);
  await admin.getByRole('button', { name: 'Pakai rubrik usulan Anyaman' }).click();
  await admin.locator('table.rubrics tbody tr', { hasText: 'Anyaman' }).filter({ hasText: 'Rubrik usulan' }).waitFor();
  await admin.getByRole('button', { name: '+ Panel' }).click();
  const panel = admin.locator('fieldset.panel').first();
  await panel.getByLabel(/Id panel/).fill('kementerian');
  await panel.getByLabel('Nama panel').fill('Panel Kementerian');
  await panel.getByLabel(/Anggota/).fill([
    'penilai-1; Dr. Ratna (akademisi)',
    'penilai-2; Bambang (Yayasan Batik Indonesia)',
    'penilai-jateng; Penilai Jawa Tengah; 33',
  ].join('\n'));
  await admin.getByRole('button', { name: 'Simpan panel' }).click();
  await admin.getByRole('status').filter({ hasText: 'Panel tersimpan.' }).waitFor();
  assert.deepEqual(await axeViolations(admin), [], 'selection: rubrics and panels');

  // Assignment: the assessor from the nomination's province is refused; two others assigned.
  await admin.getByRole('navigation', { name: 'Bagian seleksi' }).getByRole('link', { name: 'Penugasan' }).click();
  // With the keyboard: the button, then focus on the nomination's assessors.
  await admin.getByRole('button', { name: `Atur penilai ${IKM}` }).focus();
  await admin.keyboard.press('Enter');
  const chosen = admin.locator('section.chosen');
  await chosen.getByRole('heading', { name: `Penilai: ${IKM}` }).waitFor();
  await expectFocused(admin, '#assessors-title');
  await chosen.getByLabel('Panel', { exact: true }).locator('option[value="kementerian"]').waitFor({ state: 'attached' });
  const assign = async (who) => {
    await chosen.getByLabel('Penilai', { exact: true }).selectOption(who);
    await chosen.getByRole('button', { name: /^Tugaskan/ }).click();
  };
  await assign('penilai-jateng');
  await chosen.getByRole('alert').filter({ hasText: /Konflik kepentingan/ }).waitFor();
  assert.ok(await chosen.getByLabel('Alasan mengesampingkan konflik').isVisible(), 'an override needs a reason');
  await assign('penilai-1');
  await chosen.getByRole('status').filter({ hasText: 'Dr. Ratna (akademisi) ditugaskan.' }).waitFor();
  await assign('penilai-2');
  await chosen.getByRole('status').filter({ hasText: /Bambang .* ditugaskan\./ }).waitFor();
  await chosen.locator('ul.assessors li').nth(1).waitFor();
  assert.deepEqual(
    (await chosen.locator('ul.assessors li').allInnerTexts()).map((l) => l.split(' ·')[0]).sort(),
    ['Bambang (Yayasan Batik Indonesia) (penilai-2)', 'Dr. Ratna (akademisi) (penilai-1)'],
  );
  await admin.locator('table.to-assign [data-status="IN_ASSESSMENT"]').waitFor();
  assert.deepEqual(await axeViolations(admin), [], 'selection: assignment');
  await admin.screenshot({ path: 'test-results/selection-assignment.png', fullPage: true });

  // The first assessor: a draft that saves itself, a comment the highest level needs, the submit.
  const first = await app.browser.newPage();
  await signIn(first, app.base, /Dr\. Ratna/);
  await first.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name: 'Penilaian' }).click();
  await first.locator('table.assessments').getByRole('link', { name: IKM }).waitFor();
  assert.deepEqual(await axeViolations(first), [], 'assessor: work list');
  await openFromWorkList(first);
  const criterion = first.locator('fieldset.criterion').first();
  await criterion.locator('input[type=radio]').nth(1).check();
  await first.locator('.save-state').filter({ hasText: /^Tersimpan \d\d:\d\d$/ }).waitFor();
  await first.reload();
  await first.locator('fieldset.criterion').first().waitFor();
  await first.locator('.save-state').filter({ hasText: /^Tersimpan/ }).waitFor();
  assert.ok(await first.locator('fieldset.criterion').first().locator('input[type=radio]').nth(1).isChecked(), 'the draft came back');
  assert.deepEqual(await axeViolations(first), [], 'assessor: score sheet');
  const count = await scoreAll(first, 3);
  await first.getByRole('button', { name: 'Kirim nilai akhir' }).click();
  await first.getByRole('alert').filter({ hasText: 'Periksa isian yang ditandai.' }).waitFor();
  assert.match(await first.locator('fieldset.criterion').first().innerText(), /Tingkat terendah atau tertinggi memerlukan komentar/);
  await scoreAll(first, 3, 'Mutu anyaman sangat rapi dan konsisten.');
  await first.locator('.save-state').filter({ hasText: /^Tersimpan/ }).waitFor();
  await first.getByRole('button', { name: 'Kirim nilai akhir' }).click();
  await first.getByText('Nilai Anda telah dikirim.').waitFor();
  await first.locator('table.sheets').waitFor();
  assert.equal(await first.locator('fieldset.criterion input[type=radio]:disabled').count(), count * 3, 'read-only after the submit');
  assert.deepEqual(await axeViolations(first), [], 'assessor: submitted sheet and scores');
  await first.screenshot({ path: 'test-results/selection-score-sheet.png' });

  // The second assessor: the middle level everywhere, no comment needed.
  const second = await app.browser.newPage();
  await signIn(second, app.base, /Bambang/);
  await openFromWorkList(second);
  await scoreAll(second, 2);
  await second.getByRole('button', { name: 'Kirim nilai akhir' }).click();
  await second.getByText('Nilai Anda telah dikirim.').waitFor();
  // Both sheets are in: (100 + 66.67) / 2, two stars, the assessors far apart.
  await second.locator('table.aggregate').filter({ hasText: '83.33' }).waitFor();

  // Progress and the leaderboard.
  await admin.goto(selection('kemajuan'));
  await admin.getByText('2 dari 2 lembar nilai telah dikirim.').waitFor();
  assert.deepEqual(await axeViolations(admin), [], 'selection: progress');
  await admin.goto(selection('peringkat'));
  const row = admin.locator('table.ranked tbody tr', { hasText: IKM });
  await row.waitFor();
  const cells = await row.locator('th, td').allInnerTexts();
  assert.deepEqual(cells.slice(3, 9), ['83.33', '83.33', '83.33', '16.67', '66.67 – 100.00', 'Berbeda jauh']);
  assert.match(cells[9], /Bintang 2/);
  assert.match(await admin.locator('table.distribution').innerText(), /80–<85\s+1 █+/);
  assert.deepEqual(await axeViolations(admin), [], 'selection: leaderboard');
  // In English, the same board.
  await admin.getByRole('button', { name: 'EN', exact: true }).click();
  await admin.getByRole('heading', { level: 2, name: 'Leaderboard' }).waitFor();
  assert.match(await row.innerText(), /Wide spread/);
  await admin.getByRole('button', { name: 'ID', exact: true }).click();
  await admin.getByRole('heading', { level: 2, name: 'Peringkat' }).waitFor();
  await admin.screenshot({ path: 'test-results/selection-leaderboard.png', fullPage: true });

  // Moderation with a justification: the final score and the stars change.
  await row.getByRole('button', { name: `Moderasi ${IKM}` }).click();
  const moderation = admin.locator('form.moderate');
  await expectFocused(admin, '#moderate-title');
  await moderation.getByLabel(/Nilai akhir setelah moderasi/).fill('91.50');
  await moderation.getByLabel(/Alasan/).fill('Sampel produk menunjukkan mutu anyaman di atas penilaian awal.');
  assert.deepEqual(await axeViolations(admin), [], 'selection: moderation form');
  await moderation.getByRole('button', { name: 'Simpan moderasi' }).click();
  await row.filter({ hasText: '91.50 (dimoderasi)' }).waitFor();
  assert.match(await row.innerText(), /Bintang 3/);

  // Moderating from a version someone else has changed meanwhile: refused, the page says so.
  await row.getByRole('button', { name: `Moderasi ${IKM}` }).click();
  const result = await api(app.base, 'GET', `/nominations/${nomination.id}/result`, { token: await tokenFor(app.base, 'admin') });
  assert.equal(result.status, 200, JSON.stringify(result.body));
  const meanwhile = await api(app.base, 'PUT', `/nominations/${nomination.id}/result/moderation`, {
    token: await tokenFor(app.base, 'admin'),
    headers: { 'If-Match': `"${result.body.version}"` },
    body: { score: 92, justification: 'Moderasi oleh admin lain pada saat yang sama.' },
  });
  assert.equal(meanwhile.status, 200, JSON.stringify(meanwhile.body));
  await moderation.getByLabel(/Alasan/).fill('Percobaan kedua dari versi lama yang sudah berubah.');
  await moderation.getByRole('button', { name: 'Simpan moderasi' }).click();
  await moderation.getByRole('alert').filter({ hasText: 'Nilai ini baru saja diubah orang lain.' }).waitFor();
  await moderation.getByRole('button', { name: 'Muat ulang peringkat' }).click();
  await row.filter({ hasText: '92.00 (dimoderasi)' }).waitFor();

  // The lock: the recommendation list, and no more moderation.
  await admin.getByRole('button', { name: 'Kunci daftar rekomendasi' }).click();
  const locked = admin.locator('table.recommended tbody tr', { hasText: IKM });
  await locked.waitFor();
  assert.match(await locked.innerText(), /92\.00/);
  assert.equal(await admin.getByRole('button', { name: /^Moderasi/ }).count(), 0, 'nothing is moderated after the lock');
  assert.deepEqual(await axeViolations(admin), [], 'selection: locked recommendation');

  // The audit trail on the nomination's page.
  await admin.goto(`${app.base}/usulan/${nomination.id}`);
  const audit = admin.locator('table.audit');
  await audit.waitFor();
  const trail = await audit.innerText();
  for (const what of ['Seleksi administrasi', 'Penugasan penilai', 'Nilai dikirim', 'Moderasi nilai']) {
    assert.match(trail, new RegExp(what), `the audit trail records: ${what}`);
  }
  assert.deepEqual(await axeViolations(admin), [], 'nomination page with its audit trail');
  assert.deepEqual(app.cspViolations, []);
});

/** Waits until the element matching `selector` has the focus. */
async function expectFocused(page, selector) {
  await page.waitForFunction((s) => document.activeElement === document.querySelector(s), selector);
}
