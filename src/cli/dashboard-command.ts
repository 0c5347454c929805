import { parseArgs } from 'node:util';
import { startDashboard } from '../dashboard/dashboard-server.ts';
import { UsageError } from './usage-error.ts';

/** The dashboard's default HTTP port. */
export const DASHBOARD_PORT = 7080;

/** Help text of `skein dashboard`. */
export const DASHBOARD_USAGE = `skein dashboard [options]   serve a live web page of a DSO until SIGINT/SIGTERM: members
                            and view, objects, hot keys, calls/s, programs and their threads

  --dso URL            the DSO to watch (default: SKEIN_DSO)
  --token T            its token (default: SKEIN_TOKEN)
  --port N             HTTP port of the page (default ${DASHBOARD_PORT}; 0 picks a free one)
  --host H             interface to bind (default 127.0.0.1; the page shows keys and
                       program names: expose it with care)
  --help               print this help`;

/**
 * `skein dashboard`: serves the dashboard of a DSO (see `startDashboard`) in the foreground and
 * stops on SIGINT or SIGTERM; resolves with the exit code. A bad command line throws a
 * {@link UsageError}; a port that cannot be bound rejects with a `ListenError`.
 */
export async function dashboardCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dso: { type: 'string' },
      token: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(`${DASHBOARD_USAGE}\n`);
    return 0;
  }
  const dso = values.dso ?? process.env.SKEIN_DSO;
  if (!dso) throw new UsageError('no DSO to watch: give --dso URL or set SKEIN_DSO');
  if (!/^skeins?:\/\//.test(dso)) throw new UsageError(`--dso takes a skein:// URL (several comma-separated), got '${dso}'`);
  const raw = values.port;
  if (raw !== undefined && !(/^\d+$/.test(raw) && Number(raw) <= 65535)) throw new UsageError(`--port must be an integer from 0 to 65535, got '${raw}'`);
  if (values.host === '') throw new UsageError('--host takes a host name or address');
  const token = values.token ?? process.env.SKEIN_TOKEN;
  const dashboard = await startDashboard({
    dso,
    port: raw === undefined ? DASHBOARD_PORT : Number(raw),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(token ? { token } : {}),
  });
  process.stdout.write(`skein dashboard on ${dashboard.url} watching ${dso}\n`);
  return new Promise<number>((resolve) => {
    const stop = (): void => {
      dashboard.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
