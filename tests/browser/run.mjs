// The browser test: Debian's chromium, driven by playwright-core, against
// two real servers (SEEDED: the seeded database; BIG: a generated one) and
// a plain site on a third origin that embeds the widget and TimelineJS, so
// CORS is exercised as a browser does it. Run by scripts/browser-test.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const { SEEDED, BIG, CHROMIUM = '/usr/bin/chromium', SCREENSHOT } = process.env;
const TIMELINEJS = new URL('node_modules/@knight-lab/timelinejs/dist/', import.meta.url).pathname;
const BILATERAL = 'country=RU&country=KP&match=all';

const api = async (base, path) => {
  const response = await fetch(`${base}/api/v1${path}`);
  assert.equal(response.status, 200, `${path}: ${response.status}`);
  return response.json();
};

// -- the other site --------------------------------------------------------

const site = {
  '/blank.html': '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>blank</title>',
  '/widget.html': `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>A news site</title>
    <h1>Russia and North Korea</h1>
    <script src="${SEEDED}/widget.js"></script>
    <timeline-widget api="${SEEDED}" country="RU,KP" match="all" from="2024"></timeline-widget>`,
  '/timelinejs.html': `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>TimelineJS</title>
    <link rel="stylesheet" href="/tl/css/timeline.css">
    <script src="/tl/js/timeline.js"></script>
    <div id="timeline-embed" style="width: 100%; height: 600px"></div>
    <script>
      fetch("${SEEDED}/api/v1/timeline?format=timelinejs&${BILATERAL}&order=asc&limit=100&title=Russia%E2%80%93DPRK")
        .then((r) => r.json())
        .then((data) => {
          window.slides = data.events.length + (data.title ? 1 : 0);
          window.timeline = new TL.Timeline('timeline-embed', data, { script_path: location.origin + '/tl/js/', font: false });
        });
    </script>`,
};
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.svg': 'image/svg+xml' };

const server = http.createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (site[path]) return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(site[path]);
  if (path.startsWith('/tl/')) {
    const file = normalize(join(TIMELINEJS, path.slice(4)));
    if (file.startsWith(TIMELINEJS)) {
      try {
        return res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' }).end(await readFile(file));
      } catch { /* falls through to 404 */ }
    }
  }
  res.writeHead(404).end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const OTHER = `http://127.0.0.1:${server.address().port}`;

// -- the browser -----------------------------------------------------------

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

const opened = [];
async function open(url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  opened.push(page);
  page.on('crash', () => page.errors.push('the page crashed'));
  page.errors = [];
  page.on('console', (m) => m.type() === 'error' && page.errors.push(m.text()));
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.requests = [];
  page.on('request', (r) => page.requests.push(r));
  page.on('requestfailed', (r) => page.errors.push(`request failed: ${r.url()}`));
  await page.goto(url);
  return page;
}

// Waits for `fn` to hold in the page; a timeout says what the page logged.
async function until(page, fn, arg, what, timeout = 30000) {
  try {
    await page.waitForFunction(fn, arg, { timeout });
  } catch (error) {
    throw new Error(`${what}: not so after ${timeout} ms; the page logged: ${JSON.stringify(page.errors)}`);
  }
}

const listed = (page) => page.$$eval('#events > li', (lis) => lis.map((li) => ({
  key: li.dataset.key,
  date: li.querySelector('.date').firstChild.textContent,
})));

const checks = [];
const check = (name, body) => checks.push([name, body]);

check('the page shows the bilateral timeline in order with honest dates, and keeps it in its URL', async () => {
  const expected = (await api(SEEDED, `/timeline?${BILATERAL}&order=asc&limit=100`)).items;
  assert.ok(expected.length >= 4, 'the seed has Russia–DPRK events');
  const page = await open(`${SEEDED}/`);
  await page.waitForSelector('#country option[value=KP]', { state: 'attached' });
  await page.selectOption('#country', ['RU', 'KP']);
  await page.check('#match');
  await page.click('#show');
  await until(page, (n) => document.querySelectorAll('#events > li').length === n, expected.length, 'the list shows the events');
  assert.deepEqual(await listed(page), expected.map((e) => ({ key: e.key, date: e.display_date })));
  const dates = expected.map((e) => e.display_date);
  assert.ok(dates.includes('the week of 20–26 October 2025') && dates.includes('early October 2025'), dates.join('; '));
  await until(page, (n) => document.querySelectorAll('#timeline .vis-item-content').length === n, expected.length, 'the timeline shows the events');
  assert.ok(await page.$('#timeline .vis-item.uncertain'), 'a week is drawn as an uncertain range');
  const quotes = await page.$$eval('#events blockquote', (q) => q.length);
  assert.ok(quotes >= expected.length, 'each event shows the passage it rests on');
  const url = new URL(page.url());
  assert.deepEqual(url.searchParams.getAll('country'), ['RU', 'KP']);
  assert.equal(url.searchParams.get('match'), 'all');
  if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: false });

  const shared = await open(page.url());
  await until(shared, (n) => document.querySelectorAll('#events > li').length === n, expected.length, 'a shared URL shows the same events');
  assert.deepEqual(await shared.$$eval('#country option:checked', (o) => o.map((x) => x.value)), ['RU', 'KP']);
  assert.ok(await shared.isChecked('#match'));
  assert.deepEqual(page.errors.concat(shared.errors), []);
});

check('scrolling the list loads the next page; zooming the timeline loads the new window', async () => {
  const pages = [await api(BIG, '/timeline?country=US&order=asc&limit=50')];
  pages.push(await api(BIG, `/timeline?country=US&order=asc&limit=50&cursor=${pages[0].next_cursor}`));
  const expected = pages.flatMap((p) => p.items.map((e) => e.key));
  const page = await open(`${BIG}/?country=US`);
  await until(page, () => document.querySelectorAll('#events > li').length === 50, null, 'the first page is listed');
  await until(page, () => document.querySelectorAll('#timeline .vis-item-content').length > 0, null, 'the timeline shows events');
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await until(page, () => document.querySelectorAll('#events > li').length >= 100, null, 'scrolling to the end lists the next page');
  assert.deepEqual((await listed(page)).slice(0, 100).map((e) => e.key), expected);

  const windows = () => page.requests.map((r) => new URL(r.url())).filter((u) => u.searchParams.get('format') === 'vis');
  const before = windows();
  const firstFrom = before[0].searchParams.get('from');
  const asked = page.waitForRequest((r) => new URL(r.url()).searchParams.get('format') === 'vis', { timeout: 30000 });
  await page.click('#zoom-out');
  await asked;
  const after = windows().slice(before.length);
  assert.ok(after.some((u) => u.searchParams.get('from') < firstFrom), `zooming out asks for an earlier window: ${after.map(String)}`);
  assert.deepEqual(page.errors, []);
});

check('the widget on another origin shows the live timeline through CORS, with no global leaks', async () => {
  const expected = (await api(SEEDED, `/timeline?${BILATERAL}&from=2024&order=asc&limit=20`)).items;
  const blank = await open(`${OTHER}/blank.html`);
  const globals = await blank.evaluate(() => Object.keys(window));
  const page = await open(`${OTHER}/widget.html`);
  await until(page, (n) => document.querySelector('timeline-widget').shadowRoot.querySelectorAll('li').length === n, expected.length, 'the widget lists the events');
  const shown = await page.$$eval('timeline-widget li', (lis) => lis.map((li) => [li.dataset.key, li.querySelector('.date').textContent]));
  assert.deepEqual(shown, expected.map((e) => [e.key, e.display_date]));
  const call = page.requests.find((r) => r.url().startsWith(`${SEEDED}/api/v1/timeline`));
  assert.equal((await call.allHeaders()).origin, OTHER);
  assert.equal((await (await call.response()).allHeaders())['access-control-allow-origin'], OTHER);
  const leaked = await page.evaluate((before) => Object.keys(window).filter((k) => !before.includes(k)), globals);
  assert.deepEqual(leaked, []);
  const background = () => page.$eval('timeline-widget', (w) => getComputedStyle(w).backgroundColor);
  const light = await background();
  await page.$eval('timeline-widget', (w) => w.setAttribute('theme', 'dark'));
  assert.notEqual(await background(), light, 'the dark style applies');
  assert.deepEqual(page.errors, []);
});

check('the real TimelineJS renders the slides of format=timelinejs with no console errors', async () => {
  const page = await open(`${OTHER}/timelinejs.html`);
  await until(page, () => window.slides && document.querySelectorAll('.tl-slide').length === window.slides, null, 'TimelineJS renders a slide per event and the title');
  const text = await page.$eval('#timeline-embed', (e) => e.textContent);
  for (const honest of ['the week of 20–26 October 2025', 'early October 2025', 'Russia–DPRK']) {
    assert.ok(text.includes(honest), `TimelineJS shows "${honest}"`);
  }
  await page.waitForTimeout(500);
  assert.deepEqual(page.errors, []);
});

let failed = 0;
// ONLY=words runs the checks whose name has them.
const chosen = checks.filter(([name]) => name.includes(process.env.ONLY || ''));
for (const [name, body] of chosen) {
  try {
    await body();
    console.log(`ok      ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAILED  ${name}\n${error.stack}`);
  }
  while (opened.length) await opened.pop().close();
}
await browser.close();
server.close();
console.log(`browser test: ${chosen.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
