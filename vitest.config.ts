import { defineConfig } from "vitest/config";

// Two projects: fast unit tests of pure logic, and integration tests that share one real local
// environment (started once in test/integration/global-setup.ts) and run one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          // The CLI tests run the built binary; on a loaded 2-core machine a start takes seconds.
          testTimeout: 30_000,
        },
      },
      {
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
