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
const fs = require('fs');
const http = require('http');
const path = require('path');
const { fork } = require('child_process');
const seed = require('./seed');

const OUT_ROOT = path.resolve(__dirname, '..', '..');

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

function startApp(orm, sinkUrl) {
  const env = { ...process.env, BOOKSHOP_ORM: orm, SINK_URL: sinkUrl,
    OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
  delete env.OTEL_SEMCONV_STABILITY_OPT_IN;
  if (ORMS[orm].semconvOptIn) env.OTEL_SEMCONV_STABILITY_OPT_IN = ORMS[orm].semconvOptIn;
  const child = fork(path.join(__dirname, 'app.js'), [], { env, cwd: __dirname });
  children.push(child);
  let nextId = 1;
  const pending = new Map();
  let readyResolve;
  const ready = new Promise((r) => { readyResolve = r; });
  child.on('message', (msg) => {
    if (msg.id === 0) return readyResolve();
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(msg.error));
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`app exited with ${code}`));
  });
  const call = (type, extra = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    child.send({ id, type, ...extra });
  });
  return { ready, call, child };
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

async function run() {
  const sink = await startSink();
  const sinkUrl = `http://127.0.0.1:${sink.address().port}/v1/traces`;
  const summary = [];
  for (const orm of Object.keys(ORMS)) {
    const cfg = ORMS[orm];
    const outDir = path.join(OUT_ROOT, cfg.dir);
    fs.mkdirSync(outDir, { recursive: true });
    const app = startApp(orm, sinkUrl);
    await app.ready;
    for (const [scenario, trap, finding] of SCENARIOS) {
      const { port, method, route, serverVersion } = await app.call('prepare', { scenario });
      const file = path.join(outDir, `${scenario}.json`);
      fs.writeFileSync(file, '');
      currentFile = file;
      const init = method === 'post'
        ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(seed.newBooks) }
        : { method: 'GET' };
      const res = await fetch(`http://127.0.0.1:${port}${route}`, init);
      await res.text();
      if (!res.ok) throw new Error(`${orm}/${scenario}: HTTP ${res.status}`);
      await new Promise((r) => setTimeout(r, 300)); // let the server and handler spans end
      await app.call('flush');
      currentFile = null;

      const a = analyze(file);
      const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
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
      const versions = cfg.packages.map((p) => `${p} ${pkgVersion(p)}`).join(', ');
      const expected = {
        source: `${orm === 'sequelize' ? 'Sequelize' : 'Knex'} + pg on PostgreSQL ${serverVersion}, express app on ` +
          `Node.js ${process.version}, requested with an un-instrumented fetch; spans emitted by the OpenTelemetry JS SDK ` +
          `(BatchSpanProcessor, maxExportBatchSize 8; OTLP/HTTP JSON exporter) and exported unfiltered. Versions: ${versions}. ` +
          `OTEL_SEMCONV_STABILITY_OPT_IN=${cfg.semconvOptIn ?? '(unset)'}`,
        scenario,
        seed_trap: trap,
      };
      const note = nestingNote(orm === 'sequelize' ? 'Sequelize' : 'knex', a, finding);
      if (note) expected.note = note;
      expected.findings = findings;
      fs.writeFileSync(path.join(outDir, `${scenario}.expected.json`), JSON.stringify(expected, null, 2) + '\n');
      summary.push(`${cfg.dir}/${scenario}.json: ${a.spans.length} spans (${a.outer.length} outer DB, ` +
        `${a.inner.length} nested DB) in ${lines} requests; findings ${JSON.stringify(findings)}`);
    }
    await app.call('exit');
  }
  sink.close();
  console.log(summary.join('\n'));
  console.log(`(dropped ${discarded} export requests of schema/seed spans)`);
}

run().catch((err) => {
  console.error(err);
  for (const c of children) c.kill();
  process.exit(1);
});
