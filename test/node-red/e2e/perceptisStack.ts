/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- test code: runs in Node under jest, never inside n8n */
/**
 * The real package in a real Node-RED, the way a user gets it: node-red/ built by its own build
 * script (`npm run build`, in a copy, so a test run leaves no node-red/dist/ behind), `npm pack`ed,
 * published to the project's verdaccio together with its runtime dependencies (axios and what axios
 * needs: the registry has no uplink, so they are packed from node-red/node_modules at the versions
 * of node-red/package-lock.json), and installed by Node-RED's palette manager (`POST /nodes`). The
 * Perceptis simulator runs in its own process as the API origin.
 *
 * Used by the suites beside this file (perceptis, lifecycle, editor).
 */
import axios, { type AxiosResponse } from 'axios';
import { execFile } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

import { REPO_ROOT } from '../../e2e/harness/install';
import { acquireE2eLock } from '../../e2e/harness/lock';
import { readTarball, startRegistry, type NpmRegistry, type PackedTarball } from '../../e2e/harness/registry';
import { startSimulator, type SimulatorProcess, type SimulatorRequest } from '../../e2e/harness/simulator';
import {
	NodeRedClient,
	packFolder,
	selectedNodeRedVersion,
	startNodeRed,
	type FlowNode,
	type ModuleInfo,
	type NodeRedInstance,
	type StartNodeRedOptions,
} from './harness';

const run = promisify(execFile);

export const MODULE = 'node-red-contrib-perceptis';
export const PACKAGE_DIR = path.join(REPO_ROOT, 'node-red');

/** One line of the suite's report (jest prints console.log with the file's name). */
export function report(line: string): void {
	// eslint-disable-next-line no-console -- the figures are what these suites are for
	console.log(line);
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(100);
	}
}

// ---------------------------------------------------------------------------------------------
// Build, pack, publish

export interface BuiltPackage {
	tarball: PackedTarball;
	/** The runtime dependencies' tarballs (packed from node-red/node_modules). */
	dependencies: Array<{ name: string; version: string; file: string }>;
	buildMs: number;
}

interface LockEntry {
	version?: string;
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	link?: boolean;
}

/**
 * Every package the palette's `npm install` will ask the registry for besides ours: the runtime
 * dependencies of node-red/package.json and theirs, resolved the way Node resolves them in
 * node-red/node_modules (nearest node_modules first), as the lock file records them.
 */
export function runtimeDependencyFolders(): Array<{ name: string; version: string; dir: string }> {
	const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
	const lock = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
	const resolve = (from: string, name: string): string | undefined => {
		let at = from;
		for (;;) {
			const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
			if (lock.packages[candidate]) return candidate;
			if (!at) return undefined;
			const cut = at.lastIndexOf('/node_modules/');
			at = cut >= 0 ? at.slice(0, cut) : '';
		}
	};
	const found = new Map<string, { name: string; version: string; dir: string }>();
	const visit = (from: string, name: string, required: boolean) => {
		const at = resolve(from, name);
		if (!at) {
			if (required) throw new Error(`${name} (needed by ${from || 'node-red/package.json'}) is not in node-red/package-lock.json: run npm install in node-red/`);
			return;
		}
		if (found.has(at)) return;
		const entry = lock.packages[at];
		const dir = path.join(PACKAGE_DIR, at);
		const installed = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
		if (installed.version !== entry.version) {
			throw new Error(`${at} is ${installed.version}, the lock says ${entry.version}: run npm ci in node-red/`);
		}
		found.set(at, { name, version: entry.version, dir });
		for (const dependency of Object.keys(entry.dependencies ?? {})) visit(at, dependency, true);
		for (const dependency of Object.keys({ ...entry.optionalDependencies, ...entry.peerDependencies })) visit(at, dependency, false);
	};
	for (const dependency of Object.keys(manifest.dependencies ?? {})) visit('', dependency, true);
	// The same name@version reached through two paths is one tarball.
	const unique = new Map([...found.values()].map((item) => [`${item.name}@${item.version}`, item]));
	return [...unique.values()];
}

/**
 * `npm run build` of node-red/ in a copy (node-red/, core/ and scripts/node-red/ side by side, as in
 * the repository; node_modules linked), then `npm pack` of it into `work`, and its runtime
 * dependencies packed from node-red/node_modules.
 */
export async function buildAndPack(work: string, npmEnv: NodeJS.ProcessEnv): Promise<BuiltPackage> {
	const began = Date.now();
	const copy = path.join(work, 'source');
	const pkg = path.join(copy, 'node-red');
	const generated = /^(node_modules|dist)([/\\]|$)/;
	fs.cpSync(PACKAGE_DIR, pkg, { recursive: true, filter: (from) => !generated.test(path.relative(PACKAGE_DIR, from)) });
	fs.cpSync(path.join(REPO_ROOT, 'core'), path.join(copy, 'core'), { recursive: true });
	fs.cpSync(path.join(REPO_ROOT, 'scripts', 'node-red'), path.join(copy, 'scripts', 'node-red'), { recursive: true });
	fs.symlinkSync(path.join(PACKAGE_DIR, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
	await run('npm', ['run', 'build'], { cwd: pkg, env: npmEnv, maxBuffer: 16 * 1024 * 1024 });
	const buildMs = Date.now() - began;
	// node-red/.npmrc says ignore-scripts: the pack does not run prepack (a second build) again.
	const file = await packFolder(pkg, work, npmEnv);
	const tarball = { ...(await readTarball(file)), integrity: '' };

	const depsDir = path.join(work, 'dependencies');
	fs.mkdirSync(depsDir);
	const folders = runtimeDependencyFolders();
	const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', depsDir, ...folders.map((folder) => folder.dir)], {
		cwd: depsDir,
		env: { ...npmEnv, npm_config_ignore_scripts: 'true' },
		maxBuffer: 16 * 1024 * 1024,
	});
	const packed = JSON.parse(stdout) as Array<{ name: string; version: string; filename: string }>;
	const dependencies = packed.map((item) => ({ name: item.name, version: item.version, file: path.join(depsDir, item.filename) }));
	return { tarball, dependencies, buildMs };
}

/** Publishes the dependencies (a few at a time) and then the package to the registry. */
export async function publishAll(registry: NpmRegistry, built: BuiltPackage): Promise<void> {
	const queue = [...built.dependencies];
	const worker = async () => {
		for (let next = queue.shift(); next; next = queue.shift()) await registry.publish(next.file);
	};
	await Promise.all([worker(), worker(), worker(), worker()]);
	await registry.publish(built.tarball.file);
}

// ---------------------------------------------------------------------------------------------
// The stack: registry, simulator, Node-RED with the package installed from the palette

export interface PerceptisNodeRed {
	version: string;
	work: string;
	registry: NpmRegistry;
	sim: SimulatorProcess;
	built: BuiltPackage;
	/** The running Node-RED (replaced by restart()). */
	nodeRed: NodeRedInstance;
	client: NodeRedClient;
	installed: ModuleInfo;
	installMs: number;
	/** Stops Node-RED (SIGTERM) and starts it again on the same userDir and settings. */
	restart(): Promise<{ stopMs: number; forced: boolean; startMs: number }>;
	dispose(): Promise<void>;
}

export interface StackOptions {
	/** Simulator time scale (default 0.01: a deck of the API's 10 minutes takes 6 s). */
	timeScale?: number;
	nodeRed?: Omit<StartNodeRedOptions, 'version' | 'npmRegistry'>;
}

/**
 * Everything a suite needs, under the e2e lock: the package built, packed and published, the
 * simulator, a Node-RED (adminAuth on, loopback only) that installs the package with POST /nodes.
 */
export async function startPerceptisNodeRed(options: StackOptions = {}): Promise<PerceptisNodeRed> {
	const version = selectedNodeRedVersion();
	const release = await acquireE2eLock();
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-node-red-pkg-'));
	let registry: NpmRegistry | undefined;
	let sim: SimulatorProcess | undefined;
	let nodeRed: NodeRedInstance | undefined;
	const cleanUp = async () => {
		await nodeRed?.dispose().catch(() => undefined);
		await sim?.stop().catch(() => undefined);
		await registry?.dispose().catch(() => undefined);
		fs.rmSync(work, { recursive: true, force: true });
		release();
	};
	try {
		registry = await startRegistry();
		const built = await buildAndPack(work, registry.npmEnv);
		await publishAll(registry, built);
		sim = await startSimulator({ timeScale: options.timeScale ?? 0.01 });
		const startOptions: StartNodeRedOptions = { adminAuth: true, contextStorage: 'localfilesystem', ...options.nodeRed, version, npmRegistry: registry.url };
		nodeRed = await startNodeRed(startOptions);
		let client = await NodeRedClient.connect(nodeRed);
		const began = Date.now();
		const installed = await client.installModule(MODULE, built.tarball.version);
		const installMs = Date.now() - began;
		const stack: PerceptisNodeRed = {
			version,
			work,
			registry,
			sim,
			built,
			nodeRed,
			client,
			installed,
			installMs,
			async restart() {
				const stopped = await stack.nodeRed.stop();
				nodeRed = await startNodeRed({ ...startOptions, userDir: stack.nodeRed.userDir });
				stack.nodeRed = nodeRed;
				client = await NodeRedClient.connect(nodeRed);
				stack.client = client;
				return { stopMs: stopped.ms, forced: stopped.forced, startMs: nodeRed.startMs };
			},
			dispose: cleanUp,
		};
		return stack;
	} catch (error) {
		await cleanUp();
		throw error;
	}
}

// ---------------------------------------------------------------------------------------------
// Flows

export const TAB = 'pe2e-tab';
export const BUSINESS = 'pe2e-server-business';
export const STARTER = 'pe2e-server-starter';

/** The two Perceptis servers (config nodes) on the simulator, keys inline as the Admin API takes them. */
export function servers(sim: SimulatorProcess): FlowNode[] {
	return [
		{ id: BUSINESS, type: 'perceptis-config', name: 'Simulator, Business plan', baseUrl: sim.origin, apiKeyEnv: '', credentials: { apiKey: sim.keys.business } },
		{ id: STARTER, type: 'perceptis-config', name: 'Simulator, Starter plan', baseUrl: sim.origin, apiKeyEnv: '', credentials: { apiKey: sim.keys.starter } },
	];
}

/** The perceptis node as the editor saves it (every property), Generate a deck and wait by default. */
export function perceptisNode(id: string, server: string, wires: string[][], properties: Record<string, unknown> = {}): FlowNode {
	return {
		id,
		type: 'perceptis',
		z: TAB,
		name: '',
		server,
		operation: 'generate',
		prompt: 'payload',
		promptType: 'msg',
		outputType: 'deck',
		templateName: '',
		templateNameType: 'str',
		variantCount: '',
		webSearch: false,
		knowledgeBase: false,
		wait: true,
		timeoutSeconds: 1800,
		idempotencyKey: '',
		idempotencyKeyType: 'str',
		jobId: '',
		jobIdType: 'str',
		wires,
		...properties,
	};
}

/** The headers of the answer: the file's type and name, and what the node said about the job. */
const FILE_HEADERS =
	'{"content-type": perceptis.files[0].mimeType, "content-disposition": "attachment; filename=\\"" & filename & "\\"", ' +
	'"x-perceptis-job-id": perceptis.jobId, "x-perceptis-resumed": perceptis.resumed = true ? "true" : "false", ' +
	'"x-perceptis-file-count": $string(perceptis.fileCount)}';

/**
 * POST `route` (JSON body: a Generate request, or text: the prompt) → perceptis on `server` → the
 * .pptx as the answer, with its job id and `resumed` in headers. Prefix keeps the ids apart.
 */
export function deckOverHttp(prefix: string, route: string, server: string): FlowNode[] {
	return [
		{ id: `${prefix}-in`, type: 'http in', z: TAB, name: '', url: route, method: 'post', upload: false, swaggerDoc: '', wires: [[`${prefix}-perceptis`]] },
		perceptisNode(`${prefix}-perceptis`, server, [[`${prefix}-headers`]]),
		{
			id: `${prefix}-headers`,
			type: 'change',
			z: TAB,
			name: 'file headers',
			rules: [{ t: 'set', p: 'headers', pt: 'msg', to: FILE_HEADERS, tot: 'jsonata' }],
			wires: [[`${prefix}-out`]],
		},
		{ id: `${prefix}-out`, type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
	];
}

/**
 * A Catch for the whole tab → the caught message as the HTTP answer (the HTTP status Perceptis
 * gave, else 500): `{error: msg.error, perceptis: msg.perceptis, topic}`, so the test reads exactly
 * what the Catch node got.
 */
export function catchToHttp(prefix = 'pe2e-catch'): FlowNode[] {
	return [
		{ id: `${prefix}`, type: 'catch', z: TAB, name: 'every error', scope: null, uncaught: false, wires: [[`${prefix}-answer`]] },
		{
			id: `${prefix}-answer`,
			type: 'change',
			z: TAB,
			name: 'the caught message as JSON',
			rules: [
				{ t: 'set', p: 'statusCode', pt: 'msg', to: 'perceptis.error.httpCode ? perceptis.error.httpCode : 500', tot: 'jsonata' },
				{ t: 'set', p: 'payload', pt: 'msg', to: '{"error": error, "perceptis": perceptis, "topic": topic}', tot: 'jsonata' },
				{ t: 'delete', p: 'headers', pt: 'msg' },
			],
			wires: [[`${prefix}-out`]],
		},
		{ id: `${prefix}-out`, type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
	];
}

export const tab = (): FlowNode => ({ id: TAB, type: 'tab', label: 'Perceptis e2e', disabled: false, info: '' });

// ---------------------------------------------------------------------------------------------
// Reading the answers

export interface DeckAnswer {
	status: number;
	ms: number;
	jobId: string;
	resumed: string;
	fileName: string;
	bytes: Buffer;
	sha256: string;
	response: AxiosResponse<ArrayBuffer>;
}

/** POSTs to an http-in route of the Node-RED; the answer as bytes. */
export async function postRoute(baseUrl: string, route: string, body: unknown, timeoutMs = 120_000): Promise<AxiosResponse<ArrayBuffer>> {
	const headers = typeof body === 'string' ? { 'Content-Type': 'text/plain' } : { 'Content-Type': 'application/json' };
	return await axios.post<ArrayBuffer>(`${baseUrl}${route}`, typeof body === 'string' ? body : JSON.stringify(body), {
		headers,
		responseType: 'arraybuffer',
		validateStatus: () => true,
		proxy: false,
		timeout: timeoutMs,
	});
}

export async function requestDeck(baseUrl: string, route: string, body: unknown, timeoutMs?: number): Promise<DeckAnswer> {
	const began = Date.now();
	const response = await postRoute(baseUrl, route, body, timeoutMs);
	const ms = Date.now() - began;
	const bytes = Buffer.from(response.data);
	const disposition = String(response.headers['content-disposition'] ?? '');
	return {
		status: response.status,
		ms,
		jobId: String(response.headers['x-perceptis-job-id'] ?? ''),
		resumed: String(response.headers['x-perceptis-resumed'] ?? ''),
		fileName: /filename="([^"]*)"/.exec(disposition)?.[1] ?? '',
		bytes,
		sha256: createHash('sha256').update(bytes).digest('hex'),
		response,
	};
}

/** The JSON of an answer given as bytes (the Catch route's). */
export const jsonOf = (response: AxiosResponse<ArrayBuffer>) => JSON.parse(Buffer.from(response.data).toString('utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a message of any shape

export interface SimJob {
	id: string;
	keyPlan: string;
	prompt: string;
	status: string;
	createdAt: number;
	completedAt: number | null;
	pollTimes: number[];
}

/**
 * A clean simulator between tests, with a Retry-After of 1 s on its answers about jobs (as the n8n
 * suites have it): reset() also forgets the configuration made at start.
 */
export async function freshSimulator(sim: SimulatorProcess): Promise<void> {
	await sim.reset();
	await sim.configure({ statusRetryAfterSeconds: 1 });
}

export const simJobs = async (sim: SimulatorProcess) => (await sim.jobs()) as SimJob[];

/** The POSTs to /api/v1/generate the simulator got (whatever their answer). */
export const generateRequests = async (sim: SimulatorProcess): Promise<SimulatorRequest[]> =>
	(await sim.requests()).filter((request) => request.server === 'api' && request.method === 'POST' && request.path.startsWith('/api/v1/generate'));

/** The status checks of one job (GET /api/v1/status/<id>). */
export const statusChecks = async (sim: SimulatorProcess, jobId: string): Promise<SimulatorRequest[]> =>
	(await sim.requests()).filter((request) => request.server === 'api' && request.method === 'GET' && request.path.includes(`/status/${encodeURIComponent(jobId)}`));

/** Fails when any of the simulator's (fake) keys shows in one of the texts. */
export function expectNoKey(sim: SimulatorProcess, texts: Record<string, string>): void {
	for (const [where, text] of Object.entries(texts)) {
		for (const [plan, key] of Object.entries(sim.keys)) {
			if (text.includes(key)) throw new Error(`the ${plan} API key shows in ${where}`);
		}
	}
}

/**
 * Node-RED's log lines that must never appear: a close that took 15 s, a crash, and Node's
 * listener warning ("Possible … memory leak detected"). On Node 18 and 20 twenty messages waiting
 * on one node once printed it for the node's close signal; the Node 24 these suites run no longer
 * warns for an AbortSignal, so test/node-red/concurrency.test.ts checks that case by Node 20's rule.
 */
export const BAD_LOG = /Close timed out|Uncaught Exception|UnhandledPromiseRejection|unhandled rejection|MaxListenersExceededWarning/i;
