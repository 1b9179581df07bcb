'use strict';
// The instrumented bookshop process, driven by generate.js over IPC (../typeorm/harness.js).
const { spanProcessor, sdk } = require('./tracing'); // must load before express and the client
const express = require('express');
const bookshop = require('./bookshop');

require('../typeorm/harness').serve({ spanProcessor, sdk, bookshop, express });
