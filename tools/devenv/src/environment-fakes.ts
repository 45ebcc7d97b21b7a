/**
 * Everything the local environment plays besides the clusters: the DNS and certificate
 * controllers on the base cluster, and gardener-operator when there is a virtual garden.
 */
import { readFileSync } from "node:fs";
import type { Environment } from "./environment.js";
import { startFakeControllers } from "./fake-controllers.js";
import { startFakeGardenerOperator } from "./fake-gardener-operator.js";

export function startEnvironmentFakes(env: Environment, signal?: AbortSignal): { stop(): Promise<void> } {
  const s = signal === undefined ? {} : { signal };
  const controllers = startFakeControllers({ client: env.base.client, ...s });
  const operator =
    env.virtual === undefined
      ? undefined
      : startFakeGardenerOperator({
          base: env.base.client,
          virtual: env.virtual.client,
          virtualKubeconfigText: readFileSync(env.virtual.kubeconfigPath, "utf8"),
          ...s,
        });
  return {
    stop: async () => {
      await operator?.stop();
      await controllers.stop();
    },
  };
}
