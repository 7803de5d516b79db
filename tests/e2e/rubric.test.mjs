// Rubrics of a new round, in a real browser: the admin copies last round's anyaman rubric into
// the new round (the copy carries the criteria and weights as they were), and a group the old
// round has no rubric for is refused with the reason; then changes two weights (the sum shows
// as it changes; a sum other than 100 is refused) and saves. axe finds nothing on the page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, axeViolations, signIn, start, tokenFor } from './helpers.mjs';

let app;
let admin;
let previous;
let next;

before(async () => {
  app = await start();
  admin = await tokenFor(app.base, 'admin');
  previous = (await api(app.base, 'GET', '/rounds', { token: admin })).body.items[0];
  const proposed = await api(app.base, 'POST', `/rounds/${previous.id}/rubrics/anyaman/proposed`, { token: admin });
  assert.equal(proposed.status, 201, JSON.stringify(proposed.body));
  const year = previous.year + 1;
  const created = await api(app.base, 'POST', '/rounds', {
    token: admin,
    body: { year, name: `OVOP ${year}`, proposal_deadline: `${year}-06-30T16:59:59Z` },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  next = created.body;
});
after(async () => { await app?.stop(); });

test('rubric: the admin copies last round\'s rubric into a new round', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Admin Ditjen IKMA/);
  await page.goto(`${app.base}/seleksi?periode=${encodeURIComponent(next.id)}&bagian=panel`);
  const table = page.locator('table.rubrics');
  await table.waitFor();
  const anyaman = table.locator('tbody tr').filter({ hasText: 'Anyaman' });
  assert.match(await anyaman.innerText(), /Belum ada/);

  await page.getByLabel('Salin dari periode').selectOption(previous.id);
  // A group the old round has no rubric for: refused, saying why.
  await table.locator('tbody tr').filter({ hasText: 'Kain batik' }).getByRole('button', { name: /^Salin/ }).click();
  await page.getByRole('alert').waitFor();
  // Anyaman: copied.
  await anyaman.getByRole('button', { name: /^Salin/ }).click();
  await table.locator('tbody tr').filter({ hasText: 'Anyaman' }).filter({ hasNotText: 'Belum ada' }).waitFor();
  assert.deepEqual(await axeViolations(page), []);

  const copied = (await api(app.base, 'GET', `/rounds/${next.id}/rubrics`, { token: admin })).body.items;
  const source = (await api(app.base, 'GET', `/rounds/${previous.id}/rubrics`, { token: admin })).body.items;
  assert.equal(copied.length, 1);
  assert.equal(copied[0].commodity, 'anyaman');
  assert.deepEqual(copied[0].aspects, source[0].aspects, 'the criteria and weights as they were');

  // The weights, before scoring starts: 1.1 up by one, then 1.2 down by one.
  const first = copied[0].aspects[0].criteria[0];
  const second = copied[0].aspects[0].criteria[1];
  await table.locator('tbody tr').filter({ hasText: 'Anyaman' }).getByRole('button', { name: /^Ubah bobot/ }).click();
  const form = page.locator('form.weights');
  await form.waitFor();
  await form.locator(`#weight-${first.code.replace('.', '\\.')}`).fill(String(first.weight + 1));
  await form.locator('p.sum').filter({ hasText: '101 / 100' }).waitFor();
  await form.getByRole('button', { name: 'Simpan bobot' }).click();
  await form.getByRole('alert').waitFor(); // 101 is refused by the server too
  await form.locator(`#weight-${second.code.replace('.', '\\.')}`).fill(String(second.weight - 1));
  await form.locator('p.sum').filter({ hasText: '100 / 100' }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await form.getByRole('button', { name: 'Simpan bobot' }).click();
  await form.waitFor({ state: 'detached' });
  const changed = (await api(app.base, 'GET', `/rounds/${next.id}/rubrics`, { token: admin })).body.items[0];
  assert.equal(changed.aspects[0].criteria[0].weight, first.weight + 1);
  assert.equal(changed.aspects[0].criteria[1].weight, second.weight - 1);
  await page.close();
});
