// Rubrics of a new round, in a real browser: the admin copies last round's anyaman rubric into
// the new round (the copy carries the criteria and weights as they were), and a group the old
// round has no rubric for is refused with the reason. axe finds nothing on the page.
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
  await page.close();
});
