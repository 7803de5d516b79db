// The nominations list: filters by round and status kept in the URL, "load more" paging, a
// phone-sized screen and an accessibility scan. Data is made through the API to stay fast.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, axeViolations, createNomination, nominationForm, signIn, start, tokenFor } from './helpers.mjs';

const SEMARANG = '33.74';
let app;
let currentRound; // the seeded round, open for proposals
let newRound; // a later round, opened here: the newest
const drafts = [];
const submitted = ['Diajukan Semarang 1', 'Diajukan Semarang 2'];
const inNewRound = 'Periode Baru Semarang';

before(async () => {
  app = await start();
  const admin = await tokenFor(app.base, 'admin');
  const semarang = await tokenFor(app.base, 'dinas-semarang');
  const rounds = await api(app.base, 'GET', '/rounds', { token: admin });
  assert.equal(rounds.status, 200);
  currentRound = rounds.body.items[0];
  const year = currentRound.year + 1;
  const created = await api(app.base, 'POST', '/rounds', {
    token: admin,
    body: { year, name: `OVOP ${year}`, proposal_deadline: `${year}-06-30T16:59:59Z` },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  newRound = created.body;
  const opened = await api(app.base, 'POST', `/rounds/${newRound.id}/open`, { token: admin });
  assert.equal(opened.status, 200, JSON.stringify(opened.body));

  for (let i = 1; i <= 52; i++) drafts.push(`Draf Semarang ${String(i).padStart(2, '0')}`);
  const jobs = [
    ...drafts.map((name) => () => createNomination(app.base, semarang, nominationForm(currentRound.id, SEMARANG, name))),
    ...submitted.map((name) => () => createNomination(app.base, semarang, nominationForm(currentRound.id, SEMARANG, name), { submit: true })),
    () => createNomination(app.base, semarang, nominationForm(newRound.id, SEMARANG, inNewRound)),
  ];
  for (let i = 0; i < jobs.length; i += 8) await Promise.all(jobs.slice(i, i + 8).map((job) => job()));
});
after(async () => { await app?.stop(); });

/** Waits until the list says `text` (so the answer for the current filters is in). */
async function listSays(page, text) {
  await page.locator('.list-status').filter({ hasText: text }).waitFor();
}

async function names(page) {
  return page.locator('table.nominations tbody td.ikm').allInnerTexts();
}

const roundSelect = (page) => page.getByLabel('Periode', { exact: true });
const statusSelect = (page) => page.getByLabel('Status', { exact: true });

test('the list filters by status and by round, and the URL keeps the filters across reload and back', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Kota Semarang/);
  await listSays(page, 'Menampilkan 50 usulan (masih ada lagi).');
  assert.equal(await roundSelect(page).inputValue(), '', 'regency offices start on every round');
  assert.match(await roundSelect(page).locator('option:checked').innerText(), /Semua periode/);

  await statusSelect(page).selectOption('SUBMITTED');
  await page.waitForURL(/\/\?status=SUBMITTED$/);
  await listSays(page, 'Menampilkan 2 usulan.');
  assert.deepEqual((await names(page)).sort(), submitted);
  assert.deepEqual(await page.locator('table.nominations [data-status]').allInnerTexts(), ['Diajukan', 'Diajukan']);

  await roundSelect(page).selectOption(newRound.id);
  await page.waitForURL(new RegExp(`\\?round=${newRound.id}&status=SUBMITTED$`));
  await listSays(page, 'Tidak ada usulan yang sesuai dengan saringan.');
  assert.equal(await page.locator('table.nominations').count(), 0);

  await statusSelect(page).selectOption('');
  await page.waitForURL(new RegExp(`\\?round=${newRound.id}$`));
  await listSays(page, 'Menampilkan 1 usulan.');
  assert.deepEqual(await names(page), [inNewRound]);

  await page.reload();
  await listSays(page, 'Menampilkan 1 usulan.');
  assert.deepEqual(await names(page), [inNewRound]);
  assert.equal(await roundSelect(page).inputValue(), newRound.id);
  assert.equal(await statusSelect(page).inputValue(), '');

  await page.goBack();
  await page.waitForURL(new RegExp(`\\?round=${newRound.id}&status=SUBMITTED$`));
  await listSays(page, 'Tidak ada usulan yang sesuai dengan saringan.');
  assert.equal(await statusSelect(page).inputValue(), 'SUBMITTED');
  await page.goBack();
  await page.waitForURL(/\/\?status=SUBMITTED$/);
  await listSays(page, 'Menampilkan 2 usulan.');
  assert.equal(await roundSelect(page).inputValue(), '');
  assert.deepEqual((await names(page)).sort(), submitted);
  await page.close();
});

test('ministry users must list by round: the newest is preselected and written into the URL', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Sekretariat OVOP/);
  await page.waitForURL(new RegExp(`\\?round=${newRound.id}$`));
  await listSays(page, 'Menampilkan 1 usulan.');
  assert.equal(await roundSelect(page).inputValue(), newRound.id);
  assert.equal(await roundSelect(page).locator('option[value=""]').count(), 0, 'no "every round" choice');

  await roundSelect(page).selectOption(currentRound.id);
  await statusSelect(page).selectOption('SUBMITTED');
  await page.waitForURL(new RegExp(`\\?round=${currentRound.id}&status=SUBMITTED$`));
  // Two seeded submissions (Pekalongan, Sidoarjo) and Semarang's two.
  await listSays(page, 'Menampilkan 4 usulan.');
  const listed = await names(page);
  assert.ok(submitted.every((n) => listed.includes(n)), listed.join(', '));
  await page.close();
});

test('"load more" appends the next page, none repeated, until every nomination is shown', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Kota Semarang/);
  await listSays(page, 'Menampilkan 50 usulan (masih ada lagi).');
  assert.equal((await names(page)).length, 50);
  const more = page.getByRole('button', { name: 'Muat lebih banyak' });
  await more.click();
  await listSays(page, 'Menampilkan 55 usulan.');
  const all = await names(page);
  await page.waitForFunction((name) => document.activeElement?.textContent === name, all[50]);
  assert.equal(all.length, 55);
  assert.equal(new Set(all).size, 55, 'no nomination repeated');
  assert.deepEqual([...all].sort(), [...drafts, ...submitted, inNewRound].sort());
  assert.equal(await more.count(), 0, 'no more pages');

  // A smaller page from the URL, with a filter: 53 drafts in pages of 20.
  await page.goto(`${app.base}/?status=DRAFT&limit=20`);
  await listSays(page, 'Menampilkan 20 usulan (masih ada lagi).');
  await more.click();
  await listSays(page, 'Menampilkan 40 usulan (masih ada lagi).');
  await more.click();
  await listSays(page, 'Menampilkan 53 usulan.');
  const drafted = await names(page);
  assert.equal(new Set(drafted).size, 53);
  assert.deepEqual([...drafted].sort(), [...drafts, inNewRound].sort());
  const hrefs = await page.locator('table.nominations tbody td.ikm a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.equal(new Set(hrefs).size, 53, 'each row links to another nomination');
  await page.close();
});

test('on a 390 px phone the list does not scroll sideways and every status stays visible', async () => {
  const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, app.base, /Kota Semarang/);
  const check = async (count) => {
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      rows: [...document.querySelectorAll('table.nominations tbody tr')].map((tr) => {
        const badge = tr.querySelector('[data-status]');
        const r = badge.getBoundingClientRect();
        const style = getComputedStyle(badge);
        return {
          text: badge.innerText,
          left: r.left, right: r.right, width: r.width, height: r.height,
          shown: style.visibility === 'visible' && style.display !== 'none' && Number(style.opacity) > 0,
        };
      }),
    }));
    assert.ok(layout.scrollWidth <= 390, `page is ${layout.scrollWidth} px wide`);
    assert.equal(layout.rows.length, count);
    for (const row of layout.rows) {
      assert.ok(row.shown && row.width > 0 && row.height > 0, `status hidden: ${JSON.stringify(row)}`);
      assert.ok(row.left >= 0 && row.right <= 390, `status off screen: ${JSON.stringify(row)}`);
      assert.match(row.text, /^(Draf|Diajukan)$/);
    }
  };
  await listSays(page, 'Menampilkan 50 usulan (masih ada lagi).');
  await check(50);
  await page.screenshot({ path: 'test-results/list-390-top.png' });
  await page.getByRole('button', { name: 'Muat lebih banyak' }).click();
  await listSays(page, 'Menampilkan 55 usulan.');
  await check(55);
  await page.screenshot({ path: 'test-results/list-390.png', fullPage: false });
  assert.deepEqual(await axeViolations(page), [], 'list page on a phone');
  await context.close();
});

test('the filtered list, its empty state and its English version pass an axe-core scan', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Kota Semarang/);
  await page.goto(`${app.base}/?round=${currentRound.id}&status=SUBMITTED`);
  await listSays(page, 'Menampilkan 2 usulan.');
  assert.equal(await roundSelect(page).inputValue(), currentRound.id);
  assert.equal(await statusSelect(page).inputValue(), 'SUBMITTED');
  assert.deepEqual(await axeViolations(page), [], 'filtered list');
  await page.screenshot({ path: 'test-results/list-filtered.png', fullPage: true });

  await statusSelect(page).selectOption('WITHDRAWN');
  await listSays(page, 'Tidak ada usulan yang sesuai dengan saringan.');
  assert.deepEqual(await axeViolations(page), [], 'empty filtered list');

  await page.getByRole('button', { name: 'EN', exact: true }).click();
  await listSays(page, 'No nominations match the filters.');
  await page.getByLabel('Status', { exact: true }).selectOption('SUBMITTED');
  await listSays(page, 'Showing 2 nominations.');
  assert.match(await page.getByLabel('Status', { exact: true }).locator('option:checked').innerText(), /^Submitted$/);
  assert.deepEqual(await axeViolations(page), [], 'filtered list in English');
  await page.getByRole('button', { name: 'ID', exact: true }).click();
  await page.close();
});

test('a refused list shows the problem in the language of the moment', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Kota Semarang/);
  await page.goto(`${app.base}/?status=NOT_A_STATUS`);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const indonesian = await alert.innerText();
  assert.equal(indonesian, 'Periksa isian yang ditandai.');
  assert.equal(await page.locator('#filter-status-error').innerText(), 'Status tidak dikenal.');
  await page.getByRole('button', { name: 'EN', exact: true }).click();
  await page.waitForFunction((before) => {
    const a = document.querySelector('[role=alert]');
    return a && a.innerText !== before;
  }, indonesian);
  assert.equal(await page.getByRole('alert').innerText(), 'Please correct the fields marked.');
  const status = page.getByLabel('Status', { exact: true });
  assert.equal(await status.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#filter-status-error').innerText(), 'Unknown status.');
  assert.equal(await page.locator('table.nominations').count(), 0);
  await page.getByRole('button', { name: 'ID', exact: true }).click();

  // A page size out of range has no control to mark: the alert says it.
  await page.goto(`${app.base}/?limit=500`);
  await page.getByRole('alert').filter({ hasText: 'Jumlah per halaman 1 sampai 200.' }).waitFor();
  assert.equal(await page.locator('table.nominations').count(), 0);
  await page.close();
});
