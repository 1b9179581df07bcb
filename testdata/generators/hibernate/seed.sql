-- The rows every scenario starts from (generate.py runs it with psql before each request):
-- 12 authors, 8 tags, 6,000 books (books 1-12 by 12 different authors, then round robin),
-- 2-3 tags on each of the first 25 books.
TRUNCATE books_tags, books, tags, authors;
INSERT INTO authors (id, name) SELECT i, 'Author ' || i FROM generate_series(1, 12) i;
INSERT INTO tags (id, name) SELECT i, 'tag-' || i FROM generate_series(1, 8) i;
INSERT INTO books (id, title, pages, author_id)
  SELECT i, 'Book ' || i, 80 + (i * 37) % 400, (i - 1) % 12 + 1 FROM generate_series(1, 6000) i;
INSERT INTO books_tags (book_id, tag_id)
  SELECT b, t FROM generate_series(1, 25) b, generate_series(1, 8) t WHERE (b + t) % 3 = 0;
SELECT setval('books_seq', 6050);
ANALYZE;
