/**
 * `prediction-serving`: examples/prediction-serving.ts on the local backend. Its three models are
 * trained first (as the example does, in parallel threads); then held-out images are served one
 * request at a time, through the DAG (preprocess -> 3 models -> mean; the image and the
 * probabilities pass from worker to worker, only the answer comes back) against the client running
 * the same tasks itself (`preprocess.run`, `Promise.all` of the 3 `predict.run`, `ensemble.run`:
 * every intermediate result comes back to it), and against the same pipeline computed in the
 * bench's own process with no threads at all (for orientation, as Cloudburst compared with native
 * Python). Runs alternate in blocks; every answer of both threaded sides is checked equal to the
 * in-process one.
 */
import {
  ensemble,
  MODELS,
  predict,
  predictionDag,
  preprocess,
  trainModels,
  combine,
  normalise,
  type ModelSpec,
  type Prediction,
  type PredictionParams,
} from '../../examples/prediction-serving.ts';
import { imageExamples } from '../../examples/lib/datasets.ts';
import { softmaxProbabilities } from '../../examples/lib/softmax.ts';
import { AtomicMatrix } from '../../src/index.ts';
import { latency, timeSequential } from '../support.ts';
import type { ScenarioResult } from '../result.ts';
import { withDagRuntime } from './dag-runtime.ts';

const BLOCKS = 5;
const PARAMS: PredictionParams = { side: 8, classes: 10, noise: 2, seed: 1, train: 3000, iterations: 200, learningRate: 0.5, l2: 1e-3 };

/** Runs the scenario: `runs` requests per side, on `runs` held-out images. */
export async function predictionServing(runs = 500): Promise<ScenarioResult> {
  const pixels = PARAMS.side * PARAMS.side;
  const { x, y } = imageExamples(PARAMS, PARAMS.train, PARAMS.train + runs);
  const images = Array.from({ length: runs }, (_, i) => x.slice(i * pixels, (i + 1) * pixels));
  const measured = await withDagRuntime(async () => {
    const models = await trainModels(PARAMS);
    const weights = await Promise.all(models.map(async (m) => Float64Array.from((await new AtomicMatrix(m.key).toArray()).flatMap((row) => [...row]))));
    const inProcess = (image: Float64Array): Prediction => {
      const normalised = normalise(image);
      return combine(models.map((m: ModelSpec, i) => softmaxProbabilities(weights[i]!, m.features, normalised, new Float64Array(m.classes))));
    };
    const expected = images.map(inProcess);
    const d = predictionDag(models);
    const byClient = async (image: Float64Array): Promise<Prediction> => {
      const normalised = await preprocess.run(image);
      return ensemble.run(await Promise.all(models.map((m) => predict.run([m, normalised]))));
    };
    const checked = (side: string, serve: (image: Float64Array) => Promise<Prediction>) => {
      let next = 0;
      return async (): Promise<void> => {
        const i = next++ % runs;
        const got = await serve(images[i]!);
        if (got.label !== expected[i]!.label || got.probabilities.some((p, c) => p !== expected[i]!.probabilities[c])) {
          throw new Error(`prediction-serving: ${side} answered ${JSON.stringify(got)} for image ${i}, in-process ${JSON.stringify(expected[i])}`);
        }
      };
    };
    const viaDag = checked('the DAG', (image) => d.call(image));
    const viaClient = checked('the client pipeline', byClient);
    // Warm-up: every worker loads every model's weights and compiles the tasks.
    await timeSequential(50, viaDag);
    await timeSequential(50, viaClient);
    const per = Math.ceil(runs / BLOCKS);
    const samples = { dag: [] as number[], client: [] as number[], local: [] as number[] };
    for (let b = 0; b < BLOCKS; b++) {
      samples.client.push(...(await timeSequential(per, viaClient)));
      samples.dag.push(...(await timeSequential(per, viaDag)));
      let i = b * per;
      samples.local.push(...(await timeSequential(per, async () => inProcess(images[i++ % runs]!))));
    }
    const right = expected.filter((p, i) => p.label === y[i]).length / runs;
    const alone = Array.from({ length: MODELS }, (_, m) => expected.filter((p, i) => p.votes[m] === y[i]).length / runs);
    return { samples, right, alone };
  });
  const dl = latency(measured.samples.dag);
  const cl = latency(measured.samples.client);
  const ll = latency(measured.samples.local);
  return {
    scenario: 'prediction-serving',
    what: `examples/prediction-serving.ts: preprocess -> ${MODELS} softmax models -> mean as a DAG on the local backend vs the client running the tasks (task.run, Promise.all of the models), vs in-process; p50/p99 of ${runs} requests, one at a time`,
    skein: { p50_us: dl.p50, p99_us: dl.p99 },
    peers: {
      'client task.run pipeline': { p50_us: cl.p50, p99_us: cl.p99 },
      'in-process, no threads': { p50_us: ll.p50, p99_us: ll.p99 },
    },
    ratios: { 'dag p50 vs client pipeline': dl.p50 / cl.p50, 'dag p99 vs client pipeline': dl.p99 / cl.p99 },
    targets: {},
    notes: [
      'each DAG node that finishes tells the run\'s object on the DSO (a round trip to the node process) before the next starts, and the sink\'s result reaches the caller through its parked result call: 3 DSO round trips in a row per request; the client pipeline on the local backend talks to its workers only (the weights are cached), so here it is faster',
      `held-out accuracy of the served models on these ${runs} images: ensemble ${measured.right.toFixed(3)}, each model alone ${measured.alone.map((a) => a.toFixed(3)).join(', ')} (chance ${(1 / PARAMS.classes).toFixed(3)})`,
    ],
  };
}
