// First visit on a slow connection: the public gallery beside the officials' app.
//
// Starts ovop-local (OVOP_LOCAL_BIN, with the built SPA in OVOP_SPA_DIR, as the browser tests
// do; the demo round is published at start) and, in headless Chromium with the cache disabled
// and the network throttled through the DevTools protocol (400 ms latency, 400 kbit/s down and
// up), opens three addresses as a first-time visitor does:
//
//   round link  /galeri/{round}/            (a shared link)  until the first `.winner-name` shows
//   award link  /galeri/penghargaan/{id}/   (a QR code scan) until the award's IKM name shows
//   app         /                           (an official)    until the first screen's heading
//                                           shows: the sign-in page, which the app sends a
//                                           visitor without a session to once it has loaded
//
// For each: the bytes over the wire (the sum of `Network.loadingFinished.encodedDataLength`,
// headers included, of every request of the visit), the requests, and the milliseconds until
// the element is on screen (the first animation frame after it is in the document and visible:
// what the browser paints next). Each is run RUNS times (default 3); the medians are printed.
// The gallery's targets: at most 100 KB and 3 s. The local server compresses as CloudFront does
// (`Compress: true`), but over plain HTTP Chromium accepts gzip only: these are gzip figures,
// where CloudFront would send brotli over HTTPS.
//
//   OVOP_LOCAL_BIN=… OVOP_SPA_DIR=… node tests/e2e/bench/first-visit.mjs
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, startServer } from '../server.mjs';

const RUNS = Number(process.env.RUNS || 3);
const LATENCY_MS = 400;
const KBIT_S = 400;
const GALLERY_BUDGET = { bytes: 100 * 1000, ms: 3000 };

/** ovop-local once the demo gallery is published (it publishes at start). */
const startApp = () => startServer({ readyPath: '/galeri/latest.json', tries: 400 });

/** The published round and one of its awards, from the gallery's own JSON. */
async function publishedRound(base) {
  const json = async (path) => {
    const r = await fetch(`${base}${path}`);
    if (!r.ok) throw new Error(`${path}: ${r.status}`);
    return r.json();
  };
  const { version } = await json('/galeri/latest.json');
  const index = await json(`/galeri/v/${version}/data/index.json`);
  const round = index.rounds[0];
  const data = await json(`/galeri/v/${version}/${round.data}`);
  const award = data.awards[0];
  return { round: round.round_id, award: award.id, ikm: award.ikm_name };
}

/**
 * In every document of the page: the epoch milliseconds of the first animation frame after an
 * element matching `find` (a function body over `document`, answering an element or null) is
 * in the document and visible, in `window.__shown`.
 */
function watchFor(find) {
  return `(() => {
    const find = () => { ${find} };
    const check = () => {
      const e = find();
      if (e && e.checkVisibility() && e.getBoundingClientRect().height > 0) {
        requestAnimationFrame(() => { window.__shown = performance.timeOrigin + performance.now(); });
        observer.disconnect();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true, characterData: true });
    document.addEventListener('DOMContentLoaded', check);
    addEventListener('load', check);
  })();`;
}

/** One first visit to `url`: bytes, requests and ms until `find`'s element is on screen. */
async function visit(browser, url, find) {
  const context = await browser.newContext({ locale: 'id-ID' });
  await context.addInitScript(watchFor(find));
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const throughput = (KBIT_S * 1000) / 8;
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: LATENCY_MS, downloadThroughput: throughput, uploadThroughput: throughput,
  });
  const started = new Set();
  const finished = new Map(); // requestId → bytes
  const inFlight = new Set();
  let shownLoader = ''; // the page shown's loader: what an earlier page still loads is abandoned
  cdp.on('Network.requestWillBeSent', (e) => {
    if (e.type === 'Document') {
      shownLoader = e.loaderId;
      inFlight.clear();
    }
    started.add(e.requestId);
    if (e.loaderId === shownLoader) inFlight.add(e.requestId);
  });
  const done = (id, bytes) => {
    finished.set(id, bytes);
    inFlight.delete(id);
  };
  cdp.on('Network.loadingFinished', (e) => done(e.requestId, e.encodedDataLength));
  cdp.on('Network.loadingFailed', (e) => done(e.requestId, 0));

  const t0 = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__shown !== undefined, null, { timeout: 120_000, polling: 50 });
  const shown = await page.evaluate(() => window.__shown);
  // The rest of the visit (deferred scripts, images): until nothing has been in flight for 1 s.
  let quietSince = Date.now();
  const deadline = Date.now() + 60_000;
  while (Date.now() - quietSince < 1000 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    if (inFlight.size > 0) quietSince = Date.now();
  }
  const bytes = [...finished.values()].reduce((a, b) => a + b, 0);
  await context.close();
  return { bytes, requests: started.size, ms: Math.round(shown - t0) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};

const app = await startApp();
let browser;
try {
  const { round, award, ikm } = await publishedRound(app.base);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const cases = [
    { name: 'gallery: round link', path: `/galeri/${round}/`, gallery: true,
      find: "return document.querySelector('.winner-name');" },
    { name: 'gallery: award link (QR)', path: `/galeri/penghargaan/${award}/`, gallery: true,
      // The innermost element of the page's main part holding the IKM's name.
      find: `const want = ${JSON.stringify(ikm)};
        const holds = (e) => e.textContent.includes(want);
        return [...document.querySelectorAll('main, main *')]
          .find((e) => holds(e) && ![...e.children].some(holds)) ?? null;` },
    { name: "officials' app /", path: '/', gallery: false,
      find: "return document.querySelector('main h1');" },
  ];
  const results = cases.map(() => []);
  // Side by side: each run visits every address once.
  for (let run = 0; run < RUNS; run++) {
    for (const [i, c] of cases.entries()) results[i].push(await visit(browser, `${app.base}${c.path}`, c.find));
  }
  const pad = (s, n) => String(s).padEnd(n);
  const num = (s, n) => String(s).padStart(n);
  console.log(`\nFirst visit, cache disabled, ${LATENCY_MS} ms latency, ${KBIT_S} kbit/s down and up; median of ${RUNS}`);
  console.log(`${pad('', 28)}${num('KB', 9)}${num('requests', 10)}${num('ms', 8)}   runs (KB / ms)`);
  for (const [i, c] of cases.entries()) {
    const r = results[i];
    const bytes = median(r.map((x) => x.bytes));
    const ms = median(r.map((x) => x.ms));
    const requests = median(r.map((x) => x.requests));
    const runs = r.map((x) => `${(x.bytes / 1000).toFixed(1)}/${x.ms}`).join('  ');
    let mark = '';
    if (c.gallery) {
      const ok = bytes <= GALLERY_BUDGET.bytes && ms <= GALLERY_BUDGET.ms;
      mark = ok ? '  within ≤ 100 KB, ≤ 3 s' : '  OVER ≤ 100 KB, ≤ 3 s';
    }
    console.log(`${pad(c.name, 28)}${num((bytes / 1000).toFixed(1), 9)}${num(requests, 10)}${num(ms, 8)}   ${runs}${mark}`);
  }
  console.log(`(round ${round}, award ${award})`);
} finally {
  await browser?.close();
  app.stop();
}
