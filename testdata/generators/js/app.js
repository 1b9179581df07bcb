'use strict';
// The instrumented bookshop process (one per ORM), driven by generate.js over IPC.
// BOOKSHOP_ORM selects the ORM; SINK_URL is where the OTLP exporter posts; INVENTORY_URL is
// the inventory service of the api_* scenarios (inventory.js).
const { spanProcessor, sdk } = require('./tracing'); // must load before express/pg/ORMs
const express = require('express');

const bookshop = require(`./bookshop-${process.env.BOOKSHOP_ORM}`);

let server = null;

function closeServer() {
  if (!server) return Promise.resolve();
  const s = server;
  server = null;
  s.closeAllConnections();
  return new Promise((resolve) => s.close(resolve));
}

async function prepare(scenario) {
  await closeServer();
  await bookshop.reset(); // schema + seed; the sink discards these spans
  const serverVersion = await bookshop.serverVersion();
  // The concurrent scenarios run on a warm pool, as a server that has been up for a while does:
  // every connection the pool may hold is opened now (these spans are discarded too), so that
  // the request waits for no connect.
  if (/^(parallel|graphql)_/.test(scenario)) await bookshop.warmPool();
  // An optional 4th element is the path requested (with a query string), else the route; an
  // optional 5th the JSON body posted (else generate.js posts seed.newBooks to a post route).
  const [method, route, handler, requestPath, body] = bookshop.scenarios[scenario];
  const app = express();
  app.use(express.json());
  app[method](route, handler);
  await new Promise((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve);
  });
  await spanProcessor.forceFlush();
  return { port: server.address().port, method, route, path: requestPath || route, body, serverVersion };
}

const handlers = {
  prepare: (msg) => prepare(msg.scenario),
  flush: () => spanProcessor.forceFlush(),
  exit: async () => {
    await closeServer();
    await bookshop.close();
    await sdk.shutdown();
  },
};

process.on('message', async (msg) => {
  try {
    const result = await handlers[msg.type](msg);
    process.send({ id: msg.id, ok: true, result });
    if (msg.type === 'exit') process.disconnect();
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: String(err && err.stack || err) });
  }
});

process.send({ id: 0, ok: true, result: 'ready' });
