// The timeline page. The filters live in the URL, so a view can be shared;
// the vis-timeline above loads the window that is in view (with a margin)
// each time it is scrolled or zoomed; the list below loads its next page
// through `next_cursor` when it is scrolled to its end.
(() => {
  'use strict';

  const API = '/api/v1';
  const PAGE = 50;
  const $ = (id) => document.getElementById(id);
  const form = $('filters');
  const list = $('events');
  const status = $('status');
  const items = new vis.DataSet();
  let timeline = null;
  let listCursor = null;
  let listLoading = false;
  let shownFilter = '';

  // -- the filter, from the form and to the URL --------------------------

  function filterParams() {
    const params = new URLSearchParams();
    const countries = [...$('country').selectedOptions].map((o) => o.value);
    countries.forEach((c) => params.append('country', c));
    if (countries.length > 1 && $('match').checked) params.set('match', 'all');
    for (const name of ['from', 'to']) {
      const value = $(name).value.trim();
      if (value) params.set(name, value);
    }
    form.querySelectorAll('input[name=kind]:checked').forEach((k) => params.append('kind', k.value));
    return params;
  }

  function restoreForm(params) {
    const countries = params.getAll('country').map((c) => c.toUpperCase());
    [...$('country').options].forEach((o) => { o.selected = countries.includes(o.value); });
    $('match').checked = params.get('match') === 'all';
    $('from').value = params.get('from') || '';
    $('to').value = params.get('to') || '';
    const kinds = params.getAll('kind');
    form.querySelectorAll('input[name=kind]').forEach((k) => { k.checked = kinds.includes(k.value); });
  }

  // -- talking to the API ------------------------------------------------

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail || body.title || response.statusText);
    return body;
  }

  // -- the list ----------------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function eventItem(event) {
    const li = element('li');
    li.dataset.key = event.key;
    const date = element('div', 'date', event.display_date);
    if (event.precision !== 'day') date.append(element('span', 'precision', event.precision.replace('_', ' ')));
    li.append(date, element('span', 'kind', event.kind), element('h2', null, event.title));
    if (event.summary) li.append(element('p', 'summary', event.summary));
    const people = event.participants.map((p) => (p.role ? `${p.name} (${p.role})` : p.name));
    if (people.length) li.append(element('p', 'participants', people.join(', ')));
    if (event.sources.length) {
      const sources = element('ul', 'sources');
      for (const s of event.sources) {
        const item = element('li');
        const label = s.title || s.url || 'source';
        if (s.url) {
          const link = element('a', null, label);
          link.href = s.url;
          link.rel = 'noopener';
          link.target = '_blank';
          item.append(link);
        } else {
          item.append(element('cite', null, label));
        }
        const about = [s.publisher, s.published].filter(Boolean).join(', ');
        if (about) item.append(` (${about})`);
        if (s.quote) item.append(element('blockquote', null, s.quote));
        sources.append(item);
      }
      li.append(sources);
    }
    return li;
  }

  async function loadListPage() {
    if (listLoading || listCursor === null) return;
    listLoading = true;
    const params = new URLSearchParams(shownFilter);
    params.set('order', 'asc');
    params.set('limit', PAGE);
    if (listCursor) params.set('cursor', listCursor);
    try {
      const page = await getJson(`${API}/timeline?${params}`);
      page.items.forEach((event) => list.append(eventItem(event)));
      listCursor = page.next_cursor;
      status.value = `${list.children.length} events${listCursor ? ', more below' : ''}`;
      return page;
    } catch (error) {
      status.value = `Could not load the events: ${error.message}`;
      listCursor = null;
    } finally {
      listLoading = false;
    }
  }

  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadListPage().then(refillIfShort);
  }).observe($('more'));

  // A page shorter than the screen leaves the sentinel in view: no new
  // intersection comes, so ask again until it is pushed out of view.
  function refillIfShort() {
    const sentinel = $('more').getBoundingClientRect();
    if (listCursor && sentinel.top < window.innerHeight) loadListPage().then(refillIfShort);
  }

  // -- the timeline ------------------------------------------------------

  const day = (date) => date.toISOString().slice(0, 10);
  // The user's window, as days: `2024` starts on 1 January and `2025-10` ends on the 31st.
  const firstDay = (raw) => (raw.length === 4 ? `${raw}-01-01` : raw.length === 7 ? `${raw}-01` : raw);
  function lastDay(raw) {
    if (raw.length === 4) return `${raw}-12-31`;
    if (raw.length === 7) {
      const [y, m] = raw.split('-').map(Number);
      return day(new Date(Date.UTC(y, m, 0)));
    }
    return raw;
  }

  let loaded = [];  // windows already asked for, as [from, to] days
  async function loadWindow(start, end) {
    const margin = (end - start) / 2;
    let from = day(new Date(start.getTime() - margin));
    let to = day(new Date(end.getTime() + margin));
    const params = new URLSearchParams(shownFilter);
    if (params.get('from')) from = [from, firstDay(params.get('from'))].sort()[1];
    if (params.get('to')) to = [to, lastDay(params.get('to'))].sort()[0];
    if (from > to || loaded.some(([f, t]) => f <= from && to <= t)) return;
    loaded.push([from, to]);
    params.set('from', from);
    params.set('to', to);
    params.set('format', 'vis');
    params.set('limit', 500);
    // A window is read to its end, a few pages at most: more would not fit on screen.
    for (let pages = 0; pages < 4; pages++) {
      const page = await getJson(`${API}/timeline?${params}`);
      items.update(page.items);
      if (!page.next_cursor) break;
      params.set('cursor', page.next_cursor);
    }
  }

  function showTimeline(firstPage) {
    const events = firstPage ? firstPage.items : [];
    const params = new URLSearchParams(shownFilter);
    let start = params.get('from') ? new Date(firstDay(params.get('from'))) : null;
    let end = params.get('to') ? new Date(lastDay(params.get('to'))) : null;
    if (!start && events.length) start = new Date(events[0].earliest);
    if (!end && events.length) end = new Date(events[events.length - 1].latest);
    start = start || new Date(Date.now() - 365 * 864e5);
    end = end || new Date();
    const pad = Math.max((end - start) * 0.1, 15 * 864e5);
    start = new Date(start.getTime() - pad);
    end = new Date(end.getTime() + pad);
    if (!timeline) {
      timeline = new vis.Timeline($('timeline'), items, { start, end, height: '260px', stack: true, zoomMin: 864e5 * 7 });
      timeline.on('rangechanged', ({ start, end }) => loadWindow(start, end).catch((e) => { status.value = e.message; }));
      timeline.on('select', ({ items: keys }) => {
        const li = keys.length && list.querySelector(`li[data-key="${CSS.escape(keys[0])}"]`);
        if (li) li.scrollIntoView({ behavior: 'smooth', block: 'center' });
      });
    } else {
      timeline.setWindow(start, end, { animation: false });
    }
    return loadWindow(start, end);
  }

  // -- showing a filter ----------------------------------------------------

  async function show() {
    const params = filterParams();
    shownFilter = params.toString();
    history.replaceState(null, '', shownFilter ? `?${shownFilter}` : location.pathname);
    list.replaceChildren();
    items.clear();
    loaded = [];
    listCursor = '';
    status.value = 'Loading…';
    const first = await loadListPage();
    await showTimeline(first).catch((e) => { status.value = e.message; });
    refillIfShort();
  }

  // Buttons as well as the wheel and pinch: zooming is then a click away on any device.
  $('zoom-in').addEventListener('click', () => timeline && timeline.zoomIn(0.5));
  $('zoom-out').addEventListener('click', () => timeline && timeline.zoomOut(0.5));
  $('fit').addEventListener('click', () => timeline && timeline.fit());

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    show();
  });

  async function start() {
    const [countries, spec] = await Promise.all([getJson(`${API}/countries`), getJson('/api-docs/openapi.json')]);
    for (const c of countries) $('country').append(new Option(`${c.name} (${c.event_count})`, c.code));
    const kind = spec.paths['/api/v1/timeline'].get.parameters.find((p) => p.name === 'kind');
    for (const k of kind.schema.items.enum) {
      const label = element('label');
      const box = element('input');
      box.type = 'checkbox';
      box.name = 'kind';
      box.value = k;
      label.append(box, ` ${k}`);
      $('kinds').append(label);
    }
    restoreForm(new URLSearchParams(location.search));
    await show();
  }

  start().catch((e) => { status.value = `Could not start: ${e.message}`; });
})();
