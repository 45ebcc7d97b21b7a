import { describe, expect, it } from "vitest";
import {
  GENERATED_SECRET_KEYS,
  completeGeneratedSecrets,
  generateSecrets,
  generatedSecretsLayer,
  readGeneratedSecrets,
} from "../../../src/config/index.js";
import { malformedGeneratedSecrets } from "../../../src/config/generated-secrets.js";

describe("generated secrets", () => {
  it.each(Array.from({ length: 20 }, (_, i) => i))("have the formats of DESIGN.md §2 (run %i)", () => {
    const g = generateSecrets();
    expect(g.dashboardSessionSecret).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(g.dashboardClientSecret).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(g.healthCheckToken).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(g.bootstrapTokenId).toMatch(/^[0-9][a-z0-9]{4}[a-z]$/);
    expect(g.bootstrapTokenSecret).toMatch(/^[a-z0-9]{16}$/);
    expect(malformedGeneratedSecrets(g)).toEqual([]);
  });

  it("are random: no two runs and no two keys alike", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const g = generateSecrets();
      for (const k of ["dashboardSessionSecret", "dashboardClientSecret", "healthCheckToken"] as const) {
        expect(seen.has(g[k])).toBe(false);
        seen.add(g[k]);
      }
    }
  });

  it("keeps the secrets present and generates only the missing ones", () => {
    const existing = { dashboardSessionSecret: "keepKEEPkeepKEEPkeep", bootstrapTokenId: "1abcdz" };
    const { secrets, added } = completeGeneratedSecrets(existing);
    expect(secrets.dashboardSessionSecret).toBe("keepKEEPkeepKEEPkeep");
    expect(secrets.bootstrapTokenId).toBe("1abcdz");
    expect(added.sort()).toEqual(["bootstrapTokenSecret", "dashboardClientSecret", "healthCheckToken"]);
    expect(completeGeneratedSecrets(secrets).added).toEqual([]);
  });

  it("round-trip through the stored values layer (the 23KE shape)", () => {
    const g = generateSecrets();
    const layer = generatedSecretsLayer(g);
    expect(layer).toEqual({
      dashboard: { sessionSecret: g.dashboardSessionSecret, clientSecret: g.dashboardClientSecret },
      kubeAPIServer: { staticTokens: { healthCheck: g.healthCheckToken } },
      gardenlet: { bootstrapTokenId: g.bootstrapTokenId, bootstrapTokenSecret: g.bootstrapTokenSecret },
    });
    expect(readGeneratedSecrets(layer)).toEqual(g);
    expect(Object.keys(readGeneratedSecrets({})).length).toBe(0);
    expect(GENERATED_SECRET_KEYS).toHaveLength(5);
  });

  it("names malformed stored values by key", () => {
    expect(malformedGeneratedSecrets({ bootstrapTokenId: "TOOLONGID", healthCheckToken: "short" })).toEqual([
      "healthCheckToken",
      "bootstrapTokenId",
    ]);
  });
});
