import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts", "stacks/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts", "stacks/**/*.ts"],
      exclude: ["src/schemas/generated/**", "src/cli/bin.ts", "**/*.test.ts"],
      reporter: ["text-summary", "text"],
      thresholds: { lines: 85 },
    },
  },
});
