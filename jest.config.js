/**
 * One `npm test` runs every suite. The fast suites (unit, integration against the simulator, the
 * simulator's own tests) run in parallel; the end-to-end suites drive real n8n processes and a
 * browser, so they run one file at a time in a project of their own.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: { warnOnly: false } }];

module.exports = {
	projects: [
		{
			displayName: 'unit',
			testMatch: ['<rootDir>/test/core/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/simulator/**/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
			testEnvironment: 'node',
		},
		{
			displayName: 'integration',
			testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
			testEnvironment: 'node',
		},
		{
			// Real n8n processes (scripts/n8n/install.sh first). Files hold a lock so they run one at a
			// time even beside other projects; `npm run test:e2e` also runs them in band.
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
			testEnvironment: 'node',
			setupFilesAfterEnv: ['<rootDir>/test/e2e/setup.ts'],
		},
		{
			// The Node-RED package (node-red/) in Node-RED's own runtime through node-red-node-test-helper,
			// against the simulator over real HTTP. Node-RED and the helper are devDependencies of
			// node-red/package.json (`npm install --ignore-scripts` in node-red/), so jest looks there
			// too (modulePaths); the ts sources of node-red/src run through ts-jest like the rest.
			displayName: 'node-red',
			testMatch: ['<rootDir>/test/node-red/*.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
			testEnvironment: 'node',
			modulePaths: ['<rootDir>/node-red/node_modules'],
		},
		{
			// Real Node-RED processes (scripts/node-red/install.sh first). Run with
			// `npx jest --selectProjects node-red-e2e --runInBand`; the files take the same lock as the
			// n8n suites, so they never run beside one.
			displayName: 'node-red-e2e',
			testMatch: ['<rootDir>/test/node-red/e2e/**/*.e2e.test.ts'],
			transform: { '^.+\\.ts$': tsJest },
			testEnvironment: 'node',
			setupFilesAfterEnv: ['<rootDir>/test/e2e/setup.ts'],
		},
	],
};
