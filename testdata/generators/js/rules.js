'use strict';
// The rules of testdata/README.md ("Rules the expected files follow"), applied to one
// generated <scenario>.json, for the scenarios of "The rest of the catalogue".
//
// This is the generator's own, independent reading of the rules: generate.js compares what
// it finds here with the findings each scenario declares and fails on any difference, then
// writes the expected file from the spans (anchor names, counts). It is deliberately small:
// it understands the SQL that Sequelize and Knex emit in these scenarios, not SQL in general.
const fs = require('fs');

const MIN_REPEATS = 5; // n_plus_one, mn_plus_one, n_plus_one_api (querylens' default)
const MIN_DUPLICATES = 3; // duplicate_query
const DEEP_OFFSET = 1000;

// ---- reading a file -----------------------------------------------------------------------

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
  // Canonical order: start time, then span id (start times are whole milliseconds).
  spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.spanId.localeCompare(b.spanId)));
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  return { spans, byId, lines: lines.length };
}

// ---- statements -------------------------------------------------------------------------------

const isDb = (s) => 'db.system' in s.attrs || 'db.system.name' in s.attrs;
const statementOf = (s) => s.attrs['db.query.text'] ?? s.attrs['db.statement'];
const isHttpClient = (s) => s.kind === 3 && !isDb(s) && ('http.request.method' in s.attrs || 'http.method' in s.attrs);

// Literal values and placeholders removed; IN lists collapsed.
function normalize(sql) {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, '(?)')
    .replace(/\s+/g, ' ')
    .replace(/\s*;\s*$/, '')
    .trim();
}

const placeholders = (sql) => (sql.replace(/'(?:[^']|'')*'/g, '').match(/\?|\$\d+/g) || []).length;
const recordedParams = (s) => Object.keys(s.attrs).filter((k) => k.startsWith('db.query.parameter.')).sort()
  .map((k) => `${k}=${s.attrs[k]}`).join('\u0000');

// Splits sql at depth 0 (outside parentheses and quotes) into tokens of keywords we care about.
// Returns the positions of the top-level SELECT, FROM, WHERE, GROUP BY, ORDER BY, LIMIT, OFFSET.
function topLevelClauses(sql) {
  const found = {};
  let depth = 0;
  let quote = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') { quote = c; continue; }
    if (c === '(') { depth++; continue; }
    if (c === ')') { depth--; continue; }
    if (depth !== 0 || (i > 0 && /\w/.test(sql[i - 1]))) continue;
    const rest = sql.slice(i);
    const m = /^(select|from|where|group\s+by|order\s+by|limit|offset)\b/i.exec(rest);
    if (m) {
      const kw = m[1].toLowerCase().replace(/\s+/, ' ');
      if (!(kw in found)) found[kw] = { start: i, end: i + m[0].length };
    }
  }
  const order = Object.entries(found).sort((a, b) => a[1].start - b[1].start);
  const clauses = {};
  order.forEach(([kw, pos], k) => {
    const next = k + 1 < order.length ? order[k + 1][1].start : sql.length;
    clauses[kw] = sql.slice(pos.end, next).trim().replace(/;$/, '').trim();
  });
  return clauses;
}

function splitTopLevel(list) {
  const items = [];
  let depth = 0;
  let quote = null;
  let cur = '';
  for (const c of list) {
    if (quote) { if (c === quote) quote = null; cur += c; continue; }
    if (c === "'" || c === '"') quote = c;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) { items.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim()) items.push(cur.trim());
  return items;
}

// The alias of a FROM that starts with a parenthesized subquery listing columns, if any.
function subqueryAlias(from) {
  if (!from.startsWith('(')) return null;
  let depth = 0;
  for (let i = 0; i < from.length; i++) {
    if (from[i] === '(') depth++;
    if (from[i] === ')' && --depth === 0) {
      const inner = topLevelClauses(from.slice(1, i));
      const listsColumns = inner.select !== undefined && !splitTopLevel(inner.select).some(isStarItem);
      const m = /^\s*(?:as\s+)?("?)(\w+)\1/i.exec(from.slice(i + 1));
      return listsColumns && m ? m[2] : null;
    }
  }
  return null;
}

const starItem = /^(?:("?)(\w+)\1\s*\.\s*)?\*$/;
const isStarItem = (item) => starItem.test(item);

// The over_fetch reading of a statement: its top-level select list has an item that is `*` or
// `table.*`, where `table` is not the alias of a subquery that lists columns.
function selectsStar(sql) {
  const c = topLevelClauses(sql);
  if (c.select === undefined || c.from === undefined) return false;
  const alias = subqueryAlias(c.from);
  return splitTopLevel(c.select).some((item) => {
    const m = starItem.exec(item);
    return m && !(m[2] && m[2] === alias) && !(alias && !m[2]);
  });
}

function isCount(sql) {
  const c = topLevelClauses(sql);
  return c.select !== undefined && c['group by'] === undefined && /^count\s*\(/i.test(splitTopLevel(c.select)[0] || '');
}

function literalOffset(sql) {
  const m = /\boffset\s+(\d+)\b/i.exec(sql);
  return m ? Number(m[1]) : null;
}

// The table a statement reads or writes: the first table of its FROM / INTO / UPDATE.
function tableOf(sql) {
  // A FROM (subquery) does not match: the first match is then the subquery's own FROM.
  const m = /\b(?:from|into|update)\s+("?)(\w+)\1/i.exec(sql);
  return m ? m[2] : undefined;
}

// The paged_to_many_join reading of a statement: a top-level LIMIT (literal or placeholder), no
// top-level DISTINCT or GROUP BY, a FROM that starts with a table T (not a subquery), and a JOIN
// of a table U whose ON condition equates a column of U other than its key to T's key (key:
// the column `id`). Returns T, or null.
const IDENT = String.raw`(?:"([^"]+)"|(\w+))`;
const TABLE_REF = new RegExp(String.raw`^\s*${IDENT}(?:\s+(?:as\s+)?${IDENT})?\s*$`, 'i');
const COLUMN_REF = new RegExp(String.raw`^\s*${IDENT}\s*\.\s*${IDENT}\s*$`, 'i');
const JOIN_KW = /\s+(?:(?:inner|cross|(?:left|right|full)(?:\s+outer)?)\s+)?join\s+/i;

function tableRef(text) {
  const m = TABLE_REF.exec(text);
  if (!m) return null;
  const table = m[1] ?? m[2];
  return { table, alias: m[3] ?? m[4] ?? table };
}

function pagedToManyJoin(sql) {
  const c = topLevelClauses(sql);
  if (c.select === undefined || c.from === undefined || c.limit === undefined) return null;
  if (/^distinct\b/i.test(c.select) || c['group by'] !== undefined) return null;
  if (c.from.startsWith('(')) return null;
  const parts = c.from.split(JOIN_KW);
  const base = tableRef(parts[0]);
  if (!base || parts.length < 2) return null;
  for (const part of parts.slice(1)) {
    const m = /^(.*?)\s+on\s+([\s\S]*)$/i.exec(part);
    if (!m) continue;
    const joined = tableRef(m[1]);
    if (!joined) continue;
    const cond = m[2].replace(/^\(+|\)+$/g, '');
    for (const eq of cond.split(/\s+and\s+/i)) {
      const sides = eq.replace(/[()]/g, '').split('=');
      if (sides.length !== 2) continue;
      const [l, r] = sides.map((x) => COLUMN_REF.exec(x)).map((x) => x && { q: x[1] ?? x[2], col: x[3] ?? x[4] });
      if (!l || !r) continue;
      for (const [a, b] of [[l, r], [r, l]]) {
        if (a.q === joined.alias && a.col !== 'id' && b.q === base.alias && b.col === 'id') return base.table;
      }
    }
  }
  return null;
}

// ---- the trace -------------------------------------------------------------------------------

function analyzeTrace(file) {
  const t = readTrace(file);
  const { spans, byId } = t;
  const parentOf = (s) => byId.get(s.parentSpanId);
  const ancestors = (s) => {
    const out = [];
    for (let p = parentOf(s); p && out.length < 64; p = parentOf(p)) out.push(p);
    return out;
  };
  // A DB span whose nearest DB ancestor in the same service records the same statement is
  // that call recorded twice (knex / Sequelize span, then its pg child): one call.
  const recordedAbove = (s) => {
    for (const a of ancestors(s)) {
      if (a.service !== s.service) return false;
      if (isDb(a) && statementOf(a) !== undefined) return normalize(statementOf(a)) === normalize(statementOf(s));
    }
    return false;
  };
  const dbCalls = spans.filter((s) => isDb(s) && statementOf(s) !== undefined && !recordedAbove(s));
  const apiCalls = spans.filter(isHttpClient);
  // How many calls each span holds in its subtree: a span holding one is a wrapper of it.
  const held = new Map();
  for (const c of [...dbCalls, ...apiCalls]) {
    for (const x of [c, ...ancestors(c)]) held.set(x.spanId, (held.get(x.spanId) || 0) + 1);
  }
  const loopParent = (s) => {
    let parent = s.parentSpanId;
    for (const a of ancestors(s)) {
      if (a.kind === 2 || a.kind === 5 || a.service !== s.service || !a.parentSpanId || held.get(a.spanId) > 1) break;
      parent = a.parentSpanId;
    }
    return parent;
  };
  const nameOf = (id) => (byId.get(id) ? byId.get(id).name : undefined);
  const findings = [];
  const claimed = new Set();
  const details = {};

  // Repeats under one loop parent.
  const groups = new Map();
  for (const c of dbCalls) {
    const key = `${loopParent(c)}\u0000${normalize(statementOf(c))}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(c);
  }
  const sameVisibleValues = (members) => members.every((m) => {
    const st = statementOf(m);
    if (placeholders(st) > 0 && !recordedParams(m)) return false;
    return st === statementOf(members[0]) && recordedParams(m) === recordedParams(members[0]);
  });

  // mn_plus_one: two or more statements repeating together, once per iteration, under one parent.
  const byParent = new Map();
  for (const g of groups.values()) {
    if (g.length < MIN_REPEATS) continue;
    const p = loopParent(g[0]);
    if (!byParent.has(p)) byParent.set(p, []);
    byParent.get(p).push(g);
  }
  for (const [p, gs] of byParent) {
    const bySize = new Map();
    for (const g of gs) bySize.set(g.length, [...(bySize.get(g.length) || []), g]);
    for (const [n, seq] of bySize) {
      if (seq.length < 2) continue;
      // Iteration k is the k-th member of each group. Start times are whole milliseconds and
      // an end is that truncated start plus the duration, so two consecutive calls can tie
      // (even in the "wrong" order): iterations only need not to overlap, ties allowed.
      const sorted = seq.map((g) => [...g].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)));
      const iter = (k) => sorted.map((g) => g[k]);
      const maxStart = (ms) => ms.reduce((m, x) => (x.start > m ? x.start : m), 0n);
      const minStart = (ms) => ms.reduce((m, x) => (x.start < m ? x.start : m), ms[0].start);
      let periodic = true;
      for (let k = 0; k + 1 < n; k++) if (maxStart(iter(k)) > minStart(iter(k + 1))) periodic = false;
      const members = sorted.flat();
      const first = [...iter(0)].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      if (!periodic) continue;
      members.forEach((m) => claimed.add(m.spanId));
      findings.push({ type: 'mn_plus_one', count: n, anchor_span_name: nameOf(p), table: tableOf(statementOf(first[0])) });
      details.mn_plus_one = { sequence: first.map((m) => ({ name: m.name, statement: statementOf(m) })), anchor: byId.get(p) };
    }
  }

  // duplicate_query: the very same statement with the same values, 3+ times in the trace.
  const dups = new Map();
  for (const c of dbCalls) {
    if (claimed.has(c.spanId)) continue;
    const st = statementOf(c);
    if (placeholders(st) > 0 && !recordedParams(c)) continue; // unseen values: never the same
    const key = `${c.service}\u0000${st}\u0000${recordedParams(c)}`;
    if (!dups.has(key)) dups.set(key, []);
    dups.get(key).push(c);
  }
  for (const members of dups.values()) {
    if (members.length < MIN_DUPLICATES) continue;
    // nearest common ancestor
    const chains = members.map((m) => ancestors(m).map((a) => a.spanId));
    const nca = chains[0].find((id) => chains.every((ch) => ch.includes(id)));
    members.forEach((m) => claimed.add(m.spanId));
    findings.push({ type: 'duplicate_query', count: members.length, anchor_span_name: nameOf(nca), table: tableOf(statementOf(members[0])) });
    details.duplicate_query = { statement: statementOf(members[0]), parents: [...new Set(members.map((m) => parentOf(m).name))] };
  }

  // n_plus_one: the same normalized statement under one loop parent, values differing or unseen.
  for (const [key, members0] of groups) {
    const members = members0.filter((m) => !claimed.has(m.spanId));
    if (members.length < MIN_REPEATS || sameVisibleValues(members)) continue;
    const p = key.split('\u0000')[0];
    members.forEach((m) => claimed.add(m.spanId));
    findings.push({ type: 'n_plus_one', count: members.length, anchor_span_name: nameOf(p), table: tableOf(statementOf(members[0])) });
    details.n_plus_one = { statement: statementOf(members[0]), distinct: new Set(members.map(statementOf)).size };
  }

  // n_plus_one_api: the same HTTP route template called once per item under one parent.
  const apiGroups = new Map();
  for (const c of apiCalls) {
    const method = c.attrs['http.request.method'] ?? c.attrs['http.method'];
    const url = new URL(c.attrs['url.full'] ?? c.attrs['http.url']);
    const template = url.pathname.replace(/\/\d+(?=\/|$)/g, '/{id}');
    const key = `${loopParent(c)}\u0000${method} ${url.host}${template}`;
    if (!apiGroups.has(key)) apiGroups.set(key, []);
    apiGroups.get(key).push(c);
  }
  for (const [key, members] of apiGroups) {
    if (members.length < MIN_REPEATS) continue;
    findings.push({ type: 'n_plus_one_api', count: members.length, anchor_span_name: nameOf(key.split('\u0000')[0]) });
    details.n_plus_one_api = { call: key.split('\u0000')[1], spanName: members[0].name };
  }

  // over_fetch: one per distinct normalized statement selecting `*`, on its earliest span.
  const seenStar = new Set();
  details.over_fetch = [];
  for (const c of dbCalls) {
    const st = statementOf(c);
    const n = normalize(st);
    if (seenStar.has(n) || !selectsStar(st)) continue;
    seenStar.add(n);
    findings.push({ type: 'over_fetch', count: 1, anchor_span_name: c.name, table: tableOf(st) });
    details.over_fetch.push({ name: c.name, statement: st });
  }

  // deep_offset: a literal OFFSET of 1000 or more (or a recorded parameter; none here).
  const seenOffset = new Set();
  details.offsets = [];
  for (const c of dbCalls) {
    const st = statementOf(c);
    if (!/\boffset\b/i.test(st)) continue;
    details.offsets.push({ name: c.name, statement: st, literal: literalOffset(st), params: recordedParams(c) });
    const off = literalOffset(st);
    if (off === null || off < DEEP_OFFSET || seenOffset.has(normalize(st))) continue;
    seenOffset.add(normalize(st));
    findings.push({ type: 'deep_offset', count: 1, anchor_span_name: c.name, table: tableOf(st) });
  }

  // pagination_count: a COUNT without GROUP BY and a LIMIT page, same FROM and WHERE, one parent.
  const key = (st) => {
    const c = topLevelClauses(st);
    return `${normalize(c.from || '')}\u0000${normalize(c.where || '')}`;
  };
  const counts = dbCalls.filter((c) => isCount(statementOf(c)));
  const pages = dbCalls.filter((c) => !isCount(statementOf(c)) && topLevelClauses(statementOf(c)).limit !== undefined);
  details.pagination = [];
  for (const cnt of counts) {
    const page = pages.find((p) => p.parentSpanId === cnt.parentSpanId && key(statementOf(p)) === key(statementOf(cnt)));
    if (!page) continue;
    findings.push({ type: 'pagination_count', count: 2, anchor_span_name: nameOf(cnt.parentSpanId), table: tableOf(statementOf(cnt)) });
    details.pagination.push({ count: statementOf(cnt), page: statementOf(page), countName: cnt.name, pageName: page.name });
  }

  // paged_to_many_join: one per distinct normalized statement, on its earliest span.
  const seenPaged = new Set();
  details.paged = [];
  for (const c of dbCalls) {
    const st = statementOf(c);
    const table = pagedToManyJoin(st);
    if (!table || seenPaged.has(normalize(st))) continue;
    seenPaged.add(normalize(st));
    findings.push({ type: 'paged_to_many_join', count: 1, anchor_span_name: c.name, table });
    details.paged.push({ name: c.name, statement: st });
  }

  return { ...t, dbCalls, apiCalls, findings, details, byIdName: nameOf };
}

module.exports = { analyzeTrace, normalize, selectsStar, isCount, literalOffset, tableOf, isDb, statementOf, pagedToManyJoin };
