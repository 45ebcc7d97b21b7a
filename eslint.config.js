// ESLint flat config: typescript-eslint with type information, so that promise mistakes
// (a forgotten await) are errors and not bugs found in production.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "tools/devenv/dist/",
      "node_modules/",
      "tools/testenv/bin/",
      "coverage/",
      "**/*.js",
      "!eslint.config.js",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/only-throw-error": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "exit",
          message: "Return an exit code from the command; only src/cli/process-main.ts exits.",
        },
      ],
    },
  },
  {
    files: ["src/cli/main.ts", "src/cli/process-main.ts", "tools/devenv/src/main.ts", "test/**", "bench/**"],
    rules: { "no-restricted-properties": "off" },
  },
  // The local environment stays outside the product (ADR 0006): the product never imports it, and
  // it reaches the product only as "#product/…" (the built dist/ at run time).
  {
    files: ["src/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)tools/devenv(/|$)",
              message: "The product does not import the local environment (tools/devenv).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["tools/devenv/src/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^\\.\\./",
              message: 'Import the product as "#product/…" (the built dist/ at run time).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ["eslint.config.js", "bench/**/*.mjs", "tools/**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
);
