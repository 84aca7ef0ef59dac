/** Benchmarks print figures (`npm run bench`); they are not part of `jest`'s default projects. */
module.exports = {
	displayName: 'bench',
	testMatch: ['<rootDir>/test/bench/**/*.bench.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	testEnvironment: 'node',
};
