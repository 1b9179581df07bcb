'use strict';
// OpenTelemetry setup, loaded before anything else in app.js (as `node -r ./tracing.js`
// would). Plain NodeSDK with the instrumentations a Sequelize / Knex user installs.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg');
const { KnexInstrumentation } = require('@opentelemetry/instrumentation-knex');
const { SequelizeInstrumentation } = require('@opentelemetry/instrumentation-sequelize');
const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');
const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql');

const orm = process.env.BOOKSHOP_ORM; // "sequelize" | "knex"

// OTLP/HTTP with JSON encoding (this exporter's only encoding) to the generator's sink.
const exporter = new OTLPTraceExporter({ url: process.env.SINK_URL });
// A small batch size, so that one trace is naturally exported over several requests.
const spanProcessor = new BatchSpanProcessor(exporter, { maxExportBatchSize: 8 });

// undici: Node's global fetch(), which the api_* scenarios use to call the inventory service
// (instrumentation-http only sees the http/https modules, not fetch). graphql: the graphql_*
// scenarios (default options: a graphql.resolve span per field, values not recorded); it makes
// no span unless graphql parses, validates or executes something.
const instrumentations = [new HttpInstrumentation(), new ExpressInstrumentation(), new PgInstrumentation(),
  new UndiciInstrumentation(), new GraphQLInstrumentation()];
if (orm === 'sequelize') instrumentations.push(new SequelizeInstrumentation());
if (orm === 'knex') instrumentations.push(new KnexInstrumentation());

const sdk = new NodeSDK({
  serviceName: `bookshop-${orm}`,
  spanProcessors: [spanProcessor],
  instrumentations,
});
sdk.start();

module.exports = { sdk, spanProcessor };
