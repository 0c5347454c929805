/**
 * The dashboard page's script, served as `/dashboard.js`: it asks `/api/state` once a second
 * (each request answered at once; the page holds nothing open) and redraws the page from it. Text
 * from the DSO (keys, URLs, program names) only ever goes in as text nodes, never as markup. The
 * chart is plain SVG drawn here: no framework, nothing fetched from elsewhere.
 */
export const DASHBOARD_SCRIPT = `'use strict';
(function () {
  var POLL_MS = 1000;
  var WINDOW_MS = 120000;
  var SVG = 'http://www.w3.org/2000/svg';

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function num(n) { return Number(n).toLocaleString('en-US'); }
  function rate(n) { return n === null || n === undefined ? '–' : n === 0 ? '0' : n < 10 ? n.toFixed(1) : num(Math.round(n)); }
  function bytes(n) {
    var units = ['B', 'KiB', 'MiB', 'GiB'], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (Number.isInteger(n) || n >= 100 ? Math.round(n) : n.toFixed(1)) + ' ' + units[i];
  }
  function ratio(hits, misses) {
    var reads = hits + misses;
    if (reads === 0) return '–';
    var pct = 100 * hits / reads;
    return (pct === 100 || pct === 0 ? String(pct) : pct.toFixed(1)) + '%';
  }
  function clock(ms) { return new Date(ms).toLocaleTimeString('en-GB'); }
  function uptime(ms) {
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
    return d > 0 ? d + 'd ' + h + 'h' : h > 0 ? h + 'h ' + m + 'm' : m > 0 ? m + 'm ' + (s % 60) + 's' : s + 's';
  }
  function pill(cls, text) { return el('span', { 'class': 'pill ' + cls }, text); }
  function fill(tbody, rows, columns, empty) {
    tbody.replaceChildren();
    if (rows.length === 0) tbody.appendChild(el('tr', {}, el('td', { colspan: String(columns), 'class': 'empty' }, empty)));
    rows.forEach(function (r) { tbody.appendChild(r); });
  }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
    return 10 * p;
  }

  function drawChart(points) {
    var chart = $('rate-chart');
    chart.replaceChildren();
    var W = 800, H = 220, L = 56, R = 12, T = 12, B = 26;
    var end = points.length ? points[points.length - 1].t : Date.now();
    var shown = points.filter(function (p) { return p.t >= end - WINDOW_MS; });
    var highest = Math.max.apply(null, shown.map(function (p) { return p.callsPerSecond; }).concat([0]));
    chart.setAttribute('data-points', String(shown.length));
    chart.setAttribute('data-max-rate', String(highest));
    var max = niceMax(highest);
    var x = function (t) { return L + (W - L - R) * (1 - (end - t) / WINDOW_MS); };
    var y = function (v) { return T + (H - T - B) * (1 - v / max); };
    [0, 0.5, 1].forEach(function (f) {
      chart.appendChild(svg('line', { 'class': 'grid', x1: L, x2: W - R, y1: y(max * f), y2: y(max * f) }));
      chart.appendChild(svg('text', { 'class': 'axis', x: L - 8, y: y(max * f) + 4, 'text-anchor': 'end' }, rate(max * f)));
    });
    chart.appendChild(svg('text', { 'class': 'axis', x: L, y: H - 6 }, '−2 min'));
    chart.appendChild(svg('text', { 'class': 'axis', x: W - R, y: H - 6, 'text-anchor': 'end' }, 'now'));
    if (shown.length < 2) {
      chart.appendChild(svg('text', { 'class': 'axis', x: (L + W) / 2, y: H / 2, 'text-anchor': 'middle' }, 'waiting for data…'));
      return;
    }
    var line = shown.map(function (p) { return x(p.t).toFixed(1) + ',' + y(p.callsPerSecond).toFixed(1); });
    var base = y(0).toFixed(1);
    chart.appendChild(svg('polygon', { 'class': 'area', points: x(shown[0].t).toFixed(1) + ',' + base + ' ' + line.join(' ') + ' ' + x(end).toFixed(1) + ',' + base }));
    chart.appendChild(svg('polyline', { 'class': 'line', points: line.join(' ') }));
  }

  function render(s) {
    $('dso').textContent = s.dso;
    $('updated').textContent = s.updated ? 'updated ' + clock(s.updated) : '';
    var err = $('error');
    err.hidden = !s.error;
    err.textContent = s.error ? 'The DSO did not answer: ' + s.error : '';
    var view = $('view-status');
    if (!s.view) { view.className = 'pill muted'; view.textContent = 'connecting…'; }
    else if (s.view.stable) { view.className = 'pill ok'; view.textContent = 'view ' + s.view.epoch + ' · stable'; }
    else { view.className = 'pill warn'; view.textContent = 'view ' + s.view.epoch + ' · handing over'; }
    var lost = $('lost-status');
    lost.hidden = !(s.view && s.view.lostRegions > 0);
    lost.textContent = s.view ? s.view.lostRegions + ' lost region' + (s.view.lostRegions === 1 ? '' : 's') : '';

    var running = s.apps.reduce(function (n, a) { return n + (a.outcome === 'running' && !a.stale ? a.threads.running : 0); }, 0);
    $('total-members').textContent = num(s.members.length);
    $('total-objects').textContent = num(s.totals.objects);
    $('total-rate').textContent = rate(s.totals.callsPerSecond);
    $('total-parked').textContent = num(s.totals.parkedCalls);
    $('total-subscriptions').textContent = num(s.totals.cacheSubscriptions);
    $('total-sessions').textContent = num(s.totals.sessions);
    $('total-threads').textContent = num(running);

    drawChart(s.rate);

    var bars = $('objects-bars');
    bars.replaceChildren();
    var most = s.objectsByType.length ? s.objectsByType[0].count : 1;
    if (s.objectsByType.length === 0) bars.appendChild(el('div', { 'class': 'empty' }, 'no objects'));
    s.objectsByType.forEach(function (o) {
      var fillBar = el('div', { 'class': 'fill', style: 'width:' + Math.max(2, 100 * o.count / most).toFixed(1) + '%' });
      var name = el('span', { 'class': 'name', title: o.type + (o.lattice ? ' (lattice)' : '') }, o.type);
      if (o.lattice) name.appendChild(el('span', { 'class': 'tag' }, 'lattice'));
      bars.appendChild(el('div', { 'class': 'bar', 'data-type': o.type, 'data-lattice': String(o.lattice) },
        name, el('div', { 'class': 'track' }, fillBar), el('span', { 'class': 'count' }, num(o.count))));
    });

    fill($('lattice').querySelector('tbody'), s.objectsByType.filter(function (o) { return o.lattice; }).map(function (o) {
      return el('tr', { 'data-type': o.type }, el('td', {}, o.type), el('td', { 'class': 'num count' }, num(o.count)));
    }), 2, 'no lattice objects');
    $('lattice-subscriptions').textContent = num(s.totals.cacheSubscriptions);

    fill($('members').querySelector('tbody'), s.members.map(function (m) {
      return el('tr', { 'data-url': m.url },
        el('td', { 'class': 'url', title: m.url }, m.url),
        el('td', { 'class': 'num' }, m.epoch),
        el('td', {}, m.stable ? pill('ok', 'stable') : pill('warn', 'handing over'), m.lostRegions > 0 ? pill('bad', m.lostRegions + ' lost') : ''),
        el('td', { 'class': 'num' }, num(m.objects)),
        el('td', { 'class': 'num' }, num(m.owned)),
        el('td', { 'class': 'num' }, num(m.sessions)),
        el('td', { 'class': 'num' }, num(m.parkedCalls)),
        el('td', { 'class': 'num subscriptions' }, num(m.cacheSubscriptions)),
        el('td', { 'class': 'num' }, num(m.calls)),
        el('td', { 'class': 'num' }, uptime(m.uptimeMs)));
    }), 10, 'no member answered yet');

    fill($('hot-keys').querySelector('tbody'), s.hotKeys.map(function (h) {
      return el('tr', { 'data-key': h.key }, el('td', { 'class': 'key', title: h.key + ' on ' + h.member }, h.key), el('td', { 'class': 'num' }, '≈ ' + num(h.calls)));
    }), 2, 'no calls lately');

    fill($('apps').querySelector('tbody'), s.apps.map(function (a) {
      var state = a.outcome === 'running' ? (a.stale ? pill('warn', 'silent since ' + clock(a.updated)) : pill('ok', 'running'))
        : a.outcome === 'ok' ? pill('muted', 'finished ' + clock(a.finished)) : pill('bad', 'failed ' + clock(a.finished));
      return el('tr', { 'data-program': a.program, 'data-outcome': a.outcome },
        el('td', { 'class': 'key', title: a.program }, a.program),
        el('td', {}, a.host),
        el('td', { 'class': 'num' }, a.pid),
        el('td', {}, clock(a.started)),
        el('td', {}, state),
        el('td', { 'class': 'num running' }, num(a.threads.running)),
        el('td', { 'class': 'num done' }, num(a.threads.done)),
        el('td', { 'class': 'num failed' }, num(a.threads.failed)));
    }), 8, 'no program has reported to this DSO (skein run --dso URL reports)');

    // Reports of versions before lattice objects carry no cache.
    fill($('caches').querySelector('tbody'), s.apps.filter(function (a) { return a.cache; }).map(function (a) {
      var c = a.cache;
      return el('tr', { 'data-program': a.program, 'data-outcome': a.outcome },
        el('td', { 'class': 'key', title: a.program + ' (pid ' + a.pid + ')' }, a.program),
        el('td', { 'class': 'num keys' }, num(c.keys)),
        el('td', { 'class': 'num bytes' }, bytes(c.bytes) + ' / ' + bytes(c.maxBytes)),
        el('td', { 'class': 'num hit-ratio', title: num(c.hits) + ' hits, ' + num(c.misses) + ' misses' }, ratio(c.hits, c.misses)),
        el('td', { 'class': 'num writes' }, num(c.writes)),
        el('td', { 'class': 'num unflushed' }, num(c.unflushed)),
        el('td', { 'class': 'num pushes' }, num(c.pushes)),
        el('td', { 'class': 'num evictions' }, num(c.evictions)));
    }), 8, 'no program has reported a cache');
  }

  function poll() {
    fetch('/api/state', { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error('dashboard answered ' + r.status); return r.json(); })
      .then(render, function (e) {
        var err = $('error');
        err.hidden = false;
        err.textContent = 'The dashboard server did not answer: ' + e.message;
      })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
`;
