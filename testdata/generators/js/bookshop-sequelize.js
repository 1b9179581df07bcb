'use strict';
// The bookshop with Sequelize 6: models, seeding, and one express handler per scenario.
const { Sequelize, DataTypes, QueryTypes, Op, fn, col } = require('sequelize');
const { trace } = require('@opentelemetry/api');
const seed = require('./seed');
const { dbConfig } = require('./db-config');
const { graphqlHandler, BOOKS_WITH_AUTHORS } = require('./graphql-app');

const sequelize = new Sequelize(dbConfig.database, dbConfig.user, dbConfig.password, {
  host: dbConfig.host,
  port: dbConfig.port,
  dialect: 'postgres',
  logging: false,
});

const modelOptions = (tableName) => ({ tableName, timestamps: false, underscored: true });

const Author = sequelize.define('Author', {
  name: { type: DataTypes.STRING, allowNull: false },
  email: { type: DataTypes.STRING, allowNull: false },
  bio: DataTypes.TEXT,
}, modelOptions('authors'));

const Book = sequelize.define('Book', {
  title: { type: DataTypes.STRING, allowNull: false },
  authorId: { type: DataTypes.INTEGER, allowNull: false },
  publishedAt: DataTypes.DATEONLY,
  pages: DataTypes.INTEGER,
}, modelOptions('books'));

const Tag = sequelize.define('Tag', {
  name: { type: DataTypes.STRING, allowNull: false, unique: true },
}, modelOptions('tags'));

const BookTag = sequelize.define('BookTag', {}, modelOptions('book_tags'));

const Setting = sequelize.define('Setting', {
  key: { type: DataTypes.STRING, allowNull: false, unique: true },
  value: { type: DataTypes.STRING, allowNull: false },
}, modelOptions('settings'));

Author.hasMany(Book, { foreignKey: 'authorId' });
Book.belongsTo(Author, { foreignKey: 'authorId' });
Book.belongsToMany(Tag, { through: BookTag, foreignKey: 'bookId', otherKey: 'tagId' });
Tag.belongsToMany(Book, { through: BookTag, foreignKey: 'tagId', otherKey: 'bookId' });

// Schema and seed data (run outside any scenario; its spans are discarded).
async function reset() {
  await sequelize.sync({ force: true });
  await Author.bulkCreate(seed.authors);
  await Book.bulkCreate(seed.books.map(toBook));
  await Tag.bulkCreate(seed.tags);
  await BookTag.bulkCreate(seed.bookTags.map((bt) => ({ bookId: bt.book_id, tagId: bt.tag_id })));
  await Setting.bulkCreate(seed.settings);
}

function toBook(row) {
  return { title: row.title, authorId: row.author_id, publishedAt: row.published_at, pages: row.pages };
}

const byId = [['id', 'ASC']];

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
    const books = await Book.findAll({ limit: 12, order: byId });
    const out = [];
    for (const book of books) {
      const author = await book.getAuthor();
      out.push({ id: book.id, title: book.title, author: author.name });
    }
    res.json(out);
  }],
  forward_fk_join: ['get', '/books', async (req, res) => {
    const books = await Book.findAll({ limit: 12, order: byId, include: Author });
    res.json(books.map((book) => ({ id: book.id, title: book.title, author: book.Author.name })));
  }],
  collection_loop: ['get', '/authors', async (req, res) => {
    const authors = await Author.findAll({ limit: 8, order: byId });
    const out = [];
    for (const author of authors) {
      const books = await author.getBooks();
      out.push({ id: author.id, name: author.name, books: books.map((b) => b.title) });
    }
    res.json(out);
  }],
  collection_prefetch: ['get', '/authors', async (req, res) => {
    const authors = await Author.findAll({
      limit: 8,
      order: byId,
      include: [{ model: Book, separate: true }],
    });
    res.json(authors.map((a) => ({ id: a.id, name: a.name, books: a.Books.map((b) => b.title) })));
  }],
  m2m_loop: ['get', '/books/tags', async (req, res) => {
    const books = await Book.findAll({ limit: 10, order: byId });
    const out = [];
    for (const book of books) {
      const tags = await book.getTags();
      out.push({ id: book.id, title: book.title, tags: tags.map((t) => t.name) });
    }
    res.json(out);
  }],
  m2m_prefetch: ['get', '/books/tags', async (req, res) => {
    const books = await Book.findAll({ limit: 10, order: byId, include: Tag });
    res.json(books.map((book) => ({ id: book.id, title: book.title, tags: book.Tags.map((t) => t.name) })));
  }],
  count_loop: ['get', '/authors/book-counts', async (req, res) => {
    const authors = await Author.findAll({ limit: 7, order: byId });
    const out = [];
    for (const author of authors) {
      const n = await Book.count({ where: { authorId: author.id } });
      out.push({ id: author.id, name: author.name, books: n });
    }
    res.json(out);
  }],
  count_annotate: ['get', '/authors/book-counts', async (req, res) => {
    const authors = await Author.findAll({ limit: 7, order: byId });
    const counts = await Book.findAll({
      attributes: ['authorId', [fn('COUNT', col('id')), 'n']],
      where: { authorId: authors.map((a) => a.id) },
      group: ['authorId'],
      raw: true,
    });
    const byAuthor = new Map(counts.map((c) => [c.authorId, Number(c.n)]));
    res.json(authors.map((a) => ({ id: a.id, name: a.name, books: byAuthor.get(a.id) || 0 })));
  }],
  insert_loop: ['post', '/books/import', async (req, res) => {
    const created = [];
    for (const row of req.body) {
      const book = await Book.create(toBook(row));
      created.push(book.id);
    }
    res.status(201).json(created);
  }],
  insert_bulk: ['post', '/books/import', async (req, res) => {
    const books = await Book.bulkCreate(req.body.map(toBook));
    res.status(201).json(books.map((b) => b.id));
  }],
  below_threshold: ['get', '/books', async (req, res) => {
    const books = await Book.findAll({ limit: 3, order: byId });
    const out = [];
    for (const book of books) {
      const author = await book.getAuthor();
      out.push({ id: book.id, title: book.title, author: author.name });
    }
    res.json(out);
  }],

  // ---- the rest of the catalogue (testdata/README.md) ----
  mn_plus_one_loop: ['get', '/books/details', async (req, res) => {
    const books = await Book.findAll({ limit: 10, order: byId });
    const out = [];
    for (const book of books) {
      const author = await book.getAuthor();
      const tags = await book.getTags();
      out.push({ id: book.id, title: book.title, author: author.name, tags: tags.map((t) => t.name) });
    }
    res.json(out);
  }],
  mn_plus_one_prefetch: ['get', '/books/details', async (req, res) => {
    const books = await Book.findAll({ limit: 10, order: byId, include: [Author, Tag] });
    res.json(books.map((book) => ({
      id: book.id, title: book.title, author: book.Author.name, tags: book.Tags.map((t) => t.name),
    })));
  }],
  duplicate_loop: ['get', '/books/prices', async (req, res) => {
    const books = await Book.findAll({ limit: 8, order: byId });
    const out = [];
    for (const book of books) {
      out.push(await serializeBook(book, async (b) => {
        const currency = await Setting.findOne({ where: { key: 'currency' } });
        return { id: b.id, title: b.title, price: price(b), currency: currency.value };
      }));
    }
    res.json(out);
  }],
  duplicate_cached: ['get', '/books/prices', async (req, res) => {
    const books = await Book.findAll({ limit: 8, order: byId });
    const currency = await Setting.findOne({ where: { key: 'currency' } });
    const out = [];
    for (const book of books) {
      out.push(await serializeBook(book, async (b) => (
        { id: b.id, title: b.title, price: price(b), currency: currency.value })));
    }
    res.json(out);
  }],
  api_loop: ['get', '/books/stock', async (req, res) => {
    const books = await Book.findAll({ limit: 8, order: byId });
    const out = [];
    for (const book of books) {
      const stock = await (await fetch(`${INVENTORY_URL}/stock/${book.id}`)).json();
      out.push({ id: book.id, title: book.title, inStock: stock.in_stock });
    }
    res.json(out);
  }],
  api_batch: ['get', '/books/stock', async (req, res) => {
    const books = await Book.findAll({ limit: 8, order: byId });
    const ids = books.map((b) => b.id).join(',');
    const stock = await (await fetch(`${INVENTORY_URL}/stock?ids=${ids}`)).json();
    const byBook = new Map(stock.map((s) => [s.book_id, s.in_stock]));
    res.json(books.map((b) => ({ id: b.id, title: b.title, inStock: byBook.get(b.id) })));
  }],
  deep_offset: ['get', '/books', async (req, res) => {
    const page = Number(req.query.page || 1);
    const books = await Book.findAll({ order: [['id', 'ASC']], offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    res.json({ page, books: books.map((b) => ({ id: b.id, title: b.title })) });
  }, '/books?page=251'],
  pagination_count: ['get', '/books/long-reads', async (req, res) => {
    const page = Number(req.query.page || 1);
    const { count, rows } = await Book.findAndCountAll({
      where: { pages: { [Op.gt]: 100 } },
      order: [['id', 'ASC']],
      offset: (page - 1) * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
    res.json({ page, total: count, books: rows.map((b) => ({ id: b.id, title: b.title, pages: b.pages })) });
  }, '/books/long-reads?page=3'],
  keyset_page: ['get', '/books/long-reads', async (req, res) => {
    const after = Number(req.query.after || 0);
    const rows = await Book.findAll({
      where: { pages: { [Op.gt]: 100 }, id: { [Op.gt]: after } },
      order: [['id', 'ASC']],
      limit: PAGE_SIZE,
    });
    res.json({
      books: rows.map((b) => ({ id: b.id, title: b.title, pages: b.pages })),
      next: rows.length ? rows[rows.length - 1].id : null,
    });
  }, '/books/long-reads?after=5000'],
  several_traps: ['get', '/dashboard', async (req, res) => {
    // "New arrivals" with their authors, read lazily: an N+1.
    const latest = await Book.findAll({ limit: 10, order: byId });
    const arrivals = [];
    for (const book of latest) {
      const author = await book.getAuthor();
      arrivals.push({ id: book.id, title: book.title, author: author.name });
    }
    // The long-reads catalogue on a deep page, with its total.
    const page = Number(req.query.page || 1);
    const { count, rows } = await Book.findAndCountAll({
      where: { pages: { [Op.gt]: 100 } },
      order: [['id', 'ASC']],
      offset: (page - 1) * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
    res.json({ arrivals, longReads: { page, total: count, books: rows.map((b) => ({ id: b.id, title: b.title })) } });
  }, '/dashboard?page=251'],

  // ---- pages over joins, parallel N+1, GraphQL (testdata/README.md, last section) ----
  // A page of authors with their books, loaded through the join: LIMIT counts joined rows.
  paged_to_many_join: ['get', '/authors/with-books', async (req, res) => {
    const authors = await Author.findAll({
      include: [{ model: Book, required: true }],
      order: byId,
      limit: PAGE_SIZE,
      subQuery: false,
    });
    res.json(authors.map((a) => ({ id: a.id, name: a.name, books: a.Books.map((b) => b.title) })));
  }],
  // The fix: page the authors, then their books in one IN-list query (separate: true).
  paged_to_many_fixed: ['get', '/authors/with-books', async (req, res) => {
    const authors = await Author.findAll({
      include: [{ model: Book, separate: true }],
      order: byId,
      limit: PAGE_SIZE,
    });
    res.json(authors.map((a) => ({ id: a.id, name: a.name, books: a.Books.map((b) => b.title) })));
  }],
  // A to-one join with a page: one row per book, the LIMIT is right.
  paged_to_one_join: ['get', '/books/with-author', async (req, res) => {
    const books = await Book.findAll({ include: Author, order: byId, limit: PAGE_SIZE });
    res.json(books.map((b) => ({ id: b.id, title: b.title, author: b.Author.name })));
  }],
  // Sequelize's default (subQuery: true): the authors are paged in a subquery, then joined.
  paged_subquery: ['get', '/authors/with-books', async (req, res) => {
    const authors = await Author.findAll({ include: [{ model: Book }], order: byId, limit: PAGE_SIZE });
    res.json(authors.map((a) => ({ id: a.id, name: a.name, books: a.Books.map((b) => b.title) })));
  }],
  // The N+1 run concurrently: every book's author lazily, all at once.
  parallel_n_plus_one: ['get', '/books', async (req, res) => {
    const books = await Book.findAll({ limit: 12, order: byId });
    const authors = await Promise.all(books.map((b) => b.getAuthor()));
    res.json(books.map((b, i) => ({ id: b.id, title: b.title, author: authors[i].name })));
  }],
  // The fix: one IN-list query for the authors.
  parallel_fixed: ['get', '/books', async (req, res) => {
    const books = await Book.findAll({ limit: 12, order: byId });
    const authors = await Author.findAll({ where: { id: [...new Set(books.map((b) => b.authorId))] } });
    const byAuthor = new Map(authors.map((a) => [a.id, a]));
    res.json(books.map((b) => ({ id: b.id, title: b.title, author: byAuthor.get(b.authorId).name })));
  }],
  graphql_n_plus_one: ['post', '/graphql', graphqlHandler(graphqlDb(), { batched: false }), '/graphql',
    { query: BOOKS_WITH_AUTHORS }],
  graphql_dataloader: ['post', '/graphql', graphqlHandler(graphqlDb(), { batched: true }), '/graphql',
    { query: BOOKS_WITH_AUTHORS }],
};

// The data access of the GraphQL resolvers.
function graphqlDb() {
  return {
    listBooks: (limit) => Book.findAll({ limit, order: byId }),
    authorIdOf: (book) => book.authorId,
    authorById: (id) => Author.findByPk(id),
    authorsByIds: (ids) => Author.findAll({ where: { id: ids } }),
  };
}

async function serverVersion() {
  const [row] = await sequelize.query('SHOW server_version', { type: QueryTypes.SELECT });
  return row.server_version;
}

// Opens every connection of the pool (Sequelize's default pool: max 5).
async function warmPool() {
  const max = sequelize.connectionManager.pool.maxSize;
  await Promise.all(Array.from({ length: max }, () => sequelize.query('SELECT pg_sleep(0.05)')));
}

async function close() {
  await sequelize.close();
}

module.exports = { reset, scenarios, serverVersion, warmPool, close };
