'use strict';
// PostgreSQL connection; override with PG* environment variables.
const dbConfig = {
  host: process.env.PGHOST || '127.0.0.1',
  port: Number(process.env.PGPORT || 5432),
  user: process.env.PGUSER || 'orm_testdata',
  password: process.env.PGPASSWORD || 'orm_testdata',
  database: process.env.PGDATABASE || 'typeorm_testdata',
};

module.exports = { dbConfig };
