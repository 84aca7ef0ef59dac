#!/usr/bin/env node
'use strict';
/**
 * npm run demo — see the node work in a real n8n (or Node-RED) on this machine, in one command.
 *
 *   npm run demo                          interactive: keeps n8n running until Ctrl-C
 *   npm run demo -- --once                check mode: exits 0 after the sample run (or DEMO_EXIT_AFTER_RUN=1)
 *   npm run demo -- --port 5679           n8n's port (or DEMO_PORT; default 5678, a free one if that is taken)
 *   npm run demo -- --node-red            the same for the Node-RED package (node-red/) in a real Node-RED:
 *                                         scripts/demo-node-red.cjs, handed over to below (with --once too)
 *
 * 1. builds the package (npm run build);
 * 2. installs the pinned n8n if needed (scripts/n8n/install.sh, cached in ~/.cache/n8n-nodes-perceptis);
 * 3. starts the Perceptis simulator — or, when PERCEPTIS_API_KEY is set, uses the real API at
 *    PERCEPTIS_API_BASE_URL (default https://app.perceptis.ai);
 * 4. starts n8n on 127.0.0.1 with this package loaded like a user install, creates a local owner
 *    account (printed), a "Perceptis API" credential and the three workflows of examples/;
 * 5. runs the webhook example once with a sample prompt, saves the .pptx and prints job id, status, path;
 * 6. keeps n8n running until Ctrl-C, then stops n8n and the simulator and removes n8n's temporary data.
 *
 * With --node-red, steps 1, 2, 4 and 5 are Node-RED's (see scripts/demo-node-red.cjs: node-red/ built,
 * Node-RED 5.0.7 installed by scripts/node-red/install.sh, the packed package `npm install`ed into a
 * temporary userDir, the deck-over-http example deployed, the key in the config node's encrypted
 * credentials); this file keeps what both share: the arguments, step 3, the output folder, the key's
 * redaction, the printed summary, Ctrl-C and the clean-up.
 *
 * Other environment: DEMO_OUTPUT_DIR (where files go; default ./demo-output), DEMO_N8N_VERSION
 * (default 2.41.1; 1.123.81 also works), DEMO_NODE_RED_VERSION (default 5.0.7; 4.1.15 also works),
 * PERCEPTIS_N8N_CACHE (the n8n and Node-RED install cache).
 *
 * Plain CommonJS for Node 20, no build step: the end-to-end harnesses (test/e2e/harness and
 * test/node-red/e2e/harness, TypeScript) are loaded in place through TypeScript's own transpiler,
 * registered below as a require hook.
 * The API key is never printed: every line this script writes goes through redact().
 */
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..');
const DEFAULT_N8N_VERSION = '2.41.1';
const DEFAULT_NODE_RED_VERSION = '5.0.7';
const DEFAULT_PORT = 5678;
const CREDENTIAL_NAME = 'Perceptis API';
const CREDENTIAL_TYPE = 'perceptisApi';
const EXAMPLES = {
	webhook: 'webhook-prompt-to-deck.json',
	weekly: 'weekly-deck.json',
	longJob: 'long-job-start-then-wait.json',
};
/** Simulated decks take 600 s × this = 15 s (the node checks the status every second). */
const SIMULATOR_TIME_SCALE = 0.025;
const USAGE = `usage: npm run demo [-- --once] [-- --port N] [-- --node-red]
  --once       exit 0 after the sample run (also DEMO_EXIT_AFTER_RUN=1)
  --port N     n8n's port on 127.0.0.1 (also DEMO_PORT; default 5678, or a free one if it is taken)
  --node-red   the Node-RED package (node-red/) in a real Node-RED instead of n8n (on a free port, printed)
environment:   PERCEPTIS_API_KEY, PERCEPTIS_API_BASE_URL (use the real API), DEMO_OUTPUT_DIR (default ./demo-output),
               DEMO_N8N_VERSION (default ${DEFAULT_N8N_VERSION}), DEMO_NODE_RED_VERSION (default ${DEFAULT_NODE_RED_VERSION}),
               PERCEPTIS_N8N_CACHE (n8n and Node-RED install cache)`;
const SAMPLE_PROMPT =
	'A 5-slide pitch deck for a neighbourhood coffee roastery: our story, the beans, subscriptions, wholesale, next steps.';

// ---------------------------------------------------------------------------------------------
// Output: everything goes through redact(), so the API key cannot appear on the terminal.

const secrets = [];
function redact(text) {
	let out = String(text);
	for (const secret of secrets) if (secret) out = out.split(secret).join('***');
	return out;
}
function say(line = '') {
	process.stdout.write(`${redact(line)}\n`);
}
function note(line) {
	say(`[demo] ${line}`);
}
function seconds(ms) {
	return `${(ms / 1000).toFixed(1)} s`;
}
function duration(ms) {
	const s = Math.round(ms / 1000);
	return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv, env) {
	const options = {
		once: /^(1|true|yes)$/i.test(env.DEMO_EXIT_AFTER_RUN || ''),
		nodeRed: false,
		port: env.DEMO_PORT ? Number(env.DEMO_PORT) : undefined,
		portFlag: false,
		version: env.DEMO_N8N_VERSION || DEFAULT_N8N_VERSION,
		nodeRedVersion: env.DEMO_NODE_RED_VERSION || DEFAULT_NODE_RED_VERSION,
		outputDir: path.resolve(env.DEMO_OUTPUT_DIR || path.join(REPO_ROOT, 'demo-output')),
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--once') options.once = true;
		else if (arg === '--node-red') options.nodeRed = true;
		else if (arg === '--port' || arg.startsWith('--port=')) {
			options.port = Number(arg === '--port' ? argv[++i] : arg.slice('--port='.length));
			options.portFlag = true;
		} else if (arg === '--help' || arg === '-h') {
			say(USAGE);
			process.exit(0);
		} else throw new Error(`unknown argument ${arg}\n${USAGE}`);
	}
	if (options.nodeRed && options.portFlag) {
		// The Node-RED harness picks a free port itself (and prints it); a fixed one is not an option there.
		throw new Error(`--port is for n8n: with --node-red, Node-RED runs on a free port, printed when it is ready\n${USAGE}`);
	}
	if (options.nodeRed) options.port = undefined; // DEMO_PORT is n8n's
	if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
		throw new Error('--port / DEMO_PORT needs a port number');
	}
	return options;
}

// ---------------------------------------------------------------------------------------------
// The TypeScript harness, loaded in place

/** Requires a TypeScript file of the repository (and what it imports), transpiled on the fly. */
function loadTs(relativePath) {
	let ts;
	try {
		ts = require('typescript');
	} catch {
		throw new Error('TypeScript is missing: run `npm ci` first.');
	}
	if (!require.extensions['.ts']) {
		require.extensions['.ts'] = (module, filename) => {
			const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
				fileName: filename,
				compilerOptions: {
					module: ts.ModuleKind.CommonJS,
					target: ts.ScriptTarget.ES2020,
					esModuleInterop: true,
					inlineSourceMap: true,
				},
			});
			module._compile(outputText, filename);
		};
	}
	return require(path.join(REPO_ROOT, relativePath));
}

/** The n8n end-to-end harness (simulator, n8n, pptx checks, ports), shared by both demos. */
function loadHarness() {
	return loadTs(path.join('test', 'e2e', 'harness', 'index.ts'));
}

// ---------------------------------------------------------------------------------------------
// Child processes of the preparation steps

function run(command, args, { label, onLine, tickMs, onTick, cwd = REPO_ROOT, env = process.env } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		const collect = (chunk) => {
			const text = chunk.toString();
			output += text;
			if (onLine) for (const line of text.split('\n')) if (line.trim()) onLine(line);
		};
		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		const started = Date.now();
		const ticker = tickMs && onTick ? setInterval(() => onTick(Date.now() - started), tickMs) : undefined;
		child.on('error', (error) => {
			clearInterval(ticker);
			reject(error);
		});
		child.on('exit', (code, signal) => {
			clearInterval(ticker);
			if (code === 0) resolve(output);
			else reject(new Error(`${label || command} failed (${signal || `exit ${code}`}):\n${output.split('\n').slice(-30).join('\n')}`));
		});
	});
}

function portIsFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function countPackages(nodeModules) {
	try {
		let count = 0;
		for (const entry of fs.readdirSync(nodeModules)) {
			if (entry.startsWith('.')) continue;
			count += entry.startsWith('@') ? fs.readdirSync(path.join(nodeModules, entry)).length : 1;
		}
		return count;
	} catch {
		return 0;
	}
}

// ---------------------------------------------------------------------------------------------
// Workflows

function readExample(file) {
	return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8'));
}

/**
 * The example as the public API takes it (name, nodes, connections, settings), with every Perceptis
 * credential reference set to the demo's credential. (n8n would also link the files' "Perceptis API"
 * by name when a workflow is imported or saved; setting the id does not depend on that.)
 */
function deployable(example, credential) {
	const nodes = example.nodes.map((node) =>
		node.credentials && node.credentials[CREDENTIAL_TYPE]
			? { ...node, credentials: { ...node.credentials, [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } } }
			: node,
	);
	return { name: example.name, nodes, connections: example.connections, settings: example.settings };
}

function setAssignment(example, nodeName, field, value) {
	const node = example.nodes.find((n) => n.name === nodeName);
	const assignment = node && node.parameters.assignments.assignments.find((a) => a.name === field);
	if (!assignment) throw new Error(`examples/${EXAMPLES.weekly}: no ${nodeName} → ${field}`);
	assignment.value = value;
}

// ---------------------------------------------------------------------------------------------
// Everything started so far: stopped in reverse order on Ctrl-C, on failure and at the end.

const cleanups = [];
let stopping = false;
/** Set once the sample run is printed: from then on, Ctrl-C is how the demo ends (exit 0). */
let ready = false;
async function shutdown(code, { keepLogs = false } = {}) {
	if (stopping) return;
	stopping = true;
	for (const cleanup of cleanups.reverse()) {
		try {
			await cleanup(keepLogs);
		} catch (error) {
			note(`cleanup: ${error.message}`);
		}
	}
	process.exit(code);
}

// ---------------------------------------------------------------------------------------------
// Steps both demos share

/**
 * The pinned install of `name` (n8n or Node-RED) from `find()`, or made by its install script with
 * progress lines while it runs (the script's own `[tag]` lines, and a tick every 20 s).
 */
async function installPinned({ name, version, dir, script, tag, find, firstRunHint }, timings) {
	try {
		const install = find();
		note(`${name} ${version} is installed (${install.dir})`);
		return install;
	} catch {
		// not installed yet
	}
	const t = Date.now();
	note(`${name} ${version} is not installed yet: the first run installs ${name}, ${firstRunHint} (later runs start at once).`);
	note(`installing into ${dir}`);
	let phase = 'downloading packages';
	await run('bash', [script, version], {
		label: path.relative(REPO_ROOT, script),
		onLine: (line) => {
			if (!line.startsWith(tag)) return;
			note(line);
			if (/compiling native modules/.test(line)) phase = 'compiling native modules';
		},
		tickMs: 20_000,
		onTick: (elapsed) => {
			const packages = phase === 'downloading packages' ? countPackages(path.join(dir, 'node_modules')) : 0;
			note(`… still installing ${name}: ${duration(elapsed)} so far (${phase}${packages ? `, ${packages} packages` : ''})`);
		},
	});
	const install = find();
	timings.install = Date.now() - t;
	note(`${name} ${version} installed in ${duration(timings.install)}`);
	return install;
}

/**
 * Perceptis for the demo: the real API when PERCEPTIS_API_KEY is set, else the simulator (stopped
 * by the clean-up). `{apiKey, baseUrl, sim?, label}`.
 */
async function startPerceptis(harness, apiKey) {
	if (apiKey) {
		const baseUrl = (process.env.PERCEPTIS_API_BASE_URL || 'https://app.perceptis.ai').trim();
		const perceptis = { apiKey, baseUrl, label: `the real Perceptis API at ${baseUrl} (key from PERCEPTIS_API_KEY; this spends credits)` };
		note(`using ${perceptis.label}`);
		return perceptis;
	}
	note('starting the Perceptis simulator (fake keys, decks in ~15 s)…');
	const sim = await harness.startSimulator({ timeScale: SIMULATOR_TIME_SCALE });
	cleanups.push(() => sim.stop());
	note(`simulator at ${sim.origin} (set PERCEPTIS_API_KEY to use the real API instead)`);
	if (process.env.PERCEPTIS_API_BASE_URL) note('PERCEPTIS_API_BASE_URL is ignored without PERCEPTIS_API_KEY');
	return { apiKey: sim.keys.business, baseUrl: sim.origin, sim, label: `the Perceptis simulator at ${sim.origin}` };
}

/** One sample run: says what it sends, then how long it has waited, until `send()` answers. */
async function sampleRun(what, prompt, useRealApi, send) {
	note(`running ${what}`);
	note(`prompt: "${prompt}"`);
	note(useRealApi ? 'a real deck takes 5–15 minutes…' : 'the simulated deck takes ~15 s…');
	const began = Date.now();
	const ticker = setInterval(() => note(`… waiting for Perceptis (${duration(Date.now() - began)})`), useRealApi ? 30_000 : 5_000);
	try {
		return await send();
	} finally {
		clearInterval(ticker);
	}
}

/** The prompt of the sample run (the simulator is told how many slides; a real API never sees that). */
function samplePrompt(useRealApi) {
	return useRealApi ? SAMPLE_PROMPT : `${SAMPLE_PROMPT} [sim:slides=5]`;
}

/** Checks the bytes are a .pptx, saves them as <output dir>/<job id>.pptx; `{file, slides}`. */
function saveDeck(harness, outputDir, jobId, body) {
	const { slides } = harness.assertPptx(body);
	fs.mkdirSync(outputDir, { recursive: true });
	const file = path.join(outputDir, `${jobId.replace(/[^A-Za-z0-9._-]/g, '_') || 'deck'}.pptx`);
	fs.writeFileSync(file, body);
	return { file, slides };
}

/** The block every demo prints after its sample run: job id, status, file. */
function printSampleRun({ jobId, status, file, slides, bytes, ms }) {
	say('');
	say('Sample run');
	say(`  job id:   ${jobId}`);
	say(`  status:   ${status || 'unknown'}`);
	say(`  file:     ${file}`);
	say(`  slides:   ${slides} (${bytes} bytes, ${seconds(ms)} from request to file)`);
	say('');
}

/** An HTTP answer that is not the file: its status and (JSON) body, for the error. */
function answerProblem(status, body) {
	let detail = body.toString('utf8');
	try {
		detail = JSON.stringify(JSON.parse(detail));
	} catch {
		// not JSON
	}
	return `answered HTTP ${status}: ${detail.slice(0, 1000)}`;
}

/** `ready after … (build …, …)`: the timings of this run. */
function readyLine(t0, parts) {
	return `  ready after ${seconds(Date.now() - t0)} (${parts.join(', ')})`;
}

/** After the sample run: stop (--once), or keep the host running until Ctrl-C. */
async function finish(options, stopsWhat) {
	ready = true;
	if (options.once) {
		note('check mode: stopping');
		await shutdown(0);
		return;
	}
	say(`Press Ctrl-C to stop ${stopsWhat}.`);
	// Keep the process alive until a signal arrives.
	setInterval(() => undefined, 1 << 30);
}

// ---------------------------------------------------------------------------------------------

async function main() {
	const options = parseOptions(process.argv.slice(2), process.env);
	const apiKey = (process.env.PERCEPTIS_API_KEY || '').trim();
	const useRealApi = apiKey !== '';
	if (useRealApi) secrets.push(apiKey, process.env.PERCEPTIS_API_KEY);
	const t0 = Date.now();
	const host = options.nodeRed ? 'Node-RED' : 'n8n';

	const onSignal = (signal) => {
		if (stopping) {
			note('stopping already; forcing exit');
			process.exit(130);
		}
		say('');
		note(`${signal}: stopping${cleanups.length ? ` ${host}${useRealApi ? '' : ' and the simulator'}` : ''}…`);
		// Ctrl-C is how the interactive demo ends (exit 0); before it was ready, it is an interruption.
		void shutdown(ready ? 0 : 130);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	say('');
	say(
		`Perceptis ${options.nodeRed ? 'Node-RED nodes' : 'n8n node'} — demo (${options.once ? 'check mode: exits after one run' : 'interactive: Ctrl-C stops it'})`,
	);
	say('');

	if (options.nodeRed) {
		await require('./demo-node-red.cjs').runNodeRedDemo({
			REPO_ROOT,
			options,
			apiKey,
			t0,
			say,
			note,
			seconds,
			duration,
			run,
			loadTs,
			loadHarness,
			cleanups,
			isStopping: () => stopping,
			installPinned,
			startPerceptis,
			samplePrompt,
			sampleRun,
			saveDeck,
			printSampleRun,
			answerProblem,
			readyLine,
			finish,
		});
		return;
	}
	const timings = {};

	// 1. Build
	note('building the package (npm run build)…');
	let t = Date.now();
	await run('npm', ['run', 'build', '--silent'], { label: 'npm run build' });
	timings.build = Date.now() - t;
	note(`built in ${seconds(timings.build)}`);

	const harness = loadHarness();

	// 2. n8n install
	await installPinned(
		{
			name: 'n8n',
			version: options.version,
			dir: path.join(harness.n8nCacheRoot(), `n8n-${options.version}`),
			script: path.join(REPO_ROOT, 'scripts', 'n8n', 'install.sh'),
			tag: '[n8n-install]',
			find: () => harness.findN8nInstall(options.version),
			firstRunHint: 'takes ~5 minutes',
		},
		timings,
	);

	// 3. Perceptis: the simulator, or the real API
	const perceptis = await startPerceptis(harness, apiKey);
	if (stopping) return;

	// 4. n8n
	let port = options.port;
	if (port === undefined) {
		port = (await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : await harness.freePort();
		if (port !== DEFAULT_PORT) note(`port ${DEFAULT_PORT} is taken; using ${port}`);
	} else if (!(await portIsFree(port))) {
		throw new Error(`port ${port} on 127.0.0.1 is taken: choose another with --port`);
	}
	const baseUrl = `http://127.0.0.1:${port}`;
	fs.mkdirSync(options.outputDir, { recursive: true });
	const weeklyFolder = path.join(options.outputDir, 'weekly');
	fs.mkdirSync(weeklyFolder, { recursive: true });
	note(`starting n8n ${options.version} on ${baseUrl}…`);
	t = Date.now();
	const n8n = await harness.startN8n({
		version: options.version,
		logLevel: 'info',
		env: {
			N8N_PORT: String(port),
			N8N_EDITOR_BASE_URL: baseUrl,
			WEBHOOK_URL: `${baseUrl}/`,
			// Read/Write Files from Disk may write the weekly example's files here (2.x allows only ~/.n8n-files by default).
			N8N_RESTRICT_FILE_ACCESS_TO: options.outputDir,
		},
	});
	// A failed run keeps n8n's folder (its log and database) for a look; otherwise it is removed.
	cleanups.push(async (keepLogs) => {
		if (keepLogs) {
			await n8n.stop();
			note(`n8n's log and database are kept in ${n8n.userFolder}`);
		} else await n8n.dispose();
	});
	timings.n8n = Date.now() - t;
	note(`n8n ready in ${seconds(timings.n8n)} (log: ${n8n.logPath})`);
	if (stopping) return;

	const owner = {
		email: 'demo@example.com',
		firstName: 'Demo',
		lastName: 'Owner',
		password: `Demo-${crypto.randomBytes(6).toString('hex')}-7`,
	};
	const client = new harness.N8nClient(baseUrl);
	await client.signIn(owner);
	await client.createApiKey('perceptis-demo');
	note(`owner account created: ${owner.email}`);

	const credential = await client.createCredential({
		name: CREDENTIAL_NAME,
		type: CREDENTIAL_TYPE,
		data: { apiKey: perceptis.apiKey, baseUrl: perceptis.baseUrl },
	});
	const test = await client.testCredential({ ...credential, data: { apiKey: perceptis.apiKey, baseUrl: perceptis.baseUrl } });
	note(`credential "${CREDENTIAL_NAME}" saved; its Test button says: ${test.status === 'OK' ? 'Connection successful' : test.message}`);
	if (test.status !== 'OK') throw new Error(`the Perceptis credential does not work: ${test.message}`);

	const webhookExample = readExample(EXAMPLES.webhook);
	const weeklyExample = readExample(EXAMPLES.weekly);
	setAssignment(weeklyExample, 'Settings', 'outputFolder', weeklyFolder);
	const webhookId = await client.deploy(deployable(webhookExample, credential));
	const weekly = await client.createWorkflow(deployable(weeklyExample, credential));
	const longJob = await client.createWorkflow(deployable(readExample(EXAMPLES.longJob), credential));
	const webhookPath = webhookExample.nodes.find((n) => n.type === 'n8n-nodes-base.webhook').parameters.path;
	note(`example workflows loaded: "${webhookExample.name}" (active), "${weeklyExample.name}", "${readExample(EXAMPLES.longJob).name}"`);

	// 5. One run of the webhook example
	const prompt = samplePrompt(useRealApi);
	say('');
	t = Date.now();
	const response = await sampleRun(`the webhook example: POST ${baseUrl}/webhook/${webhookPath}`, prompt, useRealApi, () =>
		client.runWebhook(webhookPath, { prompt }, { responseType: 'arraybuffer', timeoutMs: 45 * 60_000 }),
	);
	timings.deck = Date.now() - t;
	const body = Buffer.from(response.data);
	const executions = await client.waitForExecutions(webhookId, 1, 60_000);
	const execution = executions[executions.length - 1];
	const generated = (harness.nodeOutput(execution, 'Generate deck')[0] || { json: {} }).json;
	const jobId = String(response.headers['x-perceptis-job-id'] || generated.jobId || '');
	if (response.status !== 200) throw new Error(`the webhook ${answerProblem(response.status, body)}`);
	const { file, slides } = saveDeck(harness, options.outputDir, jobId, body);

	printSampleRun({ jobId, status: generated.status, file, slides, bytes: body.length, ms: timings.deck });
	say(`n8n is running at ${baseUrl}`);
	say(`  sign in:  ${owner.email}  /  ${owner.password}`);
	say(`  workflows: ${baseUrl}/workflow/${webhookId}  (webhook, active)`);
	say(`             ${baseUrl}/workflow/${weekly.id}  (weekly deck: "Execute workflow" writes to ${weeklyFolder})`);
	say(`             ${baseUrl}/workflow/${longJob.id}  (start now, wait later)`);
	say(`  Perceptis: ${perceptis.label}`);
	say('  try it:   ' +
		`curl -X POST ${baseUrl}/webhook/${webhookPath} -H 'Content-Type: application/json' ` +
		`-d '${JSON.stringify({ prompt: useRealApi ? 'Team offsite agenda, 4 slides' : 'Team offsite agenda [sim:slides=4]' })}' -o deck.pptx`);
	say(`  n8n log:  ${n8n.logPath}`);
	const parts = [`build ${seconds(timings.build)}`];
	if (timings.install) parts.push(`n8n install ${duration(timings.install)}`);
	parts.push(`n8n start ${seconds(timings.n8n)}`, `deck ${seconds(timings.deck)}`);
	say(readyLine(t0, parts));
	say('');

	await finish(options, `n8n${useRealApi ? '' : ' and the simulator'} (the demo's n8n data is temporary; files in ${options.outputDir} stay)`);
}

main().catch((error) => {
	// After Ctrl-C, whatever was under way fails as the host goes away: that is no news.
	if (stopping) return;
	process.stderr.write(`${redact(`[demo] failed: ${error && error.stack ? error.stack : error}`)}\n`);
	void shutdown(1, { keepLogs: true });
});
