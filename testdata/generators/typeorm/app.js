'use strict';
// The instrumented bookshop process, driven by generate.js over IPC (../typeorm/harness.js).
const { spanProcessor, sdk } = require('./tracing'); // must load before express/pg/typeorm
const express = require('express');
const bookshop = require('./bookshop');

require('./harness').serve({ spanProcessor, sdk, bookshop, express });
