// The findings page in a real browser: playwright-core drives Debian's
// chromium against the real collector that e2e/page_test.go started. The Go
// test hands everything in QL_CONFIG (JSON) and reads one JSON line of
// measurements from stdout; an assertion that fails exits 1 with its
// message. Modes:
//   interactive: the waterfall of an N+1 with its loop highlighted, hover and
//     focus, live updates of the index and of a request page with the pause,
//     problem -> request -> trace store navigation, a request of 1,000
//     spans, the page without JavaScript, and no console error anywhere.
//   full-index: the index of max_requests requests, timed.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const cfg = JSON.parse(process.env.QL_CONFIG);
const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const viewport = { width: 1400, height: 1000 };
const errors = [];
const out = {};

// open launches Chromium on a fresh profile directory of its own.
async function open(options = {}) {
  const dir = fs.mkdtempSync(path.join(cfg.tmp, 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: cfg.chromium, headless: true, args: flags, viewport, ...options,
  });
  context.on('page', watch);
  for (const p of context.pages()) { watch(p); }
  return context;
}

// watch counts every console error and uncaught exception of the findings
// page (not of the trace store's pages, which are not ours).
function watch(page) {
  const ours = () => page.url().startsWith(cfg.page);
  page.on('console', (m) => { if (m.type() === 'error' && ours()) { errors.push(`${page.url()}: console: ${m.text()}`); } });
  page.on('pageerror', (e) => { if (ours()) { errors.push(`${page.url()}: ${e.message}`); } });
}

async function post(file) {
  const res = await fetch(cfg.otlp, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: fs.readFileSync(file) });
  assert.equal(res.status, 200, `POST ${file}: ${res.status} ${await res.text()}`);
}

async function shot(page, name, locator) {
  if (!cfg.shots) { return; }
  const file = path.join(cfg.shots, name);
  if (locator) { await locator.screenshot({ path: file }); } else { await page.screenshot({ path: file }); }
}

async function waterfallOfAnNPlusOne(page) {
  const n = cfg.nplus1;
  const res = await page.goto(`${cfg.page}/requests/${n.trace}`);
  assert.equal(res.status(), 200);
  const members = page.locator(`.wf li.m.t-${n.type}`);
  assert.equal(await members.count(), n.count, `${n.count} members of the ${n.type} highlighted`);
  const plain = page.locator('.wf li.db:not(.m)');
  const colour = (loc) => loc.locator('.b').first().evaluate((b) => getComputedStyle(b).backgroundColor);
  const memberColour = await colour(members.first());
  assert.equal(memberColour, 'rgb(220, 38, 38)', 'a member of an n_plus_one is red');
  if (await plain.count() > 0) {
    assert.notEqual(await colour(plain.first()), memberColour, 'other queries are not in the finding colour');
  }
  // The loop shows as stripes: one bar per row, each starting after the last.
  let lastX = -1;
  let lastY = -1;
  for (let i = 0; i < n.count; i++) {
    const box = await members.nth(i).locator('.b').boundingBox();
    assert.ok(box && box.x >= lastX && box.y > lastY, `member ${i} at ${JSON.stringify(box)}: not after the one before`);
    lastX = box.x;
    lastY = box.y;
  }
  const stripes = page.locator(`.wf .overview rect.m.t-${n.type}`);
  assert.equal(await stripes.count(), n.count, 'the overview strip shows each member');
  // Hover: statement, duration and finding, shown whole over the rows below.
  const third = members.nth(2);
  await third.hover();
  const tip = third.locator('.q');
  assert.equal(await tip.evaluate((q) => getComputedStyle(q).position), 'absolute', 'the hovered row shows its whole label');
  const text = await tip.innerText();
  assert.match(text, new RegExp(`^${n.type}SELECT|^${n.type} SELECT`), `hover text ${text}`);
  assert.match(text, / ms · one of the \d+ queries of this n_plus_one/);
  await shot(page, 'findings-page-waterfall-hover.png', page.locator('section.request').first());
  // Focus, from the keyboard alike.
  await page.mouse.move(0, 0);
  await members.nth(4).focus();
  assert.equal(await members.nth(4).locator('.q').evaluate((q) => getComputedStyle(q).position), 'absolute', 'focus shows the label');
  await members.nth(4).evaluate((li) => li.blur());
  // A finding's row highlights its spans on the waterfall.
  await page.locator('tr.finding').first().hover();
  assert.equal(await page.locator('.wf li.hl').count(), n.count, 'hovering the finding highlights its members');
  assert.ok(await page.locator('.wf.focus').count() === 1);
  await page.mouse.move(0, 0);
  assert.equal(await page.locator('.wf li.hl').count(), 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'findings-page-request.png');
  await shot(page, 'findings-page-waterfall.png', page.locator('.wf').first());
}

async function liveIndex(page) {
  await page.goto(`${cfg.page}/`);
  await page.locator('#live:not([hidden])').waitFor();
  await page.waitForFunction(() => document.querySelector('#live .state').textContent.startsWith('live'));
  await page.evaluate(() => { window.notReloaded = true; });
  const [first, second] = cfg.live;
  await post(first.file);
  await page.locator(`tr.request a[href="/requests/${first.trace}"]`).waitFor({ timeout: 30000 });
  assert.ok(await page.evaluate(() => window.notReloaded === true), 'the index updated in place, not reloaded');
  // Paused: a new trace is on the server, not on the page, until resumed.
  await page.locator('#live button').click();
  assert.equal(await page.locator('#live button').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('#live .state').innerText(), 'paused');
  await post(second.file);
  const deadline = Date.now() + 30000;
  for (;;) {
    const api = await (await fetch(`${cfg.page}/api/requests?limit=1000`)).json();
    if (api.some((r) => r.trace_id === second.trace)) { break; }
    assert.ok(Date.now() < deadline, 'the second trace never reached the page');
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 2500)); // events would have come by now
  assert.equal(await page.locator(`a[href="/requests/${second.trace}"]`).count(), 0, 'a paused page changed');
  await page.locator('#live button').click();
  await page.locator(`tr.request a[href="/requests/${second.trace}"]`).waitFor({ timeout: 30000 });
  assert.ok(await page.evaluate(() => window.notReloaded === true));
}

async function liveRequestPage(page) {
  const third = cfg.live[2];
  const res = await page.goto(`${cfg.page}/requests/${third.trace}`);
  assert.equal(res.status(), 404);
  assert.match(await page.locator('.missing').innerText(), /not among the recent requests yet/);
  await page.waitForFunction(() => document.querySelector('#live .state').textContent.startsWith('live'));
  await page.evaluate(() => { window.notReloaded = true; });
  await post(third.file);
  await page.locator('.wf li').first().waitFor({ timeout: 30000 });
  assert.ok(await page.evaluate(() => window.notReloaded === true), 'the request page updated in place');
  assert.ok(await page.locator('.wf li.m').count() > 0, 'the new request shows its loop');
}

// problem -> its requests -> a request -> the trace in the trace store.
async function navigation(page) {
  await page.goto(`${cfg.page}/problems`);
  await shot(page, 'findings-page-problems.png');
  const problem = page.locator('tr.problem', { has: page.locator(`.f.t-${cfg.nplus1.type}`) }).first();
  const id = (await problem.getAttribute('id')).slice(2);
  await problem.locator('a.reqs').click();
  await page.waitForURL(`${cfg.page}/?problem=${id}`);
  const rows = page.locator('tr.request');
  assert.ok(await rows.count() > 0, 'the problem lists its requests');
  assert.equal(await rows.count(), await page.locator(`tr.request .f.t-${cfg.nplus1.type}`).count(),
    'every request listed holds a finding of the problem\'s type');
  await rows.first().locator('a[href^="/requests/"]').click();
  await page.waitForURL(/\/requests\/[0-9a-f]{32}$/);
  const trace = page.url().split('/').pop();
  assert.ok(await page.locator(`tr.finding a.reqs[href="/?problem=${id}"]`).count() > 0, 'the request page holds the problem');
  const [store] = await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() && f.url().startsWith(cfg.traceStore) }),
    page.locator('a.ext.trace').click(),
  ]);
  assert.equal(page.url(), `${cfg.traceStore}/trace/${trace}`, 'the trace link opens the trace in the trace store');
  assert.ok(store);
  // The trace store holds the trace the link names.
  const deadline = Date.now() + 30000;
  for (;;) {
    const res = await fetch(`${cfg.traceStore}/api/traces/${trace}`);
    const body = res.ok ? await res.json() : { data: [] };
    if (body.data && body.data.length === 1 && body.data[0].spans.length > 0) {
      out.traceStoreSpans = body.data[0].spans.length;
      break;
    }
    assert.ok(Date.now() < deadline, `the trace store has no trace ${trace}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function thousandSpans(page) {
  const big = cfg.big;
  await post(big.file);
  const deadline = Date.now() + 30000;
  while (!(await fetch(`${cfg.page}/requests/${big.trace}`)).ok) {
    assert.ok(Date.now() < deadline, 'the request of 1,000 spans never reached the page');
    await new Promise((r) => setTimeout(r, 200));
  }
  const start = Date.now();
  await page.goto(`${cfg.page}/requests/${big.trace}`, { waitUntil: 'load' });
  out.bigPageLoadMs = Date.now() - start;
  out.bigPageTiming = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { responseEnd: Math.round(n.responseEnd), load: Math.round(n.loadEventEnd), bytes: n.transferSize };
  });
  assert.equal(await page.locator('.wf li').count(), big.spans, `all ${big.spans} spans on the waterfall`);
  assert.equal(await page.locator('.wf li.m.t-n_plus_one').count(), big.members);
  const middle = page.locator('.wf li.m').nth(Math.floor(big.members / 2));
  await middle.scrollIntoViewIfNeeded();
  await middle.hover();
  assert.equal(await middle.locator('.q').evaluate((q) => getComputedStyle(q).position), 'absolute');
  await page.mouse.move(0, 0);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'findings-page-1000-spans.png');
}

// Without JavaScript: the same waterfall, rendered by the server; ?finding=
// highlights a finding's spans.
async function withoutJavaScript() {
  const context = await open({ javaScriptEnabled: false });
  const page = context.pages()[0] || await context.newPage();
  const n = cfg.nplus1;
  await page.goto(`${cfg.page}/requests/${n.trace}`);
  assert.equal(await page.locator(`.wf li.m.t-${n.type}`).count(), n.count);
  assert.ok(await page.locator('#live').isHidden(), 'no live control without JavaScript');
  await page.locator('tr.finding a.show').first().click();
  assert.equal(await page.locator('.wf li.hl').count(), n.count, '?finding= highlights the finding without JavaScript');
  await context.close();
}

async function fullIndex(page) {
  const start = Date.now();
  await page.goto(`${cfg.page}/`, { waitUntil: 'load' });
  out.indexLoadMs = Date.now() - start;
  out.indexRows = await page.locator('tr.request').count();
  out.indexBytes = await page.evaluate(() => performance.getEntriesByType('navigation')[0].transferSize);
  assert.equal(out.indexRows, cfg.fullRows);
  await shot(page, 'findings-page-index-full.png');
}

const context = await open();
const page = context.pages()[0] || await context.newPage();
try {
  if (cfg.mode === 'full-index') {
    await fullIndex(page);
  } else {
    await page.goto(`${cfg.page}/`);
    await shot(page, 'findings-page-index.png');
    await waterfallOfAnNPlusOne(page);
    await liveIndex(page);
    await liveRequestPage(page);
    await navigation(page);
    await thousandSpans(page);
    await withoutJavaScript();
  }
  await page.goto('about:blank'); // the live connection closed before the check
  // The page of a trace not there yet is a 404 (and its live refetches until
  // the trace comes): the browser logs each; that is the answer, no error.
  const notYet = cfg.live ? `${cfg.page}/requests/${cfg.live[2].trace}: console: Failed to load resource: the server responded with a status of 404 (Not Found)` : '';
  assert.deepEqual(errors.filter((e) => e !== notYet), [], 'console errors');
  out.notYet404s = errors.length;
} finally {
  await context.close();
}
console.log(JSON.stringify(out));
