/**
 * The configuration repository's garden-content manifests (../virtual-manifests.ts) as a task of
 * the pass's graph: it runs after the garden-content release (when the landscape has one), applies
 * the manifests to the virtual garden, prunes what an earlier revision applied and this one no
 * longer has, and writes its record (component `garden-content-manifests`), whose object list is
 * the inventory the next pass prunes from.
 */
import type { KubeObject } from "../../kube/client.js";
import type { Task } from "../../stages/executor.js";
import { ComponentState } from "../../status/component-state.js";
import { Reason } from "../../status/reasons.js";
import type { VirtualGarden } from "../virtual-garden.js";
import { MANIFESTS_COMPONENT, applyVirtualManifests } from "../virtual-manifests.js";
import type { LoadedLandscape } from "./load-step.js";
import type { PassContext } from "./pass-context.js";

export class GardenContentTask implements Task {
  readonly name = MANIFESTS_COMPONENT;
  readonly stage = "gardener";
  readonly target = "virtual";
  readonly dependsOn: readonly string[];
  /** How many manifests were applied and pruned, once the task succeeded: its outcome's message. */
  message: string | undefined;

  constructor(
    private readonly ctx: PassContext,
    private readonly virtual: VirtualGarden,
    private readonly manifests: readonly KubeObject[],
    private readonly landscape: LoadedLandscape,
  ) {
    this.dependsOn = landscape.units.some((u) => u.name === "garden-content") ? ["garden-content"] : [];
  }

  async run(signal: AbortSignal): Promise<"ready"> {
    const prev = this.landscape.previous.get(this.name);
    const v = await this.virtual.ready(signal, (m) =>
      this.ctx.progress(this.name, ComponentState.waiting, m),
    );
    const r = await applyVirtualManifests(v.client, this.manifests, prev?.objects ?? []);
    this.message = `${r.applied.length} manifest(s) applied, ${r.pruned.length} pruned`;
    await this.ctx.store.write({
      component: this.name,
      stage: this.stage,
      target: this.target,
      release: "",
      namespace: "",
      chart: { repository: "config-repo", name: "garden-content", version: "" },
      ready: true,
      state: ComponentState.ready,
      reason: Reason.Applied,
      message: this.message,
      objects: r.applied,
      lastApplied: this.ctx.now().toISOString(),
    });
    return "ready";
  }
}
