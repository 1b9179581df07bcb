'use strict';
// Regenerates testdata/sequelize/ and testdata/knex/.
//
// This process is NOT instrumented. It runs:
//   - the OTLP sink: an http server on a free loopback port that takes the exporter's
//     POST /v1/traces and appends each body, re-serialized as one line of JSON, to the
//     current scenario's file (or drops it between scenarios: schema and seed spans);
//   - one instrumented bookshop process per ORM (app.js), driven over IPC;
//   - the client: one un-instrumented fetch() per scenario, so the app's HTTP server
//     span is the root of the scenario's trace.
// Then it checks every file (one trace, one root) and writes <scenario>.expected.json.
//
// Usage: node generate.js            every scenario
//        node generate.js --base     the scenarios of the first table of testdata/README.md
//        node generate.js --rest     those of "The rest of the catalogue" only
//        node generate.js --paged-parallel   those of the last section (pages over joins, parallel N+1, GraphQL)
//        node generate.js NAME ...   the named scenarios only
const fs = require('fs');
const http = require('http');
const path = require('path');
const { fork } = require('child_process');
const seed = require('./seed');
const rules = require('./rules');

// testdata/, or TESTDATA_OUT (e.g. to try a change without touching the committed files).
const OUT_ROOT = process.env.TESTDATA_OUT ? path.resolve(process.env.TESTDATA_OUT) : path.resolve(__dirname, '..', '..');

// [scenario, seed_trap, finding or null]: the finding's repeated-statement count and table.
const SCENARIOS = [
  ['forward_fk_loop', 'N+1 on forward FK', { count: 12, table: 'authors' }],
  ['forward_fk_join', 'N+1 on forward FK', null],
  ['collection_loop', 'N+1 on collection / M2M', { count: 8, table: 'books' }],
  ['collection_prefetch', 'N+1 on collection / M2M', null],
  ['m2m_loop', 'N+1 on collection / M2M', { count: 10, table: 'tags' }],
  ['m2m_prefetch', 'N+1 on collection / M2M', null],
  ['count_loop', 'Counting in Python', { count: 7, table: 'books' }],
  ['count_annotate', 'Counting in Python', null],
  ['insert_loop', "row-at-a-time INSERT in a loop (not in the seed article's checklist)", { count: 20, table: 'books' }],
  ['insert_bulk', "row-at-a-time INSERT in a loop (not in the seed article's checklist)", null],
  ['below_threshold', 'N+1 on forward FK, 3 items (below the default threshold of 5)', null],
];

// "The rest of the catalogue": [scenario, seed_trap, { orm: declared findings }]. Only the
// ORMs listed produce the scenario. The declared findings are what the README's rules give
// for the code of each handler; generate.js fails unless rules.js finds exactly these in the
// generated file (type, count, table, and the anchor's name when declared).
const OF = (table, anchor) => ({ type: 'over_fetch', count: 1, table, anchor_span_name: anchor });
const KNEX_SELECT = (table) => `select js_testdata.${table}`;
const KNEX_FIRST = (table) => `first js_testdata.${table}`;
const SEQ = 'Sequelize SELECT';
const REST = [
  ['mn_plus_one_loop', 'N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N+1)', {
    sequelize: [{ type: 'mn_plus_one', count: 10, anchor_span_name: 'request handler', table: 'authors' }],
    knex: [{ type: 'mn_plus_one', count: 10, anchor_span_name: 'request handler', table: 'authors' },
      OF('books', KNEX_SELECT('books')), OF('authors', KNEX_FIRST('authors')), OF('tags', KNEX_SELECT('tags'))],
  }],
  ['mn_plus_one_prefetch', 'N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N+1)', {
    sequelize: [],
    knex: [OF('books', KNEX_SELECT('books')), OF('authors', KNEX_SELECT('authors')), OF('tags', KNEX_SELECT('tags'))],
  }],
  ['duplicate_loop', 'the same query repeated within one request (the seed article: "see counts and duplicates per request")', {
    sequelize: [{ type: 'duplicate_query', count: 8, anchor_span_name: 'request handler', table: 'settings' }],
    knex: [{ type: 'n_plus_one', count: 8, anchor_span_name: 'request handler', table: 'settings' },
      OF('books', KNEX_SELECT('books')), OF('settings', KNEX_FIRST('settings'))],
  }],
  ['duplicate_loop_no_param', 'the same query repeated within one request (the seed article: "see counts and duplicates per request")', {
    knex: [{ type: 'duplicate_query', count: 8, anchor_span_name: 'request handler', table: 'settings' },
      OF('books', KNEX_SELECT('books'))],
  }],
  ['duplicate_cached', 'the same query repeated within one request (the seed article: "see counts and duplicates per request")', {
    sequelize: [],
    knex: [OF('books', KNEX_SELECT('books')), OF('settings', KNEX_FIRST('settings'))],
  }],
  ['api_loop', "N+1 over HTTP: one call to another service per item (not in the seed article's checklist)", {
    sequelize: [{ type: 'n_plus_one_api', count: 8, anchor_span_name: 'request handler' }],
    knex: [{ type: 'n_plus_one_api', count: 8, anchor_span_name: 'request handler' }, OF('books', KNEX_SELECT('books'))],
  }],
  ['api_batch', "N+1 over HTTP: one call to another service per item (not in the seed article's checklist)", {
    sequelize: [],
    knex: [OF('books', KNEX_SELECT('books'))],
  }],
  ['over_fetch_select_star', 'Fetching whole objects to read', {
    knex: [OF('books', KNEX_SELECT('books'))],
  }],
  ['over_fetch_columns', 'Fetching whole objects to read', { knex: [] }],
  ['deep_offset', 'Deep OFFSET pagination', {
    sequelize: [{ type: 'deep_offset', count: 1, anchor_span_name: SEQ, table: 'books' }],
    knex: [OF('books', KNEX_SELECT('books'))],
  }],
  ['pagination_count', 'Pagination pitfalls: counting for pagination is a full second query', {
    sequelize: [{ type: 'pagination_count', count: 2, anchor_span_name: 'request handler', table: 'books' }],
    knex: [OF('books', KNEX_SELECT('books')),
      { type: 'pagination_count', count: 2, anchor_span_name: 'request handler', table: 'books' }],
  }],
  ['keyset_page', 'Deep OFFSET pagination and counting for pagination: the fix, keyset pagination', {
    sequelize: [],
    knex: [OF('books', KNEX_SELECT('books'))],
  }],
  ['several_traps', 'N+1 on forward FK, Deep OFFSET pagination and counting for pagination, in one request', {
    sequelize: [{ type: 'n_plus_one', count: 10, anchor_span_name: 'request handler', table: 'authors' },
      { type: 'deep_offset', count: 1, anchor_span_name: SEQ, table: 'books' },
      { type: 'pagination_count', count: 2, anchor_span_name: 'request handler', table: 'books' }],
    knex: [{ type: 'n_plus_one', count: 10, anchor_span_name: 'request handler', table: 'authors' },
      OF('books', KNEX_SELECT('books')), OF('authors', KNEX_FIRST('authors')), OF('books', KNEX_SELECT('books')),
      { type: 'pagination_count', count: 2, anchor_span_name: 'request handler', table: 'books' }],
  }],
];

// The scenarios of testdata/README.md's last section (pages over joins, parallel N+1, GraphQL):
// declared and checked like REST, but on the small seed only (no backlist).
const PAGED_TRAP = 'Pagination pitfalls: slicing after a to-many prefetch/join can multiply or mis-limit rows';
const PARALLEL_TRAP = 'N+1 on forward FK, the repeats run concurrently (Promise.all; not in the seed article)';
const GRAPHQL_TRAP = 'N+1 on forward FK in a GraphQL field resolver, run concurrently by graphql-js (not in the seed article)';
const PTM = (anchor) => ({ type: 'paged_to_many_join', count: 1, anchor_span_name: anchor, table: 'authors' });
const NPO = (count, anchor, table) => ({ type: 'n_plus_one', count, anchor_span_name: anchor, table });
const ISSUE11 = [
  ['paged_to_many_join', PAGED_TRAP, {
    sequelize: [PTM(SEQ)],
    knex: [PTM(KNEX_SELECT('authors')), OF('authors', KNEX_SELECT('authors'))],
  }],
  ['paged_to_many_fixed', PAGED_TRAP, {
    sequelize: [],
    knex: [OF('authors', KNEX_SELECT('authors')), OF('books', KNEX_SELECT('books'))],
  }],
  ['paged_to_one_join', PAGED_TRAP, { sequelize: [], knex: [] }],
  ['paged_subquery', PAGED_TRAP, { sequelize: [] }],
  ['parallel_n_plus_one', PARALLEL_TRAP, {
    sequelize: [NPO(12, 'request handler', 'authors')],
    knex: [NPO(12, 'request handler', 'authors'), OF('books', KNEX_SELECT('books')), OF('authors', KNEX_FIRST('authors'))],
  }],
  ['parallel_fixed', PARALLEL_TRAP, {
    sequelize: [],
    knex: [OF('books', KNEX_SELECT('books')), OF('authors', KNEX_SELECT('authors'))],
  }],
  ['graphql_n_plus_one', GRAPHQL_TRAP, {
    sequelize: [NPO(12, 'graphql.resolve books', 'authors')],
    knex: [NPO(12, 'graphql.resolve books', 'authors'), OF('books', KNEX_SELECT('books')), OF('authors', KNEX_FIRST('authors'))],
  }],
  ['graphql_dataloader', GRAPHQL_TRAP, {
    sequelize: [],
    knex: [OF('books', KNEX_SELECT('books')), OF('authors', KNEX_SELECT('authors'))],
  }],
];
const GRAPHQL_PACKAGES = ['graphql', 'graphql-http', '@opentelemetry/instrumentation-graphql'];

const ORMS = {
  sequelize: {
    dir: 'sequelize',
    semconvOptIn: 'database',
    packages: ['sequelize', 'pg', 'express', '@opentelemetry/sdk-node', '@opentelemetry/exporter-trace-otlp-http',
      '@opentelemetry/instrumentation-sequelize', '@opentelemetry/instrumentation-pg',
      '@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-express'],
  },
  knex: {
    dir: 'knex',
    semconvOptIn: undefined,
    packages: ['knex', 'pg', 'express', '@opentelemetry/sdk-node', '@opentelemetry/exporter-trace-otlp-http',
      '@opentelemetry/instrumentation-knex', '@opentelemetry/instrumentation-pg',
      '@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-express'],
  },
};

function pkgVersion(name) {
  return require(path.join(__dirname, 'node_modules', name, 'package.json')).version;
}

// ---- the sink -------------------------------------------------------------------------

let currentFile = null;
let discarded = 0;

function startSink() {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if (!String(req.headers['content-type']).startsWith('application/json')) {
        console.error(`sink: unexpected content-type ${req.headers['content-type']}`);
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (currentFile) fs.appendFileSync(currentFile, JSON.stringify(body) + '\n');
      else discarded++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- the bookshop process ---------------------------------------------------------------

const children = [];

// Forks an IPC child (app.js or inventory.js); message id 0 is its "ready" (with a result).
function startChild(script, env) {
  const child = fork(path.join(__dirname, script), [], { env, cwd: __dirname });
  children.push(child);
  let nextId = 1;
  const pending = new Map();
  let readyResolve;
  const ready = new Promise((r) => { readyResolve = r; });
  child.on('message', (msg) => {
    if (msg.id === 0) return readyResolve(msg.result);
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`${script} exited with ${code}`));
  });
  const call = (type, extra = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    child.send({ id, type, ...extra });
  });
  return { ready, call, child };
}

function baseEnv(sinkUrl) {
  const env = { ...process.env, SINK_URL: sinkUrl, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
  delete env.OTEL_SEMCONV_STABILITY_OPT_IN;
  return env;
}

function startApp(orm, sinkUrl, inventoryUrl) {
  const env = { ...baseEnv(sinkUrl), BOOKSHOP_ORM: orm };
  if (inventoryUrl) env.INVENTORY_URL = inventoryUrl;
  if (ORMS[orm].semconvOptIn) env.OTEL_SEMCONV_STABILITY_OPT_IN = ORMS[orm].semconvOptIn;
  return startChild('app.js', env);
}

// The inventory service of the api_* scenarios: its own process, SDK and service.name.
function startInventory(sinkUrl) {
  return startChild('inventory.js', baseEnv(sinkUrl));
}

// The backlist (seed.backlistSql) over a plain pg connection of this un-instrumented process.
async function seedBacklist() {
  const { Client } = require('pg');
  const { dbConfig } = require('./db-config');
  const client = new Client(dbConfig);
  await client.connect();
  try {
    await client.query(seed.backlistSql);
    const { rows } = await client.query('SELECT count(*)::int AS n FROM books');
    return rows[0].n;
  } finally {
    await client.end();
  }
}

// ---- reading a generated file ---------------------------------------------------------

function readSpans(file) {
  const spans = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    for (const rs of JSON.parse(line).resourceSpans || []) {
      for (const ss of rs.scopeSpans || []) {
        for (const s of ss.spans || []) {
          const attrs = {};
          for (const kv of s.attributes || []) attrs[kv.key] = Object.values(kv.value)[0];
          spans.push({ ...s, attrs, scope: ss.scope });
        }
      }
    }
  }
  return spans;
}

const isDb = (s) => 'db.system' in s.attrs || 'db.system.name' in s.attrs;
const statementOf = (s) => s.attrs['db.query.text'] ?? s.attrs['db.statement'];
// Sequelize inlines values into SELECTs, so the per-item statements differ in literals.
const normalize = (sql) => sql.replace(/'(?:[^']|'')*'/g, '?').replace(/\b\d+\b/g, '?');

function analyze(file) {
  const spans = readSpans(file);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const traceIds = new Set(spans.map((s) => s.traceId));
  const roots = spans.filter((s) => !s.parentSpanId);
  const dbSpans = spans.filter(isDb);
  const outer = dbSpans.filter((s) => !(byId.get(s.parentSpanId) && isDb(byId.get(s.parentSpanId))));
  const inner = dbSpans.filter((s) => !outer.includes(s));
  // Repeated statements: outer DB spans with a statement, grouped by parent + shape.
  const groups = new Map();
  for (const s of outer) {
    const stmt = statementOf(s);
    if (stmt === undefined) continue;
    const key = `${s.parentSpanId}\u0000${normalize(stmt)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(s);
  }
  const repeated = [...groups.values()].filter((g) => g.length > 1).sort((a, b) => b.length - a.length);
  return { spans, byId, traceIds, roots, dbSpans, outer, inner, repeated };
}

function nestingNote(orm, a, finding) {
  const outerScope = [...new Set(a.outer.map((s) => s.scope.name))].join(', ');
  const innerScope = [...new Set(a.inner.map((s) => s.scope.name))].join(', ');
  const parts = [];
  if (a.inner.length) {
    parts.push(`Each statement yields two DB spans: an outer ${orm} span (scope ${outerScope}) and its child pg span ` +
      `(scope ${innerScope}), both CLIENT spans with a DB system attribute and the statement text` +
      (orm === 'knex' ? ' (knex\'s with ? placeholders, pg\'s with $n).' : ' (the same text in both).') +
      ` count counts the outer ${orm} spans only.`);
  }
  if (finding) {
    const g = a.repeated[0];
    const anchor = a.byId.get(g[0].parentSpanId);
    const distinct = new Set(g.map(statementOf)).size;
    parts.push(`The anchor is the express request_handler span named "${anchor.name}" ` +
      `(http.route ${JSON.stringify(anchor.attrs['http.route'])} is an attribute, not in the name), ` +
      `child of the HTTP server span "${a.roots[0].name}".`);
    parts.push(distinct === 1
      ? `The ${g.length} repeated statements are byte-identical.`
      : `The ${g.length} repeated statements differ only in literal values inlined by the ORM (${distinct} distinct texts).`);
    const table = g[0].attrs['db.collection.name'] ?? g[0].attrs['db.sql.table'];
    if (table !== undefined && table !== finding.table) {
      parts.push(`The outer spans' table attribute is ${JSON.stringify(table)}.`);
    }
  }
  return parts.join(' ');
}

function sourceOf(orm, cfg, serverVersion, extra = []) {
  const versions = [...cfg.packages, ...extra].map((p) => `${p} ${pkgVersion(p)}`).join(', ');
  return `${orm === 'sequelize' ? 'Sequelize' : 'Knex'} + pg on PostgreSQL ${serverVersion}, express app on ` +
    `Node.js ${process.version}, requested with an un-instrumented fetch; spans emitted by the OpenTelemetry JS SDK ` +
    `(BatchSpanProcessor, maxExportBatchSize 8; OTLP/HTTP JSON exporter) and exported unfiltered. Versions: ${versions}. ` +
    `OTEL_SEMCONV_STABILITY_OPT_IN=${cfg.semconvOptIn ?? '(unset)'}`;
}

// The scenarios of the first table: checks and expected file as they always were.
function baseExpected(orm, cfg, scenario, trap, finding, file, serverVersion) {
  const a = analyze(file);
  if (a.traceIds.size !== 1) throw new Error(`${file}: ${a.traceIds.size} trace ids`);
  if (a.roots.length !== 1 || a.roots[0].kind !== 2) throw new Error(`${file}: roots ${a.roots.map((r) => r.name)}`);
  const findings = [];
  if (finding) {
    const g = a.repeated[0];
    if (!g || g.length !== finding.count) {
      throw new Error(`${file}: expected ${finding.count} repeats, got ${g ? g.length : 0}`);
    }
    if (a.repeated.length !== 1) throw new Error(`${file}: ${a.repeated.length} repeated groups`);
    const table = g[0].attrs['db.collection.name'] ?? g[0].attrs['db.sql.table'];
    if (table !== undefined && !String(table).split(',').includes(finding.table)) throw new Error(`${file}: table ${table}`);
    findings.push({ type: 'n_plus_one', count: g.length, anchor_span_name: a.byId.get(g[0].parentSpanId).name, table: finding.table });
  } else {
    const worst = a.repeated[0] ? a.repeated[0].length : 1;
    if (scenario === 'below_threshold' ? worst !== 3 : worst > 1) {
      throw new Error(`${file}: unexpected repeats (${worst})`);
    }
  }
  // The README's rules also give these scenarios over_fetch findings (knex's select *): the
  // findings are rules.js's, whose n_plus_one must be the one found above.
  const all = rules.analyzeTrace(file).findings;
  const groups = all.filter((f) => f.type !== 'over_fetch');
  if (JSON.stringify(groups) !== JSON.stringify(findings)) {
    throw new Error(`${file}: rules.js finds ${JSON.stringify(groups)}, not ${JSON.stringify(findings)}`);
  }
  const expected = { source: sourceOf(orm, cfg, serverVersion), scenario, seed_trap: trap };
  const note = nestingNote(orm === 'sequelize' ? 'Sequelize' : 'knex', a, finding);
  if (note) expected.note = note;
  expected.findings = all;
  return { expected, spans: a.spans.length, outer: a.outer.length, inner: a.inner.length };
}

const findingKey = (f) => `${f.type}|${f.count}|${f.table ?? ''}|${f.anchor_span_name}`;

// The scenarios of "The rest of the catalogue": rules.js reads the file, its findings must be
// exactly the declared ones, and the note says what each one rests on.
function restExpected(orm, cfg, scenario, trap, declared, file, serverVersion, backlist) {
  const a = rules.analyzeTrace(file);
  const traceIds = new Set(a.spans.map((s) => s.traceId));
  const roots = a.spans.filter((s) => !s.parentSpanId);
  if (traceIds.size !== 1) throw new Error(`${file}: ${traceIds.size} trace ids`);
  if (roots.length !== 1 || roots[0].kind !== 2) throw new Error(`${file}: roots ${roots.map((r) => r.name)}`);
  const orphans = a.spans.filter((s) => s.parentSpanId && !a.byId.has(s.parentSpanId));
  if (orphans.length) throw new Error(`${file}: ${orphans.length} spans without their parent`);
  const got = a.findings.map(findingKey).sort();
  const want = declared.map(findingKey).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${file}: findings differ from the declared ones\n  rules.js: ${got.join('\n            ')}` +
      `\n  declared: ${want.join('\n            ')}\n  details: ${JSON.stringify(a.details, (k, v) => (k === 'anchor' ? v && v.name : v), 2)}`);
  }
  const services = [...new Set(a.spans.map((s) => s.service))];
  const expected = {
    source: sourceOf(orm, cfg, serverVersion, scenario.startsWith('api_') ? ['@opentelemetry/instrumentation-undici'] : []) +
      (scenario.startsWith('api_') ? '. The inventory service is a second Node.js process with its own SDK ' +
        '(service.name "inventory", instrumentation-http and -express), exporting to the same sink' : ''),
    scenario,
    seed_trap: trap,
    note: restNote(orm, scenario, a, services, backlist),
    findings: a.findings,
  };
  return { expected, spans: a.spans.length, outer: a.dbCalls.length, inner: a.spans.filter(rules.isDb).length - a.dbCalls.length, a };
}

function restNote(orm, scenario, a, services, backlist) {
  const ORM = orm === 'sequelize' ? 'Sequelize' : 'knex';
  const d = a.details;
  const parts = [];
  const q = (x) => JSON.stringify(x);
  const nested = a.spans.filter(rules.isDb).length - a.dbCalls.length;
  if (nested) {
    parts.push(`Each statement yields two DB spans, the outer ${ORM} span and its child pg span with the same statement` +
      (orm === 'knex' ? ' (knex\'s with ? placeholders, pg\'s with $n)' : '') + ': one call; counts and anchors use the outer span.');
  }
  if (services.length > 1) parts.push(`Services in the trace: ${services.join(', ')}.`);
  if (d.mn_plus_one) {
    parts.push(`mn_plus_one: per book, the sequence ${d.mn_plus_one.sequence.map((m) => q(m.statement)).join(' then ')} ` +
      `repeats ${a.findings.find((f) => f.type === 'mn_plus_one').count} times under "request handler"; these spans are not also n_plus_one.`);
  }
  if (d.duplicate_query) {
    parts.push(`duplicate_query: ${q(d.duplicate_query.statement)} runs byte-identical, with no placeholder, once under each ` +
      `per-item span ${d.duplicate_query.parents.map(q).join(', ')} (started with the app's tracer, INTERNAL); the nearest common ` +
      'ancestor of the repeats is the express "request handler" span.');
  }
  if (d.n_plus_one) {
    if (scenario === 'duplicate_loop') {
      parts.push(`n_plus_one, not duplicate_query: the per-item lookup ${q(d.n_plus_one.statement)} is the very same call each time ` +
        '(key = \'currency\'), but knex and pg record placeholders and no values (no db.query.parameter.*), and unseen values ' +
        'are never "the same values"; by the rules it is an N+1. Each repeat is under its own "serialize book" span (INTERNAL, ' +
        'the app\'s tracer) that wraps only that call, so the loop\'s parent is "request handler". duplicate_loop_no_param ' +
        'is the same bug with a lookup without parameters, which is a duplicate_query.');
    } else {
      parts.push(`n_plus_one: ${q(d.n_plus_one.statement)} under "request handler", ${d.n_plus_one.distinct === 1 ? 'byte-identical texts (placeholders, values not recorded)' : `${d.n_plus_one.distinct} distinct texts differing only in inlined values`}.`);
    }
  }
  if (d.n_plus_one_api) {
    const c = a.apiCalls[0];
    parts.push(`n_plus_one_api: ${a.apiCalls.length} HTTP CLIENT spans named ${q(c.name)} (scope ${c.scope.name} ${c.scope.version}, ` +
      `from fetch()) under "request handler", url.full ${q(c.attrs['url.full'])} and so on (${d.n_plus_one_api.call}); ` +
      'each has a SERVER child in service "inventory". No table.');
  } else if (a.apiCalls.length) {
    parts.push(`One HTTP CLIENT span ${q(a.apiCalls[0].name)} (fetch(), undici instrumentation), url.full ${q(a.apiCalls[0].attrs['url.full'])}.`);
  }
  if (d.over_fetch.length) {
    parts.push(`over_fetch: ${d.over_fetch.map((o) => `${q(o.statement)} (anchor: the knex span ${q(o.name)})`).join('; ')}. ` +
      'Knex selects * when no columns are given' + (d.over_fetch.some((o) => /\.\*,/.test(o.statement))
      ? '; a select list with "tags".* and another column still selects every column of tags.' : '.'));
  } else if (orm === 'sequelize') {
    const sub = a.dbCalls.map(rules.statementOf).find((st) => /SELECT "\w+"\.\*/.test(st));
    parts.push('No over_fetch: Sequelize lists the model\'s columns' +
      (sub ? `; the "Book".* of ${q(sub)} is over a subquery that lists columns.` : '.'));
  }
  for (const o of d.offsets) {
    if (o.literal !== null) {
      parts.push(`${o.literal >= 1000 ? 'deep_offset' : 'Offset'}: ${q(o.statement)} (span ${q(o.name)}) has the literal offset ${o.literal}` +
        (o.literal >= 1000 ? '.' : ', under 1000: no deep_offset.'));
    } else {
      parts.push(`No deep_offset: ${q(o.statement)} has its offset as a placeholder, and knex and pg record no values ` +
        '(no db.query.parameter.*), so the offset is invisible' +
        (/page=251/.test(scenario) || ['deep_offset', 'several_traps'].includes(scenario) ? ' (it is 5000: page 251 of 20).' : '.'));
    }
  }
  for (const p of d.pagination) {
    parts.push(`pagination_count: the count ${q(p.count)} and the page ${q(p.page)} under "request handler", same table and WHERE` +
      (orm === 'knex' ? ' (knex\'s .first() adds "limit ?" to the count; it is still the total of the page query\'s filter).' : '.'));
  }
  if (['deep_offset', 'pagination_count', 'keyset_page', 'several_traps'].includes(scenario)) {
    parts.push(`The books table holds ${backlist} rows (25 seeded plus a backlist inserted over an untraced connection).`);
  }
  const fixes = {
    mn_plus_one_prefetch: 'The fix: both relations eager-loaded, no repeat.',
    duplicate_cached: 'The fix: the lookup runs once, before the loop; the "serialize book" spans remain, with no query under them.',
    api_batch: 'The fix: one call /stock?ids=..., no repeat.',
    over_fetch_columns: 'The fix: only the columns shown.',
    keyset_page: 'The fix for deep offsets and page counts: WHERE id > ? ORDER BY id LIMIT 20, no count.',
  };
  if (fixes[scenario]) parts.push(fixes[scenario] + (a.findings.length ? ' The remaining findings are over_fetch (Knex\'s select *).' : ''));
  return parts.join(' ');
}

// The scenarios of ISSUE11: rules.js's findings must be exactly the declared ones (as for REST);
// the note gives each DB call's statement and, for the loops, how much the repeats overlap.
function issue11Expected(orm, cfg, scenario, trap, declared, file, serverVersion) {
  const a = rules.analyzeTrace(file);
  const traceIds = new Set(a.spans.map((s) => s.traceId));
  const roots = a.spans.filter((s) => !s.parentSpanId);
  if (traceIds.size !== 1) throw new Error(`${file}: ${traceIds.size} trace ids`);
  if (roots.length !== 1 || roots[0].kind !== 2) throw new Error(`${file}: roots ${roots.map((r) => r.name)}`);
  const orphans = a.spans.filter((s) => s.parentSpanId && !a.byId.has(s.parentSpanId));
  if (orphans.length) throw new Error(`${file}: ${orphans.length} spans without their parent`);
  const got = a.findings.map(findingKey).sort();
  const want = declared.map(findingKey).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${file}: findings differ from the declared ones\n  rules.js: ${got.join('\n            ')}` +
      `\n  declared: ${want.join('\n            ')}\n  details: ${JSON.stringify(a.details, (k, v) => (k === 'anchor' ? v && v.name : v), 2)}`);
  }
  const graphql = scenario.startsWith('graphql_');
  const expected = {
    source: sourceOf(orm, cfg, serverVersion, graphql ? GRAPHQL_PACKAGES.concat(['dataloader']) : []) +
      (graphql ? '. GraphQL over HTTP: graphql-js schema served by graphql-http\'s express handler (POST /graphql), ' +
        '@opentelemetry/instrumentation-graphql with its default options' : ''),
    scenario,
    seed_trap: trap,
    note: issue11Note(orm, scenario, a),
    findings: a.findings,
  };
  return { expected, spans: a.spans.length, outer: a.dbCalls.length, inner: a.spans.filter(rules.isDb).length - a.dbCalls.length, a };
}

// Start/end of a span in ms relative to t0 (start times are whole milliseconds in this SDK).
const ms = (t, t0) => Number((t - t0) / 1000000n);

function overlapNote(members) {
  const iv = members.map((m) => [BigInt(m.startTimeUnixNano), BigInt(m.endTimeUnixNano)]).sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const t0 = iv[0][0];
  let maxConc = 0;
  for (const [s] of iv) maxConc = Math.max(maxConc, iv.filter(([s2, e2]) => s2 <= s && e2 > s).length);
  const lastStart = iv[iv.length - 1][0];
  const firstEnd = iv.reduce((m, x) => (x[1] < m ? x[1] : m), iv[0][1]);
  return `${members.length} repeats start within ${ms(lastStart, t0)} ms of each other, the first ends at +${ms(firstEnd, t0)} ms ` +
    `(${lastStart < firstEnd ? 'all started before any ended' : 'not all started before the first ended'}), at most ${maxConc} in flight at once ` +
    `(starts ${iv.map(([st]) => '+' + ms(st, t0)).join(' ')} ms; ends ${iv.map(([, e]) => '+' + ms(e, t0)).join(' ')} ms).`;
}

function issue11Note(orm, scenario, a) {
  const ORM = orm === 'sequelize' ? 'Sequelize' : 'knex';
  const q = (x) => JSON.stringify(x);
  const parts = [];
  const nested = a.spans.filter(rules.isDb).length - a.dbCalls.length;
  if (nested) {
    parts.push(`Each statement yields two DB spans, the outer ${ORM} span and its child pg span with the same statement` +
      (orm === 'knex' ? ' (knex\'s with ? placeholders, pg\'s with $n)' : '') + ': one call; counts and anchors use the outer span.');
  }
  const byStmt = new Map();
  for (const c of a.dbCalls) {
    const k = rules.normalize(rules.statementOf(c));
    if (!byStmt.has(k)) byStmt.set(k, []);
    byStmt.get(k).push(c);
  }
  const calls = [...byStmt.values()].map((g) => `${g.length} x ${q(rules.statementOf(g[0]))} (span ${q(g[0].name)}, parent ${q(a.byIdName(g[0].parentSpanId))})`);
  parts.push(`DB calls: ${calls.join('; ')}.`);
  for (const p of a.details.paged) {
    parts.push(`paged_to_many_join: the top-level LIMIT of ${q(p.statement)} counts the rows of authors joined to their books ` +
      '(the ON condition ties books.author_id to the key of the FROM table authors): an author with 3 books takes 3 slots of the page.');
  }
  if (a.details.n_plus_one) {
    const g = [...byStmt.values()].find((x) => rules.statementOf(x[0]) === a.details.n_plus_one.statement) || [];
    parts.push(`n_plus_one: ${g.length} x the author lookup, run concurrently; ${overlapNote(g)}` +
      (orm === 'sequelize' ? ' The pg child spans wait for one of the pool\'s 5 connections (Sequelize\'s default pool max), so they start later than their Sequelize span.' : ' knex\'s default pool holds at most 10 connections.'));
  }
  if (a.details.over_fetch.length) {
    parts.push(`over_fetch: ${a.details.over_fetch.map((o) => `${q(o.statement)} (anchor: the knex span ${q(o.name)})`).join('; ')}. Knex selects * when no columns are given.`);
  }
  const gql = a.spans.filter((s) => s.scope && s.scope.name === '@opentelemetry/instrumentation-graphql');
  if (gql.length) {
    const names = [...new Set(gql.map((s) => s.name.replace(/\.\d+(?=\.|$)/g, '.N')))];
    const exec = gql.find((s) => 'graphql.operation.type' in s.attrs);
    parts.push(`GraphQL spans (scope ${gql[0].scope.name} ${gql[0].scope.version}, default options: one span per resolved field, ` +
      `list items not merged): ${names.map(q).join(', ')}; ${gql.length} in all. The execute span is named after the operation ` +
      `(${q(exec.name)}, graphql.operation.type ${q(exec.attrs['graphql.operation.type'])}, graphql.operation.name ` +
      `${q(exec.attrs['graphql.operation.name'])}), not "graphql.execute"; graphql.parse, graphql.validate and it are children of "request handler".`);
    if (a.details.n_plus_one) {
      parts.push('Each author lookup runs under its own "graphql.resolve books.N.author" span (one per book), a child of ' +
        '"graphql.resolve books" (which has ended by then: it ends when the books resolver returns); each of those spans wraps a single ' +
        'DB call, so the loop\'s parent, and the anchor, is "graphql.resolve books".');
    } else {
      const batch = a.dbCalls.find((c) => /\bin\s*\(/i.test(rules.statementOf(c)));
      parts.push(`The DataLoader's one IN-list query runs under ${q(a.byIdName(batch.parentSpanId))}, the context of the first load() ` +
        'call; the other "graphql.resolve books.N.author" spans hold no DB call.');
    }
  }
  const fixes = {
    paged_to_many_fixed: 'The fix: the authors are paged alone (LIMIT over authors only), then their books are read in one IN-list query.',
    paged_to_one_join: 'Silent: a to-one join (FROM books, joined authors on its key authors.id): one row per book, the LIMIT pages books correctly.',
    paged_subquery: 'Silent: Sequelize\'s default subQuery pages the authors in a subquery (LIMIT inside it) and joins the books outside; the top level has no LIMIT.',
    parallel_fixed: 'The fix: one IN-list query for the distinct authors, no repeat.',
    graphql_dataloader: 'The fix: Book.author goes through a per-request DataLoader, whose batch function runs one IN-list query for the 10 distinct authors.',
  };
  if (fixes[scenario]) parts.push(fixes[scenario]);
  return parts.join(' ');
}

function selectScenarios(args) {
  const base = SCENARIOS.map((s) => s[0]);
  const rest = REST.map((r) => r[0]);
  const issue11 = ISSUE11.map((r) => r[0]);
  if (!args.length) return new Set([...base, ...rest, ...issue11]);
  if (args.includes('--base')) return new Set(base);
  if (args.includes('--rest')) return new Set(rest);
  if (args.includes('--paged-parallel')) return new Set(issue11);
  for (const a of args) if (![...base, ...rest, ...issue11].includes(a)) throw new Error(`unknown scenario ${a}`);
  return new Set(args);
}

async function run() {
  const selected = selectScenarios(process.argv.slice(2));
  const sink = await startSink();
  const sinkUrl = `http://127.0.0.1:${sink.address().port}/v1/traces`;
  const summary = [];
  let inventory = null;
  if ([...selected].some((s) => s.startsWith('api_'))) {
    inventory = startInventory(sinkUrl);
    inventory.url = `http://127.0.0.1:${(await inventory.ready).port}`;
  }
  for (const orm of Object.keys(ORMS)) {
    const cfg = ORMS[orm];
    const todo = [
      ...SCENARIOS.filter(([sc]) => selected.has(sc)).map(([sc, trap, finding]) => ({ sc, trap, finding, rest: false })),
      ...REST.filter(([sc, , declared]) => selected.has(sc) && declared[orm])
        .map(([sc, trap, declared]) => ({ sc, trap, declared: declared[orm], rest: true })),
      ...ISSUE11.filter(([sc, , declared]) => selected.has(sc) && declared[orm])
        .map(([sc, trap, declared]) => ({ sc, trap, declared: declared[orm], issue11: true })),
    ];
    if (!todo.length) continue;
    const outDir = path.join(OUT_ROOT, cfg.dir);
    fs.mkdirSync(outDir, { recursive: true });
    const app = startApp(orm, sinkUrl, inventory && inventory.url);
    await app.ready;
    for (const { sc: scenario, trap, finding, declared, rest, issue11 } of todo) {
      const { port, method, path: reqPath, body, serverVersion } = await app.call('prepare', { scenario });
      const backlist = rest ? await seedBacklist() : null;
      const file = path.join(outDir, `${scenario}.json`);
      fs.writeFileSync(file, '');
      currentFile = file;
      const init = method === 'post'
        ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body || seed.newBooks) }
        : { method: 'GET' };
      const res = await fetch(`http://127.0.0.1:${port}${reqPath}`, init);
      await res.text();
      if (!res.ok) throw new Error(`${orm}/${scenario}: HTTP ${res.status}`);
      await new Promise((r) => setTimeout(r, 300)); // let the server and handler spans end
      await app.call('flush');
      if (inventory) await inventory.call('flush');
      currentFile = null;

      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
      const r = issue11
        ? issue11Expected(orm, cfg, scenario, trap, declared, file, serverVersion)
        : rest
          ? restExpected(orm, cfg, scenario, trap, declared, file, serverVersion, backlist)
          : baseExpected(orm, cfg, scenario, trap, finding, file, serverVersion);
      fs.writeFileSync(path.join(outDir, `${scenario}.expected.json`), JSON.stringify(r.expected, null, 2) + '\n');
      summary.push(`${cfg.dir}/${scenario}.json: ${r.spans} spans (${r.outer} outer DB, ` +
        `${r.inner} nested DB) in ${lines} requests; findings ${JSON.stringify(r.expected.findings)}`);
    }
    await app.call('exit');
  }
  if (inventory) await inventory.call('exit');
  sink.close();
  console.log(summary.join('\n'));
  console.log(`(dropped ${discarded} export requests of schema/seed spans)`);
}

run().catch((err) => {
  console.error(err);
  for (const c of children) c.kill();
  process.exit(1);
});
