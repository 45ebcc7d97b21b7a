/** The `23ke install` command line (kept beside program.ts, which holds the other commands). */
import { InvalidArgumentError, type Command } from "commander";
import { DEFAULT_LANDSCAPE_NAME } from "../api/landscape.js";
import { installCommand, type InstallOptions } from "./commands/install.js";
import type { CliContext } from "./context.js";
import { DEFAULT_SYSTEM_NAMESPACE, landscapeOptionHelp as h } from "./landscape.js";

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

export function addInstallCommand(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  program
    .command("install")
    .description(
      "bootstrap the operator onto a base cluster: namespace, Landscape CRD, 23ke-config Secret, repository credentials, the operator (its chart), a Landscape; then wait until it is Ready",
    )
    .option(
      "-f, --file <file>",
      "the 23ke-config (values document or Secret manifest), validated, stored as Secret 23ke-config (default: keep the Secret in the cluster)",
    )
    .option(
      "--landscape <name>",
      "name of the Landscape (and the operator's landscape)",
      DEFAULT_LANDSCAPE_NAME,
    )
    .option("--repository <url>", "the configuration git repository (https://, ssh://)")
    .option("--ref <ref>", "branch, tag or commit of the repository (default: main)")
    .option("--path <path>", "directory of the configuration in the repository (default: .)")
    .option("--interval <duration>", "how often the operator polls the repository: 30s, 1m, 5m (default: 1m)")
    .option(
      "--ssh-key-file <file>",
      "ssh private key for the repository (Secret 23ke-repository, key identity)",
    )
    .option("--token-file <file>", "access token for the repository (Secret 23ke-repository, key token)")
    .option(
      "--catalog <version>",
      "release catalog of the Landscape (default: the recorded one, else the newest)",
    )
    .option("--image <ref>", "the operator's image: REPOSITORY[:TAG] or REPOSITORY@sha256:DIGEST")
    .option(
      "--operator-values <file>",
      "values for the operator's chart (charts/23ke-operator/values.yaml lists them)",
    )
    .option(
      "--webhook-secret-file <file>",
      "turn the operator's webhook receiver on: the secret that signs push notifications (at least 16 bytes), stored as Secret 23ke-webhook (key token) and named in the chart's webhook.secretName",
    )
    .option("--dry-run", "print what would be created (Secret data masked); contact no cluster")
    .option("--no-wait", "do not wait for the Landscape to become Ready")
    .option(
      "--timeout <seconds>",
      "how long to wait for each step and for the Landscape to become Ready",
      seconds,
      1800,
    )
    .option("-n, --system-namespace <ns>", h.systemNamespace, DEFAULT_SYSTEM_NAMESPACE)
    .option("--kubeconfig <file>", h.kubeconfig)
    .option("--context <name>", h.context)
    .option("--in-cluster", h.inCluster)
    .option("--helm <path>", h.helm)
    .addHelpText(
      "after",
      `
Applies, in this order and idempotently (server-side apply; the operator by helm upgrade
--install): the system namespace, the CustomResourceDefinition landscapes.23ke.cloud, Secret
23ke-config (values.yaml from -f, validated like '23ke validate'), Secret 23ke-repository (the ssh
key or token), Secret 23ke-webhook (--webhook-secret-file), the Helm release 23ke-operator (chart
charts/23ke-operator: ServiceAccount, a ClusterRole that is cluster-admin in all but name,
Deployment with two replicas, Service), and the Landscape. Then waits until the operator reports
the Landscape Ready, printing each component's state as it changes. Secret values are never
printed.

With --webhook-secret-file the operator's webhook receiver runs (POST /hook on the Service's port
"webhook", 9292): a push notification signed with that secret (GitHub's X-Hub-Signature-256, or
Flux's generic-hmac X-Signature) starts a pass at once. An install without the flag keeps the
receiver of an earlier one (its Secret 23ke-webhook stays).

Exit codes: 0 installed and Ready (or --no-wait, --dry-run), 1 an invalid config, or the Landscape
Stalled or not Ready within --timeout, 2 wrong use, 3 an error (e.g. a cluster that cannot be
reached).

Examples:
  23ke install -f 23ke-config.yaml --repository ssh://git@git.example/landscape.git --ssh-key-file deploy-key --kubeconfig ~/.kube/garden
  23ke install -f 23ke-config.yaml --image registry.example/23ke:0.1.0 --dry-run
  head -c 32 /dev/urandom | base64 >webhook-secret && 23ke install -f 23ke-config.yaml --webhook-secret-file webhook-secret`,
    )
    .action(async (o: InstallOptions) => setExit(await installCommand(ctx, o)));
}
