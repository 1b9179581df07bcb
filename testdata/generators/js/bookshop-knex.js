'use strict';
// The bookshop with Knex 3: schema, seeding, and one express handler per scenario.
const knexFactory = require('knex');
const seed = require('./seed');
const { dbConfig } = require('./db-config');

const knex = knexFactory({ client: 'pg', connection: dbConfig });

// Schema and seed data (run outside any scenario; its spans are discarded).
async function reset() {
  await knex.schema.dropTableIfExists('book_tags');
  await knex.schema.dropTableIfExists('books');
  await knex.schema.dropTableIfExists('tags');
  await knex.schema.dropTableIfExists('authors');
  await knex.schema.createTable('authors', (t) => {
    t.increments('id');
    t.string('name').notNullable();
    t.string('email').notNullable();
    t.text('bio');
  });
  await knex.schema.createTable('books', (t) => {
    t.increments('id');
    t.string('title').notNullable();
    t.integer('author_id').notNullable().references('id').inTable('authors').index();
    t.date('published_at');
    t.integer('pages');
  });
  await knex.schema.createTable('tags', (t) => {
    t.increments('id');
    t.string('name').notNullable().unique();
  });
  await knex.schema.createTable('book_tags', (t) => {
    t.integer('book_id').notNullable().references('id').inTable('books').onDelete('CASCADE');
    t.integer('tag_id').notNullable().references('id').inTable('tags').onDelete('CASCADE');
    t.primary(['book_id', 'tag_id']);
  });
  await knex('authors').insert(seed.authors);
  await knex('books').insert(seed.books);
  await knex('tags').insert(seed.tags);
  await knex('book_tags').insert(seed.bookTags);
}

// scenario -> [method, route, handler]
const scenarios = {
  forward_fk_loop: ['get', '/books', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(12);
    const out = [];
    for (const book of books) {
      const author = await knex('authors').where({ id: book.author_id }).first();
      out.push({ id: book.id, title: book.title, author: author.name });
    }
    res.json(out);
  }],
  forward_fk_join: ['get', '/books', async (req, res) => {
    const books = await knex('books')
      .join('authors', 'authors.id', 'books.author_id')
      .select('books.id', 'books.title', 'authors.name as author')
      .orderBy('books.id')
      .limit(12);
    res.json(books);
  }],
  collection_loop: ['get', '/authors', async (req, res) => {
    const authors = await knex('authors').orderBy('id').limit(8);
    const out = [];
    for (const author of authors) {
      const books = await knex('books').where({ author_id: author.id });
      out.push({ id: author.id, name: author.name, books: books.map((b) => b.title) });
    }
    res.json(out);
  }],
  collection_prefetch: ['get', '/authors', async (req, res) => {
    const authors = await knex('authors').orderBy('id').limit(8);
    const books = await knex('books').whereIn('author_id', authors.map((a) => a.id));
    res.json(authors.map((a) => ({
      id: a.id,
      name: a.name,
      books: books.filter((b) => b.author_id === a.id).map((b) => b.title),
    })));
  }],
  m2m_loop: ['get', '/books/tags', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(10);
    const out = [];
    for (const book of books) {
      const tags = await knex('tags')
        .join('book_tags', 'book_tags.tag_id', 'tags.id')
        .where('book_tags.book_id', book.id)
        .select('tags.*');
      out.push({ id: book.id, title: book.title, tags: tags.map((t) => t.name) });
    }
    res.json(out);
  }],
  m2m_prefetch: ['get', '/books/tags', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(10);
    const tags = await knex('tags')
      .join('book_tags', 'book_tags.tag_id', 'tags.id')
      .whereIn('book_tags.book_id', books.map((b) => b.id))
      .select('tags.*', 'book_tags.book_id');
    res.json(books.map((book) => ({
      id: book.id,
      title: book.title,
      tags: tags.filter((t) => t.book_id === book.id).map((t) => t.name),
    })));
  }],
  count_loop: ['get', '/authors/book-counts', async (req, res) => {
    const authors = await knex('authors').orderBy('id').limit(7);
    const out = [];
    for (const author of authors) {
      const { n } = await knex('books').where({ author_id: author.id }).count({ n: '*' }).first();
      out.push({ id: author.id, name: author.name, books: Number(n) });
    }
    res.json(out);
  }],
  count_annotate: ['get', '/authors/book-counts', async (req, res) => {
    const authors = await knex('authors').orderBy('id').limit(7);
    const counts = await knex('books')
      .whereIn('author_id', authors.map((a) => a.id))
      .select('author_id')
      .count({ n: '*' })
      .groupBy('author_id');
    const byAuthor = new Map(counts.map((c) => [c.author_id, Number(c.n)]));
    res.json(authors.map((a) => ({ id: a.id, name: a.name, books: byAuthor.get(a.id) || 0 })));
  }],
  insert_loop: ['post', '/books/import', async (req, res) => {
    const created = [];
    for (const row of req.body) {
      const [{ id }] = await knex('books').insert(row).returning('id');
      created.push(id);
    }
    res.status(201).json(created);
  }],
  insert_bulk: ['post', '/books/import', async (req, res) => {
    const rows = await knex('books').insert(req.body).returning('id');
    res.status(201).json(rows.map((r) => r.id));
  }],
  below_threshold: ['get', '/books', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(3);
    const out = [];
    for (const book of books) {
      const author = await knex('authors').where({ id: book.author_id }).first();
      out.push({ id: book.id, title: book.title, author: author.name });
    }
    res.json(out);
  }],
};

async function serverVersion() {
  const { rows } = await knex.raw('SHOW server_version');
  return rows[0].server_version;
}

async function close() {
  await knex.destroy();
}

module.exports = { reset, scenarios, serverVersion, close };
