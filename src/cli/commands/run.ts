/**
 * `23ke run`: the operator. Applies the landscape, then keeps it converged: again every
 * interval, at once when an input changes (a new revision of the configuration repository, the
 * 23ke-config Secrets or -f files, the catalog file) or a signed push notification arrives at the
 * webhook receiver, requeued soon while a component waits, with backoff after a transient
 * failure, and not before an input changes after a terminal one (src/controller/next-pass.ts);
 * serves /metrics, /healthz and /readyz; logs structured records (JSON or text). With leader
 * election (default in a cluster) only the replica holding the Lease 23ke-operator-leader runs
 * passes. Stops on SIGTERM or Ctrl-C after the helm operations in flight, giving the Lease up.
 * One pass at a time per landscape (the apply lock), whatever the election says. A change of the
 * 23ke-config's `catalog` key takes effect on the next pass (re-connected, version-skew guarded).
 */
import { hostname } from "node:os";
import { timingProblems } from "../../controller/leader-lease.js";
import { runOperator } from "../../controller/operator.js";
import { defaultLogFormat, operatorLogger, type LogFormat } from "../../controller/operator-log.js";
import { UsageError } from "../../errors/errors.js";
import { ensureNamespace } from "../../reconcile/pass/ensure-namespace.js";
import { sleep } from "../../util/wait.js";
import type { CliContext } from "../context.js";
import { connectLandscape, type LandscapeOptions } from "../landscape.js";
import { readWebhookSecret } from "./run-webhook-secret.js";
import { runLandscapeCommand } from "./run-landscape.js";

export interface RunOptions extends LandscapeOptions {
  /** Seconds between passes when nothing changes. */
  interval: number;
  /** Seconds between checks of the configuration repository for a new revision. */
  poll: number;
  metricsAddress: string;
  /** Seconds before the next pass while a component waits. */
  requeue: number;
  /** The longest pause, in seconds, between retries after transient failures (default: the interval). */
  backoffMax?: number;
  /** Default: on with --in-cluster, off otherwise. */
  leaderElect?: boolean;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  /** Default 127.0.0.1:9292, served only with a secret. */
  webhookAddress?: string;
  webhookSecretFile?: string;
  webhookSecret?: string;
  /** Default: text on a terminal, json otherwise. */
  logFormat?: LogFormat;
  /** The Landscape resource whose spec names the inputs (run-landscape.ts). */
  landscape?: string;
}

export const DEFAULT_WEBHOOK_ADDRESS = "127.0.0.1:9292";

/** Who this replica is in the leader Lease: the pod (POD_NAME, from the downward API), else host/pid. */
export function electionIdentity(env: NodeJS.ProcessEnv): string {
  const pod = env.POD_NAME ?? "";
  return pod !== "" ? pod : `${hostname()}/${process.pid}`;
}

function electionTimings(o: RunOptions): {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
} {
  const t = {
    leaseDurationMs: o.leaderElectLeaseDuration * 1000,
    renewDeadlineMs: o.leaderElectRenewDeadline * 1000,
    retryPeriodMs: o.leaderElectRetryPeriod * 1000,
  };
  const problems = timingProblems(t);
  if (problems.length > 0)
    throw new UsageError(
      `--leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period: ${problems.join("; ")}`,
    );
  return t;
}

export async function runCommand(ctx: CliContext, o: RunOptions): Promise<number> {
  if (o.landscape !== undefined) return await runLandscapeCommand(ctx, o.landscape, o);
  const leaderElect = o.leaderElect ?? o.inCluster === true;
  const timings = leaderElect ? electionTimings(o) : undefined;
  if (o.webhookSecretFile !== undefined && o.webhookSecret !== undefined)
    throw new UsageError("--webhook-secret-file and --webhook-secret exclude each other");
  const webhookWanted = o.webhookSecretFile !== undefined || o.webhookSecret !== undefined;
  if (o.webhookAddress !== undefined && !webhookWanted)
    throw new UsageError(
      "--webhook-address needs the secret that signs the notifications: --webhook-secret-file FILE or --webhook-secret NAME",
    );
  const secrets: string[] = [];
  const log = operatorLogger(ctx.stdout, o.logFormat ?? defaultLogFormat(ctx.isTTY), () => secrets);
  // Built once: clients, the chart source and its caches, the git source live across passes.
  let landscape = await connectLandscape(ctx, o);
  try {
    const secret = webhookWanted ? await readWebhookSecret(o, landscape.base, o.systemNamespace) : undefined;
    if (secret !== undefined) secrets.push(secret.toString("utf8"));
    let seen: string | undefined;
    await runOperator({
      log,
      signal: ctx.signal,
      schedule: {
        intervalMs: o.interval * 1000,
        requeueMs: o.requeue * 1000,
        ...(o.backoffMax === undefined ? {} : { backoffMaxMs: o.backoffMax * 1000 }),
      },
      metricsAddress: o.metricsAddress,
      ...(timings === undefined
        ? {}
        : {
            election: {
              ...timings,
              client: landscape.base,
              namespace: o.systemNamespace,
              identity: electionIdentity(ctx.env),
              ensureNamespace: () => ensureNamespace(landscape.base, o.systemNamespace),
            },
          }),
      ...(secret === undefined
        ? {}
        : { webhook: { address: o.webhookAddress ?? DEFAULT_WEBHOOK_ADDRESS, secret } }),
      pass: async (signal) => {
        // The 23ke-config's catalog key changed: connect again (the version-skew guard runs).
        const changed = await landscape.catalogChangedTo();
        if (changed !== undefined) {
          const next = await connectLandscape(ctx, o);
          landscape.close();
          landscape = next;
          log.info(
            { catalog: next.catalog.version },
            `catalog ${next.catalog.version} (was changed in the 23ke-config)`,
          );
        }
        seen = await landscape.inputsDigest(signal);
        return await landscape.apply({
          signal,
          onProgress: (e) =>
            log.info(
              {
                component: e.component,
                state: e.state,
                ...(e.durationMs === undefined ? {} : { seconds: e.durationMs / 1000 }),
              },
              `${e.component}: ${e.state}${e.message === "" ? "" : ` (${e.message})`}`,
            ),
          onRevision: (r) => {
            if (r.rejected !== undefined)
              log.warn(
                { rejected: r.rejected, revision: r.revision },
                `configuration repository revision ${r.rejected} rejected (see 23ke status): the last good revision ${r.revision} stays in force`,
              );
            log.info(
              { revision: r.revision, valuesFiles: r.values, manifests: r.manifests },
              `configuration repository revision ${r.revision}: ${r.values} values file(s), ${r.manifests} garden-content manifest(s)`,
            );
          },
        });
      },
      // Every input is polled, whatever the verdict: a change is the way out of a stalled pass.
      inputChanged: async (signal) => {
        for (;;) {
          await sleep(o.poll * 1000, signal);
          const now = await landscape.inputsDigest(signal);
          if (now !== undefined && now !== seen) {
            log.info("an input changed: applying");
            return;
          }
        }
      },
    });
  } finally {
    landscape.close();
  }
  log.info("23ke operator stopped");
  return 0;
}
