// Jest runs in native ESM mode (NestJS 12 is ESM-only): NODE_OPTIONS=--experimental-vm-modules.
const transform = {
  '^.+\\.ts$': [
    'ts-jest',
    {
      useESM: true,
      tsconfig: {
        module: 'esnext',
        moduleResolution: 'bundler',
        target: 'es2023',
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        esModuleInterop: true,
        isolatedModules: true,
      },
    },
  ],
};
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^#lib/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform,
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
export default {
  // Jest reads this at the top level only. Each wait inside a test has its own, shorter bound; this only keeps a
  // busy machine from failing an integration or end-to-end test that does many round trips.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
    },
    // Fault injection: `npm run test:chaos` (also in .ci/run), with its own PostgreSQL, Redis and nats-server processes.
    { ...common, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'] },
    // Benchmarks: `npm run bench`, never part of `npm test` (figures, not pass/fail; see BENCHMARKS.md).
    { ...common, displayName: 'bench', testMatch: ['<rootDir>/test/bench/**/*.bench.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
    },
  ],
};
