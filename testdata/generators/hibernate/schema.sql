-- The bookshop's tables, written by generate.py with psql before the app starts.
CREATE SEQUENCE books_seq INCREMENT BY 50;      -- pooled: one nextval per 50 ImportedBook ids
CREATE TABLE authors (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE tags (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (
  id bigint PRIMARY KEY DEFAULT nextval('books_seq'),   -- Book reads it back (IDENTITY)
  title text NOT NULL,
  pages integer NOT NULL,
  author_id bigint NOT NULL REFERENCES authors (id)
);
CREATE INDEX books_author_id ON books (author_id);
CREATE TABLE books_tags (
  book_id bigint NOT NULL REFERENCES books (id),
  tag_id bigint NOT NULL REFERENCES tags (id),
  PRIMARY KEY (book_id, tag_id)
);
