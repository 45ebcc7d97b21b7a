/**
 * The secret that signs push notifications for `23ke run`'s webhook receiver: from a file
 * (`--webhook-secret-file`, e.g. a mounted Secret) or from a Secret in the system namespace
 * (`--webhook-secret NAME`, key `token`, as Flux's Receiver secrets hold it; `23ke install
 * --webhook-secret-file` writes Secret 23ke-webhook so). Surrounding
 * whitespace (the newline of `echo ... >file`) is not part of it. Errors name where, never what.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "../../errors/errors.js";
import { WEBHOOK_SECRET_KEY } from "../../install/install-plan.js";
import type { KubeClient, KubeObject } from "../../kube/client.js";

/** Below this a secret is guessable (GitHub suggests a random string of high entropy). */
const MIN_SECRET_BYTES = 16;

function checked(secret: Buffer, where: string): Buffer {
  if (secret.length < MIN_SECRET_BYTES)
    throw new UsageError(
      `the webhook secret in ${where} is ${secret.length === 0 ? "empty" : "too short"}: use at least ${MIN_SECRET_BYTES} random bytes`,
    );
  return secret;
}

/** The secret of `file` (`flag` names the option in messages); checked for its length. */
export function readWebhookSecretFile(file: string, flag = "--webhook-secret-file"): Buffer {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
  }
  return checked(Buffer.from(text.trim(), "utf8"), `${flag} ${file}`);
}

export async function readWebhookSecret(
  o: { webhookSecretFile?: string; webhookSecret?: string },
  client: Pick<KubeClient, "get">,
  namespace: string,
): Promise<Buffer> {
  if (o.webhookSecretFile !== undefined) return readWebhookSecretFile(o.webhookSecretFile);
  const name = o.webhookSecret ?? "";
  const where = `Secret ${namespace}/${name}`;
  const s = await client.get<KubeObject & { data?: Record<string, string> }>("v1", "Secret", name, namespace);
  if (s === undefined) throw new UsageError(`--webhook-secret: ${where} does not exist`);
  const value = s.data?.[WEBHOOK_SECRET_KEY];
  if (value === undefined)
    throw new UsageError(`--webhook-secret: ${where} has no key ${WEBHOOK_SECRET_KEY}`);
  return checked(
    Buffer.from(Buffer.from(value, "base64").toString("utf8").trim(), "utf8"),
    `${where} key ${WEBHOOK_SECRET_KEY}`,
  );
}
