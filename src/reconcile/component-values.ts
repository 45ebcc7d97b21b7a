/**
 * The merged values of one release unit (DESIGN.md §3): its value Secrets in order, then the
 * injections (a key of a Secret at a value path), then the inline values. Pure: the Secrets are
 * read once per pass and passed in.
 */
import { Reason } from "../status/reasons.js";
import { TerminalError } from "../errors/errors.js";
import { MaxYamlBytes, parseYaml } from "../util/yaml-limits.js";
import { mergeLayers, type MergedValues, type ValuesLayer } from "../values/values-merge.js";
import type { ExtensionSetting, ReleaseUnit } from "./release-units.js";

/** Secrets of the system namespace by name: their `data`, base64 as stored. */
export type SecretData = Map<string, Record<string, string>>;

export class ValuesMissingError extends TerminalError {}

function setPath(root: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let cur = root;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) {
      cur[k] = value;
      return;
    }
    const next = cur[k];
    if (next === null || typeof next !== "object" || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  });
}

/** Parses the `values.yaml` key of a value Secret; errors name the Secret and line. */
export function valuesOfSecret(
  name: string,
  namespace: string,
  data: Record<string, string>,
): Record<string, unknown> {
  const b64 = data["values.yaml"];
  if (b64 === undefined) {
    throw new ValuesMissingError(`Secret ${namespace}/${name} has no key values.yaml`, {
      reason: Reason.ValuesMissing,
      object: `Secret ${namespace}/${name}`,
    });
  }
  let v: unknown;
  try {
    v = parseYaml(Buffer.from(b64, "base64").toString("utf8"), MaxYamlBytes.config);
  } catch (e) {
    throw new ValuesMissingError(
      `Secret ${namespace}/${name} key values.yaml does not parse: ${(e as Error).message.split("\n")[0] ?? ""}`,
      { reason: Reason.ValuesMissing, object: `Secret ${namespace}/${name}`, cause: e },
    );
  }
  if (v === null || v === undefined) return {};
  if (typeof v !== "object" || Array.isArray(v)) {
    throw new ValuesMissingError(`Secret ${namespace}/${name} key values.yaml is not a map of values`, {
      reason: Reason.ValuesMissing,
      object: `Secret ${namespace}/${name}`,
    });
  }
  return v as Record<string, unknown>;
}

/** The merged values for helm, and the top-level keys left out for 23ke (post-renderers read them). */
export interface ComponentValues extends MergedValues {
  omitted: Record<string, unknown>;
}

export function componentValues(
  unit: ReleaseUnit,
  secrets: SecretData,
  systemNamespace: string,
): ComponentValues {
  const layers: ValuesLayer[] = [];
  for (const l of unit.layers) {
    const data = secrets.get(l.secret);
    if (data === undefined) {
      if (l.optional) continue;
      throw new ValuesMissingError(`required values Secret ${systemNamespace}/${l.secret} does not exist`, {
        reason: Reason.ValuesMissing,
        object: `Secret ${systemNamespace}/${l.secret}`,
      });
    }
    layers.push({ name: l.secret, values: valuesOfSecret(l.secret, systemNamespace, data) });
  }
  if (unit.injections.length > 0) {
    const injected: Record<string, unknown> = {};
    for (const inj of unit.injections) {
      const b64 = secrets.get(inj.secret)?.[inj.key];
      if (b64 === undefined) {
        throw new ValuesMissingError(
          `injection for ${inj.path}: Secret ${systemNamespace}/${inj.secret} has no key ${inj.key}`,
          {
            reason: Reason.ValuesMissing,
            object: `Secret ${systemNamespace}/${inj.secret}`,
          },
        );
      }
      setPath(injected, inj.path, Buffer.from(b64, "base64").toString("utf8"));
    }
    layers.push({ name: "injections", values: injected });
  }
  if (Object.keys(unit.inline).length > 0) layers.push({ name: "inline", values: unit.inline });
  const merged: ComponentValues = { ...mergeLayers(layers), omitted: {} };
  for (const key of unit.omit ?? []) {
    if (key in merged.values) merged.omitted[key] = merged.values[key];
    delete merged.values[key];
    for (const p of Object.keys(merged.provenance))
      if (p === key || p.startsWith(`${key}.`) || p.startsWith(`${key}[`)) delete merged.provenance[p];
  }
  return merged;
}

/** Merged values of a prefix's layers (`<p>-base-values` < `-0` < `-1` < `-2` < `<p>-values`). */
function prefixValues(secrets: SecretData, ns: string, prefix: string): Record<string, unknown> {
  const names = [
    `${prefix}-base-values`,
    `${prefix}-values-0`,
    `${prefix}-values-1`,
    `${prefix}-values-2`,
    `${prefix}-values`,
  ];
  const layers = names
    .filter((n) => secrets.has(n))
    .map((n) => ({ name: n, values: valuesOfSecret(n, ns, secrets.get(n) ?? {}) }));
  return mergeLayers(layers, { dropNulls: true }).values;
}

/**
 * What decides the optional components, from the values Secrets: the webterminal's
 * `webterminal-values: enabled`, and the extensions enabled in the merged extensions values.
 */
export function optionalFacts(
  secrets: SecretData,
  ns: string,
): { webterminalEnabled: boolean; extensions: Record<string, ExtensionSetting> } {
  const ext = prefixValues(secrets, ns, "extensions");
  const root = (
    ext.extensions !== null && typeof ext.extensions === "object" ? ext.extensions : ext
  ) as Record<string, unknown>;
  const extensions: Record<string, ExtensionSetting> = {};
  for (const [k, v] of Object.entries(root)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) extensions[k] = v;
  }
  return { webterminalEnabled: prefixValues(secrets, ns, "webterminal").enabled === true, extensions };
}
