/**
 * Benchmarks print figures (`npm run bench`); they are not part of `jest`'s default projects.
 * `BENCH_QUICK=1` runs the short CI variant, `BENCH_BUILD=1` compiles the working tree for the run
 * instead of loading dist/, `BENCH_OUT` names the Markdown file (see test/bench/README.md).
 */
module.exports = {
	displayName: 'bench',
	testMatch: ['<rootDir>/test/bench/**/*.bench.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	testEnvironment: 'node',
	// One n8n at a time; the figures would mean nothing with two benchmarks sharing the CPUs.
	maxWorkers: 1,
};
