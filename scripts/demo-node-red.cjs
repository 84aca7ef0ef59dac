'use strict';
/**
 * npm run demo -- --node-red — the Node-RED package (node-red/, `node-red-contrib-perceptis`) in a
 * real Node-RED on this machine, in one command. scripts/demo.cjs parses the arguments and hands
 * over to runNodeRedDemo() below, with what both demos share (the simulator or the real API, the
 * output folder, the key's redaction, the printed summary, Ctrl-C and the clean-up).
 *
 *   npm run demo -- --node-red            interactive: keeps Node-RED running until Ctrl-C
 *   npm run demo -- --node-red --once     check mode: exits 0 after the sample run
 *
 * 1. builds node-red/ (`npm ci` there first when its node_modules are missing, then `npm run build`);
 * 2. installs the pinned Node-RED if needed (scripts/node-red/install.sh 5.0.7, cached in
 *    ~/.cache/n8n-nodes-perceptis; DEMO_NODE_RED_VERSION=4.1.15 for the 4.x line);
 * 3. starts the Perceptis simulator — or, when PERCEPTIS_API_KEY is set, uses the real API at
 *    PERCEPTIS_API_BASE_URL (default https://app.perceptis.ai);
 * 4. installs the package the way a user does: `npm pack` of node-red/, then `npm install <tarball>`
 *    in a new Node-RED userDir (its runtime dependencies, axios and what axios needs, go along as
 *    tarballs packed from node-red/node_modules at the versions of node-red/package-lock.json, and
 *    npm runs --offline: nothing is fetched from anywhere);
 * 5. starts Node-RED on 127.0.0.1 (a free port; a login with a password made up per run, printed)
 *    through the e2e harness (test/node-red/e2e/harness), imports the package's example
 *    deck-over-http from Import › Examples, points its Perceptis server node at the simulator (or the
 *    real API) with the key in the node's credentials — Node-RED keeps those encrypted in
 *    flows_cred.json; the key is never in flows.json, which is checked — and deploys it; the server
 *    node's Test button is pressed once (no credits spent);
 * 6. POSTs a sample prompt to the flow's /perceptis/deck, saves the .pptx it answers into the output
 *    folder and prints the job id, its status (the example's answer headers x-perceptis-job-id and
 *    x-perceptis-status) and the file;
 * 7. keeps Node-RED running until Ctrl-C (with --once: stops at once), then stops Node-RED and the
 *    simulator and removes the userDir and the packed tarballs. A failed run keeps the userDir (its
 *    log and flows, without flows_cred.json) and says where.
 *
 * Node-RED gets no PERCEPTIS_API_KEY in its environment: the credential is the key's only way in.
 */
const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { promisify } = require('util');

const execFile = promisify(childProcess.execFile);

const EXAMPLE = 'deck-over-http';
/** What the editor holds for a stored credential; the Test route then uses the stored key. */
const STORED_PLACEHOLDER = '__PWRD__';

/** process.env without npm's script variables (`npm run demo` sets them; they would steer our npm calls). */
function cleanEnv() {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
	return env;
}

/**
 * The example as deployed: the server node pointed at `perceptis` with the key as its credential.
 * Fails when the example changed shape.
 */
function adjustExample(flow, perceptis, simulated) {
	const servers = flow.filter((node) => node.type === 'perceptis-config');
	const route = flow.find((node) => node.type === 'http in');
	if (servers.length !== 1 || !route) {
		throw new Error(`the example ${EXAMPLE} changed: expected one perceptis-config node and an http in`);
	}
	return {
		route: route.url,
		server: servers[0],
		flow: flow.map((node) => {
			if (node === servers[0]) {
				// Credentials inline: the Admin API stores them in flows_cred.json, never in flows.json.
				return {
					...node,
					name: simulated ? 'Perceptis simulator' : 'Perceptis',
					baseUrl: perceptis.baseUrl,
					credentials: { apiKey: perceptis.apiKey },
				};
			}
			return node;
		}),
	};
}

async function runNodeRedDemo(kit) {
	const { REPO_ROOT, options, apiKey, t0, say, note, seconds, duration, run, cleanups } = kit;
	const useRealApi = apiKey !== '';
	const version = options.nodeRedVersion;
	const timings = {};

	const e2e = kit.loadHarness();
	const nr = kit.loadTs(path.join('test', 'node-red', 'e2e', 'harness', 'index.ts'));
	const stack = kit.loadTs(path.join('test', 'node-red', 'e2e', 'perceptisStack.ts'));
	const packageDir = stack.PACKAGE_DIR;

	// 1. Build node-red/
	let t = Date.now();
	if (!fs.existsSync(path.join(packageDir, 'node_modules', '.package-lock.json'))) {
		note('node-red/node_modules is missing: npm ci in node-red/ (once)…');
		await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
			cwd: packageDir,
			label: 'npm ci (node-red/)',
			tickMs: 20_000,
			onTick: (elapsed) => note(`… still installing node-red/'s dependencies: ${duration(elapsed)} so far`),
		});
		timings.npmCi = Date.now() - t;
		note(`node-red/ dependencies installed in ${duration(timings.npmCi)}`);
		t = Date.now();
	}
	note('building the Node-RED package (npm run build in node-red/)…');
	await run('npm', ['run', 'build', '--silent'], { cwd: packageDir, label: 'npm run build (node-red/)' });
	timings.build = Date.now() - t;
	note(`built in ${seconds(timings.build)}`);

	// 2. Node-RED install
	await kit.installPinned(
		{
			name: 'Node-RED',
			version,
			dir: path.join(e2e.n8nCacheRoot(), `node-red-${version}`),
			script: path.join(REPO_ROOT, 'scripts', 'node-red', 'install.sh'),
			tag: '[node-red-install]',
			find: () => nr.findNodeRedInstall(version),
			firstRunHint: 'takes about a minute',
		},
		timings,
	);

	// 3. Perceptis: the simulator, or the real API
	const perceptis = await kit.startPerceptis(e2e, apiKey);
	if (kit.isStopping()) return;

	// 4. The package, packed and installed into a new userDir as a user installs a local package
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-node-red-demo-'));
	const userDir = path.join(work, 'userDir');
	const packages = path.join(work, 'packages');
	fs.mkdirSync(userDir);
	fs.mkdirSync(packages);
	// A failed run keeps the userDir (log, flows) for a look, never the credentials; the rest goes.
	cleanups.push(async (keepLogs) => {
		if (keepLogs) {
			fs.rmSync(path.join(userDir, 'flows_cred.json'), { force: true });
			fs.rmSync(packages, { recursive: true, force: true });
			fs.rmSync(path.join(userDir, 'node_modules'), { recursive: true, force: true });
			note(`Node-RED's log and flows are kept in ${userDir}`);
		} else fs.rmSync(work, { recursive: true, force: true });
	});
	note(`installing ${stack.MODULE} into a new Node-RED userDir (npm pack, then npm install of the tarball)…`);
	t = Date.now();
	// npm with a configuration and a cache of its own, offline: the user's ~/.npmrc and ~/.npm stay
	// out of it, and no registry is asked for anything (every package comes as a tarball).
	const npmrc = path.join(work, 'npmrc');
	fs.writeFileSync(npmrc, 'registry=http://127.0.0.1:9/\n');
	const npmEnv = {
		...cleanEnv(),
		npm_config_userconfig: npmrc,
		npm_config_cache: path.join(work, 'npm-cache'),
		npm_config_update_notifier: 'false',
	};
	const tarball = await nr.packFolder(packageDir, packages, npmEnv);
	const folders = stack.runtimeDependencyFolders();
	const { stdout } = await execFile('npm', ['pack', '--json', '--pack-destination', packages, ...folders.map((folder) => folder.dir)], {
		cwd: packages,
		env: { ...npmEnv, npm_config_ignore_scripts: 'true' },
		maxBuffer: 16 * 1024 * 1024,
	});
	const packed = JSON.parse(stdout);
	fs.writeFileSync(
		path.join(userDir, 'package.json'),
		`${JSON.stringify({ name: 'node-red-project', description: 'A Node-RED Project (npm run demo -- --node-red)', version: '0.0.1', private: true }, null, 2)}\n`,
	);
	await run(
		'npm',
		['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...packed.map((p) => path.join(packages, p.filename))],
		{ cwd: userDir, env: npmEnv, label: `npm install ${path.basename(tarball)}` },
	);
	timings.packageInstall = Date.now() - t;
	note(`${path.basename(tarball)} installed in ${seconds(timings.packageInstall)} (with its ${packed.length} runtime dependencies, packed from node-red/node_modules)`);

	// 5. Node-RED, the example flow
	note(`starting Node-RED ${version} on 127.0.0.1…`);
	t = Date.now();
	const nodeRed = await nr.startNodeRed({
		version,
		userDir,
		adminAuth: true,
		// The key reaches Node-RED only as the config node's credential.
		env: { PERCEPTIS_API_KEY: undefined, PERCEPTIS_API_BASE_URL: undefined },
	});
	cleanups.push(async () => {
		const { ms, forced } = await nodeRed.stop();
		note(`Node-RED stopped in ${seconds(ms)}${forced ? ' (forced)' : ''}`);
	});
	timings.nodeRed = Date.now() - t;
	note(`Node-RED ready in ${seconds(timings.nodeRed)} (log: ${nodeRed.logPath})`);
	if (kit.isStopping()) return;
	const client = await nr.NodeRedClient.connect(nodeRed);
	const sets = (await client.listNodes()).filter((set) => set.module === stack.MODULE);
	const types = sets.reduce((all, set) => all.concat(set.types), []);
	if (!types.includes('perceptis') || !types.includes('perceptis-config')) {
		throw new Error(`Node-RED did not load ${stack.MODULE}: ${JSON.stringify(sets)} (log: ${nodeRed.logPath})`);
	}
	note(`Node-RED loaded ${stack.MODULE} ${sets[0].version} (node types: ${types.join(', ')})`);

	const examples = (await client.examples(stack.MODULE)).map((entry) => (typeof entry === 'string' ? entry : entry.fn));
	const { flow, route, server } = adjustExample(await client.exampleFlow(stack.MODULE, EXAMPLE), perceptis, !useRealApi);
	const tab = flow.find((node) => node.type === 'tab');
	await client.deployFlows(flow);
	const flowsFile = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
	if (flowsFile.includes(perceptis.apiKey)) throw new Error('the API key was written into flows.json');
	if (!fs.existsSync(path.join(userDir, 'flows_cred.json'))) throw new Error('Node-RED wrote no flows_cred.json: where did the key go?');
	note(`example "${tab.label}" (Import › Examples › ${stack.MODULE} › ${EXAMPLE}) deployed; the key is in the server node's credentials (flows_cred.json, encrypted), not in flows.json`);

	const test = await client.request('/perceptis/test-key', {
		method: 'POST',
		data: { id: server.id, apiKey: STORED_PLACEHOLDER, baseUrl: perceptis.baseUrl, apiKeyEnv: server.apiKeyEnv },
	});
	const verdict = test.data || {};
	note(`the Perceptis server node's Test button says: ${verdict.message || `HTTP ${test.status}`}`);
	if (test.status !== 200 || !verdict.ok) throw new Error(`the Perceptis server node's key does not work: ${verdict.message || `HTTP ${test.status}`}`);

	// 6. One run of the flow
	const prompt = kit.samplePrompt(useRealApi);
	say('');
	t = Date.now();
	const response = await kit.sampleRun(`the example: POST ${nodeRed.baseUrl}${route}`, prompt, useRealApi, () =>
		stack.postRoute(nodeRed.baseUrl, route, { prompt }, 45 * 60_000),
	);
	timings.deck = Date.now() - t;
	const body = Buffer.from(response.data);
	if (response.status !== 200) throw new Error(`the flow ${kit.answerProblem(response.status, body)}`);
	const jobId = String(response.headers['x-perceptis-job-id'] || '');
	const { file, slides } = kit.saveDeck(e2e, options.outputDir, jobId, body);

	// 7. What runs where
	kit.printSampleRun({ jobId, status: response.headers['x-perceptis-status'], file, slides, bytes: body.length, ms: timings.deck });
	say(`Node-RED is running at ${nodeRed.baseUrl}  (the editor)`);
	say(`  sign in:  ${nodeRed.adminAuth.username}  /  ${nodeRed.adminAuth.password}`);
	say(`  flow:     "${tab.label}" (deployed): POST ${route} → Perceptis → the .pptx`);
	say(`  examples: Import › Examples › ${stack.MODULE}: ${examples.join(', ')}`);
	say(`  Perceptis: ${perceptis.label}`);
	say('  try it:   ' +
		`curl -X POST ${nodeRed.baseUrl}${route} -H 'Content-Type: application/json' ` +
		`-d '${JSON.stringify({ prompt: useRealApi ? 'Team offsite agenda, 4 slides' : 'Team offsite agenda [sim:slides=4]' })}' -o deck.pptx`);
	say(`  Node-RED log: ${nodeRed.logPath}`);
	const parts = [];
	if (timings.npmCi) parts.push(`npm ci in node-red/ ${duration(timings.npmCi)}`);
	parts.push(`build ${seconds(timings.build)}`);
	if (timings.install) parts.push(`Node-RED install ${duration(timings.install)}`);
	parts.push(`package install ${seconds(timings.packageInstall)}`, `Node-RED start ${seconds(timings.nodeRed)}`, `deck ${seconds(timings.deck)}`);
	say(kit.readyLine(t0, parts));
	say('');

	await kit.finish(options, `Node-RED${useRealApi ? '' : ' and the simulator'} (the demo's Node-RED userDir is temporary; files in ${options.outputDir} stay)`);
}

module.exports = { runNodeRedDemo };
