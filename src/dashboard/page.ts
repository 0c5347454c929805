/**
 * The dashboard's page: markup and style only, self-contained (nothing is fetched from another
 * site). `/dashboard.js` (see `page-script.ts`) fills it from `/api/state` once a second.
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Skein dashboard</title>
<style>
  :root {
    --bg: #f4f6f9; --panel: #ffffff; --ink: #1d2433; --muted: #667085; --line: #e3e7ee;
    --accent: #2f6fde; --ok: #13804b; --warn: #b25e09; --bad: #c4282d;
  }
  * { box-sizing: border-box; }
  [hidden] { display: none !important; }
  body { margin: 0; background: var(--bg); color: var(--ink);
    font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
  header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 20px; padding: 14px 24px;
    background: #1d2433; color: #fff; }
  header h1 { font-size: 18px; margin: 0; font-weight: 600; letter-spacing: .02em; }
  header .dso { font-family: ui-monospace, "DejaVu Sans Mono", monospace; color: #c9d3e6; }
  header .spacer { flex: 1; }
  header .updated { color: #c9d3e6; font-size: 13px; }
  .pill { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 600; }
  .pill.ok { background: #d8f3e4; color: var(--ok); }
  .pill.warn { background: #fdebd3; color: var(--warn); }
  .pill.bad { background: #fbdcdd; color: var(--bad); }
  .pill.muted { background: #e6e9ef; color: var(--muted); }
  main { padding: 20px 24px 32px; display: grid; gap: 16px; grid-template-columns: repeat(12, 1fr); max-width: 1400px; }
  .error { grid-column: 1 / -1; background: #fbdcdd; color: var(--bad); padding: 10px 14px; border-radius: 8px; }
  .cards { grid-column: 1 / -1; display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); }
  .card, section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; }
  .card { padding: 12px 16px; }
  .card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
  .card .value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
  section { padding: 14px 16px 16px; min-width: 0; }
  section h2 { margin: 0 0 10px; font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
  .wide { grid-column: span 8; }
  .narrow { grid-column: span 4; }
  .full { grid-column: 1 / -1; }
  @media (max-width: 1000px) { .wide, .narrow { grid-column: 1 / -1; } }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { color: var(--muted); font-weight: 500; font-size: 12px; }
  td.num, th.num { text-align: right; }
  td.key, td.url { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px;
    max-width: 320px; overflow: hidden; text-overflow: ellipsis; }
  tr:last-child td { border-bottom: none; }
  .empty { color: var(--muted); padding: 8px 0; }
  .note { color: var(--muted); margin: 10px 0 0; font-variant-numeric: tabular-nums; }
  .tag { margin-left: 6px; padding: 0 6px; border-radius: 4px; font-size: 11px; background: #e4ecfb; color: var(--accent); }
  .bars { display: grid; gap: 6px; }
  .bar { display: grid; grid-template-columns: 130px 1fr 60px; gap: 8px; align-items: center; }
  .bar .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .bar .track { background: #edf1f7; border-radius: 4px; height: 12px; overflow: hidden; }
  .bar .fill { background: var(--accent); height: 100%; border-radius: 4px; }
  .bar .count { text-align: right; font-variant-numeric: tabular-nums; }
  svg.chart { width: 100%; height: 220px; display: block; }
  svg.chart .grid { stroke: var(--line); stroke-width: 1; }
  svg.chart .axis { fill: var(--muted); font-size: 11px; }
  svg.chart .line { fill: none; stroke: var(--accent); stroke-width: 2; stroke-linejoin: round; }
  svg.chart .area { fill: rgba(47, 111, 222, .12); }
</style>
</head>
<body>
<header>
  <h1>Skein</h1>
  <span class="dso" id="dso"></span>
  <span id="view-status" class="pill muted">connecting…</span>
  <span id="lost-status" class="pill bad" hidden></span>
  <span class="spacer"></span>
  <span class="updated" id="updated"></span>
</header>
<main>
  <div class="error" id="error" hidden></div>
  <div class="cards">
    <div class="card"><div class="label">Members</div><div class="value" id="total-members">–</div></div>
    <div class="card"><div class="label">Objects</div><div class="value" id="total-objects">–</div></div>
    <div class="card"><div class="label">Calls / s</div><div class="value" id="total-rate">–</div></div>
    <div class="card"><div class="label">Parked calls</div><div class="value" id="total-parked">–</div></div>
    <div class="card"><div class="label">Cache subscriptions</div><div class="value" id="total-subscriptions">–</div></div>
    <div class="card"><div class="label">Sessions</div><div class="value" id="total-sessions">–</div></div>
    <div class="card"><div class="label">Threads running</div><div class="value" id="total-threads">–</div></div>
  </div>
  <section class="wide" id="rate">
    <h2>Calls per second</h2>
    <svg class="chart" id="rate-chart" viewBox="0 0 800 220" preserveAspectRatio="none" role="img" aria-label="calls per second"></svg>
  </section>
  <section class="narrow" id="objects">
    <h2>Objects per type</h2>
    <div class="bars" id="objects-bars"></div>
  </section>
  <section class="wide" id="members">
    <h2>Members</h2>
    <table>
      <thead><tr><th>Member</th><th class="num">Epoch</th><th>View</th><th class="num">Objects</th><th class="num">Owned</th>
        <th class="num">Sessions</th><th class="num">Parked</th><th class="num">Cache subs</th><th class="num">Calls</th><th class="num">Up</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section class="narrow" id="hot-keys">
    <h2>Hot keys <small>(calls, last 10–20 s)</small></h2>
    <table>
      <thead><tr><th>Key</th><th class="num">Calls</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section class="full" id="apps">
    <h2>Programs and their threads</h2>
    <table>
      <thead><tr><th>Program</th><th>Host</th><th class="num">Pid</th><th>Started</th><th>State</th>
        <th class="num">Running</th><th class="num">Done</th><th class="num">Failed</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section class="wide" id="caches">
    <h2>Caches of programs <small>(lattice objects, main process)</small></h2>
    <table>
      <thead><tr><th>Program</th><th class="num">Keys</th><th class="num">Bytes</th><th class="num">Hit ratio</th>
        <th class="num">Writes</th><th class="num">Unflushed</th><th class="num">Pushes</th><th class="num">Evictions</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section class="narrow" id="lattice">
    <h2>Lattice objects</h2>
    <table>
      <thead><tr><th>Type</th><th class="num">Objects</th></tr></thead>
      <tbody></tbody>
    </table>
    <p class="note">caches subscribed: <span id="lattice-subscriptions">–</span></p>
  </section>
</main>
<script src="/dashboard.js"></script>
</body>
</html>
`;
