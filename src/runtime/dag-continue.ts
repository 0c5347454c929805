import { configuredDefaultClient } from '../client/default-client.ts';
import { Session, type SessionWire } from '../client/session.ts';
import type { Finished } from '../objects/dag-run.ts';
import { nodeArgument, recordFailure, runTarget, type DagNodeWire, type DagStep, type SourceResult } from './dag-step.ts';
import { encodeEnvelope, ENVELOPE_VERSION, type ReceivedEnvelope } from './envelope.ts';
import { checkSerializable } from './serializable.ts';

/** What a worker gives {@link continueRun}: the envelope it ran, how to find a task, how to start a thread elsewhere. */
export interface StepContext {
  readonly env: ReceivedEnvelope & { readonly dag: DagStep };
  /** The function of a task, as the worker finds it (importing `module` unless bundled). */
  resolve(task: string, module: string): Promise<(arg: unknown) => unknown>;
  /**
   * Starts an envelope on another worker of the same backend (the local and process workers ask
   * their parent; a lambda or http function invokes itself, see `function-relay.ts`). Without it,
   * every ready node runs here, concurrently.
   */
  readonly relay?: (envelope: Uint8Array) => void;
}

/**
 * Carries a DAG run on from a node that finished in this worker: tells the run's object, which
 * answers the nodes now ready, then runs the first of them here (its input passes in memory: a
 * chain is one invocation) and starts the others through `relay`, each with its inputs and the
 * run's session inside its envelope. Repeats for every node run here. A node that throws (or whose
 * result cannot travel) is recorded as the run's failure and goes no further. Resolves when the
 * nodes run here are done, with the sink's result when the sink ran here; rejects only when the
 * run's object cannot be reached.
 *
 * A chain link (a node whose only downstream runs after it alone) needs no answer from the run's
 * object: the next node is ready. It is reported without waiting and the next node runs at once;
 * so is the sink, whose result goes back with this invocation. The run's `status()` may lag the
 * caller's `result()` by the time those reports take to reach the DSO.
 */
export async function continueRun(ctx: StepContext, node: string, value: unknown, session: Session | undefined): Promise<SourceResult> {
  const client = configuredDefaultClient();
  if (!client) throw new Error('a DAG node ran without a DSO to report to (its envelope named none)');
  const step = ctx.env.dag;
  const nodes = new Map<string, DagNodeWire>(step.nodes.map((n) => [n[0], n]));
  const below = new Map<string, string[]>(step.nodes.map((n) => [n[0], []]));
  for (const [id, , , , after] of step.nodes) for (const u of after) below.get(u)!.push(id);
  // The run's object needs a result only for the sink and for a node that waits on several.
  const kept = (id: string): boolean => below.get(id)!.length === 0 || below.get(id)!.some((d) => nodes.get(d)![4].length > 1);

  let sink: SourceResult = null;
  const advance = async (id: string, result: unknown, ran: Session | undefined): Promise<void> => {
    const next = below.get(id)!;
    if (next.length <= 1 && (next.length === 0 || nodes.get(next[0]!)![4].length === 1)) {
      // The sink, or a chain link: nothing to learn from the run's object. Reported, not awaited.
      const report = client.call(runTarget(step, ctx.env.session ?? null), 'finished', [id, kept(id) ? result : null, ran ? ran.toWire() : null]);
      report.catch(() => undefined);
      if (next.length === 0) {
        sink = { sink: result };
        return;
      }
      const [d, task, module, args] = nodes.get(next[0]!)!;
      await runHere(d, task, module, nodeArgument(args, [result]), ran ? ran.toWire() : (ctx.env.session as SessionWire | undefined));
      return;
    }
    const fin = (await client.call(runTarget(step, ctx.env.session ?? null), 'finished', [id, kept(id) ? result : null, ran ? ran.toWire() : null])) as Finished;
    const starts = fin.ready.map(([d, inputs]) => {
      const [, task, module, args, after] = nodes.get(d)!;
      // The inputs from this node are the value in hand; the object sent only the others'.
      return { d, task, module, arg: nodeArgument(args, after.map((u, k) => (u === id ? result : inputs[k]))) };
    });
    const here = ctx.relay ? starts.slice(0, 1) : starts;
    for (const s of ctx.relay ? starts.slice(1) : []) {
      ctx.relay!(
        encodeEnvelope({
          v: ENVELOPE_VERSION,
          threadId: `${step.run}:${s.d}`,
          module: s.module,
          task: s.task,
          arg: s.arg,
          ...(ctx.env.dso ? { dso: ctx.env.dso } : {}),
          ...(ctx.env.token ? { token: ctx.env.token } : {}),
          ...(fin.session ? { session: fin.session as SessionWire } : {}),
          dag: { ...step, node: s.d },
          ...(ctx.env.via ? { via: ctx.env.via } : {}),
        }),
      );
    }
    await Promise.all(here.map((s) => runHere(s.d, s.task, s.module, s.arg, fin.session as SessionWire | undefined)));
  };

  const runHere = async (id: string, task: string, module: string, arg: unknown, wire: SessionWire | undefined): Promise<void> => {
    const inSession = wire ? Session.fromWire(wire) : undefined;
    let result: unknown;
    try {
      const fn = await ctx.resolve(task, module);
      result = await (inSession ? inSession.run(() => fn(arg)) : fn(arg));
      await client.flushWrites();
      checkSerializable(result, 'result');
    } catch (err) {
      await recordFailure(client, step, id, err);
      return;
    }
    await advance(id, result === undefined ? null : result, inSession);
  };

  await advance(node, value, session);
  return sink;
}
