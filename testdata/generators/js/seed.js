'use strict';
// Deterministic seed data: 10 authors, 25 books, 8 tags, 1-3 tags per book.

const authorNames = [
  'Ursula Vance', 'Tomas Okafor', 'Mei Lindqvist', 'Rafael Duarte', 'Ingrid Novak',
  'Kwame Asante', 'Sofia Marchetti', 'Hiro Tanabe', 'Lena Petrova', 'Diego Alvarez',
];
const tagNames = ['fiction', 'history', 'science', 'poetry', 'travel', 'mystery', 'essays', 'children'];
const titleWords = [
  'River', 'Glass', 'Winter', 'Harbor', 'Lantern', 'Orchard', 'Signal', 'Meridian',
  'Salt', 'Atlas', 'Ember', 'Quarry', 'Tide', 'Cedar', 'Compass',
];

const authors = authorNames.map((name, i) => ({
  name,
  email: `${name.split(' ')[0].toLowerCase()}@example.com`,
  bio: `${name} writes about ${tagNames[i % tagNames.length]}.`,
}));

const books = Array.from({ length: 25 }, (_, i) => ({
  title: `The ${titleWords[i % titleWords.length]} ${titleWords[(i * 7 + 3) % titleWords.length]}`,
  author_id: (i % 10) + 1,
  published_at: `${1990 + i}-0${(i % 9) + 1}-15`,
  pages: 120 + i * 17,
}));

const tags = tagNames.map((name) => ({ name }));

const bookTags = [];
books.forEach((_, i) => {
  const n = (i % 3) + 1;
  for (let k = 0; k < n; k++) bookTags.push({ book_id: i + 1, tag_id: ((i + k * 3) % 8) + 1 });
});

// The rows that the insert scenarios post to the app.
const newBooks = Array.from({ length: 20 }, (_, i) => ({
  title: `New Release ${i + 1}`,
  author_id: (i % 10) + 1,
  published_at: '2024-06-01',
  pages: 200 + i,
}));

// The settings table of the "rest of the catalogue" scenarios (key/value rows).
const settings = [
  { key: 'currency', value: 'EUR' },
  { key: 'site_name', value: 'The Bookshop' },
  { key: 'page_size', value: '20' },
];

// The backlist of the pagination scenarios: BACKLIST more books, inserted by generate.js
// over a plain (untraced) pg connection in one INSERT ... SELECT, so that the catalogue
// has 6000 books and page 251 of 20 (OFFSET 5000) exists. Some have 100 pages or fewer,
// so that the "pages > 100" filter of the pagination scenarios filters something.
const BACKLIST = 5975;
const backlistSql = `INSERT INTO books (title, author_id, published_at, pages)
  SELECT 'Backlist No. ' || n, (n % 10) + 1, DATE '2000-01-01' + n, 80 + (n * 37) % 600
  FROM generate_series(1, ${BACKLIST}) AS n`;

module.exports = { authors, books, tags, bookTags, newBooks, settings, BACKLIST, backlistSql };
