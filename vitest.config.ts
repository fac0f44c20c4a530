import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Simulation tests run whole scenarios; give them room on a shared, noisy machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
