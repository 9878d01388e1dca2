// <timeline-widget api="https://host:8080" country="RU,KP" match="all" from="2024">
// A live country timeline for any site: one script tag and one element.
// Everything lives in the element's shadow root; the only global name it
// adds is the element itself. Attributes: api (default: where this script
// came from), country (comma-separated ISO codes), match (all), from, to,
// kind (comma-separated), limit (per page, default 20), theme (light, dark
// or auto, the default, which follows the reader's system).
(() => {
  'use strict';
  if (customElements.get('timeline-widget')) return;
  const scriptOrigin = document.currentScript ? new URL(document.currentScript.src).origin : location.origin;

  const STYLE = `
    :host { --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #fff; --accent: #1f5fbf;
      display: block; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg);
      border: 1px solid var(--line); border-radius: 8px; padding: .6rem .9rem; max-width: 40rem; }
    :host([theme=dark]) { --fg: #e6e9ef; --muted: #9aa3b5; --line: #3a4150; --bg: #1b1f27; --accent: #7fb0ff; }
    @media (prefers-color-scheme: dark) {
      :host(:not([theme=light])) { --fg: #e6e9ef; --muted: #9aa3b5; --line: #3a4150; --bg: #1b1f27; --accent: #7fb0ff; }
    }
    ol { list-style: none; margin: 0; padding: 0 0 0 .9rem; border-left: 2px solid var(--line); }
    li { position: relative; padding: .35rem 0 .5rem; }
    li::before { content: ''; position: absolute; left: -1.27rem; top: .75rem; width: .6rem; height: .6rem;
      border-radius: 50%; background: var(--accent); }
    li.uncertain::before { background: var(--bg); border: 2px dashed var(--accent); width: .4rem; height: .4rem; }
    .date { color: var(--muted); font-size: .85em; }
    .title { font-weight: 600; }
    a { color: var(--accent); }
    button { font: inherit; margin-top: .4rem; background: none; color: var(--accent); border: 1px solid var(--line);
      border-radius: 4px; padding: .2rem .8rem; cursor: pointer; }
    .error { color: #c33; }`;

  class TimelineWidget extends HTMLElement {
    static get observedAttributes() { return ['api', 'country', 'match', 'from', 'to', 'kind', 'limit']; }

    constructor() {
      super();
      this.root = this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      style.textContent = STYLE;
      this.list = document.createElement('ol');
      this.list.setAttribute('part', 'list');
      this.more = document.createElement('button');
      this.more.textContent = 'More';
      this.more.hidden = true;
      this.more.addEventListener('click', () => this.load());
      this.root.append(style, this.list, this.more);
    }

    connectedCallback() { this.reset(); }
    attributeChangedCallback() { if (this.isConnected) this.reset(); }

    reset() {
      this.list.replaceChildren();
      this.cursor = '';
      this.load();
    }

    url() {
      const api = (this.getAttribute('api') || scriptOrigin).replace(/\/$/, '');
      const params = new URLSearchParams({ order: 'asc', limit: this.getAttribute('limit') || '20' });
      const list = (name) => (this.getAttribute(name) || '').split(',').map((v) => v.trim()).filter(Boolean);
      list('country').forEach((c) => params.append('country', c));
      list('kind').forEach((k) => params.append('kind', k));
      for (const name of ['match', 'from', 'to']) if (this.getAttribute(name)) params.set(name, this.getAttribute(name));
      if (this.cursor) params.set('cursor', this.cursor);
      return `${api}/api/v1/timeline?${params}`;
    }

    async load() {
      if (this.cursor === null) return;
      const url = this.url();
      this.more.disabled = true;
      try {
        const response = await fetch(url, { headers: { Accept: 'application/json' } });
        const page = await response.json();
        if (!response.ok) throw new Error(page.detail || response.statusText);
        for (const event of page.items) this.list.append(this.item(event));
        this.cursor = page.next_cursor;
        this.more.hidden = !this.cursor;
        this.dispatchEvent(new CustomEvent('timeline-loaded', { detail: { count: this.list.children.length } }));
      } catch (error) {
        const li = document.createElement('li');
        li.className = 'error';
        li.textContent = `Could not load the timeline: ${error.message}`;
        this.list.append(li);
        this.cursor = null;
      } finally {
        this.more.disabled = false;
      }
    }

    item(event) {
      const li = document.createElement('li');
      li.dataset.key = event.key;
      if (event.precision !== 'day' && !event.lasted) li.className = 'uncertain';
      const date = document.createElement('div');
      date.className = 'date';
      date.textContent = event.display_date;
      const title = document.createElement('div');
      title.className = 'title';
      const url = event.sources.map((s) => s.url).find(Boolean);
      if (url) {
        const link = document.createElement('a');
        link.href = url;
        link.rel = 'noopener';
        link.target = '_blank';
        link.textContent = event.title;
        title.append(link);
      } else {
        title.textContent = event.title;
      }
      li.append(date, title);
      return li;
    }
  }

  customElements.define('timeline-widget', TimelineWidget);
})();
