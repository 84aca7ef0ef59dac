/**
 * The fault table prints figures (`npm run faults`); it is not part of `jest`'s default projects.
 * `FAULTS_QUICK=1` runs the short CI variant (2 trials per class), `FAULTS_TRIALS`, `FAULTS_SEED`,
 * `FAULTS_ONLY` and `FAULTS_OUT` are described in test/faults/README.md.
 */
module.exports = {
	displayName: 'faults',
	testMatch: ['<rootDir>/test/faults/**/*.faults.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
	testEnvironment: 'node',
	// One n8n run at a time: the trials share the machine's CPUs and the e2e lock.
	maxWorkers: 1,
};
