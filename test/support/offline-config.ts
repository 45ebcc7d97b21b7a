/**
 * A 23ke-config resolved offline, as the configuration stage would see it without a cluster:
 * generated secrets as offline placeholders, a base cluster without VPA CRDs.
 */
import { expect } from "vitest";
import {
  offlineGeneratedSecrets,
  parseConfigLayers,
  resolveConfig,
  type ClusterFacts,
  type ResolvedConfig,
} from "../../src/config/index.js";

/** A base cluster without VPA CRDs (the offline assumption). */
export const NO_VPA: ClusterFacts = {
  vpa: false,
  installVpaCrds: false,
  virtualGardenClusterIP: "10.96.0.100",
  notes: [],
};

/** The config texts as layers (later wins), resolved; fails the test on any problem. */
export function resolveOffline(...texts: string[]): ResolvedConfig {
  const { layers, problems } = parseConfigLayers(texts.map((text, i) => ({ name: `l${i}`, text })));
  expect(problems).toEqual([]);
  return resolveConfig(layers, offlineGeneratedSecrets()).config;
}
