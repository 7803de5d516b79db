// Signing in through the OpenID Connect issuer (docs/sign-in.md) in a real browser: the
// authorize page in both languages, PKCE, coming back to the page asked for, tokens kept in
// memory only, refresh before expiry, a 401, sign-out, and a forged answer refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { atIssuer, axeViolations, challengeOf, chooseAccount, signIn, start, tokenRequests } from './helpers.mjs';

let app;
before(async () => { app = await start(); });
after(async () => { await app?.stop(); });

/** The access tokens the issuer hands to `page`, as they come. */
function issuedTokens(page) {
  const issued = [];
  page.on('response', async (r) => {
    if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/oidc/token' && r.ok()) {
      issued.push((await r.json()).access_token);
    }
  });
  return issued;
}

test('sign-in goes through the issuer (Indonesian, English on request) and lands on the page asked for', async () => {
  const page = await app.browser.newPage();
  const exchanges = tokenRequests(page);
  const issued = issuedTokens(page);
  await page.goto(`${app.base}/?status=SUBMITTED`);
  await page.waitForURL(atIssuer);
  const authorize = new URL(page.url());
  const q = Object.fromEntries(authorize.searchParams);
  assert.equal(q.response_type, 'code');
  assert.equal(q.client_id, 'ovop-local-spa');
  assert.equal(q.redirect_uri, `${app.base}/auth/callback`);
  assert.equal(q.code_challenge_method, 'S256');
  assert.match(q.code_challenge, /^[A-Za-z0-9_-]{43}$/);
  assert.match(q.state, /^[A-Za-z0-9_-]{22,}$/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'id');
  await page.getByRole('heading', { level: 1, name: 'Masuk ke OVOP' }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'authorize page (Indonesian)');

  // While the browser is away, only the verifier, the state and the page to return to wait.
  const waiting = await page.evaluate(() => ({ ...sessionStorage }));
  assert.deepEqual(Object.keys(waiting).sort(), ['ovop.signin.return_to', 'ovop.signin.state', 'ovop.signin.verifier']);
  assert.equal(waiting['ovop.signin.return_to'], '/?status=SUBMITTED');
  assert.equal(waiting['ovop.signin.state'], q.state);
  assert.equal(challengeOf(waiting['ovop.signin.verifier']), q.code_challenge, 'S256 of the verifier kept');

  // English: by `lang=en`, and by the browser's Accept-Language.
  const english = await app.browser.newPage();
  await english.goto(`${authorize.href}&lang=en`);
  assert.equal(await english.locator('html').getAttribute('lang'), 'en');
  await english.getByRole('heading', { level: 1, name: 'Sign in to OVOP' }).waitFor();
  assert.deepEqual(await axeViolations(english), [], 'authorize page (English)');
  await english.close();
  const context = await app.browser.newContext({ locale: 'en-US' });
  const browserInEnglish = await context.newPage();
  await browserInEnglish.goto(`${app.base}/`);
  await browserInEnglish.waitForURL(atIssuer);
  assert.equal(await browserInEnglish.locator('html').getAttribute('lang'), 'en');
  await context.close();

  await chooseAccount(page, /Kota Semarang/);
  assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/?status=SUBMITTED');
  await page.getByRole('heading', { name: 'Usulan IKM' }).waitFor();
  assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'SUBMITTED');
  assert.match(await page.locator('header .who').innerText(), /Dinas Perindustrian Kota Semarang/);

  assert.equal(exchanges.length, 1);
  const exchange = exchanges[0];
  assert.equal(exchange.grant_type, 'authorization_code');
  assert.equal(exchange.client_id, 'ovop-local-spa');
  assert.equal(exchange.redirect_uri, `${app.base}/auth/callback`);
  assert.equal(challengeOf(exchange.code_verifier), q.code_challenge, 'the verifier sent matches the challenge');

  // Tokens live in memory: neither storage holds one, and the sign-in data is gone.
  await page.waitForFunction(() => sessionStorage.length === 0);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.equal(issued.length, 1);
  assert.ok(!stored.includes(issued[0]) && !stored.includes(issued[0].split('.')[1]), `tokens in storage: ${stored}`);

  // Using the app.
  await page.getByRole('link', { name: /Usulan baru/ }).click();
  await page.getByLabel('Nama IKM', { exact: true }).waitFor();

  // A reload signs in again through the issuer's session, without the account page.
  await page.reload();
  await page.getByLabel('Nama IKM', { exact: true }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/usulan/baru');
  assert.equal(exchanges.length, 2);
  assert.equal(exchanges[1].grant_type, 'authorization_code');
  await page.close();
});

test('a forged or missing state on /auth/callback is refused with a visible error, before any token request', async () => {
  // No sign-in under way at all: a bare callback.
  const bare = await app.browser.newPage();
  const bareExchanges = tokenRequests(bare);
  await bare.goto(`${app.base}/auth/callback?code=stolen&state=whatever`);
  await bare.getByRole('alert').filter({ hasText: /state/ }).waitFor();
  assert.match(await bare.getByRole('heading', { level: 1 }).innerText(), /Gagal masuk/);
  await bare.getByRole('button', { name: 'EN', exact: true }).click();
  await bare.getByRole('alert').filter({ hasText: 'The sign-in answer was refused' }).waitFor();
  await bare.getByRole('button', { name: 'ID', exact: true }).click();
  assert.deepEqual(await axeViolations(bare), [], 'sign-in error');
  assert.equal(bareExchanges.length, 0, 'no token request');
  await bare.close();

  // A real answer whose state was changed on the way.
  const page = await app.browser.newPage();
  const exchanges = tokenRequests(page);
  await page.goto(`${app.base}/usulan/baru`);
  await page.waitForURL(atIssuer);
  // The issuer's answer (302 to the callback) reaches the browser with another state.
  let sent;
  await page.route((url) => url.pathname === '/oidc/authorize', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const response = await route.fetch({ maxRedirects: 0 });
    const forged = new URL(response.headers().location);
    sent = new URL(forged);
    forged.searchParams.set('state', `${forged.searchParams.get('state')}x`);
    return route.fulfill({ response, headers: { ...response.headers(), location: forged.href } });
  });
  await page.getByRole('button', { name: /Kota Semarang/ }).click();
  await page.waitForURL((url) => url.pathname === '/auth/callback');
  assert.ok(sent.searchParams.get('code'), 'a real code came back');
  await page.getByRole('alert').filter({ hasText: 'kode keamanan (state) tidak ada atau tidak cocok' }).waitFor();
  await page.getByRole('heading', { level: 1, name: 'Gagal masuk' }).waitFor();
  assert.equal(exchanges.length, 0, 'no token request');
  assert.equal(await page.locator('table.nominations, form').count(), 0, 'no page of the app');

  // Signing in again works.
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.getByRole('button', { name: 'Masuk lagi' }).click();
  await page.waitForURL((url) => atIssuer(url) || url.pathname === '/');
  if (atIssuer(page.url())) await chooseAccount(page, /Kota Semarang/);
  await page.getByRole('heading', { name: 'Usulan IKM' }).waitFor();
  assert.equal(exchanges.length, 1);
  await page.close();
});

async function expectSoon(probe, ms = 5000) {
  const until = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a 401 from the API signs in again and comes back to the same page', async () => {
  const page = await app.browser.newPage();
  const exchanges = tokenRequests(page);
  await signIn(page, app.base, /Kota Semarang/);
  await page.goto(`${app.base}/?status=DRAFT`);
  await page.getByRole('heading', { name: 'Usulan IKM' }).waitFor();
  const before = exchanges.length;
  // The API refuses once, as it would a revoked or expired token.
  let refused = 0;
  await page.route((url) => url.pathname === '/api/v1/nominations', (route) => {
    refused++;
    return route.fulfill({ status: 401, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'token expired', code: 'unauthorized', lang: 'en' }) });
  }, { times: 1 });
  await page.getByLabel('Status', { exact: true }).selectOption('SUBMITTED');
  await expectSoon(() => exchanges.length > before, 10000);
  await page.waitForURL((url) => url.pathname === '/' && url.search === '?status=SUBMITTED');
  await page.getByRole('heading', { name: 'Usulan IKM' }).waitFor();
  await page.locator('.list-status').filter({ hasText: /usulan/ }).waitFor();
  assert.equal(refused, 1);
  assert.equal(exchanges.at(-1).grant_type, 'authorization_code');
  assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'SUBMITTED');
  await page.close();
});

test('signing out ends the session: the next visit shows the account page again', async () => {
  const page = await app.browser.newPage();
  await signIn(page, app.base, /Kota Semarang/);
  const logout = page.waitForRequest((r) => new URL(r.url()).pathname === '/oidc/logout');
  await page.getByRole('button', { name: 'Keluar' }).click();
  const url = new URL((await logout).url());
  assert.equal(url.searchParams.get('client_id'), 'ovop-local-spa');
  assert.equal(url.searchParams.get('logout_uri'), `${app.base}/`);
  await page.waitForURL(atIssuer);
  await page.getByRole('button', { name: /Kota Semarang/ }).waitFor();

  // Not signed in automatically: the issuer asks again.
  await page.goto(`${app.base}/periode`);
  await page.waitForURL(atIssuer);
  await page.getByRole('heading', { level: 1, name: 'Masuk ke OVOP' }).waitFor();
  await page.waitForTimeout(300);
  assert.ok(atIssuer(page.url()), `still at the issuer: ${page.url()}`);
  await chooseAccount(page, /Kab\. Pekalongan/);
  assert.equal(new URL(page.url()).pathname, '/periode');
  assert.match(await page.locator('header .who').innerText(), /Kab\. Pekalongan/);
  await page.close();
});

test('with a 5-second access token the app refreshes it and the page keeps working', async () => {
  const shortLived = await start({ env: { OVOP_ACCESS_TOKEN_SECS: '5' } });
  try {
    const page = await shortLived.browser.newPage();
    const exchanges = tokenRequests(page);
    const issued = issuedTokens(page);
    await signIn(page, shortLived.base, /Kab\. Pekalongan/);
    await page.getByRole('link', { name: /Usulan baru/ }).click();
    const name = page.getByLabel('Nama IKM', { exact: true });
    await name.fill('Batik Refresh');
    // At 80 % of 5 s, twice: the first refreshed token is itself refreshed.
    await expectSoon(() => exchanges.filter((e) => e.grant_type === 'refresh_token').length >= 2, 15000);
    const refresh = exchanges.find((e) => e.grant_type === 'refresh_token');
    assert.equal(refresh.client_id, 'ovop-local-spa');
    assert.ok(refresh.refresh_token);
    assert.equal(exchanges.filter((e) => e.grant_type === 'authorization_code').length, 1, 'no new sign-in');
    assert.equal(new URL(page.url()).pathname, '/usulan/baru');
    assert.equal(await name.inputValue(), 'Batik Refresh', 'the page was not reloaded');

    // The API accepts the refreshed token: the list, more than 5 s after sign-in.
    const call = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/nominations' && r.method() === 'GET');
    await page.getByRole('link', { name: 'Usulan', exact: true }).click();
    const bearer = (await call).headers().authorization;
    await page.locator('.list-status').filter({ hasText: /usulan/ }).waitFor();
    await page.locator('table.nominations').waitFor();
    assert.ok(issued.slice(1).some((t) => bearer === `Bearer ${t}`), 'a refreshed access token is used');
    assert.ok(!atIssuer(page.url()));
    await page.close();
  } finally {
    shortLived.cspViolations.length && app.cspViolations.push(...shortLived.cspViolations);
    await shortLived.stop();
  }
});
