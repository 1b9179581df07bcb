// querylens findings page: live updates with a pause, and a finding's spans
// highlighted on the waterfall while its row is hovered or focused. The page
// reads the same without it: every part is rendered by the server.
(function () {
  'use strict';
  var PAUSED = 'querylens.paused';
  var box = document.getElementById('live');
  var source = null;
  var fetching = false;
  var again = false;
  var paused = false;
  try { paused = window.localStorage.getItem(PAUSED) === '1'; } catch (e) { /* storage off: not paused */ }

  function main() { return document.getElementById('main'); }

  function show(state) {
    if (!box) { return; }
    box.hidden = false;
    box.className = state;
    box.querySelector('.state').textContent =
      state === 'paused' ? 'paused' : state === 'off' ? 'reconnecting' : 'live · ' + new Date().toLocaleTimeString();
    var button = box.querySelector('button');
    button.textContent = paused ? 'resume' : 'pause';
    button.setAttribute('aria-pressed', paused ? 'true' : 'false');
  }

  // refresh fetches the page again and puts its main part in place when
  // what it shows changed (data-rev); one fetch at a time.
  function refresh() {
    if (paused) { return; }
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(window.location.href, { cache: 'no-store', headers: { Accept: 'text/html' } })
      .then(function (res) {
        if (res.status === 503) { again = true; return null; } // busy: once more in a moment
        return res.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var next = new DOMParser().parseFromString(html, 'text/html').getElementById('main');
        var cur = main();
        if (!next || !cur || paused) { return; }
        if (next.dataset.rev !== cur.dataset.rev) {
          cur.replaceWith(document.adoptNode(next));
        } else {
          cur.dataset.version = next.dataset.version;
        }
        show('live');
      })
      .catch(function () { show('off'); })
      .then(function () {
        fetching = false;
        if (again) { again = false; window.setTimeout(refresh, 1000); }
      });
  }

  function connect() {
    if (!window.EventSource || source) { return; }
    source = new EventSource('/events');
    source.addEventListener('change', function (e) {
      var cur = main();
      if (cur && e.data !== cur.dataset.version) { refresh(); }
      show(paused ? 'paused' : 'live');
    });
    source.onerror = function () {
      if (source && source.readyState === EventSource.CLOSED) {
        // Refused (too many live pages): try again later.
        source = null;
        window.setTimeout(function () { if (!paused) { connect(); } }, 10000);
      }
      show('off');
    };
  }

  function disconnect() {
    if (source) { source.close(); source = null; }
  }

  if (box) {
    box.querySelector('button').addEventListener('click', function () {
      paused = !paused;
      try { window.localStorage.setItem(PAUSED, paused ? '1' : '0'); } catch (e) { /* kept for this page only */ }
      if (paused) { disconnect(); show('paused'); } else { connect(); refresh(); show('live'); }
    });
    show(paused ? 'paused' : 'live');
    if (!paused) { connect(); }
  }

  // A finding's row highlights its spans on the waterfall of its request.
  function highlight(row, on) {
    var section = row.closest('section.request');
    var wf = section && section.querySelector('.wf');
    if (!wf) { return; }
    var id = on ? row.dataset.f : wf.dataset.focus || '';
    var items = wf.querySelectorAll('[data-f]');
    for (var i = 0; i < items.length; i++) {
      items[i].classList.toggle('hl', id !== '' && items[i].dataset.f === id);
    }
    wf.classList.toggle('focus', id !== '');
  }
  ['mouseover', 'focusin'].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var row = e.target.closest && e.target.closest('tr.finding[data-f]');
      if (row) { highlight(row, true); }
    });
  });
  ['mouseout', 'focusout'].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var row = e.target.closest && e.target.closest('tr.finding[data-f]');
      if (row && !(e.relatedTarget && row.contains(e.relatedTarget))) { highlight(row, false); }
    });
  });
}());
