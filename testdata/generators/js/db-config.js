'use strict';
// PostgreSQL connection for both bookshops; override with PG* environment variables.
const dbConfig = {
  host: process.env.PGHOST || '127.0.0.1',
  port: Number(process.env.PGPORT || 5432),
  user: process.env.PGUSER || 'js_testdata',
  password: process.env.PGPASSWORD || 'js_testdata',
  database: process.env.PGDATABASE || 'js_testdata',
};

module.exports = { dbConfig };
