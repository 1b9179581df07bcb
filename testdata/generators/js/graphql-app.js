'use strict';
// The GraphQL endpoint of the graphql_n_plus_one / graphql_dataloader scenarios, shared by both
// bookshops: a graphql-js schema (Query.books, Book.author), served over HTTP by graphql-http's
// express handler. graphql is required after tracing.js (app.js loads it first), so that
// @opentelemetry/instrumentation-graphql patches it.
const {
  GraphQLSchema, GraphQLObjectType, GraphQLList, GraphQLNonNull, GraphQLString, GraphQLInt, GraphQLID,
} = require('graphql');
const { createHandler } = require('graphql-http/lib/use/express');
const DataLoader = require('dataloader');

// What the client posts: the books with their author's name.
const BOOKS_WITH_AUTHORS = 'query BooksWithAuthors { books(limit: 12) { id title author { name } } }';

// db: { listBooks(limit), authorIdOf(book), authorById(id), authorsByIds(ids) }.
// batched false: Book.author runs one query per book (the N+1); true: it goes through a
// per-request DataLoader whose batch function runs one IN-list query.
function graphqlHandler(db, { batched }) {
  const Author = new GraphQLObjectType({
    name: 'Author',
    fields: {
      id: { type: new GraphQLNonNull(GraphQLID) },
      name: { type: new GraphQLNonNull(GraphQLString) },
    },
  });
  const Book = new GraphQLObjectType({
    name: 'Book',
    fields: {
      id: { type: new GraphQLNonNull(GraphQLID) },
      title: { type: new GraphQLNonNull(GraphQLString) },
      author: {
        type: new GraphQLNonNull(Author),
        resolve: (book, _args, ctx) => (batched
          ? ctx.authors.load(db.authorIdOf(book))
          : db.authorById(db.authorIdOf(book))),
      },
    },
  });
  const Query = new GraphQLObjectType({
    name: 'Query',
    fields: {
      books: {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Book))),
        args: { limit: { type: GraphQLInt, defaultValue: 12 } },
        resolve: (_root, { limit }) => db.listBooks(limit),
      },
    },
  });
  const schema = new GraphQLSchema({ query: Query });
  return createHandler({
    schema,
    // One DataLoader per request, as its documentation recommends.
    context: () => ({
      authors: new DataLoader(async (ids) => {
        const rows = await db.authorsByIds([...ids]);
        const byId = new Map(rows.map((a) => [a.id, a]));
        return ids.map((id) => byId.get(id) || new Error(`no author ${id}`));
      }),
    }),
  });
}

module.exports = { graphqlHandler, BOOKS_WITH_AUTHORS };
