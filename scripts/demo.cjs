#!/usr/bin/env node
'use strict';
/**
 * npm run demo — see the node work in a real n8n on this machine, in one command.
 *
 *   npm run demo                          interactive: keeps n8n running until Ctrl-C
 *   npm run demo -- --once                check mode: exits 0 after the sample run (or DEMO_EXIT_AFTER_RUN=1)
 *   npm run demo -- --port 5679           n8n's port (or DEMO_PORT; default 5678, a free one if that is taken)
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
 * Other environment: DEMO_OUTPUT_DIR (where files go; default ./demo-output), DEMO_N8N_VERSION
 * (default 2.41.1; 1.123.81 also works), PERCEPTIS_N8N_CACHE (the n8n install cache).
 *
 * Plain CommonJS for Node 20, no build step: the end-to-end harness (test/e2e/harness, TypeScript) is
 * loaded in place through TypeScript's own transpiler, registered below as a require hook.
 * The API key is never printed: every line this script writes goes through redact().
 */
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..');
const DEFAULT_N8N_VERSION = '2.41.1';
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
const USAGE = `usage: npm run demo [-- --once] [-- --port N]
  --once       exit 0 after the sample run (also DEMO_EXIT_AFTER_RUN=1)
  --port N     n8n's port on 127.0.0.1 (also DEMO_PORT; default 5678, or a free one if it is taken)
environment:   PERCEPTIS_API_KEY, PERCEPTIS_API_BASE_URL (use the real API), DEMO_OUTPUT_DIR (default ./demo-output),
               DEMO_N8N_VERSION (default ${DEFAULT_N8N_VERSION}), PERCEPTIS_N8N_CACHE (n8n install cache)`;
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
		port: env.DEMO_PORT ? Number(env.DEMO_PORT) : undefined,
		version: env.DEMO_N8N_VERSION || DEFAULT_N8N_VERSION,
		outputDir: path.resolve(env.DEMO_OUTPUT_DIR || path.join(REPO_ROOT, 'demo-output')),
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--once') options.once = true;
		else if (arg === '--port') options.port = Number(argv[++i]);
		else if (arg.startsWith('--port=')) options.port = Number(arg.slice('--port='.length));
		else if (arg === '--help' || arg === '-h') {
			say(USAGE);
			process.exit(0);
		} else throw new Error(`unknown argument ${arg}\n${USAGE}`);
	}
	if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
		throw new Error('--port / DEMO_PORT needs a port number');
	}
	return options;
}

// ---------------------------------------------------------------------------------------------
// The TypeScript harness, loaded in place

function loadHarness() {
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
	return require(path.join(REPO_ROOT, 'test', 'e2e', 'harness', 'index.ts'));
}

// ---------------------------------------------------------------------------------------------
// Child processes of the preparation steps

function run(command, args, { label, onLine, tickMs, onTick } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function main() {
	const options = parseOptions(process.argv.slice(2), process.env);
	const apiKey = (process.env.PERCEPTIS_API_KEY || '').trim();
	const useRealApi = apiKey !== '';
	if (useRealApi) secrets.push(apiKey, process.env.PERCEPTIS_API_KEY);
	const t0 = Date.now();
	const timings = {};
	let ready = false;

	const onSignal = (signal) => {
		if (stopping) {
			note('stopping already; forcing exit');
			process.exit(130);
		}
		say('');
		note(`${signal}: stopping${cleanups.length ? ` n8n${useRealApi ? '' : ' and the simulator'}` : ''}…`);
		// Ctrl-C is how the interactive demo ends (exit 0); before it was ready, it is an interruption.
		void shutdown(ready ? 0 : 130);
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	say('');
	say(`Perceptis n8n node — demo (${options.once ? 'check mode: exits after one run' : 'interactive: Ctrl-C stops it'})`);
	say('');

	// 1. Build
	note('building the package (npm run build)…');
	let t = Date.now();
	await run('npm', ['run', 'build', '--silent'], { label: 'npm run build' });
	timings.build = Date.now() - t;
	note(`built in ${seconds(timings.build)}`);

	const harness = loadHarness();

	// 2. n8n install
	t = Date.now();
	let install;
	try {
		install = harness.findN8nInstall(options.version);
		note(`n8n ${options.version} is installed (${install.dir})`);
	} catch {
		const dir = path.join(harness.n8nCacheRoot(), `n8n-${options.version}`);
		note(`n8n ${options.version} is not installed yet: the first run installs n8n, takes ~5 minutes (later runs start at once).`);
		note(`installing into ${dir}`);
		let phase = 'downloading packages';
		await run('bash', [path.join(REPO_ROOT, 'scripts', 'n8n', 'install.sh'), options.version], {
			label: 'scripts/n8n/install.sh',
			onLine: (line) => {
				if (!line.startsWith('[n8n-install]')) return;
				note(line);
				if (/compiling native modules/.test(line)) phase = 'compiling native modules';
			},
			tickMs: 20_000,
			onTick: (elapsed) => {
				const packages = phase === 'downloading packages' ? countPackages(path.join(dir, 'node_modules')) : 0;
				note(`… still installing n8n: ${duration(elapsed)} so far (${phase}${packages ? `, ${packages} packages` : ''})`);
			},
		});
		install = harness.findN8nInstall(options.version);
		timings.install = Date.now() - t;
		note(`n8n ${options.version} installed in ${duration(timings.install)}`);
	}

	// 3. Perceptis: the simulator, or the real API
	let perceptis;
	if (useRealApi) {
		const baseUrl = (process.env.PERCEPTIS_API_BASE_URL || 'https://app.perceptis.ai').trim();
		perceptis = { apiKey, baseUrl, label: `the real Perceptis API at ${baseUrl} (key from PERCEPTIS_API_KEY; this spends credits)` };
		note(`using ${perceptis.label}`);
	} else {
		note('starting the Perceptis simulator (fake keys, decks in ~15 s)…');
		const sim = await harness.startSimulator({ timeScale: SIMULATOR_TIME_SCALE });
		cleanups.push(() => sim.stop());
		perceptis = { apiKey: sim.keys.business, baseUrl: sim.origin, sim, label: `the Perceptis simulator at ${sim.origin}` };
		note(`simulator at ${sim.origin} (set PERCEPTIS_API_KEY to use the real API instead)`);
		if (process.env.PERCEPTIS_API_BASE_URL) note('PERCEPTIS_API_BASE_URL is ignored without PERCEPTIS_API_KEY');
	}
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
	const prompt = useRealApi ? SAMPLE_PROMPT : `${SAMPLE_PROMPT} [sim:slides=5]`;
	say('');
	note(`running the webhook example: POST ${baseUrl}/webhook/${webhookPath}`);
	note(`prompt: "${prompt}"`);
	note(useRealApi ? 'a real deck takes 5–15 minutes…' : 'the simulated deck takes ~15 s…');
	t = Date.now();
	const ticker = setInterval(() => note(`… waiting for Perceptis (${duration(Date.now() - t)})`), useRealApi ? 30_000 : 5_000);
	let response;
	try {
		response = await client.runWebhook(webhookPath, { prompt }, { responseType: 'arraybuffer', timeoutMs: 45 * 60_000 });
	} finally {
		clearInterval(ticker);
	}
	timings.deck = Date.now() - t;
	const body = Buffer.from(response.data);
	const executions = await client.waitForExecutions(webhookId, 1, 60_000);
	const execution = executions[executions.length - 1];
	const generated = (harness.nodeOutput(execution, 'Generate deck')[0] || { json: {} }).json;
	const jobId = String(response.headers['x-perceptis-job-id'] || generated.jobId || '');
	if (response.status !== 200) {
		let detail = body.toString('utf8');
		try {
			detail = JSON.stringify(JSON.parse(detail));
		} catch {
			// not JSON
		}
		throw new Error(`the webhook answered HTTP ${response.status}: ${detail.slice(0, 1000)}`);
	}
	const { slides } = harness.assertPptx(body);
	const file = path.join(options.outputDir, `${jobId.replace(/[^A-Za-z0-9._-]/g, '_') || 'deck'}.pptx`);
	fs.writeFileSync(file, body);

	say('');
	say('Sample run');
	say(`  job id:   ${jobId}`);
	say(`  status:   ${generated.status || 'unknown'}`);
	say(`  file:     ${file}`);
	say(`  slides:   ${slides} (${body.length} bytes, ${seconds(timings.deck)} from request to file)`);
	say('');
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
	say(`  ready after ${seconds(Date.now() - t0)} (${parts.join(', ')})`);
	say('');

	ready = true;
	if (options.once) {
		note('check mode: stopping');
		await shutdown(0);
		return;
	}
	say(`Press Ctrl-C to stop n8n${useRealApi ? '' : ' and the simulator'} (the demo's n8n data is temporary; files in ${options.outputDir} stay).`);
	// Keep the process alive until a signal arrives.
	setInterval(() => undefined, 1 << 30);
}

main().catch((error) => {
	// After Ctrl-C, whatever was under way fails as n8n goes away: that is no news.
	if (stopping) return;
	process.stderr.write(`${redact(`[demo] failed: ${error && error.stack ? error.stack : error}`)}\n`);
	void shutdown(1, { keepLogs: true });
});
