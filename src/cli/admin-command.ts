import { forgetLost } from '../cluster/admin.ts';
import { etcdOption, parseCommandLine } from './options.ts';
import { UsageError } from './usage-error.ts';

/** Help text of `skein admin`. */
export const ADMIN_USAGE = `usage: skein admin forget-lost --etcd URLS [--cluster NAME]

Operations on a cluster through its etcd.

  forget-lost          accept the loss of objects whose every copy is gone: calls on them stop
                       failing with ObjectLostError and make them anew

options:
  --etcd URLS          the cluster's etcd (http://host:port, comma-separated; default: SKEIN_ETCD)
  --cluster NAME       the cluster's name in etcd (default 'default')
  -h, --help           print this help`;

/** `skein admin SUBCOMMAND`: operations on a cluster through its etcd; resolves with the exit code. */
export async function adminCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseCommandLine(rest, { etcd: { type: 'string' }, cluster: { type: 'string' } });
  if (sub !== 'forget-lost') throw new UsageError(sub === undefined ? 'no subcommand given (known: forget-lost)' : `unknown subcommand '${sub}' (known: forget-lost)`);
  const endpoints = etcdOption(values.etcd);
  if (endpoints === undefined) throw new UsageError('forget-lost needs --etcd (or SKEIN_ETCD)');
  const cluster = values.cluster ?? 'default';
  const forgotten = await forgetLost(endpoints, cluster);
  if (forgotten.length === 0) process.stdout.write(`cluster '${cluster}' has no lost objects\n`);
  else {
    process.stdout.write(`forgot ${forgotten.length} lost region(s) of cluster '${cluster}':\n`);
    for (const r of forgotten) process.stdout.write(`  keys held only by ${r.dead.join(', ')} (of ${r.members.length} members, rf ${r.rf})\n`);
  }
  return 0;
}
