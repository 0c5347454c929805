import { EtcdClient } from './etcd-client.ts';
import type { ClusterStatus, LostRegion } from './view.ts';

/**
 * Accepts the loss of every object of cluster `cluster` whose copies are all gone: the lost
 * regions are cleared from the cluster's status in etcd, so calls on those keys stop failing
 * with `ObjectLostError` and create their objects anew (empty, from their init args). Written
 * with a transaction on the status's revision, retried if the leader wrote it meanwhile.
 * Answers the regions it cleared (none if nothing was lost).
 */
export async function forgetLost(endpoints: readonly string[], cluster: string): Promise<LostRegion[]> {
  const etcd = new EtcdClient(endpoints);
  const key = `/skein/${cluster}/status`;
  for (let attempt = 0; attempt < 20; attempt++) {
    const { kvs } = await etcd.range(key);
    const kv = kvs[0];
    if (!kv) {
      const views = await etcd.range(`/skein/${cluster}/view`);
      if (views.kvs.length === 0) throw new RangeError(`etcd at ${endpoints.join(',')} has no cluster named '${cluster}'`);
      return [];
    }
    const status = JSON.parse(kv.value) as ClusterStatus;
    if (status.lost.length === 0) return [];
    const { succeeded } = await etcd.txn([{ key, target: 'mod', revision: kv.modRevision }], [{ put: { key, value: JSON.stringify({ ...status, lost: [] }) } }]);
    if (succeeded) return [...status.lost];
  }
  throw new Error(`the status of cluster '${cluster}' kept changing; try again`);
}
