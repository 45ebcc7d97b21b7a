import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// tools/devenv imports the product as "#product/…", which Node resolves to the built dist/
// (package.json "imports"). Tests load the product from its sources, so the devenv must too: one
// copy of every module (an error class from dist/ is not the same class as the one from src/).
const resolve = {
  alias: [
    { find: /^#product\/(.*)\.js$/, replacement: `${fileURLToPath(new URL("src/", import.meta.url))}$1.ts` },
  ],
};

// Two projects: fast unit tests of pure logic, and integration tests that share one real local
// environment (started once in test/integration/global-setup.ts) and run one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // The CLI tests run the built binary; on a loaded 2-core machine a start takes seconds.
          testTimeout: 30_000,
        },
      },
      {
        resolve,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/integration/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
