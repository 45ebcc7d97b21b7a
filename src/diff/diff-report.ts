/**
 * What `23ke diff` reports: per component that an apply would change, the objects it would
 * create, change or delete, and how that is printed (text with optional colours, or the same
 * document as JSON). Pure.
 */
import type { ObjectDiff } from "./object-diff.js";
import { objectTitle } from "./object-normalise.js";

export interface ComponentDiff {
  name: string;
  target: string;
  release: string;
  namespace: string;
  action: "install" | "upgrade" | "uninstall";
  /** Why the objects cannot be shown (values incomplete, the virtual garden not answering). */
  reason?: string;
  /** The objects that would change; empty for an upgrade that changes no object. */
  objects: ObjectDiff[];
}

export interface LandscapeDiff {
  catalog: string;
  components: ComponentDiff[];
  /** Components whose chart and values are unchanged: not rendered, not compared. */
  unchanged: string[];
}

/**
 * Whether the apply would change anything: an object to create, change or delete, a release to
 * install or uninstall, or a change that cannot be shown. An upgrade that would change no object
 * (a new Helm revision only) is no change, as for `helmfile diff` and `kubectl diff`.
 */
export function componentChanges(c: ComponentDiff): boolean {
  return c.action !== "upgrade" || c.objects.length > 0 || c.reason !== undefined;
}

export function hasChanges(d: LandscapeDiff): boolean {
  return d.components.some(componentChanges);
}

export interface Counts {
  create: number;
  update: number;
  delete: number;
}

export function countChanges(d: LandscapeDiff): Counts {
  const n: Counts = { create: 0, update: 0, delete: 0 };
  for (const c of d.components) for (const o of c.objects) n[o.change]++;
  return n;
}

const SGR = { bold: "1", red: "31", green: "32", cyan: "36", yellow: "33", dim: "2" } as const;

function paint(colour: boolean, code: keyof typeof SGR, s: string): string {
  return colour ? `\x1b[${SGR[code]}m${s}\x1b[0m` : s;
}

const MARK = { create: "+", update: "~", delete: "-" } as const;
const VERB = { create: "would be created", update: "would change", delete: "would be deleted" } as const;

/** The lines of the object diffs of one component (`plan --diff` indents them under it). */
export function objectDiffLines(objects: readonly ObjectDiff[], colour: boolean): string[] {
  const out: string[] = [];
  for (const o of objects) {
    const head = `${MARK[o.change]} ${objectTitle(o)} ${VERB[o.change]}${o.note === undefined ? "" : ` (${o.note})`}`;
    out.push(paint(colour, o.change === "delete" ? "red" : o.change === "create" ? "green" : "yellow", head));
    for (const l of (o.diff ?? "").replace(/\n$/, "").split("\n")) {
      if (o.diff === undefined) break;
      if (l.startsWith("+++") || l.startsWith("---")) out.push(paint(colour, "bold", l));
      else if (l.startsWith("@@")) out.push(paint(colour, "cyan", l));
      else if (l.startsWith("+")) out.push(paint(colour, "green", l));
      else if (l.startsWith("-")) out.push(paint(colour, "red", l));
      else out.push(l);
    }
  }
  return out;
}

const TARGET = { base: "base cluster", virtual: "virtual garden" } as Record<string, string>;

/** The report as text: one section per component that would change, then a summary. */
export function diffText(d: LandscapeDiff, colour: boolean): string[] {
  const out: string[] = [];
  for (const c of d.components) {
    const where = `release ${c.namespace}/${c.release} in the ${TARGET[c.target] ?? c.target}`;
    out.push(paint(colour, "bold", `=== ${c.name}: ${c.action} (${where})`));
    if (c.reason !== undefined) out.push(`    ${c.reason}`);
    else if (c.objects.length === 0) out.push("    no object would change (a new Helm revision only)");
    out.push(...objectDiffLines(c.objects, colour));
  }
  const n = countChanges(d);
  const changing = d.components.filter(componentChanges).length;
  out.push(
    changing === 0
      ? `no changes: ${d.unchanged.length} component(s) unchanged`
      : `${changing} component(s) would change: ${n.create} object(s) created, ${n.update} changed, ${n.delete} deleted; ${d.unchanged.length} component(s) unchanged`,
  );
  return out;
}
