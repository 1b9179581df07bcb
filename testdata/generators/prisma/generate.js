'use strict';
// Regenerates testdata/prisma/: real traces of Prisma ORM 7 on PostgreSQL, one request (one
// trace) per scenario, and each <scenario>.expected.json. See README.md.
//
// Usage: node generate.js [scenario ...]       (TESTDATA_OUT=/tmp/out writes under /tmp/out/prisma)
// Prerequisite: `npm ci` then `npm run prisma:generate` (writes ./generated, the client).
const path = require('path');
const { run, pkgVersion } = require('../typeorm/harness');

const OUT_ROOT = process.env.TESTDATA_OUT ? path.resolve(process.env.TESTDATA_OUT) : path.resolve(__dirname, '..', '..');
const RH = 'request handler';
const FK = 'N+1 on forward FK';
const COL = 'N+1 on collection / M2M';
const CNT = 'Counting in Python';
const INS = "row-at-a-time INSERT in a loop (not in the seed article's checklist)";
const MN = 'N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N+1)';
const n1 = (count, table) => [{ type: 'n_plus_one', count, anchor_span_name: RH, table }];

const SPANS = 'Every Prisma call is a prisma:client:operation span (INTERNAL, scope "prisma") with serialize / connect / ' +
  'compile children and one prisma:client:db_query CLIENT span per SQL statement (db.query.text, db.system.name ' +
  'postgresql). Prisma 7 compiles queries in the client (no engine binary), so there are no prisma:engine:* spans. ' +
  'Every SELECT ends in OFFSET $n, skip or not; no parameter value is recorded.';
const SCENARIOS = [
  { name: 'forward_fk_loop', trap: FK, findings: n1(12, 'Author'),
    note: `12 books (book.findMany, take 12), then author.findUnique({ where: { id: book.authorId } }) per book, awaited one by one (no batching). ${SPANS}` },
  { name: 'forward_fk_join', trap: FK, findings: [], note: 'The fix: include: { author: true }: the page, then the authors WHERE "id" IN ($1, ..., $12), in one operation.' },
  { name: 'collection_loop', trap: COL, findings: n1(8, 'Book'), note: `8 authors, book.findMany({ where: { authorId } }) per author. ${SPANS}` },
  { name: 'collection_prefetch', trap: COL, findings: [], note: 'The fix: include: { books: true }: one more query, IN ($1, ..., $8).' },
  { name: 'm2m_loop', trap: COL, findings: n1(10, 'Tag'),
    note: '10 books, tag.findMany({ where: { books: { some: { id } } } }) per book: a WHERE EXISTS over the implicit "_BookToTag" table.' },
  { name: 'm2m_prefetch', trap: COL, findings: [], note: 'The fix: include: { tags: true }: one JOIN of "_BookToTag" with an IN list.' },
  { name: 'count_loop', trap: CNT, findings: n1(7, 'Book'),
    note: '7 authors, book.count({ where: { authorId } }) per author: SELECT COUNT(*) AS "_count$_all" FROM (SELECT ... WHERE "authorId" = $1 OFFSET $2) AS "sub".' },
  { name: 'count_annotate', trap: CNT, findings: [], note: 'The fix: include: { _count: { select: { books: true } } }: a LEFT JOIN of a grouped count, in one query.' },
  { name: 'insert_loop', trap: INS, findings: n1(20, 'Book'), note: 'book.create per row: one INSERT ... RETURNING per row, no transaction.' },
  { name: 'insert_bulk', trap: INS, findings: [], note: 'The fix: book.createMany({ data: rows }): one multi-row INSERT.' },
  { name: 'below_threshold', trap: 'N+1 on forward FK, 3 items (below the default threshold of 5)', findings: [], note: 'The forward_fk_loop with 3 books.' },
  { name: 'mn_plus_one_loop', trap: MN, findings: [{ type: 'mn_plus_one', count: 10, anchor_span_name: RH, table: 'Author' }],
    note: 'Per book, author.findUnique and tag.findMany({ where: { books: { some: { id } } } }): two queries per iteration.' },
  { name: 'mn_plus_one_prefetch', trap: MN, findings: [], note: 'The fix: include: { author: true, tags: true }.' },
  { name: 'deep_offset', trap: 'Deep OFFSET pagination', findings: [],
    note: 'Page 251: findMany({ orderBy: { id: "asc" }, skip: 5000, take: 20 }) is LIMIT $1 OFFSET $2, and Prisma records no parameter: the offset is invisible, no deep_offset.' },
  { name: 'pagination_count', trap: 'Pagination pitfalls: counting for pagination is a full second query', findings: [{ type: 'pagination_count', count: 2, anchor_span_name: 'prisma:client:transaction', table: 'Book' }],
    note: '$transaction([book.findMany({ where: { pages: { gt: 100 } }, skip: 40, take: 20 }), book.count({ where })]), as in Prisma\'s pagination guide: Prisma batches both statements into the first prisma:client:operation span (under prisma:client:transaction), their common parent.' },
  { name: 'keyset_page', trap: 'Deep OFFSET pagination and counting for pagination: the fix, keyset pagination', findings: [], note: 'The fix: findMany({ where: { pages: { gt: 100 }, id: { gt: 5000 } }, take: 20 }), no count.' },
];

const PACKAGES = ['prisma', '@prisma/client', '@prisma/adapter-pg', 'pg', '@prisma/instrumentation', 'express',
  '@opentelemetry/sdk-node', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-express'];

const source = (serverVersion) => `Prisma ORM (prisma-client-js generator, query compiler, @prisma/adapter-pg) on PostgreSQL ` +
  `${serverVersion}, express app on Node.js ${process.version}, requested with an un-instrumented fetch; spans emitted by ` +
  'the OpenTelemetry JS SDK (BatchSpanProcessor, maxExportBatchSize 8; OTLP/HTTP JSON exporter) with @prisma/instrumentation, ' +
  'exported unfiltered. Versions: ' + PACKAGES.map((p) => `${p} ${pkgVersion(__dirname, p)}`).join(', ') +
  '. See testdata/generators/prisma/README.md';

run({
  outDir: path.join(OUT_ROOT, 'prisma'),
  pendingDir: path.join(__dirname, 'pending'),
  appScript: path.join(__dirname, 'app.js'),
  env: {},
  scenarios: SCENARIOS,
  source,
  selected: new Set(process.argv.slice(2)),
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
