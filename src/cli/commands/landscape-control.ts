/**
 * `23ke suspend [COMPONENT]`, `23ke resume [COMPONENT]` and `23ke reconcile [--wait]`: what a
 * user tells the operator, through the Landscape resource (the operator watches it). Suspend and
 * resume set spec.suspend or spec.components.COMPONENT.suspend; reconcile sets the annotation
 * 23ke.cloud/reconcile-requested-at and, with --wait, waits until the operator's status echoes it
 * (status.lastHandledReconcileAt) and prints the outcome.
 */
import { RECONCILE_REQUESTED_AT_ANNOTATION, type Landscape } from "../../api/landscape.js";
import { LandscapeResource } from "../../controller/landscape-resource.js";
import { TerminalError } from "../../errors/errors.js";
import { resolveBaseAccess } from "../../landscape/cluster-access.js";
import { Reason } from "../../status/reasons.js";
import { waitFor } from "../../util/wait.js";
import { print, type CliContext } from "../context.js";
import { baseAccessOf, type LandscapeOptions } from "../landscape.js";
import { ExitCode } from "../exit-codes.js";

export interface LandscapeControlOptions extends Pick<
  LandscapeOptions,
  "kubeconfig" | "context" | "inCluster" | "systemNamespace"
> {
  landscape: string;
}

export interface ReconcileOptions extends LandscapeControlOptions {
  wait?: boolean;
  /** Seconds --wait waits for the operator. */
  timeout: number;
}

async function withLandscape<T>(
  ctx: CliContext,
  o: LandscapeControlOptions,
  fn: (r: LandscapeResource) => Promise<T>,
): Promise<T> {
  const access = resolveBaseAccess(baseAccessOf(o, ctx.env), ctx.env);
  try {
    return await fn(new LandscapeResource(access.client, o.systemNamespace, o.landscape));
  } finally {
    access.close();
  }
}

/** `23ke suspend [COMPONENT]` (suspend = true) and `23ke resume [COMPONENT]` (false). */
export async function suspendCommand(
  ctx: CliContext,
  component: string | undefined,
  suspend: boolean,
  o: LandscapeControlOptions,
): Promise<number> {
  return await withLandscape(ctx, o, async (r) => {
    const before = await r.read();
    const was = component === undefined ? before.spec.suspend : before.spec.components?.[component]?.suspend;
    if (component !== undefined && !suspend && before.spec.components?.[component] === undefined) {
      print(ctx, `${r.what}: component ${component} is not suspended (nothing to do)`);
      return ExitCode.ok;
    }
    const patch =
      component === undefined
        ? { spec: { suspend } }
        : // resume removes the entry, so the spec keeps only what is suspended
          { spec: { components: { [component]: suspend ? { suspend: true } : null } } };
    await r.patch(patch);
    const what = component === undefined ? "the landscape" : `component ${component}`;
    const verb = suspend ? "suspended" : "resumed";
    print(
      ctx,
      (was ?? false) === suspend
        ? `${r.what}: ${what} was already ${verb}`
        : `${r.what}: ${what} ${verb}${suspend ? " (no pass applies it until 23ke resume)" : ""}`,
    );
    return ExitCode.ok;
  });
}

function outcomeOf(l: Landscape): { ready: boolean; line: string } {
  const c = l.status?.conditions ?? [];
  const ready = c.find((x) => x.type === "Ready");
  const stalled = c.find((x) => x.type === "Stalled" && x.status === "True");
  const rec = c.find((x) => x.type === "Reconciling");
  const applied = l.status?.lastApplied;
  const revision =
    applied === undefined
      ? ""
      : ` (catalog ${applied.catalog}${applied.commit === undefined ? "" : `, commit ${applied.commit.slice(0, 12)}`})`;
  if (rec?.reason === "Suspended") return { ready: false, line: `suspended: ${rec.message}` };
  if (ready?.status === "True") return { ready: true, line: `Ready: ${ready.message}${revision}` };
  if (stalled !== undefined) return { ready: false, line: `Stalled (${stalled.reason}): ${stalled.message}` };
  return {
    ready: false,
    line: `not Ready (${ready?.reason ?? "Unknown"}): ${ready?.message ?? "no pass has finished yet"}`,
  };
}

/** `23ke reconcile [--wait]`. */
export async function reconcileCommand(ctx: CliContext, o: ReconcileOptions): Promise<number> {
  return await withLandscape(ctx, o, async (r) => {
    await r.read();
    const at = new Date().toISOString();
    await r.patch({ metadata: { annotations: { [RECONCILE_REQUESTED_AT_ANNOTATION]: at } } });
    print(ctx, `${r.what}: reconcile requested at ${at}`);
    if (o.wait !== true) return ExitCode.ok;
    const l = await waitFor(
      async () => {
        const now = await r.read();
        return now.status?.lastHandledReconcileAt === at ? { done: true, value: now } : { done: false };
      },
      {
        what: `the operator to handle the request (status.lastHandledReconcileAt of ${r.what}); is 23ke run --landscape ${o.landscape} running?`,
        timeoutMs: o.timeout * 1000,
        intervalMs: 1000,
        signal: ctx.signal,
      },
    ).catch((e: unknown) => {
      if (ctx.signal.aborted) throw e;
      throw new TerminalError(
        `${r.what}: the operator did not handle the reconcile request within ${o.timeout}s; is 23ke run --landscape ${o.landscape} running?`,
        { reason: Reason.HealthCheckTimeout, object: r.what, cause: e },
      );
    });
    const out = outcomeOf(l);
    print(ctx, `${r.what}: ${out.line}`);
    return out.ready ? ExitCode.ok : ExitCode.failed;
  });
}
