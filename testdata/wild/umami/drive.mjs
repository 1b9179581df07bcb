#!/usr/bin/env node
// Workload for umami (Next.js API routes on Prisma 7 + PostgreSQL): HTTP calls against the
// running app only. It logs in as the install's admin, creates users, teams, websites, links,
// pixels, boards, segments, reports and shares through the API, sends ~1,300 tracker events
// (batches through /api/batch, single ones through /api/send, identify calls with session
// data), then reads every list, detail, stats and report endpoint, with first and deep pages.
//
// usage: node drive.mjs http://127.0.0.1:3310

const BASE = (process.argv[2] || 'http://127.0.0.1:3000').replace(/\/$/, '');
const UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

let token = null;
let calls = 0;
const failures = [];

async function call(method, path, body, headers = {}) {
  calls++;
  const res = await fetch(BASE + path, {
    method,
    headers: {
      'content-type': 'application/json',
      'user-agent': UA,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = text;
  try {
    data = JSON.parse(text);
  } catch {}
  if (!res.ok) failures.push(`${method} ${path} -> ${res.status} ${text.slice(0, 120)}`);
  return data;
}
const get = p => call('GET', p);
const post = (p, b, h) => call('POST', p, b, h);

const uuid = () => crypto.randomUUID();
const pick = (a, i) => a[i % a.length];
const DAY = 86400000;
const now = Date.now();
const range = `startAt=${now - 30 * DAY}&endAt=${now + DAY}`;
const iso = t => new Date(t).toISOString();

async function main() {
  // --- login
  const login = await post('/api/auth/login', { username: 'admin', password: 'umami' });
  token = login.token;
  if (!token) throw new Error('login failed: ' + JSON.stringify(login));
  const me = login.user;
  await post('/api/auth/verify');
  await get('/api/config');
  await get('/api/heartbeat');
  await get('/api/me');

  // --- users
  const users = [];
  for (let i = 0; i < 24; i++) {
    const u = await post('/api/users', {
      username: `user${i}-${now % 100000}`,
      password: 'password123',
      role: i % 5 === 0 ? 'view-only' : 'user',
    });
    if (u?.id) users.push(u);
  }

  // --- teams, with members
  const teams = [];
  for (let i = 0; i < 12; i++) {
    const t = await post('/api/teams', { name: `Team ${i}` });
    const team = Array.isArray(t) ? t[0] : t;
    if (team?.id) teams.push(team);
  }
  for (let i = 0; i < teams.length; i++) {
    for (let j = 0; j < 6; j++) {
      await post(`/api/teams/${teams[i].id}/users`, {
        userId: users[(i * 3 + j) % users.length].id,
        role: j === 0 ? 'team-manager' : 'team-member',
      });
    }
  }

  // --- websites: the admin's own (some shared), and team websites
  const websites = [];
  for (let i = 0; i < 40; i++) {
    const w = await post('/api/websites', {
      name: `Site ${String(i).padStart(2, '0')}`,
      domain: `site${i}.example.org`,
      ...(i % 4 === 0 ? { shareId: `share${i}x${now % 100000}` } : {}),
    });
    if (w?.id) websites.push(w);
  }
  const teamSites = [];
  for (let i = 0; i < 24; i++) {
    const w = await post('/api/websites', {
      name: `Team site ${i}`,
      domain: `team${i}.example.org`,
      teamId: teams[i % teams.length].id,
    });
    if (w?.id) teamSites.push(w);
  }

  // --- tracker traffic: batches of 50 events, each from its own visitor (distinct id)
  const main = websites[1].id;
  const paths = ['/', '/pricing', '/docs', '/blog', '/blog/post-1', '/about', '/contact', '/signup'];
  const refs = ['https://www.google.com/', 'https://news.ycombinator.com/', 'https://twitter.com/x', ''];
  let n = 0;
  for (let b = 0; b < 24; b++) {
    const batch = [];
    for (let k = 0; k < 50; k++, n++) {
      const custom = n % 5 === 0;
      batch.push({
        type: 'event',
        payload: {
          website: main,
          hostname: 'site1.example.org',
          language: pick(['en-US', 'de-DE', 'fr-FR'], n),
          screen: pick(['1920x1080', '390x844', '1440x900'], n),
          title: 'Page',
          url: pick(paths, n) + (n % 7 === 0 ? '?utm_source=newsletter&utm_medium=email' : ''),
          referrer: pick(refs, n),
          id: `visitor-${n}`,
          timestamp: Math.floor((now - (n % 20) * DAY) / 1000),
          ...(custom ? { name: pick(['signup', 'click-cta', 'download'], n), data: { plan: pick(['free', 'pro'], n), amount: n % 50 } } : {}),
        },
      });
    }
    await post('/api/batch', batch);
  }
  // a few single events and performance beacons through /api/send
  for (let i = 0; i < 20; i++) {
    await post('/api/send', {
      type: i % 4 === 3 ? 'performance' : 'event',
      payload: {
        website: pick([websites[1].id, websites[2].id], i),
        hostname: 'site1.example.org',
        url: pick(paths, i),
        title: 'Page',
        language: 'en-US',
        screen: '1920x1080',
        id: `single-${i}`,
        ...(i % 4 === 3 ? { lcp: 1200 + i, fcp: 800, ttfb: 120, cls: 0.02, inp: 90 } : {}),
      },
    });
  }
  // identify: session data of 8 properties per visitor
  for (let i = 0; i < 10; i++) {
    await post('/api/send', {
      type: 'identify',
      payload: {
        website: main,
        hostname: 'site1.example.org',
        id: `visitor-${i}`,
        data: { email: `v${i}@example.org`, plan: 'pro', seats: i + 1, company: `Co ${i}`, country: 'DE', beta: true, tier: 'gold', source: 'ads' },
      },
    });
  }

  // --- links, pixels, boards, segments, reports, shares
  const links = [];
  const pixels = [];
  for (let i = 0; i < 15; i++) {
    const l = await post('/api/links', { name: `Link ${i}`, url: `https://example.org/${i}`, slug: `lnk${i}x${now % 100000}` });
    if (l?.id) links.push(l);
    const p = await post('/api/pixels', { name: `Pixel ${i}`, slug: `px${i}x${now % 100000}` });
    if (p?.id) pixels.push(p);
  }
  const boards = [];
  for (let i = 0; i < 6; i++) {
    const bd = await post('/api/boards', {
      type: 'website',
      name: `Board ${i}`,
      description: 'overview',
      parameters: { websiteId: main },
    });
    if (bd?.id) boards.push(bd);
  }
  const segments = [];
  for (let i = 0; i < 8; i++) {
    const s = await post(`/api/websites/${main}/segments`, {
      type: i % 2 ? 'cohort' : 'segment',
      name: `Segment ${i}`,
      parameters: {
        filters: [{ name: 'browser', operator: 'eq', value: 'chrome' }],
        match: 'all',
        ...(i % 2 ? { dateRange: '30day', action: { type: 'path', value: '/pricing' } } : {}),
      },
    });
    if (s?.id) segments.push(s);
  }
  const reportParams = { startDate: iso(now - 30 * DAY), endDate: iso(now + DAY) };
  const reports = [];
  for (let i = 0; i < 10; i++) {
    const r = await post('/api/reports', {
      websiteId: main,
      type: pick(['funnel', 'goal', 'utm', 'journey', 'retention'], i),
      name: `Report ${i}`,
      description: 'saved',
      parameters: reportParams,
    });
    if (r?.id) reports.push(r);
  }
  for (let i = 0; i < 5; i++) {
    await post(`/api/websites/${websites[i + 3].id}/shares`, { name: `share ${i}`, parameters: { overview: true } });
  }

  // --- reads: lists, first and later pages, searches
  for (let rep = 0; rep < 3; rep++) {
    await get('/api/websites');
    await get('/api/websites?page=2&pageSize=10');
    await get('/api/websites?includeTeams=1&pageSize=20');
    await get('/api/websites?search=Site%201');
    await get('/api/me/websites?pageSize=25');
    await get('/api/me/teams');
    await get('/api/teams');
    await get('/api/admin/users?pageSize=20');
    await get('/api/admin/users?page=2&pageSize=10');
    await get('/api/admin/websites?pageSize=30');
    await get('/api/admin/websites?page=3&pageSize=20');
    await get('/api/admin/teams?pageSize=20');
    await get('/api/links?pageSize=20');
    await get('/api/pixels?pageSize=20');
    await get('/api/boards');
    await get(`/api/reports?websiteId=${main}`);
    await get(`/api/websites/${main}/reports`);
    await get(`/api/websites/${main}/segments?type=segment`);
    await get(`/api/websites/${main}/segments?type=cohort`);
    await get(`/api/websites/${websites[4].id}/shares`);
  }
  for (const t of teams.slice(0, 4)) {
    await get(`/api/teams/${t.id}`);
    await get(`/api/teams/${t.id}/users`);
    await get(`/api/teams/${t.id}/websites`);
    await get(`/api/teams/${t.id}/links`);
    await get(`/api/teams/${t.id}/pixels`);
    await get(`/api/teams/${t.id}/boards`);
  }
  for (const u of users.slice(0, 4)) {
    await get(`/api/users/${u.id}`);
    await get(`/api/users/${u.id}/websites`);
    await get(`/api/users/${u.id}/teams`);
  }
  await get(`/api/users/${me.id}/websites?pageSize=30`);
  for (const l of links.slice(0, 3)) await get(`/api/links/${l.id}`);
  for (const p of pixels.slice(0, 3)) await get(`/api/pixels/${p.id}`);
  for (const bd of boards.slice(0, 3)) await get(`/api/boards/${bd.id}`);
  for (const r of reports.slice(0, 3)) await get(`/api/reports/${r.id}`);

  // --- website analytics
  for (const w of [websites[1], websites[2]]) {
    const id = w.id;
    await get(`/api/websites/${id}`);
    await get(`/api/websites/${id}/active`);
    await get(`/api/websites/${id}/daterange`);
    await get(`/api/websites/${id}/stats?${range}`);
    await get(`/api/websites/${id}/pageviews?${range}&unit=day&timezone=UTC`);
    for (const type of ['path', 'referrer', 'browser', 'os', 'device', 'country', 'language', 'event'])
      await get(`/api/websites/${id}/metrics?${range}&type=${type}`);
    await get(`/api/websites/${id}/metrics/expanded?${range}&type=path`);
    await get(`/api/websites/${id}/events?${range}&pageSize=20`);
    await get(`/api/websites/${id}/events/stats?${range}`);
    await get(`/api/websites/${id}/events/series?${range}&unit=day&timezone=UTC`);
    await get(`/api/websites/${id}/sessions?${range}&pageSize=20`);
    await get(`/api/websites/${id}/sessions/stats?${range}`);
    await get(`/api/websites/${id}/sessions/weekly?${range}&timezone=UTC`);
    await get(`/api/websites/${id}/event-data?${range}&pageSize=20`);
    await get(`/api/websites/${id}/event-data/events?${range}`);
    await get(`/api/websites/${id}/event-data/fields?${range}`);
    await get(`/api/websites/${id}/event-data/properties?${range}`);
    await get(`/api/websites/${id}/event-data/values?${range}&event=signup&propertyName=plan`);
    await get(`/api/websites/${id}/event-data/stats?${range}`);
    await get(`/api/websites/${id}/session-data/properties?${range}`);
    await get(`/api/websites/${id}/session-data/values?${range}&propertyName=plan`);
    await get(`/api/websites/${id}/values?${range}&type=browser`);
    await get(`/api/realtime/${id}?startAt=${now - DAY}`);
  }
  // deep pages of the events and sessions lists (offset >= 1000)
  for (const page of [51, 55, 60]) {
    await get(`/api/websites/${main}/events?${range}&pageSize=20&page=${page}`);
    await get(`/api/websites/${main}/sessions?${range}&pageSize=20&page=${page}`);
  }
  await get(`/api/websites/${main}/events?${range}&pageSize=20&search=pricing`);
  await get(`/api/websites/${main}/sessions?${range}&pageSize=20&search=chrome`);
  await get(`/api/websites/${main}/events?${range}&pageSize=20&segment=${segments[0]?.id}`);
  const sessions = await get(`/api/websites/${main}/sessions?${range}&pageSize=5`);
  for (const s of sessions?.data ?? []) {
    await get(`/api/websites/${main}/sessions/${s.id}`);
    await get(`/api/websites/${main}/sessions/${s.id}/activity?${range}`);
    await get(`/api/websites/${main}/sessions/${s.id}/properties`);
  }

  // --- report runs
  const filters = {};
  const runs = [
    ['funnel', { ...reportParams, window: 60, steps: [{ type: 'path', value: '/' }, { type: 'path', value: '/pricing' }, { type: 'event', value: 'signup' }] }],
    ['goal', { ...reportParams, type: 'path', value: '/signup' }],
    ['journey', { ...reportParams, steps: 4 }],
    ['retention', { ...reportParams, timezone: 'UTC' }],
    ['utm', reportParams],
    ['performance', { ...reportParams, unit: 'day', timezone: 'UTC', metric: 'lcp' }],
    ['revenue', { ...reportParams, unit: 'day', timezone: 'UTC', currency: 'USD' }],
    ['attribution', { ...reportParams, model: 'first-click', type: 'path', step: '/signup' }],
    ['breakdown', { ...reportParams, fields: ['path', 'browser'] }],
  ];
  for (const [type, parameters] of runs) {
    await post(`/api/reports/${type}`, { websiteId: main, type, filters, parameters });
  }

  // --- updates and deletes
  await post(`/api/websites/${websites[5].id}`, { name: 'Renamed site', domain: 'renamed.example.org' });
  await post(`/api/teams/${teams[1].id}`, { name: 'Renamed team' });
  await post(`/api/users/${users[2].id}`, { username: `renamed-${now % 100000}` });
  await post(`/api/reports/${reports[0].id}`, { websiteId: main, type: 'funnel', name: 'Funnel v2', parameters: reportParams });
  await post(`/api/links/${links[0].id}`, { name: 'Link renamed', url: 'https://example.org/new', slug: `lnk0r${now % 100000}` });
  await post(`/api/websites/${websites[6].id}/transfer`, { teamId: teams[0].id });
  await post(`/api/websites/${websites[2].id}/reset`);
  await call('DELETE', `/api/websites/${websites[7].id}`);
  await call('DELETE', `/api/teams/${teams[11].id}/users/${users[(11 * 3 + 1) % users.length].id}`);
  await call('DELETE', `/api/teams/${teams[10].id}`);
  await call('DELETE', `/api/users/${users[23].id}`);
  await call('DELETE', `/api/links/${links[14].id}`);
  await call('DELETE', `/api/pixels/${pixels[14].id}`);
  await call('DELETE', `/api/boards/${boards[5].id}`);
  await call('DELETE', `/api/reports/${reports[9].id}`);
  await call('DELETE', `/api/websites/${main}/segments/${segments[7].id}`);
  await post('/api/auth/logout');

  console.log(`${calls} requests, ${failures.length} not ok`);
  for (const f of failures) console.log('  ' + f);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
