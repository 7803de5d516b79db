// Galeri OVOP: filter and search the winners of a round or province page (#pemenang), or of
// every round from the rounds index (#cari-semua, with a year filter). The state is the query
// string (?q=&tahun=&provinsi=&kabupaten=&komoditas=&bintang=): a filtered list is a link.
// The pages are complete without it. No dependencies, no build; `hidden`, never inline style (CSP).
(() => {
  const d = document;
  const here = () => location.search + location.hash;
  // A stable page (a meta refresh into the version) takes the query along.
  const go = d.querySelector('meta[http-equiv="refresh"]')?.content.split(/url=/i)[1];
  if (go) return here() && location.replace(go + here());
  // The address shown is the page's stable one (canonical), which outlives this version; the
  // page's links keep to the version.
  const canonical = d.querySelector('link[rel=canonical]');
  if (canonical) {
    for (const a of d.querySelectorAll('a[href]:not([href^="#"])')) {
      a.setAttribute('href', new URL(a.getAttribute('href'), location.href));
    }
    history.replaceState(history.state, '', new URL(canonical.href).pathname + here());
  }
  const list = d.getElementById('pemenang') || d.getElementById('cari-semua');
  if (!list) return;
  // A province page lists all its winners; a round page its top ones, all are in its JSON; the
  // rounds index none, every round's are in theirs.
  const provincial = /\/\d\d\/(index\.html)?$/.test(location.pathname);
  const everywhere = list.id === 'cari-semua';
  const F = { // query key: [data attribute, label]
    tahun: ['year', 'Tahun'],
    provinsi: ['province', 'Provinsi'],
    kabupaten: ['regency', 'Kabupaten/kota'],
    komoditas: ['commodity', 'Komoditas'],
    bintang: ['stars', 'Bintang'],
  };
  if (provincial) delete F.provinsi;
  if (!everywhere) delete F.tahun;
  const fold = (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const fmt = (n) => n.toLocaleString('id-ID');
  const names = { province: new Map(), regency: new Map(), commodity: new Map(), stars: new Map(), year: new Map() };
  for (const [code, name] of Object.entries(JSON.parse(list.dataset.commodities || '{}'))) {
    names.commodity.set(code, name);
  }
  // A winner: its codes as data attributes have them, the names to offer, the text searched.
  const winner = (w, regency, province, commodity, text) => {
    for (const [k, v] of [['regency', regency], ['province', province], ['commodity', commodity]]) {
      if (v) names[k].set(w[k], v);
    }
    names.stars.set(w.stars, `${w.stars} bintang`);
    w.text = fold([text, regency, province, commodity].join(' '));
    return w;
  };
  // The page's own: "IKM · Kabupaten, Provinsi · Komoditas" under the product's link.
  const shown = [...list.querySelectorAll('li.winner')].map((li) => {
    const [, place = '', commodity] = (li.querySelector('.who')?.textContent || '').split(' · ');
    const [regency, province] = place.split(', ');
    return winner({ li, ...li.dataset }, regency, province, commodity, li.textContent);
  });
  const get = (url) => fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
  // The rounds to search ({ year, data }): the page's; the index's, from data/index.json.
  let rounds = everywhere ? null : [{ data: list.dataset.json }];
  const fetched = new Map(); // a round's JSON: its winners
  const loading = new Map(); // a round's JSON (or the index's): the promise of it
  const once = (url, then) => loading.get(url) || loading.set(url, get(url).then(then)
    .catch((e) => { loading.delete(url); throw e; })).get(url);
  const byStars = (x, y) => y.stars - x.stars;
  let all; // the winners of the rounds searched (on the index: the year's), most stars first
  let allOf; // which rounds `all` has
  const needed = () => rounds?.filter((r) => !state.tahun || `${r.year}` === state.tahun).map((r) => r.data);
  // `all`, if every round needed is fetched.
  const settle = () => {
    const urls = needed();
    const key = urls?.join(' ');
    if (key === allOf) return;
    const ready = urls?.every((u) => fetched.has(u));
    all = ready ? urls.flatMap((u) => fetched.get(u)).sort(byStars) : undefined;
    allOf = ready ? key : undefined;
  };
  // An award of a round's JSON, as a winner.
  const listed = (a) => winner(
    { a, province: a.province_code, regency: a.regency_code, commodity: a.commodity, stars: `${a.stars.stars}`, year: `${a.year}` },
    a.regency_name, a.province_name, names.commodity.get(a.commodity), `${a.product_name} ${a.ikm_name}`,
  );
  const fetchIndex = () => once(list.dataset.index, ({ rounds: rs }) => {
    const version = list.dataset.index.replace(/data\/index\.json$/, '');
    rounds = rs.map(({ year, data }) => ({ year, data: version + data }));
    for (const { year } of rs) names.year.set(`${year}`, `${year}`);
  });
  const fetchRound = (url) => once(url, ({ awards }) => fetched.set(url, awards.map(listed).sort(byStars)));
  // The rounds needed, fetched (once each); then the options and the list follow.
  const load = () => (rounds ? Promise.resolve() : fetchIndex())
    .then(() => Promise.all(needed().map(fetchRound)))
    .then(() => {
      options();
      apply();
    }, () => {});

  const make = (tag, attrs, ...kids) => {
    const e = d.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    e.append(...kids);
    return e;
  };
  const root = (list.dataset.json || list.dataset.index).replace(/v\/[^/]+\/data\/[^/]+$/, ''); // `/galeri/`
  // A winner of the JSON, marked up as the page's own are.
  const item = (w) => {
    const { a, stars } = w;
    const max = a.stars.scale === 'ovop_2013' ? 5 : 3;
    w.li ||= make('li', {
      class: 'winner', 'data-province': w.province, 'data-regency': w.regency,
      'data-commodity': w.commodity, 'data-stars': stars, 'data-year': a.year,
    }, make('a', { href: `${root}penghargaan/${a.id}/` }, a.product_name), ' ',
    make('span', { class: 'stars', title: `${stars} bintang` }, '★'.repeat(stars) + '☆'.repeat(max - stars)),
    make('br', {}), make('span', { class: 'who' }, make('span', { class: 'winner-name' }, a.ikm_name),
      ` · ${a.regency_name}, ${a.province_name} · ${names.commodity.get(w.commodity) || w.commodity}`));
    return w.li;
  };

  const form = make('form', { role: 'search', 'aria-label': everywhere ? 'Cari semua pemenang' : 'Saring pemenang' });
  form.innerHTML = `<p><label for="cari-q">Cari IKM, produk, kabupaten/kota <span lang="en">/ Search</span></label>
<input type="search" id="cari-q" name="q" autocomplete="off"></p>
<p>${Object.entries(F).map(([k, [, label]]) => `<label for="cari-${k}">${label}</label>
<select id="cari-${k}" name="${k}"></select>`).join(' ')} <button type="button">Hapus saringan</button></p>
<p class="count" aria-live="polite"></p>`;
  const { elements: ctl } = form;
  const count = form.querySelector('.count');
  const found = make('ul', { class: 'winners', hidden: '' });
  list.before(form);
  list.append(found);

  const params = new URLSearchParams(location.search);
  const state = {};
  for (const key of ['q', ...Object.keys(F)]) state[key] = params.get(key) || '';
  const active = () => Object.values(state).some(Boolean);
  const matches = (w) => Object.entries(F).every(([key, [attr]]) => !state[key] || w[attr] === state[key])
    && fold(state.q).split(/\s+/).every((t) => w.text.includes(t));

  // Each select offers what the winners known have (the regencies: of the province chosen; the
  // years: of the rounds).
  const options = () => {
    settle();
    for (const [key, [attr, label]] of Object.entries(F)) {
      const name = (v) => names[attr].get(v) || v;
      const values = new Set(attr === 'year' ? names.year.keys() : (all || shown).filter((w) => attr !== 'regency'
        || !state.provinsi || w.province === state.provinsi).map((w) => w[attr]));
      if (state[key]) values.add(state[key]);
      ctl[key].replaceChildren(new Option(`Semua ${label.toLowerCase()}`, ''), ...[...values]
        .sort(attr === 'stars' || attr === 'year' ? (x, y) => y - x : (x, y) => name(x).localeCompare(name(y), 'id'))
        .map((v) => new Option(name(v), v)));
      ctl[key].value = state[key];
    }
  };

  const apply = () => {
    const url = new URL(location.href);
    for (const key in state) {
      if (state[key]) url.searchParams.set(key, state[key]);
      else url.searchParams.delete(key);
    }
    history.replaceState(history.state, '', url);
    settle();
    const json = !provincial && all && active();
    for (const w of shown) w.li.hidden = json || !matches(w);
    let n = shown.filter((w) => !w.li.hidden).length;
    if (json) {
      const hits = all.filter(matches);
      found.replaceChildren(...hits.map(item));
      n = hits.length;
    }
    found.hidden = !json;
    // A regency's heading goes with its last winner shown.
    for (const ul of list.querySelectorAll('ul:not(:last-child)')) {
      ul.hidden = !ul.querySelector('li:not([hidden])');
      const h = ul.previousElementSibling;
      if (h?.tagName === 'H2') h.hidden = ul.hidden;
    }
    // Only a true count: a round page's needs the JSON.
    const of = !active() && all?.length > n ? ` dari ${fmt(all.length)}` : '';
    count.textContent = provincial || (all && (active() || !everywhere)) ? `${fmt(n)}${of} pemenang` : '';
    if (!provincial && active() && !all) load();
  };

  let timer;
  form.addEventListener('input', ({ target: { name: key, value } }) => {
    state[key] = value.trim();
    if (key === 'tahun') options();
    if (key === 'provinsi') {
      if (value && !state.kabupaten.startsWith(`${value}.`)) state.kabupaten = '';
      options();
    }
    clearTimeout(timer);
    timer = setTimeout(apply, key === 'q' ? 200 : 0);
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  form.querySelector('button').addEventListener('click', () => {
    for (const key in state) state[key] = '';
    ctl.q.value = '';
    options();
    apply();
    ctl.q.focus();
  });
  // Whoever comes to the form is about to filter: with the JSON every option is known.
  if (!provincial) form.addEventListener('focusin', load, { once: true });
  ctl.q.value = state.q;
  options();
  apply();
})();
