/**
 * One object of a component: the live object against what the apply would make of it, as a
 * unified diff of their YAML (keys sorted, apiserver-owned fields dropped, secrets masked). The
 * comparison is made before masking, so a changed Secret value is found; what is shown is masked.
 * Pure; the unified diff is jsdiff's.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";
import { stringify } from "yaml";
import type { KubeObject } from "../kube/client.js";
import { normaliseObject, type ObjectIdentity } from "./object-normalise.js";
import { maskObjectPair } from "./secret-mask.js";

export type ObjectChange = "create" | "update" | "delete";

export interface ObjectDiff extends ObjectIdentity {
  change: ObjectChange;
  /** Unified diff (create: every line added; update: the changed lines with context; delete: none). */
  diff?: string;
  /** Why the content is the rendered manifest, not the apiserver's answer, and similar remarks. */
  note?: string;
}

/** YAML with map keys sorted, so that the same object always prints the same. */
export function objectYaml(o: unknown): string {
  return stringify(o, { sortMapEntries: true, lineWidth: 0 });
}

/** `Kind/namespace/name` (cluster-scoped: `Kind/name`): the diff's file name. */
function fileName(o: ObjectIdentity): string {
  return [o.kind, ...(o.namespace === undefined ? [] : [o.namespace]), o.name].join("/");
}

function identityOf(o: ObjectIdentity): ObjectIdentity {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.name,
    ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
  };
}

/**
 * The change of one object, or undefined when the apply would leave it as it is. `live`: the
 * object in the cluster (undefined: absent). `desired`: what the apply would make of it, the
 * server's dry-run answer where there is one (undefined: the apply would delete it).
 */
export function compareObject(i: {
  identity: ObjectIdentity;
  live: KubeObject | undefined;
  desired: KubeObject | undefined;
  /** Strings masked wherever they appear (the 23ke-config's credentials). */
  sensitive?: readonly string[];
  note?: string;
}): ObjectDiff | undefined {
  const id = identityOf(i.identity);
  const note = i.note === undefined ? {} : { note: i.note };
  if (i.live === undefined && i.desired === undefined) return undefined;
  if (i.desired === undefined) return { ...id, change: "delete", ...note };
  const desired = normaliseObject(i.desired);
  const live = i.live === undefined ? undefined : normaliseObject(i.live);
  if (live !== undefined && objectYaml(live) === objectYaml(desired)) return undefined;
  const masked = maskObjectPair(live, desired, i.sensitive ?? []);
  const name = fileName(id);
  const diff = createTwoFilesPatch(
    live === undefined ? "/dev/null" : `live/${name}`,
    `apply/${name}`,
    masked.live === undefined ? "" : objectYaml(masked.live),
    objectYaml(masked.desired),
    undefined,
    undefined,
    { context: 3, headerOptions: FILE_HEADERS_ONLY },
  );
  // Only masked values differ (a credential in a ConfigMap): say so rather than show no line.
  const onlyMasked = live !== undefined && !/^@@ /m.test(diff);
  return {
    ...id,
    change: live === undefined ? "create" : "update",
    diff,
    ...(onlyMasked ? { note: i.note ?? "only masked values differ" } : note),
  };
}
