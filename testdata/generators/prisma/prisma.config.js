// Prisma 7 reads the connection from here, not from the schema.
const { dbConfig } = require('./db-config');
module.exports = {
  schema: 'prisma/schema.prisma',
  datasource: { url: dbConfig.url },
};
