// The public gallery in a real browser, as a visitor without an account meets it: the admin
// determines the current round (through the API) and publishes; the visitor opens /galeri/,
// the rounds, searches every round from there by year and by name (the address keeps the
// year), opens a round, filters it by province and by stars (the count, the list and the address
// follow; a reload keeps the filter), searches, opens an award (its photo, decree, certificate
// number and social card) and the new round's award by its QR address. Then, with JavaScript
// off, the same pages read and link through (the stable addresses send the browser on without
// script). axe finds nothing serious on any gallery page, and no page asks the API anything.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { api, expectStatus, start, tokenFor } from './helpers.mjs';
import { determineFreshRound, publish } from './gallery-api.mjs';

const IKM = 'Anyaman Galeri Gunungpati';
const DECREE = `2468/M-IND/Kep/11/${new Date().getFullYear()}`;
let app;
let fresh; // the round determined here: { round, award, decree }
let seeded; // the demo's determined round: { round, awards }
let report;

before(async () => {
  app = await start();
  fresh = await determineFreshRound(app.base, IKM, DECREE);
  const admin = await tokenFor(app.base, 'admin');
  const rounds = expectStatus(await api(app.base, 'GET', '/rounds', { token: admin }), 200, 'rounds').items;
  const round = rounds.find((r) => r.id !== fresh.round.id && r.year < fresh.round.year);
  assert.ok(round, `the demo's determined round: ${JSON.stringify(rounds)}`);
  const { awards } = expectStatus(await api(app.base, 'GET', `/rounds/${round.id}/awards`, { token: admin }), 200, 'awards');
  assert.equal(awards.length, 10, 'the demo round has ten winners');
  seeded = { round, awards };
  report = await publish(app.base);
});
after(async () => { await app?.stop(); });

/** The winners' names the page shows. */
const shownNames = (page) => page.locator('#pemenang li.winner:visible .winner-name').allInnerTexts();
const sorted = (xs) => [...xs].sort();

/** Waits until the live count reads `text`. */
async function expectCount(page, text) {
  await page.locator('[aria-live="polite"]').filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
}

/** Waits until the page's address is `path` with exactly the query `query`. */
async function expectAddress(page, path, query) {
  await page.waitForURL((url) => url.pathname === path
    && JSON.stringify(Object.fromEntries(url.searchParams)) === JSON.stringify(query));
}

test('gallery: a visitor finds, filters and checks the winners; without JavaScript it reads the same', async () => {
  assert.equal(report.rounds, 2, JSON.stringify(report));
  assert.equal(report.unchanged, false, 'a new version');
  assert.equal(report.awards, 11, 'the ten seeded winners and the new one');
  const lasem = seeded.awards.find((a) => a.province_code === '33');
  assert.ok(lasem, 'a Central Java winner');
  const twoStars = seeded.awards.filter((a) => a.stars.stars === 2).map((a) => a.ikm_name);
  assert.ok(twoStars.length > 1 && twoStars.length < 10, `2★ winners: ${twoStars}`);

  const visitor = await app.browser.newPage();
  const apiRequests = [];
  const roundJson = [];
  visitor.on('request', (r) => {
    const { pathname } = new URL(r.url());
    if (pathname.startsWith('/api/')) apiRequests.push(r.url());
    if (pathname.endsWith(`/data/${seeded.round.id}.json`)) roundJson.push(r.url());
  });

  // The gallery's address leads into the published version, the rounds; the address shown
  // stays the stable one.
  await visitor.goto(`${app.base}/galeri/`);
  await visitor.getByRole('heading', { level: 1, name: /Pemenang Penghargaan OVOP/ }).waitFor();
  await visitor.waitForURL(`${app.base}/galeri/`);
  assert.deepEqual(await visitor.locator('ul.rounds > li > a').allInnerTexts(), [fresh.round.name, seeded.round.name]);
  assert.deepEqual(await galleryAxe(visitor), [], 'gallery: the rounds');

  // Every round from the rounds index: the years are the rounds', a year lists its winners.
  const everywhere = visitor.getByRole('search', { name: 'Cari semua pemenang' });
  const year = everywhere.getByLabel('Tahun', { exact: true });
  const found = () => visitor.locator('#cari-semua li.winner:visible');
  await year.focus(); // the first use fetches the rounds
  await year.locator('option').nth(2).waitFor({ state: 'attached' });
  assert.deepEqual(await year.locator('option').allInnerTexts(), ['Semua tahun', `${fresh.round.year}`, `${seeded.round.year}`]);
  await year.selectOption(`${seeded.round.year}`);
  await expectCount(visitor, '10 pemenang');
  assert.deepEqual(sorted(await found().locator('.winner-name').allInnerTexts()), sorted(seeded.awards.map((a) => a.ikm_name)));
  await expectAddress(visitor, '/galeri/', { tahun: `${seeded.round.year}` });
  // A name, within the year: the winner links to its award's stable page.
  await everywhere.getByLabel(/^Cari/).fill('lasem');
  await expectCount(visitor, '1 pemenang');
  assert.deepEqual(await found().locator('.winner-name').allInnerTexts(), [lasem.ikm_name]);
  assert.equal(await visitor.locator('#cari-semua li.winner:visible > a').getAttribute('href'), `/galeri/penghargaan/${lasem.id}/`);
  await expectAddress(visitor, '/galeri/', { tahun: `${seeded.round.year}`, q: 'lasem' });
  assert.deepEqual(await galleryAxe(visitor), [], 'gallery: every round searched');
  // The year's search as a shared link: applied on load.
  await visitor.reload();
  await expectCount(visitor, '1 pemenang');
  assert.equal(await year.inputValue(), `${seeded.round.year}`);
  await expectAddress(visitor, '/galeri/', { tahun: `${seeded.round.year}`, q: 'lasem' });
  // The new round's IKM is not of that year; every year has it.
  await everywhere.getByLabel(/^Cari/).fill('gunungpati');
  await expectCount(visitor, '0 pemenang');
  await year.selectOption('');
  await expectCount(visitor, '1 pemenang');
  assert.deepEqual(await found().locator('.winner-name').allInnerTexts(), [IKM]);
  await expectAddress(visitor, '/galeri/', { q: 'gunungpati' });
  await visitor.locator('#cari-semua li.winner:visible > a').click();
  await visitor.waitForURL(`${app.base}/galeri/penghargaan/${fresh.award}/`);
  await visitor.locator('.who', { hasText: IKM }).waitFor();
  await visitor.goto(`${app.base}/galeri/`);
  roundJson.length = 0; // the round page's own fetches, counted below

  // The round: every winner (ten are all "top" winners), a filter form before them.
  await visitor.locator('ul.rounds a', { hasText: seeded.round.name }).click();
  await visitor.getByRole('heading', { level: 1, name: `Pemenang ${seeded.round.name}` }).waitFor();
  const roundPath = `/galeri/${seeded.round.id}/`;
  const form = visitor.getByRole('search', { name: 'Saring pemenang' });
  await form.waitFor();
  assert.deepEqual(sorted(await shownNames(visitor)), sorted(seeded.awards.map((a) => a.ikm_name)));
  await expectAddress(visitor, roundPath, {});
  assert.equal(roundJson.length, 0, 'the round\'s JSON waits for a filter');
  assert.deepEqual(await galleryAxe(visitor), [], 'gallery: the round with its filter');

  // By province: one winner; the address to share is the round's stable one, with the filter.
  const province = form.getByLabel('Provinsi', { exact: true });
  await province.selectOption({ label: 'Jawa Tengah' });
  await expectCount(visitor, '1 pemenang');
  assert.deepEqual(await shownNames(visitor), [lasem.ikm_name]);
  await expectAddress(visitor, roundPath, { provinsi: '33' });
  assert.equal(roundJson.length, 1, 'the round\'s JSON, fetched once');
  // The regencies offered are the province's.
  const regencies = await form.getByLabel('Kabupaten/kota', { exact: true }).locator('option').allInnerTexts();
  assert.deepEqual(regencies, ['Semua kabupaten/kota', 'Kabupaten Rembang']);

  // By stars, with the keyboard only: every province again, then two stars.
  await province.focus();
  await visitor.keyboard.press('Home');
  await expectCount(visitor, '10 pemenang');
  await form.getByLabel('Bintang', { exact: true }).focus();
  await visitor.keyboard.press('ArrowDown'); // 3 bintang
  await visitor.keyboard.press('ArrowDown'); // 2 bintang
  await expectCount(visitor, `${twoStars.length} pemenang`);
  assert.deepEqual(sorted(await shownNames(visitor)), sorted(twoStars));
  await expectAddress(visitor, roundPath, { bintang: '2' });
  // Every winner shown links to its award's stable page.
  for (const href of await visitor.locator('#pemenang li.winner:visible > a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    assert.match(href, /^\/galeri\/penghargaan\/[0-9A-Z]+\/$/);
  }
  assert.deepEqual(await galleryAxe(visitor), [], 'gallery: the round filtered');

  // A reload — the stable address with the filter, as a shared link — keeps the filter.
  await visitor.reload();
  await expectCount(visitor, `${twoStars.length} pemenang`);
  assert.equal(await form.getByLabel('Bintang', { exact: true }).inputValue(), '2');
  assert.deepEqual(sorted(await shownNames(visitor)), sorted(twoStars));

  // Search: cleared filters, then a word of the regency's IKM.
  await form.getByRole('button', { name: 'Hapus saringan' }).click();
  await expectCount(visitor, '10 pemenang');
  await expectAddress(visitor, roundPath, {});
  await form.getByLabel(/^Cari/).fill('lasem');
  await expectCount(visitor, '1 pemenang');
  assert.deepEqual(await shownNames(visitor), [lasem.ikm_name]);
  await expectAddress(visitor, roundPath, { q: 'lasem' });
  assert.equal(roundJson.length, 2, 'once more after the reload, not per filter');

  // The award's page: the product photo, the decree and the certificate number, its card.
  await visitor.locator('#pemenang li.winner:visible > a').click();
  await visitor.waitForURL(`${app.base}/galeri/penghargaan/${lasem.id}/`);
  await visitor.getByRole('heading', { level: 1, name: lasem.product_name }).waitFor();
  await expectAwardPage(visitor, lasem);
  assert.deepEqual(await galleryAxe(visitor), [], 'gallery: an award');

  // Back on the round the search is still there; on to the province's page.
  await visitor.goBack();
  await expectCount(visitor, '1 pemenang');
  assert.equal(await form.getByLabel(/^Cari/).inputValue(), 'lasem');
  await visitor.locator('ul.provinces a', { hasText: 'Jawa Tengah' }).click();
  await visitor.getByRole('heading', { level: 1, name: `Pemenang ${seeded.round.name} — Jawa Tengah` }).waitFor();
  await expectCount(visitor, '1 pemenang');
  assert.equal(await form.getByLabel('Provinsi', { exact: true }).count(), 0, 'one province: no province filter');
  assert.deepEqual(await galleryAxe(visitor), [], 'gallery: a province');

  // The award just determined, as its certificate's QR code opens it.
  await visitor.goto(`${app.base}/galeri/penghargaan/${fresh.award}/`);
  await visitor.locator('.who', { hasText: IKM }).waitFor();
  const award = expectStatus(await api(app.base, 'GET', `/awards/${fresh.award}`, { token: await tokenFor(app.base, 'admin') }), 200, 'the award');
  assert.equal(award.decree_number, DECREE);
  await expectAwardPage(visitor, award);

  assert.deepEqual(apiRequests, [], 'the gallery never calls the API');
  await visitor.close();

  // Without JavaScript: the same pages, the stable addresses sending the browser on.
  const context = await app.browser.newContext({ javaScriptEnabled: false });
  const reader = await context.newPage();
  await reader.goto(`${app.base}/galeri/`);
  await reader.waitForURL(new RegExp(`/galeri/v/${report.version}/index\\.html$`));
  assert.deepEqual(await reader.locator('ul.rounds > li > a').allInnerTexts(), [fresh.round.name, seeded.round.name]);
  assert.equal(await reader.locator('form').count(), 0, 'no search without script');
  await reader.locator('ul.rounds a', { hasText: seeded.round.name }).click();
  await reader.getByRole('heading', { level: 1, name: `Pemenang ${seeded.round.name}` }).waitFor();
  assert.deepEqual(sorted(await reader.locator('.winner-name').allInnerTexts()), sorted(seeded.awards.map((a) => a.ikm_name)));
  assert.equal(await reader.locator('form').count(), 0, 'no filter without script');
  await reader.locator('ul.provinces a', { hasText: 'Jawa Tengah' }).click();
  await reader.getByRole('heading', { level: 1, name: /Jawa Tengah/ }).waitFor();
  assert.deepEqual(await reader.locator('.winner-name').allInnerTexts(), [lasem.ikm_name]);
  await reader.getByRole('link', { name: lasem.product_name }).click();
  await reader.waitForURL(`${app.base}/galeri/penghargaan/${lasem.id}/`);
  await reader.locator('.who', { hasText: lasem.ikm_name }).waitFor();
  assert.match(await reader.locator('dl.facts').innerText(), new RegExp(escape(lasem.certificate_number)));
  // A shared round or province link, and the QR address without its final slash.
  await reader.goto(`${app.base}/galeri/${seeded.round.id}/`);
  await reader.waitForURL(new RegExp(`/galeri/v/${report.version}/${seeded.round.id}/index\\.html$`));
  assert.equal(await reader.locator('.winner-name').count(), 10);
  await reader.goto(`${app.base}/galeri/${seeded.round.id}/33/`);
  await reader.waitForURL(new RegExp(`/galeri/v/${report.version}/${seeded.round.id}/33/index\\.html$`));
  assert.deepEqual(await reader.locator('.winner-name').allInnerTexts(), [lasem.ikm_name]);
  await reader.goto(`${app.base}/galeri/penghargaan/${fresh.award}`);
  await reader.waitForURL(`${app.base}/galeri/penghargaan/${fresh.award}/`);
  await reader.locator('.who', { hasText: IKM }).waitFor();
  await context.close();
});

/** Serious and critical axe-core violations on a gallery page, as `axeViolations` reports them. */
async function galleryAxe(page) {
  await page.evaluate(readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8'));
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** A string as a regular expression matching it literally. */
function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The award page shows `award`'s IKM, decree and certificate, its photo loads, and its social
 * card names the product and the photo. */
async function expectAwardPage(page, award) {
  assert.match(await page.locator('.who').innerText(), new RegExp(escape(award.ikm_name)));
  const facts = await page.locator('dl.facts').innerText();
  assert.match(facts, new RegExp(escape(award.decree_number)));
  assert.match(facts, new RegExp(escape(award.certificate_number)));
  const photo = page.locator('img.photo');
  await page.waitForFunction((img) => img.complete, await photo.elementHandle());
  assert.ok(await photo.evaluate((img) => img.naturalWidth) > 0, 'the photo loads');
  const meta = (property) => page.locator(`meta[property="${property}"]`).getAttribute('content');
  assert.match(await meta('og:title'), new RegExp(escape(award.product_name)));
  const image = await meta('og:image');
  assert.match(image, new RegExp(`^${escape(app.base)}/galeri/foto/${award.id}/[^/]+\\.jpg$`));
  const card = await fetch(image);
  assert.equal(card.status, 200);
  assert.equal(card.headers.get('content-type'), 'image/jpeg');
}
