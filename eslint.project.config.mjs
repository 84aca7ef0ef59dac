/**
 * The project's own lint configuration: `npm run lint:project` (`eslint -c
 * eslint.project.config.mjs .`), part of `npm run lint`.
 *
 * `eslint.config.mjs` must stay n8n's default two lines: with `"strict": true` in package.json,
 * `n8n-node lint` (`npm run lint:n8n`) refuses any other content there. That default lints every
 * `.ts` file with n8n's cloud rules. This file keeps the project's extra pass over what ships,
 * mirroring the package scanner (`@n8n/scan-community-package`, buildScanConfig()):
 * - eslint-plugin-n8n-nodes-base 2.x (n8n-node bundles 1.x), an eslintrc-style plugin: its
 *   `configs.*` carry no file globs and eslintrc keys (env, plugins: [...]), so only their `rules`
 *   are spread into flat-config objects scoped to the files each set is written for;
 * - @n8n/eslint-plugin-community-nodes `recommended` over the sources, package.json and the codex
 *   files (`*.node.json` under nodes/, which n8n's default does not lint);
 * - no-console;
 * - the core's boundary: `core/` imports no host (n8n, Node-RED), no HTTP client (axios is a
 *   devDependency here, so n8n's own rules would not stop it) and nothing outside `core/`, not
 *   even types. test/core/boundary.test.ts checks the same on the import graph, with no circles.
 */
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

export default defineConfig(
	globalIgnores([
		// Build output of either package (the n8n one at the root, the Node-RED one in node-red/).
		'**/dist/',
		'node_modules/',
		'test/',
		'scripts/',
		'docs/',
		'examples/',
		// Config and tooling files at the root only (gulpfile.js, jest.config.js, index.js, the ESLint configs).
		'*.{js,cjs,mjs}',
	]),

	{
		files: ['core/**/*.ts', 'credentials/**/*.ts', 'nodes/**/*.ts'],
		languageOptions: {
			parser: tseslint.parser,
			ecmaVersion: 'latest',
			sourceType: 'module',
		},
	},
	// The package.json rules of both plugins walk the file as a TSESTree program whose only statement
	// is the top-level object; @typescript-eslint/parser parses a `.json` file exactly that way.
	// The codex is linted too because the scanner lints every `.json` under nodes/.
	{
		files: ['package.json', 'nodes/**/*.json'],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},

	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },

	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['package.json'],
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Turned off by n8n itself: the miscased rule only fits n8n's own repo (slug URLs), and the
			// community plugin's credential-password-field checks password fields more accurately.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Turned off by n8n itself: inputs/outputs may be `[NodeConnectionTypes.Main]` (the community
			// plugin even requires the enum), and an API's real maximum is a valid `maxValue`.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		files: ['core/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['n8n-workflow', 'n8n-core', 'n8n-*', '@n8n/*', 'node-red', 'node-red-*', '@node-red/*', 'axios', 'got', 'node-fetch', 'undici'],
							message: 'core/ is host-free: a host plugs in through core/ports.ts.',
						},
						{
							group: ['../../nodes/*', '../../../nodes/*', '../nodes/*', '**/credentials/*', '**/node-red/*', '**/test/*'],
							message: 'core/ imports nothing outside core/.',
						},
					],
				},
			],
		},
	},
);
