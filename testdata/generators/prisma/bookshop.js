'use strict';
// The bookshop with Prisma ORM 7 (prisma-client-js, the pg driver adapter): seeding, and one
// express handler per scenario. Models in Prisma's own naming (prisma/schema.prisma): tables
// "Author", "Book", "Tag", the implicit many-to-many "_BookToTag", foreign key "authorId".
const fs = require('fs');
const path = require('path');
const { Client } = require('pg');
const { PrismaPg } = require('@prisma/adapter-pg');
const { PrismaClient } = require('./generated');
const seed = require('../js/seed');
const { dbConfig } = require('./db-config');

const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: dbConfig.url }) });
const PAGE_SIZE = 20;
const byId = { id: 'asc' };

const toBook = (row) => ({ title: row.title, authorId: row.author_id, publishedAt: new Date(row.published_at), pages: row.pages });

// Schema and seed data over a plain pg connection (no instrumentation sees it).
async function reset({ backlist }) {
  const c = new Client(dbConfig);
  await c.connect();
  try {
    await c.query(fs.readFileSync(path.join(__dirname, 'schema.sql'), 'utf8'));
    const insert = async (table, cols, rows) => {
      for (const r of rows) {
        await c.query(`INSERT INTO "${table}" (${cols.map((k) => `"${k}"`).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
          cols.map((k) => r[k]));
      }
    };
    await insert('Author', ['name', 'email', 'bio'], seed.authors);
    await insert('Book', ['title', 'authorId', 'publishedAt', 'pages'], seed.books.map(toBook));
    await insert('Tag', ['name'], seed.tags);
    await insert('_BookToTag', ['A', 'B'], seed.bookTags.map((bt) => ({ A: bt.book_id, B: bt.tag_id })));
    await insert('Setting', ['key', 'value'], seed.settings);
    if (backlist) {
      // 5975 more books, so that page 251 of 20 (OFFSET 5000) exists; some with 100 pages or fewer.
      await c.query(`INSERT INTO "Book" (title, "authorId", "publishedAt", pages)
        SELECT 'Backlist No. ' || n, (n % 10) + 1, DATE '2000-01-01' + n, 80 + (n * 37) % 600
        FROM generate_series(1, 5975) AS n`);
    }
    const { rows } = await c.query('SHOW server_version');
    reset.serverVersion = rows[0].server_version.split(' ')[0];
  } finally {
    await c.end();
  }
}

async function serverVersion() {
  return reset.serverVersion;
}

async function close() {
  await prisma.$disconnect();
}

async function forwardFkLoop(res, n) {
  const books = await prisma.book.findMany({ orderBy: byId, take: n });
  const out = [];
  for (const book of books) {
    const author = await prisma.author.findUnique({ where: { id: book.authorId } });
    out.push({ id: book.id, title: book.title, author: author.name });
  }
  res.json(out);
}

const whereLong = (req) => ({ pages: { gt: Number(req.query.min_pages) } });

// scenario -> { method, route, path (with the query string, else route), handler, body, backlist }
const scenarios = {
  forward_fk_loop: { method: 'get', route: '/books', handler: (req, res) => forwardFkLoop(res, 12) },
  below_threshold: { method: 'get', route: '/books', path: '/books?per_page=3', handler: (req, res) => forwardFkLoop(res, 3) },
  forward_fk_join: {
    method: 'get', route: '/books', handler: async (req, res) => {
      const books = await prisma.book.findMany({ include: { author: true }, orderBy: byId, take: 12 });
      res.json(books.map((b) => ({ id: b.id, title: b.title, author: b.author.name })));
    },
  },
  collection_loop: {
    method: 'get', route: '/authors', handler: async (req, res) => {
      const authors = await prisma.author.findMany({ orderBy: byId, take: 8 });
      const out = [];
      for (const author of authors) {
        const books = await prisma.book.findMany({ where: { authorId: author.id } });
        out.push({ id: author.id, name: author.name, books: books.map((b) => b.title) });
      }
      res.json(out);
    },
  },
  collection_prefetch: {
    method: 'get', route: '/authors', handler: async (req, res) => {
      const authors = await prisma.author.findMany({ include: { books: true }, orderBy: byId, take: 8 });
      res.json(authors.map((a) => ({ id: a.id, name: a.name, books: a.books.map((b) => b.title) })));
    },
  },
  m2m_loop: {
    method: 'get', route: '/books/tags', handler: async (req, res) => {
      const books = await prisma.book.findMany({ orderBy: byId, take: 10 });
      const out = [];
      for (const book of books) {
        const tags = await prisma.tag.findMany({ where: { books: { some: { id: book.id } } } });
        out.push({ id: book.id, title: book.title, tags: tags.map((t) => t.name) });
      }
      res.json(out);
    },
  },
  m2m_prefetch: {
    method: 'get', route: '/books/tags', handler: async (req, res) => {
      const books = await prisma.book.findMany({ include: { tags: true }, orderBy: byId, take: 10 });
      res.json(books.map((b) => ({ id: b.id, title: b.title, tags: b.tags.map((t) => t.name) })));
    },
  },
  count_loop: {
    method: 'get', route: '/authors/stats', handler: async (req, res) => {
      const authors = await prisma.author.findMany({ orderBy: byId, take: 7 });
      const out = [];
      for (const author of authors) {
        out.push({ id: author.id, name: author.name, books: await prisma.book.count({ where: { authorId: author.id } }) });
      }
      res.json(out);
    },
  },
  count_annotate: {
    method: 'get', route: '/authors/stats', handler: async (req, res) => {
      const authors = await prisma.author.findMany({ include: { _count: { select: { books: true } } }, orderBy: byId, take: 7 });
      res.json(authors.map((a) => ({ id: a.id, name: a.name, books: a._count.books })));
    },
  },
  insert_loop: {
    method: 'post', route: '/books/import', body: seed.newBooks, handler: async (req, res) => {
      const ids = [];
      for (const row of req.body) ids.push((await prisma.book.create({ data: toBook(row) })).id);
      res.json(ids);
    },
  },
  insert_bulk: {
    method: 'post', route: '/books/import', body: seed.newBooks, handler: async (req, res) => {
      const { count } = await prisma.book.createMany({ data: req.body.map(toBook) });
      res.json({ count });
    },
  },
  mn_plus_one_loop: {
    method: 'get', route: '/books/details', handler: async (req, res) => {
      const books = await prisma.book.findMany({ orderBy: byId, take: 10 });
      const out = [];
      for (const book of books) {
        const author = await prisma.author.findUnique({ where: { id: book.authorId } });
        const tags = await prisma.tag.findMany({ where: { books: { some: { id: book.id } } } });
        out.push({ id: book.id, title: book.title, author: author.name, tags: tags.map((t) => t.name) });
      }
      res.json(out);
    },
  },
  mn_plus_one_prefetch: {
    method: 'get', route: '/books/details', handler: async (req, res) => {
      const books = await prisma.book.findMany({ include: { author: true, tags: true }, orderBy: byId, take: 10 });
      res.json(books.map((b) => ({ id: b.id, title: b.title, author: b.author.name, tags: b.tags.map((t) => t.name) })));
    },
  },
  deep_offset: {
    method: 'get', route: '/books/browse', path: '/books/browse?page=251', backlist: true, handler: async (req, res) => {
      const page = Number(req.query.page);
      const books = await prisma.book.findMany({ orderBy: byId, skip: (page - 1) * PAGE_SIZE, take: PAGE_SIZE });
      res.json(books.map((b) => ({ id: b.id, title: b.title })));
    },
  },
  keyset_page: {
    method: 'get', route: '/books/browse', path: '/books/browse?min_pages=100&after=5000', backlist: true, handler: async (req, res) => {
      const books = await prisma.book.findMany({
        where: { ...whereLong(req), id: { gt: Number(req.query.after) } }, orderBy: byId, take: PAGE_SIZE,
      });
      res.json(books.map((b) => ({ id: b.id, title: b.title })));
    },
  },
  pagination_count: {
    method: 'get', route: '/books/search', path: '/books/search?min_pages=100&page=3', backlist: true, handler: async (req, res) => {
      const page = Number(req.query.page);
      // Prisma's pagination guide: the page and its total in one $transaction.
      const [books, total] = await prisma.$transaction([
        prisma.book.findMany({ where: whereLong(req), orderBy: byId, skip: (page - 1) * PAGE_SIZE, take: PAGE_SIZE }),
        prisma.book.count({ where: whereLong(req) }),
      ]);
      res.json({ total, books: books.map((b) => ({ id: b.id, title: b.title })) });
    },
  },
};

module.exports = { reset, serverVersion, close, scenarios };
