"""Chains and a fan-out of tiny tasks on Dask distributed: the Dask peer of `dag-chain` and `dag-fanout`.

Written as a Dask user would compose functions: `client.submit` with futures as arguments, so
Dask's scheduler passes each result to the next task on the workers, and only the last result
comes back. A LocalCluster of one single-threaded worker process per core, as the kmeans peer.

Usage: python3 dask_dag.py REPS chain|fanout
Prints one JSON object: p50 and p99 in microseconds of a 2-task chain and a 10-task chain
(chain), or of 1 -> 32 -> 1 (fanout: inc, then 32 incs, then a sum), over REPS runs each after a
warm-up.
"""
import json
import os
import statistics
import sys
import time

from distributed import Client, LocalCluster


def inc(x, _i=0):
    return x + 1


def total(*xs):
    return sum(xs)


def chain(client, n, x):
    f = client.submit(inc, x, pure=False)
    for _ in range(n - 1):
        f = client.submit(inc, f, pure=False)
    return f.result()


def fanout(client, x):
    s = client.submit(inc, x, pure=False)
    mids = [client.submit(inc, s, i, pure=False) for i in range(32)]
    return client.submit(total, *mids, pure=False).result()


def timed(reps, fn):
    for _ in range(max(10, reps // 10)):
        fn()
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e6)
    samples.sort()
    return {"p50_us": statistics.median(samples), "p99_us": samples[min(len(samples) - 1, int(len(samples) * 0.99))]}


def main():
    reps = int(sys.argv[1])
    workers = os.cpu_count() or 1
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        assert chain(client, 10, 0) == 10
        assert fanout(client, 0) == 32 * 2
        out = {"workers": workers}
        if sys.argv[2] == "chain":
            out["chain2"] = timed(reps, lambda: chain(client, 2, 1))
            out["chain10"] = timed(reps, lambda: chain(client, 10, 1))
        else:
            out["fanout"] = timed(reps, lambda: fanout(client, 1))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
