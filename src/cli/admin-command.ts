import { parseArgs } from 'node:util';
import { forgetLost } from '../cluster/admin.ts';
import { UsageError } from './usage-error.ts';

/** Help text of `skein admin`. */
export const ADMIN_USAGE = `skein admin forget-lost --etcd URLS [--cluster NAME]
                         accept the loss of objects whose every copy is gone: calls on them stop
                         failing with ObjectLostError and make them anew (default cluster
                         'default'; --etcd defaults to SKEIN_ETCD)`;

/** `skein admin SUBCOMMAND`: operations on a cluster through its etcd; resolves with the exit code. */
export async function adminCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { etcd: { type: 'string' }, cluster: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (sub === '--help' || sub === '-h' || values.help) {
    process.stdout.write(`${ADMIN_USAGE}\n`);
    return 0;
  }
  if (sub !== 'forget-lost') throw new UsageError(sub === undefined ? 'skein admin needs a subcommand (forget-lost)' : `unknown admin subcommand '${sub}' (known: forget-lost)`);
  const etcd = values.etcd ?? (process.env.SKEIN_ETCD || undefined);
  if (etcd === undefined) throw new UsageError('skein admin forget-lost needs --etcd (or SKEIN_ETCD)');
  const endpoints = etcd.split(',').map((e) => e.trim());
  for (const e of endpoints) if (!/^https?:\/\/[^/\s]+\/?$/.test(e)) throw new UsageError(`--etcd takes etcd client URLs like http://127.0.0.1:2379, got '${e}'`);
  const cluster = values.cluster ?? 'default';
  const forgotten = await forgetLost(endpoints, cluster);
  if (forgotten.length === 0) process.stdout.write(`cluster '${cluster}' has no lost objects\n`);
  else {
    process.stdout.write(`forgot ${forgotten.length} lost region(s) of cluster '${cluster}':\n`);
    for (const r of forgotten) process.stdout.write(`  keys held only by ${r.dead.join(', ')} (of ${r.members.length} members, rf ${r.rf})\n`);
  }
  return 0;
}
