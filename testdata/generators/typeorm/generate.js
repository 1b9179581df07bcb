'use strict';
// Regenerates testdata/typeorm/: real traces of TypeORM on PostgreSQL, one request (one trace)
// per scenario, and each <scenario>.expected.json. See README.md.
//
// Usage: node generate.js [scenario ...]       (TESTDATA_OUT=/tmp/out writes under /tmp/out/typeorm)
const path = require('path');
const { run, pkgVersion } = require('./harness');

const OUT_ROOT = process.env.TESTDATA_OUT ? path.resolve(process.env.TESTDATA_OUT) : path.resolve(__dirname, '..', '..');
const RH = 'request handler';
const FK = 'N+1 on forward FK';
const COL = 'N+1 on collection / M2M';
const CNT = 'Counting in Python';
const INS = "row-at-a-time INSERT in a loop (not in the seed article's checklist)";
const MN = 'N+1 on forward FK and N+1 on collection / M2M in the same loop (M+N+1)';
const n1 = (count, table) => [{ type: 'n_plus_one', count, anchor_span_name: RH, table }];

const EM = 'find, findAndCount, count, save and the other EntityManager methods make a typeorm span whose db.query.text ' +
  'is the JSON of the call\'s arguments ({"entityClass":"Book",...}); the SQL is on its pg.query child. findOneBy, findBy, ' +
  'countBy and lazy relations run a SelectQueryBuilder, whose span records getQuery(): the SQL with TypeORM\'s named ' +
  'parameters (:orm_param_0), the pg child the same SQL with $1.';
const SCENARIOS = [
  { name: 'forward_fk_loop', trap: FK, findings: n1(12, 'authors'),
    note: `12 books (find, take 12), then authors.findOneBy({ id: book.authorId }) per book: a "select authors" span with its pg child each. ${EM}` },
  { name: 'forward_fk_join', trap: FK, findings: [],
    note: 'The fix: find({ relations: { author: true }, take: 12 }): with a join and take, TypeORM pages the distinct ids first, then the JOIN with an IN list.' },
  { name: 'collection_loop', trap: COL, findings: n1(8, 'books'), note: `8 authors, books.findBy({ authorId }) per author. ${EM}` },
  { name: 'collection_prefetch', trap: COL, findings: [],
    note: 'The fix: find({ relations: { books: true }, relationLoadStrategy: "query", take: 8 }): the page, the books IN ($1, ...), and a relation-id query with the ids inlined, all pg children of one find span.' },
  { name: 'm2m_loop', trap: COL, findings: n1(10, 'tags'),
    note: '10 books, await book.tags (a lazy many-to-many) per book: the RelationLoader\'s query builder span, with its pg child. One query per book: n_plus_one x10.' },
  { name: 'm2m_prefetch', trap: COL, findings: [], note: 'The fix: find({ relations: { tags: true }, take: 10 }): the distinct ids page, then the JOIN with an IN list.' },
  { name: 'count_loop', trap: CNT, findings: n1(7, 'books'),
    note: '7 authors, books.countBy({ authorId }) per author: one COUNT per author (the pg spans), n_plus_one x7.' },
  { name: 'count_annotate', trap: CNT, findings: [],
    note: 'The fix: one GROUP BY query from a query builder (TypeORM 1.x has no loadRelationCountAndMap); its span records IN (:...ids), its pg child IN ($1, ...): one call, recorded twice.' },
  { name: 'insert_loop', trap: INS, findings: n1(20, 'books'),
    note: `save(entity) per row: a "save books" span (JSON) around START TRANSACTION, INSERT INTO "books"(...) VALUES ($1, ...) RETURNING "id", COMMIT. ${EM}` },
  { name: 'insert_bulk', trap: INS, findings: [], note: 'The fix: save([...20 rows]): one transaction, one multi-row INSERT.' },
  { name: 'below_threshold', trap: 'N+1 on forward FK, 3 items (below the default threshold of 5)', findings: [], note: 'The forward_fk_loop with 3 books.' },
  { name: 'mn_plus_one_loop', trap: MN, findings: [{ type: 'mn_plus_one', count: 10, anchor_span_name: RH, table: 'authors' }],
    note: 'Per book, authors.findOneBy and the lazy book.tags: the typeorm spans wrap the pg queries, which are the calls.' },
  { name: 'mn_plus_one_prefetch', trap: MN, findings: [], note: 'The fix: find({ relations: { author: true, tags: true }, take: 10 }).' },
  { name: 'deep_offset', trap: 'Deep OFFSET pagination', findings: [{ type: 'deep_offset', count: 1, anchor_span_name: 'pg.query:SELECT typeorm_testdata', table: 'books' }],
    note: 'Page 251: find({ order: { id: "ASC" }, skip: 5000, take: 20 }); TypeORM inlines LIMIT 20 OFFSET 5000 into the SQL of the pg span (the find span holds only the JSON), which is the anchor.' },
  { name: 'pagination_count', trap: 'Pagination pitfalls: counting for pagination is a full second query', findings: [{ type: 'pagination_count', count: 2, anchor_span_name: 'findAndCount books', table: 'books' }],
    note: 'findAndCount({ where: { pages: MoreThan(100) }, skip: 40, take: 20 }): the page and SELECT COUNT(1) AS "cnt" are both pg children of the one findAndCount span (its internal spans are suppressed by default).' },
  { name: 'keyset_page', trap: 'Deep OFFSET pagination and counting for pagination: the fix, keyset pagination', findings: [], note: 'The fix: find({ where: { pages: MoreThan(100), id: MoreThan(5000) }, order, take: 20 }), no count.' },
];

const PACKAGES = ['typeorm', 'pg', 'express', '@opentelemetry/sdk-node', '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/instrumentation-typeorm', '@opentelemetry/instrumentation-pg', '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-express'];

const source = (serverVersion) => `TypeORM + pg on PostgreSQL ${serverVersion}, express app on Node.js ${process.version}, ` +
  'requested with an un-instrumented fetch; spans emitted by the OpenTelemetry JS SDK (BatchSpanProcessor, ' +
  'maxExportBatchSize 8; OTLP/HTTP JSON exporter) and exported unfiltered. Versions: ' +
  PACKAGES.map((p) => `${p} ${pkgVersion(__dirname, p)}`).join(', ') +
  '. OTEL_SEMCONV_STABILITY_OPT_IN=database. See testdata/generators/typeorm/README.md';

run({
  outDir: path.join(OUT_ROOT, 'typeorm'),
  pendingDir: path.join(__dirname, 'pending'),
  appScript: path.join(__dirname, 'app.js'),
  env: { OTEL_SEMCONV_STABILITY_OPT_IN: 'database' },
  scenarios: SCENARIOS,
  source,
  selected: new Set(process.argv.slice(2)),
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
