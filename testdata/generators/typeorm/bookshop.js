'use strict';
// The bookshop with TypeORM: entities, seeding, and one express handler per scenario.
// Entities are EntitySchemas (plain JavaScript, no decorators), with TypeORM's default naming:
// tables named explicitly (books, authors, tags, book_tags, settings), columns named after
// the properties (authorId, publishedAt).
require('reflect-metadata');
const { DataSource, EntitySchema, MoreThan } = require('typeorm');
const seed = require('../js/seed');
const { dbConfig } = require('./db-config');

const Author = new EntitySchema({
  name: 'Author',
  tableName: 'authors',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    name: { type: 'varchar' },
    email: { type: 'varchar' },
    bio: { type: 'text', nullable: true },
  },
  relations: {
    books: { type: 'one-to-many', target: 'Book', inverseSide: 'author' },
  },
});

const Book = new EntitySchema({
  name: 'Book',
  tableName: 'books',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    title: { type: 'varchar' },
    authorId: { type: 'int' },
    publishedAt: { type: 'date', nullable: true },
    pages: { type: 'int', nullable: true },
  },
  relations: {
    author: { type: 'many-to-one', target: 'Author', inverseSide: 'books', joinColumn: { name: 'authorId' } },
    // A lazy relation: reading book.tags returns a Promise that runs the query.
    tags: {
      type: 'many-to-many', target: 'Tag', lazy: true,
      joinTable: { name: 'book_tags', joinColumn: { name: 'bookId' }, inverseJoinColumn: { name: 'tagId' } },
    },
  },
});

const Tag = new EntitySchema({
  name: 'Tag',
  tableName: 'tags',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    name: { type: 'varchar', unique: true },
  },
});

const Setting = new EntitySchema({
  name: 'Setting',
  tableName: 'settings',
  columns: {
    key: { type: 'varchar', primary: true },
    value: { type: 'varchar' },
  },
});

const dataSource = new DataSource({
  type: 'postgres',
  ...dbConfig,
  username: dbConfig.user,
  entities: [Author, Book, Tag, Setting],
  logging: false,
});

const books = () => dataSource.getRepository('Book');
const authors = () => dataSource.getRepository('Author');
const PAGE_SIZE = 20;

const toBook = (row) => ({ title: row.title, authorId: row.author_id, publishedAt: row.published_at, pages: row.pages });

// Schema and seed data (run before each scenario; its spans are discarded).
async function reset({ backlist }) {
  if (!dataSource.isInitialized) await dataSource.initialize();
  await dataSource.synchronize(true); // drop and recreate the tables
  await authors().insert(seed.authors);
  await books().insert(seed.books.map(toBook));
  await dataSource.getRepository('Tag').insert(seed.tags);
  await dataSource.query('INSERT INTO book_tags ("bookId", "tagId") SELECT * FROM unnest($1::int[], $2::int[])',
    [seed.bookTags.map((bt) => bt.book_id), seed.bookTags.map((bt) => bt.tag_id)]);
  await dataSource.getRepository('Setting').insert(seed.settings);
  if (backlist) {
    // 5975 more books, so that page 251 of 20 (OFFSET 5000) exists; some with 100 pages or fewer.
    await dataSource.query(`INSERT INTO books (title, "authorId", "publishedAt", pages)
      SELECT 'Backlist No. ' || n, (n % 10) + 1, DATE '2000-01-01' + n, 80 + (n * 37) % 600
      FROM generate_series(1, 5975) AS n`);
  }
}

async function serverVersion() {
  const [{ server_version: v }] = await dataSource.query('SHOW server_version');
  return v.split(' ')[0];
}

async function close() {
  if (dataSource.isInitialized) await dataSource.destroy();
}

async function forwardFkLoop(res, n) {
  const list = await books().find({ order: { id: 'ASC' }, take: n });
  const out = [];
  for (const book of list) {
    const author = await authors().findOneBy({ id: book.authorId });
    out.push({ id: book.id, title: book.title, author: author.name });
  }
  res.json(out);
}

// scenario -> { method, route, path (with the query string, else route), handler, body, backlist }
const scenarios = {
  forward_fk_loop: { method: 'get', route: '/books', handler: (req, res) => forwardFkLoop(res, 12) },
  below_threshold: { method: 'get', route: '/books', path: '/books?per_page=3', handler: (req, res) => forwardFkLoop(res, 3) },
  forward_fk_join: {
    method: 'get', route: '/books', handler: async (req, res) => {
      const list = await books().find({ relations: { author: true }, order: { id: 'ASC' }, take: 12 });
      res.json(list.map((b) => ({ id: b.id, title: b.title, author: b.author.name })));
    },
  },
  collection_loop: {
    method: 'get', route: '/authors', handler: async (req, res) => {
      const list = await authors().find({ order: { id: 'ASC' }, take: 8 });
      const out = [];
      for (const author of list) {
        const own = await books().findBy({ authorId: author.id });
        out.push({ id: author.id, name: author.name, books: own.map((b) => b.title) });
      }
      res.json(out);
    },
  },
  collection_prefetch: {
    method: 'get', route: '/authors', handler: async (req, res) => {
      // relationLoadStrategy "query": the books of all authors in one more query (IN list).
      const list = await authors().find({ relations: { books: true }, relationLoadStrategy: 'query', order: { id: 'ASC' }, take: 8 });
      res.json(list.map((a) => ({ id: a.id, name: a.name, books: a.books.map((b) => b.title) })));
    },
  },
  m2m_loop: {
    method: 'get', route: '/books/tags', handler: async (req, res) => {
      const list = await books().find({ order: { id: 'ASC' }, take: 10 });
      const out = [];
      for (const book of list) {
        const tags = await book.tags; // the lazy relation loads here, one query per book
        out.push({ id: book.id, title: book.title, tags: tags.map((t) => t.name) });
      }
      res.json(out);
    },
  },
  m2m_prefetch: {
    method: 'get', route: '/books/tags', handler: async (req, res) => {
      const list = await books().find({ relations: { tags: true }, order: { id: 'ASC' }, take: 10 });
      const out = [];
      for (const book of list) {
        const tags = await book.tags; // already loaded: no query
        out.push({ id: book.id, title: book.title, tags: tags.map((t) => t.name) });
      }
      res.json(out);
    },
  },
  count_loop: {
    method: 'get', route: '/authors/stats', handler: async (req, res) => {
      const list = await authors().find({ order: { id: 'ASC' }, take: 7 });
      const out = [];
      for (const author of list) {
        out.push({ id: author.id, name: author.name, books: await books().countBy({ authorId: author.id }) });
      }
      res.json(out);
    },
  },
  count_annotate: {
    method: 'get', route: '/authors/stats', handler: async (req, res) => {
      // TypeORM 1.x dropped loadRelationCountAndMap: one GROUP BY query for all authors.
      const list = await authors().find({ order: { id: 'ASC' }, take: 7 });
      const counts = await books().createQueryBuilder('book')
        .select('book.authorId', 'authorId').addSelect('COUNT(*)', 'count')
        .where('book.authorId IN (:...ids)', { ids: list.map((a) => a.id) })
        .groupBy('book.authorId').getRawMany();
      const byAuthor = new Map(counts.map((c) => [c.authorId, Number(c.count)]));
      list.forEach((a) => { a.bookCount = byAuthor.get(a.id) || 0; });
      res.json(list.map((a) => ({ id: a.id, name: a.name, books: a.bookCount })));
    },
  },
  insert_loop: {
    method: 'post', route: '/books/import', body: seed.newBooks, handler: async (req, res) => {
      const ids = [];
      for (const row of req.body) {
        const book = await books().save(books().create(toBook(row)));
        ids.push(book.id);
      }
      res.json(ids);
    },
  },
  insert_bulk: {
    method: 'post', route: '/books/import', body: seed.newBooks, handler: async (req, res) => {
      const saved = await books().save(req.body.map((row) => books().create(toBook(row))));
      res.json(saved.map((b) => b.id));
    },
  },
  mn_plus_one_loop: {
    method: 'get', route: '/books/details', handler: async (req, res) => {
      const list = await books().find({ order: { id: 'ASC' }, take: 10 });
      const out = [];
      for (const book of list) {
        const author = await authors().findOneBy({ id: book.authorId });
        const tags = await book.tags;
        out.push({ id: book.id, title: book.title, author: author.name, tags: tags.map((t) => t.name) });
      }
      res.json(out);
    },
  },
  mn_plus_one_prefetch: {
    method: 'get', route: '/books/details', handler: async (req, res) => {
      const list = await books().find({ relations: { author: true, tags: true }, order: { id: 'ASC' }, take: 10 });
      const out = [];
      for (const book of list) {
        const tags = await book.tags;
        out.push({ id: book.id, title: book.title, author: book.author.name, tags: tags.map((t) => t.name) });
      }
      res.json(out);
    },
  },
  deep_offset: {
    method: 'get', route: '/books/browse', path: '/books/browse?page=251', backlist: true, handler: async (req, res) => {
      const page = Number(req.query.page);
      const list = await books().find({ order: { id: 'ASC' }, skip: (page - 1) * PAGE_SIZE, take: PAGE_SIZE });
      res.json(list.map((b) => ({ id: b.id, title: b.title })));
    },
  },
  keyset_page: {
    method: 'get', route: '/books/browse', path: '/books/browse?min_pages=100&after=5000', backlist: true, handler: async (req, res) => {
      const list = await books().find({
        where: { pages: MoreThan(Number(req.query.min_pages)), id: MoreThan(Number(req.query.after)) },
        order: { id: 'ASC' },
        take: PAGE_SIZE,
      });
      res.json(list.map((b) => ({ id: b.id, title: b.title })));
    },
  },
  pagination_count: {
    method: 'get', route: '/books/search', path: '/books/search?min_pages=100&page=3', backlist: true, handler: async (req, res) => {
      const page = Number(req.query.page);
      const [list, total] = await books().findAndCount({
        where: { pages: MoreThan(Number(req.query.min_pages)) },
        order: { id: 'ASC' },
        skip: (page - 1) * PAGE_SIZE,
        take: PAGE_SIZE,
      });
      res.json({ total, books: list.map((b) => ({ id: b.id, title: b.title })) });
    },
  },
};

module.exports = { reset, serverVersion, close, scenarios };
