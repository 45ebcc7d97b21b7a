import { describe, expect, it } from "vitest";
import { resolveChartVersion } from "../../../src/sources/helm/chart-version.js";
import type { ChartVersionEntry } from "../../../src/sources/helm/helm-index.js";

const entry = (version: string): ChartVersionEntry => ({
  name: "c",
  version,
  digest: undefined,
  urls: [],
  apiVersion: undefined,
  appVersion: undefined,
  description: undefined,
  type: undefined,
  created: undefined,
});
const entries = ["v1.13.3", "v1.13.2", "1.14.0-alpha.1", "1.12.0", "2.0.0", "latest"].map(entry);

describe("resolveChartVersion", () => {
  const table: [string, boolean, string | undefined][] = [
    ["v1.13.3", false, "v1.13.3"],
    ["1.13.3", false, "v1.13.3"],
    ["1.13.4", false, undefined],
    ["~1.13", false, "v1.13.3"],
    ["^1", false, "v1.13.3"],
    ["^1", true, "1.14.0-alpha.1"],
    ["1.14.0-alpha.1", false, "1.14.0-alpha.1"],
    ["*", false, "2.0.0"],
    ["", false, "2.0.0"],
    [">=3", false, undefined],
    ["latest", false, "latest"],
    ["not a range ~~", false, undefined],
  ];
  it.each(table)("%s (prerelease %s) → %s", (version, includePrerelease, want) => {
    expect(resolveChartVersion(entries, { version, includePrerelease })?.version).toBe(want);
  });
});
