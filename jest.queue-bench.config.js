/**
 * The queue-mode benchmark (`npm run bench:queue`): not part of `jest`'s default projects, nor of
 * `npm run bench`. `BENCH_QUICK=1` runs the short CI variant, `BENCH_BUILD=1` compiles the working
 * tree for the run instead of loading dist/, `BENCH_OUT` names the Markdown file (see
 * test/bench/README.md).
 */
module.exports = {
	displayName: 'bench-queue',
	testMatch: ['<rootDir>/test/bench/queue.benchmark.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	testEnvironment: 'node',
	// One benchmark at a time: its three stacks already share the machine's CPUs.
	maxWorkers: 1,
};
