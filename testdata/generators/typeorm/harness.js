'use strict';
// The generator harness shared by ../typeorm/generate.js and ../prisma/generate.js: the same
// scheme as ../js/generate.js, leaner.
//
// This process is NOT instrumented. It runs:
//   - the OTLP sink: an http server on a free loopback port that takes the exporter's
//     POST /v1/traces and appends each body, re-serialized as one line of JSON, to the
//     current scenario's file (or drops it between scenarios: schema and seed spans);
//   - the instrumented bookshop (app.js of the calling generator), driven over IPC;
//   - the client: one un-instrumented fetch() per scenario, so the app's HTTP server span is
//     the root of the scenario's trace.
// Each scenario declares its findings (what the README's rules give for what the handler
// does). After the request the harness reads the file back and checks the trace (one trace,
// one SERVER root, no orphan) and the repeats: the database calls are the *driver* spans
// (the DB spans with no DB span below them; an ORM span above them wraps the call, whatever
// text it records), grouped by loop parent and normalized statement; the declared n_plus_one
// and mn_plus_one must be exactly the groups of 5 or more. It then writes
// <scenario>.expected.json with the declared findings.
const fs = require('fs');
const http = require('http');
const path = require('path');
const { fork } = require('child_process');

function startSink(state) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (state.file) fs.appendFileSync(state.file, JSON.stringify(body) + '\n');
      else state.discarded++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Forks the instrumented app; message id 0 is its "ready".
function startApp(script, env) {
  const child = fork(script, [], { env, cwd: path.dirname(script) });
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

const key = (f) => `${f.type}|${f.count}|${f.anchor_span_name}`;
const MIN_REPEATS = 5;

function readTrace(file) {
  const spans = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  for (const line of lines) {
    for (const rs of JSON.parse(line).resourceSpans || []) {
      const res = {};
      for (const kv of (rs.resource && rs.resource.attributes) || []) res[kv.key] = Object.values(kv.value)[0];
      for (const ss of rs.scopeSpans || []) {
        for (const s of ss.spans || []) {
          const attrs = {};
          for (const kv of s.attributes || []) attrs[kv.key] = Object.values(kv.value)[0];
          spans.push({ ...s, attrs, scope: ss.scope, service: res['service.name'], start: BigInt(s.startTimeUnixNano) });
        }
      }
    }
  }
  spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.spanId.localeCompare(b.spanId)));
  return { spans, byId: new Map(spans.map((s) => [s.spanId, s])), lines: lines.length };
}

const isDb = (s) => 'db.system' in s.attrs || 'db.system.name' in s.attrs;
const statementOf = (s) => s.attrs['db.query.text'] ?? s.attrs['db.statement'];
const CONTROL = /^\s*(begin|start\s+transaction|commit|rollback|savepoint|release|set)\b/i;
// Literals and placeholders ($1, ?, :name, :...name, @p0) removed, IN lists collapsed.
const normalize = (sql) => sql
  .replace(/'(?:[^']|'')*'/g, '?')
  .replace(/\$\d+|:\.\.\.\w+|:\w+|@\w+/g, '?')
  .replace(/\b\d+\b/g, '?')
  .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, '(?)')
  .replace(/\s+/g, ' ').trim();

function check(file, declared) {
  const t = readTrace(file);
  const { spans, byId } = t;
  const traceIds = new Set(spans.map((s) => s.traceId));
  const roots = spans.filter((s) => !s.parentSpanId);
  if (traceIds.size !== 1) throw new Error(`${file}: ${traceIds.size} trace ids`);
  if (roots.length !== 1 || roots[0].kind !== 2) throw new Error(`${file}: roots ${roots.map((r) => r.name)}`);
  const orphans = spans.filter((s) => s.parentSpanId && !byId.has(s.parentSpanId));
  if (orphans.length) throw new Error(`${file}: ${orphans.length} spans without their parent`);
  const parentOf = (s) => byId.get(s.parentSpanId);
  const ancestors = (s) => {
    const out = [];
    for (let p = parentOf(s); p; p = parentOf(p)) out.push(p);
    return out;
  };
  const hasDbBelow = new Set();
  for (const s of spans) if (isDb(s)) for (const a of ancestors(s)) hasDbBelow.add(a.spanId);
  const calls = spans.filter((s) => isDb(s) && !hasDbBelow.has(s.spanId) && statementOf(s) && !CONTROL.test(statementOf(s)));
  // A span holding one call wraps it; a span sharing its name with a sibling is one iteration.
  const held = new Map();
  for (const c of calls) for (const x of [c, ...ancestors(c)]) held.set(x.spanId, (held.get(x.spanId) || 0) + 1);
  const siblingsNamed = new Map();
  for (const s of spans) {
    const k = `${s.parentSpanId}\u0000${s.name}`;
    siblingsNamed.set(k, (siblingsNamed.get(k) || 0) + 1);
  }
  const repeated = (s) => siblingsNamed.get(`${s.parentSpanId}\u0000${s.name}`) > 1;
  const loopParent = (c) => {
    let parent = c.parentSpanId;
    for (const a of ancestors(c)) {
      if (a.kind === 2 || a.kind === 5 || !a.parentSpanId || (held.get(a.spanId) > 1 && !repeated(a))) break;
      parent = a.parentSpanId;
    }
    return parent;
  };
  const groups = new Map();
  for (const c of calls) {
    const k = `${loopParent(c)}\u0000${normalize(statementOf(c))}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(c);
  }
  const big = [...groups.entries()].filter(([, g]) => g.length >= MIN_REPEATS);
  const byParent = new Map();
  for (const [k, g] of big) {
    const p = k.split('\u0000')[0];
    byParent.set(p, [...(byParent.get(p) || []), g]);
  }
  const found = [];
  for (const [p, gs] of byParent) {
    const name = byId.get(p) ? byId.get(p).name : undefined;
    const sizes = new Map();
    for (const g of gs) sizes.set(g.length, (sizes.get(g.length) || 0) + 1);
    for (const [n, k] of sizes) {
      if (k >= 2) found.push({ type: 'mn_plus_one', count: n, anchor_span_name: name });
      else found.push({ type: 'n_plus_one', count: n, anchor_span_name: name });
    }
  }
  const got = found.map(key).sort();
  const want = declared.filter((f) => f.type === 'n_plus_one' || f.type === 'mn_plus_one').map(key).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(`${file}: the repeats are\n  ${got.join('\n  ') || 'none'}\nnot the declared\n  ${want.join('\n  ') || 'none'}`);
  }
  return { spans, calls, lines: t.lines };
}

// run({ outDir, pendingDir, appScript, env, scenarios, source(serverVersion), selected })
// scenarios: [{ name, trap, findings, note, pending }]; the app knows each scenario's request.
async function run({ outDir, pendingDir, appScript, env, scenarios, source, selected }) {
  const state = { file: null, discarded: 0 };
  const sink = await startSink(state);
  const sinkUrl = `http://127.0.0.1:${sink.address().port}/v1/traces`;
  const childEnv = { ...process.env, ...env, SINK_URL: sinkUrl, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
  const app = startApp(appScript, childEnv);
  await app.ready;
  fs.mkdirSync(outDir, { recursive: true });
  const summary = [];
  try {
    for (const sc of scenarios) {
      if (selected.size && !selected.has(sc.name)) continue;
      const { port, method, path: reqPath, serverVersion, body } = await app.call('prepare', { scenario: sc.name });
      // A scenario querylens gets wrong today is written to pendingDir, out of testdata/*/ and so
      // out of the processor's TestTestdataFindings, with its true expected findings.
      const dir = sc.pending ? pendingDir : outDir;
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${sc.name}.json`);
      fs.writeFileSync(file, '');
      state.file = file;
      const init = method === 'post'
        ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : { method: 'GET' };
      const res = await fetch(`http://127.0.0.1:${port}${reqPath}`, init);
      await res.text();
      if (!res.ok) throw new Error(`${sc.name}: HTTP ${res.status}`);
      await new Promise((r) => setTimeout(r, 300)); // let the server and handler spans end
      await app.call('flush');
      state.file = null;
      if (process.env.NO_CHECK) { summary.push(`${sc.name}: written, not checked`); continue; }
      const a = check(file, sc.findings);
      const expected = { source: source(serverVersion), scenario: sc.name, seed_trap: sc.trap };
      const note = [sc.note, sc.pending && `Pending: ${sc.pending}`].filter(Boolean).join(' ');
      if (note) expected.note = note;
      expected.findings = sc.findings;
      fs.writeFileSync(path.join(dir, `${sc.name}.expected.json`), JSON.stringify(expected, null, 2) + '\n');
      summary.push(`${sc.pending ? 'pending/' : ''}${sc.name}: ${a.spans.length} spans, ${a.calls.length} DB calls, ${a.lines} requests; ` +
        `findings ${sc.findings.map(key).join(', ') || 'none'}`);
    }
  } finally {
    await app.call('exit').catch(() => {});
    sink.close();
  }
  console.log(summary.join('\n'));
  console.log(`(dropped ${state.discarded} export requests of schema/seed spans)`);
}

// The bookshop process side: IPC handlers around an express app per scenario.
function serve({ spanProcessor, sdk, bookshop, express }) {
  let server = null;
  const closeServer = () => {
    if (!server) return Promise.resolve();
    const s = server;
    server = null;
    s.closeAllConnections();
    return new Promise((resolve) => s.close(resolve));
  };
  const handlers = {
    prepare: async ({ scenario }) => {
      await closeServer();
      const sc = bookshop.scenarios[scenario];
      if (!sc) throw new Error(`unknown scenario ${scenario}`);
      await bookshop.reset({ backlist: !!sc.backlist }); // schema + seed; the sink discards these spans
      const serverVersion = await bookshop.serverVersion();
      const app = express();
      app.use(express.json({ limit: '1mb' }));
      app[sc.method](sc.route, sc.handler);
      await new Promise((resolve) => { server = app.listen(0, '127.0.0.1', resolve); });
      await spanProcessor.forceFlush();
      return { port: server.address().port, method: sc.method, path: sc.path || sc.route, serverVersion, body: sc.body };
    },
    flush: () => spanProcessor.forceFlush(),
    exit: async () => {
      await closeServer();
      await bookshop.close();
      await sdk.shutdown();
    },
  };
  process.on('message', async (msg) => {
    try {
      const result = await handlers[msg.type](msg);
      process.send({ id: msg.id, ok: true, result });
      if (msg.type === 'exit') process.disconnect();
    } catch (err) {
      process.send({ id: msg.id, ok: false, error: String((err && err.stack) || err) });
    }
  });
  process.send({ id: 0, ok: true, result: 'ready' });
}

function pkgVersion(dir, name) {
  return require(path.join(dir, 'node_modules', name, 'package.json')).version;
}

module.exports = { run, serve, pkgVersion, check };
