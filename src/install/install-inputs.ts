/**
 * The inputs of `23ke install` read from files and flags, each checked before anything is
 * written: the 23ke-config (validated like `23ke validate`; stored as it is understood, never
 * printed), the repository credentials (an ssh key or a token; only their file names appear in
 * messages), the operator image reference, the operator chart's values file.
 */
import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { checkConfig, parseConfigLayers } from "../config/index.js";
import { UsageError, ValidationError, type Problem } from "../errors/errors.js";
import { MaxYamlBytes, parseYaml } from "../util/yaml-limits.js";
import type { RepositoryCredentials } from "./install-plan.js";

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(
      `cannot read the ${what} ${file} (${(e as NodeJS.ErrnoException).code ?? "unreadable"})`,
    );
  }
}

/** The 23ke-config of `file` (values document or Secret manifest), validated, as the Secret's values.yaml. */
export function readInstallConfig(file: string): { values: string; warnings: Problem[] } {
  const text = readText(file, "23ke-config");
  const { layers, problems } = parseConfigLayers([{ name: file, text, source: file }]);
  if (problems.length > 0) throw new ValidationError("23ke-config", problems);
  const check = checkConfig(layers);
  if (!check.valid) throw new ValidationError("23ke-config", check.problems);
  return { values: stringify(layers[0]?.document.values ?? {}), warnings: check.warnings };
}

/** --ssh-key-file or --token-file (not both). */
export function readRepositoryCredentials(o: {
  sshKeyFile?: string;
  tokenFile?: string;
}): RepositoryCredentials | undefined {
  if (o.sshKeyFile !== undefined && o.tokenFile !== undefined)
    throw new UsageError("--ssh-key-file and --token-file exclude each other");
  if (o.sshKeyFile !== undefined) {
    const key = readText(o.sshKeyFile, "ssh key file");
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key))
      throw new UsageError(
        `--ssh-key-file ${o.sshKeyFile} holds no private key (expected a PEM or OpenSSH key)`,
      );
    return { identity: key.endsWith("\n") ? key : `${key}\n` };
  }
  if (o.tokenFile !== undefined) {
    const token = readText(o.tokenFile, "token file").trim();
    if (token === "" || /\s/.test(token))
      throw new UsageError(`--token-file ${o.tokenFile} must hold one token on one line`);
    return { token };
  }
  return undefined;
}

/** REPOSITORY[:TAG] or REPOSITORY@sha256:DIGEST as the chart's image values. */
export function imageValues(ref: string): Record<string, string> {
  const at = ref.indexOf("@");
  if (at >= 0) {
    const digest = ref.slice(at + 1);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest))
      throw new UsageError(`--image ${ref}: the digest must be sha256: and 64 hex digits`);
    return { repository: ref.slice(0, at), digest };
  }
  const colon = ref.lastIndexOf(":");
  // a colon before the last slash is a registry's port, not a tag
  if (colon > ref.lastIndexOf("/")) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  if (ref === "") throw new UsageError("--image must not be empty");
  return { repository: ref };
}

/** The operator chart's values from --operator-values FILE, with --image on top. */
export function operatorValues(o: { operatorValues?: string; image?: string }): Record<string, unknown> {
  let values: Record<string, unknown> = {};
  if (o.operatorValues !== undefined) {
    const text = readText(o.operatorValues, "operator values file");
    let doc: unknown;
    try {
      doc = parseYaml(text, MaxYamlBytes.config);
    } catch (e) {
      throw new UsageError(`--operator-values ${o.operatorValues}: ${(e as Error).message}`);
    }
    if (doc !== null && (typeof doc !== "object" || Array.isArray(doc)))
      throw new UsageError(`--operator-values ${o.operatorValues} must be a YAML map of the chart's values`);
    values = (doc ?? {}) as Record<string, unknown>;
  }
  if (o.image === undefined) return values;
  return { ...values, image: { ...(values.image ?? {}), ...imageValues(o.image) } };
}
