import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '../client/client.ts';
import { ListenError } from '../errors/listen-error.ts';
import { DsoWatch } from './dso-watch.ts';
import { DASHBOARD_SCRIPT } from './page-script.ts';
import { DASHBOARD_PAGE } from './page.ts';

/** What {@link startDashboard} serves, and where. */
export interface DashboardOptions {
  /** The DSO to watch: `skein://host:port`, several seeds comma-separated. */
  dso: string;
  /** The DSO's token, if it requires one. */
  token?: string;
  /** HTTP port of the page; 0 picks a free one. */
  port: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** How often the DSO is asked (ms); default 1000. */
  intervalMs?: number;
}

/** A running dashboard. */
export interface Dashboard {
  /** The page: `http://host:port/`. */
  readonly url: string;
  /** Stops polling and serving, and closes the DSO client. */
  close(): Promise<void>;
}

/**
 * Serves the dashboard of a DSO over HTTP: `/` the page, `/dashboard.js` its script, `/api/state`
 * the latest state (`DashboardState`) as JSON (answered at once from the last poll of the DSO); any
 * other path answers 404. The DSO is asked as a client, with `client.infoAll()` and the apps
 * registry. Rejects with a {@link ListenError} if the port cannot be bound.
 */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  const client = new Client({ url: opts.dso, ...(opts.token ? { token: opts.token } : {}), retryWindowMs: 2000 });
  const watch = new DsoWatch(client, opts.dso, opts.intervalMs ?? 1000);
  const route = (path: string): [string | undefined, string] => {
    switch (path) {
      case '/':
        return [DASHBOARD_PAGE, 'text/html; charset=utf-8'];
      case '/dashboard.js':
        return [DASHBOARD_SCRIPT, 'text/javascript; charset=utf-8'];
      case '/api/state':
        return [JSON.stringify(watch.current), 'application/json'];
      default:
        return [undefined, 'text/plain'];
    }
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const [body, type] = route((req.url ?? '/').split('?')[0]!);
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : (body ?? 'not found\n'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      watch.close();
      void client.close();
      reject(new ListenError('the dashboard', host, opts.port, err));
    });
    server.listen(opts.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    async close() {
      watch.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await client.close();
    },
  };
}
