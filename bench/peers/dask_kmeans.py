"""k-means (Lloyd) on Dask distributed: the Dask peer of the `kmeans` scenario.

Written as a Dask user would: a LocalCluster of one single-threaded worker process per core; the
points generated on the workers (one block per worker, kept in worker memory as futures); every
iteration the centroids are scattered to the workers, each block computes its partial sums with
vectorised numpy (distances by one matrix product, then per-cluster sums), and the client adds
the partial sums and moves the centroids. This futures-and-reduce form is Dask's idiomatic
Lloyd (it is how dask-ml's k-means reduces); an Actor holding the centroids (Crucial's shared
object) would add a round trip per call to the same work.

The data set has the shape and distribution of examples/lib/datasets.ts `blobPoints` (k planted
centres uniform in [-10, 10] per dimension, point i in cluster i % k with standard normal noise),
drawn with numpy's generator rather than the JS one, so the numbers differ; initial centroids
are the first k points, one per cluster, as in the JS version. The result is checked against the
planted centres.

Usage: python3 dask_kmeans.py POINTS DIMS K ITERATIONS RUNS [SPAWNED_AT_MS]
Prints one JSON object: seconds for importing, starting the cluster, the first run (generate +
iterate), the whole first run since SPAWNED_AT_MS (epoch milliseconds when the caller spawned
this process), and medians over RUNS further runs on the running cluster (generate + iterate, and
the iterations alone); plus the largest distance from a centroid to its planted centre.
"""
import json
import os
import statistics
import sys
import time

began = time.perf_counter()
import numpy as np  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

imported = time.perf_counter()

CENTRE_RANGE = 10.0


def planted_centres(dims, k, seed):
    rng = np.random.default_rng([seed, 0])
    return CENTRE_RANGE * (2 * rng.random((k, dims)) - 1)


def make_block(dims, k, seed, lo, hi):
    """Points [lo, hi): point i is centre i % k plus standard normal noise."""
    rng = np.random.default_rng([seed, 1, lo])
    centres = planted_centres(dims, k, seed)
    return centres[np.arange(lo, hi) % k] + rng.standard_normal((hi - lo, dims))


def first_points(block, k):
    return block[:k].copy()


def partial_sums(block, centroids):
    """Per-cluster coordinate sums and counts of the block's points, by nearest centroid."""
    k = centroids.shape[0]
    # argmin |x - c|^2 = argmin |c|^2 / 2 - x . c: one matrix product for all distances.
    scores = 0.5 * np.einsum("ij,ij->i", centroids, centroids) - block @ centroids.T
    labels = scores.argmin(axis=1)
    sums = np.zeros_like(centroids)
    for c in range(k):
        members = block[labels == c]
        if len(members):
            sums[c] = members.sum(axis=0)
    return sums, np.bincount(labels, minlength=k)


def run(client, workers, points, dims, k, iterations, seed):
    """One k-means run: generate the blocks on the workers, then iterate. Answers timings and centroids."""
    t0 = time.perf_counter()
    bounds = [(points * i // len(workers), points * (i + 1) // len(workers)) for i in range(len(workers))]
    blocks = [
        client.submit(make_block, dims, k, seed, lo, hi, workers=[w], pure=False)
        for w, (lo, hi) in zip(workers, bounds)
    ]
    centroids = client.submit(first_points, blocks[0], k).result()
    t1 = time.perf_counter()
    for _ in range(iterations):
        current = client.scatter(centroids, broadcast=True)
        parts = client.gather([client.submit(partial_sums, b, current, pure=False) for b in blocks])
        sums = sum(p[0] for p in parts)
        counts = sum(p[1] for p in parts)
        centroids = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centroids)
    t2 = time.perf_counter()
    client.cancel(blocks)
    return {"generate_s": t1 - t0, "iterations_s": t2 - t1, "run_s": t2 - t0, "centroids": centroids}


def main():
    points, dims, k, iterations, runs = (int(a) for a in sys.argv[1:6])
    spawned_at_ms = float(sys.argv[6]) if len(sys.argv) > 6 else None
    seed = 1
    cores = os.cpu_count() or 1
    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    client = Client(cluster)
    client.wait_for_workers(cores)
    workers = sorted(client.scheduler_info()["workers"])
    cluster_s = time.perf_counter() - t0
    try:
        first = run(client, workers, points, dims, k, iterations, seed)
        first_total_s = (time.time() * 1000 - spawned_at_ms) / 1000 if spawned_at_ms is not None else None
        later = [run(client, workers, points, dims, k, iterations, seed) for _ in range(runs)]
    finally:
        client.close()
        cluster.close()
    centres = planted_centres(dims, k, seed)
    worst = max(float(np.linalg.norm(r["centroids"] - centres, axis=1).max()) for r in [first, *later])
    print(
        json.dumps(
            {
                "workers": len(workers),
                "import_s": imported - began,
                "cluster_start_s": cluster_s,
                "first_run_s": first["run_s"],
                "first_total_s": first_total_s,
                "run_s": statistics.median(r["run_s"] for r in later),
                "generate_s": statistics.median(r["generate_s"] for r in later),
                "iterations_s": statistics.median(r["iterations_s"] for r in later),
                "runs": len(later),
                "max_centroid_error": worst,
            }
        )
    )


if __name__ == "__main__":
    main()
