/**
 * The 23ke command line: the commands, and the one error boundary. Commands return exit codes
 * or throw; only here are errors mapped to exit codes (main.ts exits the process).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import {
  TwentyThreeKeError,
  UsageError,
  ValidationError,
  describeError,
  formatProblem,
} from "../errors/errors.js";
import { catalogsCommand } from "./commands/catalogs.js";
import { chartsPullCommand } from "./commands/charts.js";
import { GRAPH_FORMATS, graphCommand, type GraphOptions } from "./commands/graph.js";
import { treeCommand, type TreeOptions } from "./commands/tree.js";
import { applyCommand, type ApplyOptions } from "./commands/apply.js";
import { planCommand, type PlanOptions } from "./commands/plan.js";
import { diffCommand, type DiffOptions } from "./commands/diff.js";
import type { RunOptions } from "./commands/run.js";
import {
  reconcileCommand,
  suspendCommand,
  type LandscapeControlOptions,
  type ReconcileOptions,
} from "./commands/landscape-control.js";
import { DEFAULT_LANDSCAPE_NAME } from "../api/landscape.js";
import { uninstallCommand, type UninstallOptions } from "./commands/uninstall.js";
import { addInstallCommand } from "./install-command.js";
import { doctorCommand, type DoctorOptions } from "./commands/doctor.js";
import { statusCommand, type StatusOptions } from "./commands/status.js";
import { templateCommand, type TemplateOptions } from "./commands/template.js";
import { validateCommand, type ValidateOptions } from "./commands/validate.js";
import { KNOWN_VALUES_COMPONENTS, valuesCommand, type ValuesOptions } from "./commands/values.js";
import { toolVersion, versionCommand, type VersionOptions } from "./commands/version.js";
import { printErr, type CliContext } from "./context.js";
import { ExitCode } from "./exit-codes.js";
import { DEFAULT_SYSTEM_NAMESPACE, landscapeOptionHelp as h } from "./landscape.js";
import { defaultConcurrency } from "../reconcile/helm-slots.js";

function collectRepeat(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A repeatable option whose values may be comma lists: `--only a,b --only c`. */
function collectList(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== ""),
  ];
}

/** `--only` and `--skip` of plan and apply (not run: the operator converges the whole landscape). */
function selectionOptions(cmd: Command): Command {
  return cmd
    .option(
      "--only <components>",
      "apply only these components (comma list, repeatable; 'extensions' names every enabled extension); a dependency that is not Ready is named, not applied",
      collectList,
    )
    .option(
      "--skip <components>",
      "apply every component but these (comma list, repeatable); what depends on one is applied only if it is Ready",
      collectList,
    );
}

/** Where the landscape's inputs come from: the config, the configuration repository, the catalog. */
function inputOptions(cmd: Command): Command {
  return cmd
    .option("--values-dir <dir>", h.valuesDir)
    .option("--config-repo <url>", h.configRepo)
    .option("--config-ref <ref>", h.configRef)
    .option("--config-path <path>", h.configPath)
    .option("--catalog <version>", h.catalog);
}

/*
 * The same flag means the same thing on every command: -n/--system-namespace wherever 23ke's own
 * namespace is used, --kubeconfig and --context wherever the base cluster is talked to, and
 * -o/--output wherever a result is printed (json and yaml print the same document).
 */

/** `suspend`, `resume`, `reconcile`: what a user tells the operator through the Landscape. */
function landscapeControlCommands(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const target = (cmd: Command): Command =>
    systemNamespaceOption(clusterOptions(cmd)).option(
      "--landscape <name>",
      "the Landscape resource in the system namespace",
      DEFAULT_LANDSCAPE_NAME,
    );
  for (const [verb, suspend, help] of [
    [
      "suspend",
      true,
      "stop the operator's passes over the landscape (spec.suspend), or skip one component (spec.components.COMPONENT.suspend); a change made meanwhile is not applied until resume",
    ],
    [
      "resume",
      false,
      "let the operator apply the landscape, or the component, again; the next pass runs at once",
    ],
  ] as const) {
    target(program.command(`${verb} [component]`).description(help))
      .addHelpText(
        "after",
        `
Works on the Landscape resource (the operator, 23ke run --landscape, watches it). What depends on
a suspended component is applied only while that component is Ready.

Examples:
  23ke ${verb} --kubeconfig ~/.kube/garden
  23ke ${verb} dashboard --kubeconfig ~/.kube/garden --landscape garden -n 23ke-system`,
      )
      .action(async (component: string | undefined, o: LandscapeControlOptions) =>
        setExit(await suspendCommand(ctx, component, suspend, o)),
      );
  }
  target(
    program
      .command("reconcile")
      .description(
        "ask the operator for a pass now (annotation 23ke.cloud/reconcile-requested-at on the Landscape)",
      ),
  )
    .option(
      "--wait",
      "wait until the operator handled the request, print the outcome; exit 0 only when Ready",
    )
    .option("--timeout <seconds>", "how long --wait waits", positiveInt, 900)
    .addHelpText(
      "after",
      `
The operator echoes the request in status.lastHandledReconcileAt when the pass it started ends.
A suspended landscape handles the request without a pass (and reconcile --wait says so).

Exit codes: 0 requested (with --wait: handled and Ready); 1 handled and not Ready, no Landscape
or no CRD, or no answer within --timeout; 2 wrong use; 3 the cluster could not be reached.

Examples:
  23ke reconcile --kubeconfig ~/.kube/garden
  23ke reconcile --wait --timeout 600`,
    )
    .action(async (o: ReconcileOptions) => setExit(await reconcileCommand(ctx, o)));
}

/** `-n, --system-namespace <ns>`. */
function systemNamespaceOption(cmd: Command): Command {
  return cmd.option("-n, --system-namespace <ns>", h.systemNamespace, DEFAULT_SYSTEM_NAMESPACE);
}

/** How the base cluster is reached: `--kubeconfig <file>`, `--context <name>`. */
function clusterOptions(cmd: Command): Command {
  return cmd
    .option("--kubeconfig <file>", h.kubeconfig)
    .option("--context <name>", h.context)
    .option("--in-cluster", h.inCluster);
}

/** `-o, --output <format>`, refused unless one of `formats`; the first is the default. */
function outputOption(formats: readonly [string, ...string[]], description: string): Option {
  return new Option("-o, --output <format>", description).choices(formats).default(formats[0]);
}

/** Where charts come from and what renders them. */
function chartOptions(cmd: Command): Command {
  return systemNamespaceOption(cmd)
    .option("--helm <path>", h.helm)
    .option("--chart-mirror <from=to>", h.chartMirror, collectRepeat, [] as string[])
    .option("--chart-credentials <file>", h.chartCredentials)
    .option("--plain-http-registry <host:port>", h.plainHttpRegistry, collectRepeat, [] as string[])
    .option("--cache-dir <dir>", h.cacheDir);
}

/** The inputs plan and apply share: config, configuration repository, clusters, charts. */
function landscapeCommand(cmd: Command): Command {
  return clusterOptions(
    chartOptions(inputOptions(cmd.option("-f, --file <file>", h.file, collectRepeat, [] as string[]))),
  )
    .option("--virtual-kubeconfig <file>", h.virtualKubeconfig)
    .option("--force-version-skew", h.forceVersionSkew)
    .option("--concurrency <n>", h.concurrency, positiveInt, defaultConcurrency())
    .option("--timeout <seconds>", h.timeout, positiveInt, 300);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

/** A positive number of seconds; fractions allowed (tests use short election timings). */
function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number of seconds");
  return n;
}

export function buildProgram(
  ctx: CliContext,
  setExit: (code: number) => void,
  /** Told that the command's exit code 1 means "changes" (diff): its failures exit with 3. */
  detailedExit: () => void = () => undefined,
): Command {
  const program = new Command("23ke")
    .description("Install and keep converged a Gardener landscape on one Kubernetes cluster, the 23KE way.")
    .version(toolVersion(), "-V, --tool-version", "print the tool version only")
    .showHelpAfterError("(run '23ke --help' for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });

  program
    .command("version")
    .description("print the version of 23ke, of the Helm it drives, and of Node.js")
    .option("--helm <path>", "helm binary to use (default: $HELM_BINARY, else helm on PATH)")
    .addOption(outputOption(["text", "json", "yaml"], "how to print the versions"))
    .action(async (o: VersionOptions) => setExit(await versionCommand(ctx, o)));

  program
    .command("catalogs")
    .description("list the built-in release catalogs: flavour, Gardener version, default")
    .addOption(outputOption(["text", "json", "yaml"], "how to print the list"))
    .addHelpText(
      "after",
      `
A landscape is reconciled with one catalog, chosen in this order: --catalog; the 23ke-config's
\`catalog\` key; the catalog it was last applied with (recorded in ConfigMap 23ke-status); for a new
landscape the newest catalog that is not a preview. Flavours: chart-based (the controlplane, etcd,
kube-apiserver, identity and dashboard charts, as 23KE installed Gardener up to v1.135) and
operator (gardener-operator with a Garden, Extensions and a Gardenlet). A catalog change that
downgrades Gardener or skips a minor version is refused unless --force-version-skew.`,
    )
    .action((o: { output: "text" | "json" | "yaml" }) => setExit(catalogsCommand(ctx, o)));

  const charts = program.command("charts").description("Helm charts of a release catalog");
  charts
    .command("pull")
    .description(
      "download every chart of a release catalog into a directory with an index.yaml (for offline networks)",
    )
    .requiredOption("--dest <dir>", "directory to write the charts and index.yaml to")
    .option(
      "--catalog <version|file>",
      "release catalog version or file (default: the newest built-in catalog)",
    )
    .option(
      "--mirror <upstream=target>",
      "fetch an upstream repository from a mirror URL or directory (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("--cache-dir <dir>", "chart cache (default: $XDG_CACHE_HOME/23ke)")
    .option("--credentials <file>", "YAML file: repository URL -> {username, password}")
    .option("--helm <path>", "helm binary for OCI repositories")
    .action(
      async (o: {
        dest: string;
        catalog?: string;
        mirror: string[];
        cacheDir?: string;
        credentials?: string;
        helm?: string;
      }) => setExit(await chartsPullCommand(ctx, o)),
    );

  // 23ke validate / 23ke values: offline views of the 23ke-config (issue 3).
  const collectFile = (v: string, prev: string[]): string[] => [...prev, v];
  program
    .command("validate")
    .description("check a 23ke-config offline and list every problem with its key path, file and line")
    .requiredOption(
      "-f, --file <file>",
      "the config: values.yaml or a Secret manifest holding it; repeat for layers, later wins",
      collectFile,
      [] as string[],
    )
    .addOption(outputOption(["text", "json", "yaml"], "how to print the problems"))
    .addHelpText(
      "after",
      `
Each file is either the values document itself or a Secret manifest (kind: Secret) holding it
under stringData.values.yaml or data.values.yaml. Several -f are layered like the Secrets
23ke-config-0 < 23ke-config-1 < 23ke-config-2 < 23ke-config (later wins; null deletes).

Exit codes: 0 valid, 1 invalid. Secret values are never printed.

Examples:
  23ke validate -f examples/23ke-config.yaml
  23ke validate -f shared.yaml -f prod.yaml --output json`,
    )
    .action(async (o: ValidateOptions) => setExit(await validateCommand(ctx, o)));
  program
    .command("values")
    .description("show the merged Helm values of one component and the layer each key came from")
    .argument(
      "<component>",
      "component, e.g. gardenlet, dashboard, kube-apiserver (release names like internal-gardenlet work too)",
    )
    .requiredOption(
      "-f, --file <file>",
      "the 23ke-config (repeat for layers, later wins)",
      collectFile,
      [] as string[],
    )
    .option(
      "--values-dir <dir>",
      "the config/ directory of a config repository checkout (<component>-values*.yaml)",
    )
    .option("-n, --system-namespace <ns>", h.systemNamespace, DEFAULT_SYSTEM_NAMESPACE)
    // the flag's old name, kept working for scripts
    .addOption(new Option("--namespace <ns>", "deprecated: use --system-namespace").hideHelp())
    .option("--show-secrets", "print secret values instead of masking them", false)
    .option(
      "--catalog <name>",
      "the release catalog whose Gardener release the values are for (default: the config's catalog key, else the newest; see 23ke catalogs)",
    )
    .addOption(outputOption(["yaml", "json"], "yaml (annotated with layers) or json"))
    .addHelpText(
      "after",
      `
Layers, lowest first: <component>-base-values (fanned out from the config) < <component>-values-0
< -1 < -2 < <component>-values (from --values-dir). Injections and inline values of the release
catalog are applied in the cluster and not shown. Generated secrets exist only in the cluster and
appear as placeholders.

Components: ${KNOWN_VALUES_COMPONENTS.join(", ")}

Examples:
  23ke values gardenlet -f examples/23ke-config.yaml
  23ke values dashboard -f 23ke-config.yaml --values-dir ../landscape-config/config --output json`,
    )
    .action(
      async (
        component: string,
        o: Omit<ValuesOptions, "namespace"> & { systemNamespace: string; namespace?: string },
      ) => {
        const { systemNamespace, namespace, ...rest } = o;
        if (namespace !== undefined)
          printErr(ctx, "23ke: --namespace is deprecated, use -n/--system-namespace");
        setExit(await valuesCommand(ctx, component, { ...rest, namespace: namespace ?? systemNamespace }));
      },
    );

  chartOptions(
    inputOptions(
      program
        .command("template")
        .description(
          "render the manifests of the landscape's components offline, with their merged values and post-renderers (like helmfile template)",
        )
        .argument(
          "[component...]",
          "components to render (default: all of this landscape), e.g. etcd kube-apiserver",
        )
        .requiredOption("-f, --file <file>", h.file, collectRepeat, [] as string[]),
    ),
  )
    .option("--output-dir <dir>", "write one <component>.yaml per component into DIR instead of stdout")
    .option("--show-secrets", "print Secret data and credentials instead of masking them", false)
    .addHelpText(
      "after",
      `
Nothing is contacted but the chart repositories (or --chart-mirror). Values that only the cluster
knows appear as "PLACEHOLDER(...)": generated secrets, the PKI certificates, the virtual garden's
kubeconfig, and the virtual garden's ClusterIP (set baseCluster.virtualGardenClusterIP to see the
real one). baseCluster.vpa: auto renders as if the base cluster had no VPA CRDs. Each component's
manifests start with a comment naming its release, chart, post-renderers and placeholders.

Examples:
  23ke template -f examples/23ke-config.yaml --values-dir examples/config-repo etcd kube-apiserver
  23ke template -f 23ke-config.yaml --chart-mirror '*=./charts-offline' --output-dir rendered/`,
    )
    .action(async (components: string[], o: TemplateOptions) =>
      setExit(await templateCommand(ctx, components, o)),
    );

  selectionOptions(
    landscapeCommand(
      program
        .command("plan")
        .description(
          "show what an apply would do: the ordered components, and with a cluster install/upgrade/unchanged and a diff of the values",
        ),
    ),
  )
    .addOption(outputOption(["text", "json", "yaml"], "how to print the plan"))
    .option("--diff", "under each component, the per-object diffs of '23ke diff' (needs a cluster)")
    .addHelpText(
      "after",
      `
Without --kubeconfig (and no $KUBECONFIG) nothing is contacted: the components are listed in an
order in which every dependency comes first. With a cluster, each component shows install, upgrade
or unchanged and the values that would change (secrets masked); nothing is written.

--only and --skip show what an apply with the same flags would do: the selected components, those
blocked by a dependency that is not Ready, and no uninstall.

Examples:
  23ke plan -f examples/23ke-config.yaml --output json
  23ke plan --kubeconfig ~/.kube/garden --only identity
  23ke plan -f 23ke-config.yaml --values-dir ./landscape --kubeconfig ~/.kube/garden`,
    )
    .action(async (o: PlanOptions) => setExit(await planCommand(ctx, o)));
  landscapeCommand(
    program
      .command("diff")
      .description(
        "show what an apply would change, object by object: a unified diff per Kubernetes object against the live one (server-side apply in dry-run), created and deleted objects; Secret data masked",
      )
      .argument("[component...]", "only these components (default: every one)"),
  )
    .addOption(outputOption(["text", "json"], "how to print the diff"))
    .addHelpText(
      "after",
      `
Each component that an apply would install, upgrade or uninstall (the same decision as plan: chart
and merged values against the last apply) is rendered by helm as the upgrade would
(helm upgrade --dry-run=server, the same values and post-renderers), each object is applied in
dry-run (server-side apply, dryRun=All, under helm's field manager) and compared with the live
object; managedFields, resourceVersion, generation, uid, creationTimestamp and status are left
out. Objects of the deployed release that the new manifest lacks would be deleted. Secret values
are never shown: "<masked, changed>" marks one that would change. Nothing is written. Colours only
on a terminal. Helm hooks are not shown.

Exit codes (as kubectl diff and helmfile diff --detailed-exitcode): 0 nothing would change, 1 an
apply would change something, 2 wrong use, 3 the diff failed (anything above 1 is a failure).

Examples:
  23ke diff --kubeconfig ~/.kube/garden --values-dir ./landscape
  23ke diff identity etcd --kubeconfig ~/.kube/garden -o json`,
    )
    .action(async (components: string[], o: DiffOptions) => {
      detailedExit();
      setExit(await diffCommand(ctx, components, o));
    });
  selectionOptions(
    landscapeCommand(
      program
        .command("apply")
        .description(
          "run all stages once: configuration, pre-gardener, gardener; exit 0 only when every component is Ready",
        ),
    ),
  )
    .addOption(
      outputOption(
        ["text", "json", "yaml"],
        "text (live progress on a terminal); json or yaml print the result, progress goes to stderr",
      ),
    )
    .addHelpText(
      "after",
      `
The config comes from -f files, else from the 23ke-config Secrets in the system namespace. Values
of the configuration repository (--values-dir or --config-repo) are written as <component>-values
Secrets. Each component is installed when its dependencies are Ready and is Ready itself only when
what it deployed is healthy; a component whose chart and values did not change is not touched.

--only and --skip apply some components (names as '23ke plan' lists them, e.g. provider-aws;
'extensions' stands for every enabled extension). The configuration stage runs all the same (it
writes the base values the components read). A selected component whose dependency is not
selected is applied only when that dependency is Ready in the status; otherwise it is reported
blocked, naming the dependency and its state. What is not selected is not touched and keeps its
status, and nothing is uninstalled (a full apply removes what the config disabled). Unknown names
are a usage error (exit 2) listing the components of the landscape. '23ke plan --only ...' shows
what such an apply would do; '23ke run' has neither flag: the operator converges everything.

Examples:
  23ke apply --kubeconfig ~/.kube/garden --only identity,dashboard-runtime
  23ke apply --kubeconfig ~/.kube/garden --skip provider-aws
  23ke apply -f 23ke-config.yaml --config-repo https://git.example.org/landscape.git --kubeconfig ~/.kube/garden
  23ke apply --kubeconfig k --virtual-kubeconfig v --chart-mirror '*=https://charts.internal.example'`,
    )
    .action(async (o: ApplyOptions) => setExit(await applyCommand(ctx, o)));
  landscapeCommand(
    program
      .command("run")
      .description(
        "the operator: apply, then keep the landscape converged (interval, new config revisions), with /metrics",
      ),
  )
    .option("--interval <seconds>", "seconds between passes when nothing changes", positiveInt, 300)
    .option(
      "--poll <seconds>",
      "seconds between checks of the configuration repository for a new revision",
      positiveInt,
      30,
    )
    .option("--requeue <seconds>", "seconds before the next pass while a component waits", positiveInt, 10)
    .option(
      "--backoff-max <seconds>",
      "longest pause between retries after transient failures (default: the interval)",
      positiveInt,
    )
    .option(
      "--metrics-address <host:port>",
      "where /metrics, /healthz and /readyz are served (0.0.0.0:8080 in a cluster)",
      "127.0.0.1:8080",
    )
    .option(
      "--leader-elect",
      "run passes only while holding the Lease 23ke-operator-leader in the system namespace (default: on with --in-cluster)",
    )
    .option("--no-leader-elect", "run passes without leader election (one replica only)")
    .option(
      "--leader-elect-lease-duration <seconds>",
      "how long a standby waits after the leader's last renewal before taking over",
      positiveSeconds,
      15,
    )
    .option(
      "--leader-elect-renew-deadline <seconds>",
      "how long the leader tries to renew before it stops leading (below the lease duration)",
      positiveSeconds,
      10,
    )
    .option(
      "--leader-elect-retry-period <seconds>",
      "pause between tries to take or renew the Lease (below the renew deadline)",
      positiveSeconds,
      2,
    )
    .option(
      "--webhook-address <host:port>",
      "where the webhook receiver (POST /hook) listens (default: 127.0.0.1:9292; 0.0.0.0:9292 in a cluster); needs a secret",
    )
    .option(
      "--webhook-secret-file <file>",
      "file holding the secret that signs push notifications (HMAC-SHA256 of the body); starts the webhook receiver",
    )
    .option(
      "--webhook-secret <name>",
      "Secret in the system namespace holding that secret in key 'token'; starts the webhook receiver",
    )
    .addOption(
      new Option(
        "--log-format <format>",
        "log as JSON lines or plain text (default: text on a terminal, json otherwise)",
      ).choices(["json", "text"]),
    )
    .option(
      "--landscape <name>",
      "operate the Landscape resource NAME in the system namespace: catalog, config Secrets, repository (with credentials and poll interval) and virtual garden come from its spec, its status and Events report every pass (docs/landscape.md)",
    )
    .addHelpText(
      "after",
      `
Runs until SIGTERM or Ctrl-C; the helm operations in flight finish first, then the Lease is given
up so a standby takes over at once. With leader election only the replica that holds the Lease
runs passes; a standby takes over within the lease duration when the leader dies; a leader that
cannot renew within the renew deadline stops its pass. The webhook receiver accepts a push
notification signed like GitHub's (X-Hub-Signature-256: sha256=HEX) or Flux's generic-hmac
Receiver (X-Signature: sha256=HEX) and starts a pass at once (on a standby: through the Lease,
on the leader).

A pass that leaves a component waiting is requeued (--requeue); a transient failure is retried
with backoff and jitter (10 s, doubling up to --backoff-max); after a terminal failure (Stalled)
the next pass waits for an input to change (config repository, 23ke-config Secrets or files,
catalog), or an hour as a safety net. Any input change starts a pass at once. Only one pass runs
at a time per landscape, across all replicas and CLI runs (Lease 23ke-apply in the system
namespace); a pass that loses it stops.
Every pass converges the whole landscape: --only and --skip belong to apply and plan.

With --landscape, the inputs come from the Landscape's spec (-f, --values-dir, --config-*,
--catalog and --virtual-kubeconfig are refused): a pass runs when its generation changes, when the
annotation 23ke.cloud/reconcile-requested-at changes (23ke reconcile), when a config or repository
Secret changes, and when spec.repository.interval finds a new commit; spec.suspend stops passes,
spec.components.NAME.suspend skips a component (23ke suspend / resume). Leader election, the
webhook receiver (a push starts a pass), /metrics, /healthz, /readyz and the log work as above:
this is what the operator's chart (charts/23ke-operator) runs in the cluster. --poll is not used:
spec.repository.interval is the poll interval.

Examples:
  23ke run --config-repo https://git.example.org/landscape.git --metrics-address 0.0.0.0:8080
  23ke run --in-cluster --webhook-address 0.0.0.0:9292 --webhook-secret 23ke-webhook --log-format json
  23ke run --landscape garden --in-cluster`,
    )
    // Loaded when used: the operator's libraries (prom-client, pino) would slow every other command.
    .action(async (o: RunOptions) => setExit(await (await import("./commands/run.js")).runCommand(ctx, o)));
  landscapeControlCommands(program, ctx, setExit);
  systemNamespaceOption(
    clusterOptions(
      program
        .command("status")
        .description("per component: state, chart version, release revision, last applied, last failure"),
    ),
  )
    .addOption(outputOption(["text", "json", "yaml"], "how to print the status"))
    .option(
      "--landscape <name>",
      "the Landscape resource whose status (conditions, last applied and attempted revisions) is shown too, if there is one",
      DEFAULT_LANDSCAPE_NAME,
    )
    .action(async (o: StatusOptions) => setExit(await statusCommand(ctx, o)));

  // 23ke doctor: the base cluster's fitness and what an install left, as advice (issue 11).
  systemNamespaceOption(
    clusterOptions(
      program
        .command("doctor")
        .description(
          "check the base cluster before and after an install (Kubernetes version, storage, load balancers, conflicting installs, RBAC, helm, git, the virtual garden, DNS and ACME, Helm releases) and advise",
        )
        .option(
          "-f, --file <file>",
          "23ke-config file(s) to check instead of the cluster's Secrets",
          collectRepeat,
          [] as string[],
        ),
    ),
  )
    .option("--catalog <version>", h.catalog)
    .option("--helm <path>", h.helm)
    .option("--virtual-kubeconfig <file>", h.virtualKubeconfig)
    .addOption(outputOption(["table", "json", "yaml"], "how to print the findings"))
    .addHelpText(
      "after",
      `
Reads only. Every finding has a severity (ok, info, warning, error), a message and advice. Before
an install (nothing recorded in the system namespace) doctor says what the install will need;
after one it also checks the components' status, Helm releases left pending or failed, the
DNSProvider and Issuer (with what their controllers said) and whether the virtual garden answers.
Checks that concern one flavour say so (LoadBalancers for the operator flavour's istio ingress,
ingress-nginx and cert-manager for the chart-based one).

Exit codes: 0 nothing worse than info, 1 a warning, 4 an error, 2 wrong use, 3 doctor itself failed.

Examples:
  23ke doctor --kubeconfig ~/.kube/garden
  23ke doctor --kubeconfig ~/.kube/garden -f 23ke-config.yaml --catalog 1.149 -o json`,
    )
    .action(async (o: DoctorOptions) => setExit(await doctorCommand(ctx, o)));

  // 23ke graph / 23ke tree: the landscape's dependency graph, and what one component owns (issue 11).
  systemNamespaceOption(
    clusterOptions(
      inputOptions(
        program
          .command("graph")
          .description(
            "draw the dependency graph of the components a config enables, as Mermaid, DOT or SVG; coloured by state with a cluster",
          )
          .option("-f, --file <file>", h.file, collectRepeat, [] as string[]),
      ),
    ),
  )
    .addOption(
      new Option(
        "--format <format>",
        "mermaid, dot (Graphviz) or svg (default: from -o's extension, else mermaid)",
      ).choices(GRAPH_FORMATS),
    )
    .option("-o, --output <file>", "write the graph to FILE instead of stdout")
    .option("--cache-dir <dir>", h.cacheDir)
    .addHelpText(
      "after",
      `
One node per component the config enables (extensions expanded into one per enabled extension),
grouped by stage; base-cluster components are boxes, virtual-garden ones rounded; an arrow goes
from a dependency to the component that waits for it; the configuration stage gates every root.
Components of the catalog that the config leaves out (velero without backups, the webterminal
unless enabled, vpa-crds unless baseCluster.vpa is install, extensions when none is enabled) are
drawn dashed with the reason. The extensions and backups a landscape has come from the
23ke-config (-f) and the configuration repository (--values-dir, --config-repo).

Without a cluster nothing is contacted. With --kubeconfig (or $KUBECONFIG, or --in-cluster) the
nodes are coloured by the state recorded in ConfigMap 23ke-status: green ready/unchanged, yellow
applying/waiting, red failed, orange blocked, grey not installed; without -f the config is the
cluster's. SVG is laid out by Graphviz (built in, no system package needed).

Examples:
  23ke graph -f examples/23ke-config.yaml                       # Mermaid on stdout
  23ke graph -f 23ke-config.yaml --values-dir ./landscape -o landscape.svg
  23ke graph --kubeconfig ~/.kube/garden --format dot | dot -Tpng > landscape.png`,
    )
    .action(async (o: GraphOptions) => setExit(await graphCommand(ctx, o)));
  systemNamespaceOption(
    clusterOptions(
      program
        .command("tree")
        .description(
          "list the objects a component owns (its Helm release, or what 23ke applied), with whether each exists and is ready",
        )
        .argument(
          "<component>",
          "component, e.g. etcd, kube-apiserver, provider-aws, garden-content-manifests",
        ),
    ),
  )
    .option("--virtual-kubeconfig <file>", h.virtualKubeconfig)
    .option("--catalog <version>", h.catalog)
    .addOption(outputOption(["text", "json", "yaml"], "how to print the tree"))
    .addHelpText(
      "after",
      `
A Helm release's objects are those of its newest deployed revision, read from Helm's release
storage in the component's cluster (the base cluster or the virtual garden); the configuration
repository's garden-content manifests (component garden-content-manifests) are what 23ke's last
apply recorded; configuration lists the base-values and generated Secrets. Each object is looked
up once: missing, not ready (with what it waits for), ready, or exists (kinds without a readiness
check). Only kinds and names are printed, never content.

Exit codes: 0 every object exists and is ready, 1 some are not (or the component is not
installed), 2 an unknown component (the known ones are listed).

Examples:
  23ke tree etcd --kubeconfig ~/.kube/garden
  23ke tree gardener-application --kubeconfig ~/.kube/garden --virtual-kubeconfig ~/.kube/virtual -o json`,
    )
    .action(async (component: string, o: TreeOptions) => setExit(await treeCommand(ctx, component, o)));

  addInstallCommand(program, ctx, setExit);
  landscapeCommand(
    program
      .command("uninstall")
      .description(
        "remove the landscape's components, dependents first; keeps the 23ke-config, the generated secrets and the base values",
      ),
  )
    .option("--yes", "uninstall; without it the components are only listed in the order they would go", false)
    .option("--delete-crds", "also delete the Landscape CRD and the CRDs Helm kept of the removed releases")
    .option(
      "--delete-pvcs",
      "also delete the PersistentVolumeClaims in the removed releases' namespaces (never kube-system, default)",
    )
    .addOption(outputOption(["text", "json", "yaml"], "how to print the result"))
    .addHelpText(
      "after",
      `
When the operator of '23ke install' is there (Helm release 23ke-operator in the system
namespace), it is uninstalled first and its pods are waited for: it would install again what is
removed. Then every component 23ke recorded is uninstalled with helm, those that depend on others
first (the virtual garden's content before its kube-apiserver, the gardenlet before the control
plane). A failed uninstall stops there, so nothing is removed from under a component that is still
there. Holds the apply lock, like apply. When every component is gone, the Landscapes of the
system namespace are deleted. Kept: Secrets 23ke-config* and 23ke-repository, the generated
secrets (the landscape's PKI and passwords), the base values, namespaces; CRDs unless
--delete-crds (the Landscape CRD and CRDs that the removed releases' charts keep); the
PersistentVolumeClaims (etcd's data) unless --delete-pvcs (those in the namespaces of the removed
base-cluster releases, never kube-system or default).

Exit codes: 0 uninstalled (or nothing to do), 1 listed only (no --yes) or an uninstall failed.

Examples:
  23ke uninstall --kubeconfig ~/.kube/garden
  23ke uninstall --kubeconfig ~/.kube/garden --yes`,
    )
    .action(async (o: UninstallOptions) => setExit(await uninstallCommand(ctx, o)));

  return program;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  let code: number = ExitCode.ok;
  let failedIsError = false;
  const program = buildProgram(
    ctx,
    (c) => {
      code = c;
    },
    () => {
      failedIsError = true;
    },
  );
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return ExitCode.usage;
    }
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    const c = reportError(ctx, e);
    return failedIsError && c === ExitCode.failed ? ExitCode.error : c;
  }
}

function reportError(ctx: CliContext, e: unknown): number {
  if (e instanceof CommanderError) {
    // commander printed its message already; help and version are not errors.
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help")
      return ExitCode.ok;
    return ExitCode.usage;
  }
  if (ctx.signal.aborted) {
    ctx.stderr.write("23ke: interrupted\n");
    return ExitCode.interrupted;
  }
  if (e instanceof UsageError) {
    ctx.stderr.write(`23ke: ${e.message}\n`);
    return ExitCode.usage;
  }
  if (e instanceof ValidationError) {
    ctx.stderr.write(`23ke: ${e.message}\n`);
    for (const p of e.problems) ctx.stderr.write(`  ${formatProblem(p)}\n`);
    return ExitCode.failed;
  }
  if (e instanceof TwentyThreeKeError) {
    ctx.stderr.write(`23ke: ${describeError(e)}\n`);
    return e.kind === "terminal" ? ExitCode.failed : ExitCode.error;
  }
  ctx.stderr.write(`23ke: unexpected error: ${describeError(e)}\n`);
  if (e instanceof Error && e.stack !== undefined && ctx.env.TWENTYTHREEKE_DEBUG === "1")
    ctx.stderr.write(`${e.stack}\n`);
  return ExitCode.error;
}
