'use strict';
// The "inventory" service of the api_loop / api_batch scenarios: a second Node.js process
// with its own OpenTelemetry SDK (service.name "inventory"), exporting to the same sink as
// the bookshop. It answers GET /stock/:id and GET /stock?ids=1,2,... from memory.
// Forked by generate.js; SINK_URL is where its OTLP exporter posts.
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');

const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: process.env.SINK_URL }),
  { maxExportBatchSize: 8 });
const sdk = new NodeSDK({
  serviceName: 'inventory',
  spanProcessors: [spanProcessor],
  instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation()],
});
sdk.start();

const express = require('express'); // after sdk.start(), so that it is instrumented

// Deterministic stock level per book id.
const stockOf = (id) => ({ book_id: id, in_stock: (id * 7) % 13, warehouse: id % 2 ? 'north' : 'south' });

const app = express();
app.get('/stock/:id', (req, res) => {
  res.json(stockOf(Number(req.params.id)));
});
app.get('/stock', (req, res) => {
  const ids = String(req.query.ids || '').split(',').filter(Boolean).map(Number);
  res.json(ids.map(stockOf));
});

const server = app.listen(0, '127.0.0.1', () => {
  process.send({ id: 0, ok: true, result: { port: server.address().port } });
});

process.on('message', async (msg) => {
  try {
    if (msg.type === 'flush') await spanProcessor.forceFlush();
    if (msg.type === 'exit') {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await sdk.shutdown();
    }
    process.send({ id: msg.id, ok: true });
    if (msg.type === 'exit') process.disconnect();
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: String(err && err.stack || err) });
  }
});
