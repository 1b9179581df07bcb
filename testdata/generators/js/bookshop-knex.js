'use strict';
// The bookshop with Knex 3: schema, seeding, and one express handler per scenario.
const knexFactory = require('knex');
const { trace } = require('@opentelemetry/api');
const seed = require('./seed');
const { dbConfig } = require('./db-config');
const { graphqlHandler, BOOKS_WITH_AUTHORS } = require('./graphql-app');

const knex = knexFactory({ client: 'pg', connection: dbConfig });

// Schema and seed data (run outside any scenario; its spans are discarded).
async function reset() {
  await knex.schema.dropTableIfExists('settings');
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
  await knex.schema.createTable('settings', (t) => {
    t.increments('id');
    t.string('key').notNullable().unique();
    t.string('value').notNullable();
  });
  await knex('authors').insert(seed.authors);
  await knex('books').insert(seed.books);
  await knex('tags').insert(seed.tags);
  await knex('book_tags').insert(seed.bookTags);
  await knex('settings').insert(seed.settings);
}

// The app's own tracer, for the per-item "serialize book" spans.
const tracer = trace.getTracer('bookshop');
const INVENTORY_URL = process.env.INVENTORY_URL;
const PAGE_SIZE = 20;

// A serializer that runs under its own span per item.
function serializeBook(book, fn) {
  return tracer.startActiveSpan('serialize book', async (span) => {
    try {
      return await fn(book);
    } finally {
      span.end();
    }
  });
}

const price = (book) => (book.pages / 20).toFixed(2);

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

  // ---- the rest of the catalogue (testdata/README.md) ----
  mn_plus_one_loop: ['get', '/books/details', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(10);
    const out = [];
    for (const book of books) {
      const author = await knex('authors').where({ id: book.author_id }).first();
      const tags = await knex('tags')
        .join('book_tags', 'book_tags.tag_id', 'tags.id')
        .where('book_tags.book_id', book.id)
        .select('tags.*');
      out.push({ id: book.id, title: book.title, author: author.name, tags: tags.map((t) => t.name) });
    }
    res.json(out);
  }],
  mn_plus_one_prefetch: ['get', '/books/details', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(10);
    const authors = await knex('authors').whereIn('id', [...new Set(books.map((b) => b.author_id))]);
    const tags = await knex('tags')
      .join('book_tags', 'book_tags.tag_id', 'tags.id')
      .whereIn('book_tags.book_id', books.map((b) => b.id))
      .select('tags.*', 'book_tags.book_id');
    const authorById = new Map(authors.map((a) => [a.id, a]));
    res.json(books.map((book) => ({
      id: book.id,
      title: book.title,
      author: authorById.get(book.author_id).name,
      tags: tags.filter((t) => t.book_id === book.id).map((t) => t.name),
    })));
  }],
  duplicate_loop: ['get', '/books/prices', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(8);
    const out = [];
    for (const book of books) {
      out.push(await serializeBook(book, async (b) => {
        const currency = await knex('settings').where({ key: 'currency' }).first();
        return { id: b.id, title: b.title, price: price(b), currency: currency.value };
      }));
    }
    res.json(out);
  }],
  // The same bug with a lookup that has no parameter at all: every setting, as a map.
  duplicate_loop_no_param: ['get', '/books/prices', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(8);
    const out = [];
    for (const book of books) {
      out.push(await serializeBook(book, async (b) => {
        const settings = Object.fromEntries((await knex('settings').select('key', 'value')).map((r) => [r.key, r.value]));
        return { id: b.id, title: b.title, price: price(b), currency: settings.currency };
      }));
    }
    res.json(out);
  }],
  duplicate_cached: ['get', '/books/prices', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(8);
    const currency = await knex('settings').where({ key: 'currency' }).first();
    const out = [];
    for (const book of books) {
      out.push(await serializeBook(book, async (b) => (
        { id: b.id, title: b.title, price: price(b), currency: currency.value })));
    }
    res.json(out);
  }],
  api_loop: ['get', '/books/stock', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(8);
    const out = [];
    for (const book of books) {
      const stock = await (await fetch(`${INVENTORY_URL}/stock/${book.id}`)).json();
      out.push({ id: book.id, title: book.title, inStock: stock.in_stock });
    }
    res.json(out);
  }],
  api_batch: ['get', '/books/stock', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(8);
    const ids = books.map((b) => b.id).join(',');
    const stock = await (await fetch(`${INVENTORY_URL}/stock?ids=${ids}`)).json();
    const byBook = new Map(stock.map((s) => [s.book_id, s.in_stock]));
    res.json(books.map((b) => ({ id: b.id, title: b.title, inStock: byBook.get(b.id) })));
  }],
  over_fetch_select_star: ['get', '/books/titles', async (req, res) => {
    const books = await knex('books').select('*').limit(50);
    res.json(books.map((b) => ({ id: b.id, title: b.title })));
  }],
  over_fetch_columns: ['get', '/books/titles', async (req, res) => {
    const books = await knex('books').select('id', 'title').limit(50);
    res.json(books.map((b) => ({ id: b.id, title: b.title })));
  }],
  deep_offset: ['get', '/books', async (req, res) => {
    const page = Number(req.query.page || 1);
    const books = await knex('books').orderBy('id').offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE);
    res.json({ page, books: books.map((b) => ({ id: b.id, title: b.title })) });
  }, '/books?page=251'],
  pagination_count: ['get', '/books/long-reads', async (req, res) => {
    const page = Number(req.query.page || 1);
    const longReads = knex('books').where('pages', '>', 100);
    const { total } = await longReads.clone().count({ total: '*' }).first();
    const books = await longReads.clone().orderBy('id').offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE);
    res.json({ page, total: Number(total), books: books.map((b) => ({ id: b.id, title: b.title, pages: b.pages })) });
  }, '/books/long-reads?page=3'],
  keyset_page: ['get', '/books/long-reads', async (req, res) => {
    const after = Number(req.query.after || 0);
    const books = await knex('books').where('pages', '>', 100).andWhere('id', '>', after).orderBy('id').limit(PAGE_SIZE);
    res.json({
      books: books.map((b) => ({ id: b.id, title: b.title, pages: b.pages })),
      next: books.length ? books[books.length - 1].id : null,
    });
  }, '/books/long-reads?after=5000'],
  several_traps: ['get', '/dashboard', async (req, res) => {
    // "New arrivals" with their authors, read one by one: an N+1.
    const latest = await knex('books').orderBy('id').limit(10);
    const arrivals = [];
    for (const book of latest) {
      const author = await knex('authors').where({ id: book.author_id }).first();
      arrivals.push({ id: book.id, title: book.title, author: author.name });
    }
    // The long-reads catalogue on a deep page, with its total.
    const page = Number(req.query.page || 1);
    const longReads = knex('books').where('pages', '>', 100);
    const { total } = await longReads.clone().count({ total: '*' }).first();
    const books = await longReads.clone().orderBy('id').offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE);
    res.json({ arrivals, longReads: { page, total: Number(total), books: books.map((b) => ({ id: b.id, title: b.title })) } });
  }, '/dashboard?page=251'],

  // ---- pages over joins, parallel N+1, GraphQL (testdata/README.md, last section) ----
  // A page of authors with their books, through the join: LIMIT counts joined rows.
  paged_to_many_join: ['get', '/authors/with-books', async (req, res) => {
    const rows = await knex('authors').join('books', 'books.author_id', 'authors.id').orderBy('authors.id').limit(PAGE_SIZE);
    // select *: books.id overwrites authors.id in each row, author_id is the author's id.
    const byAuthor = new Map();
    for (const r of rows) {
      if (!byAuthor.has(r.author_id)) byAuthor.set(r.author_id, { id: r.author_id, name: r.name, books: [] });
      byAuthor.get(r.author_id).books.push(r.title);
    }
    res.json([...byAuthor.values()]);
  }],
  // The fix: page the authors, then their books in one IN-list query.
  paged_to_many_fixed: ['get', '/authors/with-books', async (req, res) => {
    const authors = await knex('authors').orderBy('id').limit(PAGE_SIZE);
    const books = await knex('books').whereIn('author_id', authors.map((a) => a.id));
    res.json(authors.map((a) => ({
      id: a.id, name: a.name, books: books.filter((b) => b.author_id === a.id).map((b) => b.title),
    })));
  }],
  // A to-one join with a page: one row per book, the LIMIT is right.
  paged_to_one_join: ['get', '/books/with-author', async (req, res) => {
    const books = await knex('books')
      .join('authors', 'books.author_id', 'authors.id')
      .select('books.id', 'books.title', 'authors.name as author')
      .orderBy('books.id')
      .limit(PAGE_SIZE);
    res.json(books);
  }],
  // The N+1 run concurrently: every book's author, all at once.
  parallel_n_plus_one: ['get', '/books', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(12);
    const authors = await Promise.all(books.map((b) => knex('authors').where({ id: b.author_id }).first()));
    res.json(books.map((b, i) => ({ id: b.id, title: b.title, author: authors[i].name })));
  }],
  // The fix: one IN-list query for the authors.
  parallel_fixed: ['get', '/books', async (req, res) => {
    const books = await knex('books').orderBy('id').limit(12);
    const authors = await knex('authors').whereIn('id', [...new Set(books.map((b) => b.author_id))]);
    const byAuthor = new Map(authors.map((a) => [a.id, a]));
    res.json(books.map((b) => ({ id: b.id, title: b.title, author: byAuthor.get(b.author_id).name })));
  }],
  graphql_n_plus_one: ['post', '/graphql', graphqlHandler(graphqlDb(), { batched: false }), '/graphql',
    { query: BOOKS_WITH_AUTHORS }],
  graphql_dataloader: ['post', '/graphql', graphqlHandler(graphqlDb(), { batched: true }), '/graphql',
    { query: BOOKS_WITH_AUTHORS }],
};

// The data access of the GraphQL resolvers.
function graphqlDb() {
  return {
    listBooks: (limit) => knex('books').orderBy('id').limit(limit),
    authorIdOf: (book) => book.author_id,
    authorById: (id) => knex('authors').where({ id }).first(),
    authorsByIds: (ids) => knex('authors').whereIn('id', ids),
  };
}

async function serverVersion() {
  const { rows } = await knex.raw('SHOW server_version');
  return rows[0].server_version;
}

// Opens every connection of the pool (knex's default pool: min 2, max 10).
async function warmPool() {
  const max = knex.client.pool.max;
  await Promise.all(Array.from({ length: max }, () => knex.raw('SELECT pg_sleep(0.05)')));
}

async function close() {
  await knex.destroy();
}

module.exports = { reset, scenarios, serverVersion, warmPool, close };
