'use strict';
// OpenTelemetry setup, loaded before anything else in app.js: a plain NodeSDK with the
// instrumentations of Prisma's tracing guide (http, express and @prisma/instrumentation).
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
const { PrismaInstrumentation } = require('@prisma/instrumentation');

// OTLP/HTTP JSON to the generator's sink; a small batch size, so that one trace is exported
// over several requests, as in the other generators.
const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: process.env.SINK_URL }), { maxExportBatchSize: 8 });

const sdk = new NodeSDK({
  serviceName: 'bookshop-prisma',
  spanProcessors: [spanProcessor],
  // Default options everywhere.
  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation(), new PrismaInstrumentation()],
});
sdk.start();

module.exports = { sdk, spanProcessor };
