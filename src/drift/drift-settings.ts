/**
 * What the 23ke-config's `drift` key says about each component (docs/config.md): correct drift
 * (the default), only detect and report it, or ignore it; and paths to leave out. Pure.
 */
import { parseIgnoreRule, type IgnoreRule } from "./owned-fields.js";

export const DRIFT_MODES = ["correct", "detect", "ignore"] as const;
export type DriftMode = (typeof DRIFT_MODES)[number];

/** The `drift` key after validation (src/config/config-schema.ts). */
export interface DriftSettings {
  /** @default "correct" */
  default: DriftMode;
  /** Per component (its name in `23ke status`): a mode and paths left out. */
  components: Record<string, { mode?: DriftMode | undefined; ignore?: string[] | undefined }>;
}

export const DEFAULT_DRIFT_SETTINGS: DriftSettings = { default: "correct", components: {} };

/** How one component's drift is handled. */
export interface DriftPolicy {
  mode: DriftMode;
  rules: IgnoreRule[];
}

export function driftPolicy(settings: DriftSettings | undefined, component: string): DriftPolicy {
  const s = settings ?? DEFAULT_DRIFT_SETTINGS;
  const c = s.components[component];
  const rules: IgnoreRule[] = [];
  for (const text of c?.ignore ?? []) {
    const r = parseIgnoreRule(text);
    if (r !== undefined) rules.push(r);
  }
  return { mode: c?.mode ?? s.default, rules };
}
