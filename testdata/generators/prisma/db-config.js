'use strict';
// PostgreSQL connection; override with PG* environment variables.
const host = process.env.PGHOST || '127.0.0.1';
const port = Number(process.env.PGPORT || 5432);
const user = process.env.PGUSER || 'orm_testdata';
const password = process.env.PGPASSWORD || 'orm_testdata';
const database = process.env.PGDATABASE || 'prisma_testdata';
const dbConfig = { host, port, user, password, database, url: `postgresql://${user}:${password}@${host}:${port}/${database}` };
module.exports = { dbConfig };
