// Jest in ESM mode (ts-jest ESM preset); run through node --experimental-vm-modules (scripts/test.sh).
// Every project has its own timeout (a loaded 2-core CI machine runs real tools), and every test
// file ends by killing whatever it left running (test/setup/reaping-environment.mjs), so a timed-out test cannot
// keep a sidecar or a tool alive and hang the run.
const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: '<rootDir>/test/setup/reaping-environment.mjs',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }] },
};
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], testTimeout: 20_000 },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], testTimeout: 60_000 },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], testTimeout: 60_000 },
    // A real etcd + kube-apiserver (scripts/cluster.sh), one per run. Its suites share that control
    // plane's cluster-wide admission configuration, so one test file runs them in order.
    {
      ...common,
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
      testTimeout: 180_000,
      globalSetup: '<rootDir>/test/cluster/global-setup.mjs',
      globalTeardown: '<rootDir>/test/cluster/global-teardown.mjs',
    },
  ],
};
