/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets -- test code: runs in Node under jest, never inside n8n */
/**
 * Starts a real Node-RED (a pinned install made by scripts/node-red/install.sh) the way a user runs
 * one: `node-red --userDir D --settings D/settings.js`, with a settings file this harness writes, on
 * 127.0.0.1 only. Calling it again with the same userDir is a restart on the same state (flows,
 * credentials, installed modules, persisted context), which is what an upgrade or a crash looks like
 * to a user.
 */
import { spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';

import { killGroup, trackProcess } from '../../../e2e/harness/n8n';
import { freePort } from '../../../e2e/harness/ports';
import { DEPLOY_STUCK } from './client';
import { findNodeRedInstall, selectedNodeRedVersion, type NodeRedInstall } from './install';

/**
 * A fixed test value: Node-RED encrypts flows_cred.json with it. Fixed (not random) so that a restart
 * on the same userDir can still read the credentials it wrote before.
 */
export const TEST_CREDENTIAL_SECRET = 'perceptis-node-red-e2e-credential-secret-not-a-secret';
export const ADMIN_USERNAME = 'e2e-admin';

/**
 * Ready = both lines, after this start's offset in the log: the HTTP server listens, and the flows
 * run. Same wording on 5.0.7 and 4.1.15. With flows that use a type nobody registered, Node-RED logs
 * "Waiting for missing types" instead, never starts the flows, and the http-in routes never appear.
 */
const SERVER_LINE = 'Server now running at';
const FLOWS_LINE = 'Started flows';

export interface StartNodeRedOptions {
	/** Node-RED version; default NODE_RED_E2E_VERSION or 5.0.7. */
	version?: string;
	/** Reuse this userDir (a restart); default a new temp folder, removed by dispose(). */
	userDir?: string;
	/** Extra environment for Node-RED (wins over the harness's; undefined removes a variable). */
	env?: Record<string, string | undefined>;
	/**
	 * The registry the palette manager (`POST /nodes`) installs from, e.g. the project's verdaccio.
	 * Without it, npm inside Node-RED uses the caller's npm configuration.
	 */
	npmRegistry?: string | { url: string };
	/** `localfilesystem` persists the default context store under D/context; default Node-RED's memory. */
	contextStorage?: 'memory' | 'localfilesystem';
	/** Require a login for the editor and the Admin API (a user with all permissions, random password). */
	adminAuth?: boolean;
	/** Node-RED's console log level (default NODE_RED_E2E_LOG_LEVEL or `info`); never below info: readiness and deploys are read from info lines. */
	logLevel?: 'info' | 'debug' | 'trace';
	/** How long to wait for the ready lines (default 60 s; a start takes 1–2 s here). */
	readyTimeoutMs?: number;
	/**
	 * Wait for the flows to start too (default true; a start then fails fast when they wait for a
	 * missing type). false: ready once the server listens, e.g. to inspect a Node-RED whose module is gone.
	 */
	waitForFlows?: boolean;
}

export interface NodeRedInstance {
	version: string;
	install: NodeRedInstall;
	/** `http://127.0.0.1:<port>`: editor, Admin API and http-in routes (httpAdminRoot = httpNodeRoot = /). */
	baseUrl: string;
	port: number;
	userDir: string;
	settingsPath: string;
	/** Node-RED's stdout and stderr, appended to by every start on this userDir. */
	logPath: string;
	pid: number;
	/** Milliseconds from spawn to the ready lines. */
	startMs: number;
	/** The login when started with adminAuth (the password is made up per start). */
	adminAuth?: { username: string; password: string };
	/** What this start wrote to the log (earlier and later starts on the same userDir excluded). */
	readLog(): string;
	/** The log's length so far: pass it as `from` to wait for what comes after an action. */
	logSize(): number;
	/**
	 * Resolves with the log after `from` (default: this start's beginning) once it matches `pattern`;
	 * rejects with the log tail when `failOn` matches first, the process exits, or after `timeoutMs`.
	 */
	waitForLog(pattern: string | RegExp, options?: { from?: number; failOn?: RegExp; timeoutMs?: number }): Promise<string>;
	isRunning(): boolean;
	/** SIGTERM to the process group; resolves when Node-RED has exited, with how long that took. */
	stop(): Promise<{ ms: number; forced: boolean }>;
	/** SIGKILL to the process group (a crash: no flush of context, no close handlers). */
	kill(): Promise<void>;
	/** stop(), then removes the userDir if the harness created it (whichever start created it). */
	dispose(): Promise<void>;
}

/** userDirs the harness made: dispose() of a later restart on them removes them too. */
const createdUserDirs = new Set<string>();
/** One Node-RED per userDir: two processes on the same flows file would overwrite each other. */
const runningByUserDir = new Map<string, ChildProcess>();

/** bcrypt hash for adminAuth, with the bcryptjs Node-RED itself ships (no devDependency needed). */
function bcryptHash(install: NodeRedInstall, password: string): string {
	const requireFromNodeRed = createRequire(path.join(install.dir, 'node_modules', 'node-red', 'package.json'));
	const bcrypt = requireFromNodeRed('bcryptjs') as { hashSync(password: string, rounds: number): string };
	// Cost 8: the login is checked once per test file, and nothing here protects anything real.
	return bcrypt.hashSync(password, 8);
}

/** The settings file: plain data, so JSON is valid JavaScript for `module.exports`. */
function settingsFile(options: {
	port: number;
	logLevel: string;
	contextStorage?: StartNodeRedOptions['contextStorage'];
	adminUser?: { username: string; hash: string };
}): string {
	const settings: Record<string, unknown> = {
		uiHost: '127.0.0.1',
		uiPort: options.port,
		credentialSecret: TEST_CREDENTIAL_SECRET,
		flowFile: 'flows.json',
		flowFilePretty: true,
		// Console only: the harness sends stdout/stderr to the log file. A custom file logger would miss
		// what Node-RED prints outside its logger (an uncaught exception's stack, a refused Node version).
		logging: { console: { level: options.logLevel, metrics: false, audit: false } },
		// Nothing asks nodered.org for updates, and the editor does not ask for consent.
		telemetry: { enabled: false, updateNotification: false },
		editorTheme: { tours: false, projects: { enabled: false } },
		// The harness waits for English log lines; Node-RED would otherwise follow the OS locale.
		lang: 'en-US',
		// The defaults, spelled out: the suite depends on the palette manager (POST /nodes).
		externalModules: { palette: { allowInstall: true, allowUpdate: true, allowUpload: true } },
	};
	if (options.contextStorage === 'localfilesystem') {
		// Flushed every 30 s and on a clean stop (SIGTERM); a SIGKILL loses the last 30 s.
		settings.contextStorage = { default: { module: 'localfilesystem' } };
	} else if (options.contextStorage === 'memory') {
		settings.contextStorage = { default: { module: 'memory' } };
	}
	if (options.adminUser) {
		settings.adminAuth = {
			type: 'credentials',
			users: [{ username: options.adminUser.username, password: options.adminUser.hash, permissions: '*' }],
		};
	}
	return [
		'// Written by test/node-red/e2e/harness/nodeRed.ts for one test run; rewritten on every start.',
		`module.exports = ${JSON.stringify(settings, null, '\t')};`,
		'',
	].join('\n');
}

/** Node-RED's environment: the caller's, minus what would configure it or npm behind the test's back. */
function nodeRedEnv(install: NodeRedInstall, userDir: string, options: StartNodeRedOptions): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		// npm_* come from `npx jest` (npm's script environment) and would steer the palette's npm;
		// NODE_OPTIONS from a test runner; NODE_ENV=test from jest.
		if (/^(npm_|NODE_RED_)/i.test(key) || key === 'NODE_OPTIONS' || key === 'NODE_ENV') continue;
		env[key] = value;
	}
	// Node 24 first: Node-RED runs its bundled npm with process.execPath, but anything a node spawns as
	// `node` should get the same runtime.
	env.PATH = `${path.dirname(install.node)}${path.delimiter}${process.env.PATH ?? ''}`;
	if (options.npmRegistry) {
		const url = (typeof options.npmRegistry === 'string' ? options.npmRegistry : options.npmRegistry.url).replace(/\/$/, '');
		// Both places an operator would put it: the project .npmrc of the userDir (where Node-RED runs
		// `npm install`), and the environment. A userconfig and a cache of its own keep the user's
		// ~/.npmrc and ~/.npm out of it.
		fs.writeFileSync(path.join(userDir, '.npmrc'), `registry=${url}/\n`);
		const npmHome = path.join(userDir, '.npm-e2e');
		fs.mkdirSync(npmHome, { recursive: true });
		fs.writeFileSync(path.join(npmHome, 'npmrc'), `registry=${url}/\n`);
		Object.assign(env, {
			npm_config_registry: `${url}/`,
			npm_config_userconfig: path.join(npmHome, 'npmrc'),
			npm_config_cache: path.join(npmHome, 'cache'),
			npm_config_update_notifier: 'false',
		});
	}
	for (const [key, value] of Object.entries(options.env ?? {})) {
		if (value === undefined) delete env[key];
		else env[key] = value;
	}
	return env;
}

function readFrom(file: string, offset: number, end?: number): string {
	try {
		const fd = fs.openSync(file, 'r');
		try {
			const size = end ?? fs.fstatSync(fd).size;
			const buffer = Buffer.alloc(Math.max(0, size - offset));
			fs.readSync(fd, buffer, 0, buffer.length, offset);
			return buffer.toString('utf8');
		} finally {
			fs.closeSync(fd);
		}
	} catch {
		return '';
	}
}

function tail(text: string, lines = 40): string {
	return text.split('\n').slice(-lines).join('\n') || '(empty log)';
}

function gone(child: ChildProcess): boolean {
	return child.exitCode !== null || child.signalCode !== null;
}

export async function startNodeRed(options: StartNodeRedOptions = {}): Promise<NodeRedInstance> {
	const version = options.version ?? selectedNodeRedVersion();
	const install = findNodeRedInstall(version);
	let userDir: string;
	if (options.userDir === undefined) {
		userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-node-red-'));
		createdUserDirs.add(userDir);
	} else {
		userDir = path.resolve(options.userDir);
		fs.mkdirSync(userDir, { recursive: true });
	}
	const previous = runningByUserDir.get(userDir);
	if (previous && !gone(previous)) {
		throw new Error(`a Node-RED (pid ${previous.pid}) still runs on ${userDir}: stop() it before starting another`);
	}

	const port = await freePort();
	const logLevel = options.logLevel ?? process.env.NODE_RED_E2E_LOG_LEVEL ?? 'info';
	if (!['info', 'debug', 'trace'].includes(logLevel)) {
		throw new Error(`log level ${logLevel}: the harness needs info, debug or trace (it waits for info lines)`);
	}
	const adminAuth = options.adminAuth
		? { username: ADMIN_USERNAME, password: `e2e-${randomBytes(12).toString('hex')}` }
		: undefined;
	const settingsPath = path.join(userDir, 'settings.js');
	fs.writeFileSync(
		settingsPath,
		settingsFile({
			port,
			logLevel,
			contextStorage: options.contextStorage,
			adminUser: adminAuth && { username: adminAuth.username, hash: bcryptHash(install, adminAuth.password) },
		}),
	);
	const env = nodeRedEnv(install, userDir, options);

	const logPath = path.join(userDir, 'node-red.log');
	fs.appendFileSync(logPath, `\n--- harness: Node-RED ${version} on ${install.nodeVersion}, port ${port}, ${new Date().toISOString()} ---\n`);
	const offset = fs.statSync(logPath).size;
	const out = fs.openSync(logPath, 'a');
	const started = Date.now();
	const child = spawn(install.node, [install.nodeRed, '--userDir', userDir, '--settings', settingsPath], {
		cwd: userDir,
		env,
		// Its own process group: stop() and kill() reach npm children of the palette manager too.
		detached: true,
		stdio: ['ignore', out, out],
	});
	fs.closeSync(out);
	trackProcess(child);
	runningByUserDir.set(userDir, child);
	// Where this start's part of the log ends (set when the process exits; a restart appends after it).
	let end: number | undefined;
	child.once('exit', () => (end = fs.statSync(logPath).size));
	const readLog = () => readFrom(logPath, offset, end);

	const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
	const waitForFlows = options.waitForFlows !== false;
	const readyLines = waitForFlows ? [SERVER_LINE, FLOWS_LINE] : [SERVER_LINE];
	await new Promise<void>((resolve, reject) => {
		let settled = false;
		const finish = (error?: Error) => {
			if (settled) return;
			settled = true;
			clearInterval(poll);
			child.off('exit', onExit);
			if (!error) return resolve();
			// A failed start leaves nothing running: the caller may retry on the same userDir at once.
			killGroup(child, 'SIGKILL');
			if (gone(child)) reject(error);
			else child.once('exit', () => reject(error));
		};
		const onExit = (code: number | null, signal: string | null) =>
			finish(new Error(`Node-RED ${version} exited (code ${code}, signal ${signal}) before it was ready. Log ${logPath}:\n${tail(readLog())}`));
		child.once('exit', onExit);
		child.once('error', (error) => finish(error));
		const poll = setInterval(() => {
			const log = readLog();
			if (readyLines.every((line) => log.includes(line))) finish();
			else if (waitForFlows && DEPLOY_STUCK.test(log) && log.includes(SERVER_LINE)) {
				finish(new Error(`Node-RED ${version} started, but its flows wait for missing types (start with waitForFlows: false to inspect it). Log ${logPath}:\n${tail(log)}`));
			} else if (Date.now() - started > readyTimeoutMs) {
				finish(new Error(`Node-RED ${version} was not ready after ${readyTimeoutMs} ms (waiting for "${readyLines.join('" and "')}"). Log ${logPath}:\n${tail(log)}`));
			}
		}, 50);
	});
	const startMs = Date.now() - started;

	const exited = new Promise<void>((resolve) => {
		if (gone(child)) resolve();
		else child.once('exit', () => resolve());
	});
	const stop = async (): Promise<{ ms: number; forced: boolean }> => {
		if (gone(child)) return { ms: 0, forced: false };
		const began = Date.now();
		killGroup(child, 'SIGTERM');
		// Node-RED waits up to 15 s per node close handler; past 30 s it is hung, not slow.
		let forced = false;
		const timer = setTimeout(() => {
			forced = true;
			killGroup(child, 'SIGKILL');
		}, 30_000);
		await exited;
		clearTimeout(timer);
		const ms = Date.now() - began;
		killGroup(child, 'SIGKILL'); // leftovers of the group (an npm the palette manager started)
		return { ms, forced };
	};
	const matches = (text: string, pattern: string | RegExp) =>
		typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
	const waitForLog: NodeRedInstance['waitForLog'] = async (pattern, waitOptions = {}) => {
		const from = waitOptions.from ?? offset;
		const deadline = Date.now() + (waitOptions.timeoutMs ?? 30_000);
		for (;;) {
			const log = readFrom(logPath, from);
			if (matches(log, pattern)) return log;
			const problem =
				waitOptions.failOn && matches(log, waitOptions.failOn)
					? `the log says ${waitOptions.failOn}`
					: gone(child)
						? 'Node-RED exited'
						: Date.now() > deadline
							? 'timed out'
							: undefined;
			if (problem) throw new Error(`waiting for ${pattern} in ${logPath}: ${problem}. Log since:\n${tail(log)}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	};
	return {
		version,
		install,
		baseUrl: `http://127.0.0.1:${port}`,
		port,
		userDir,
		settingsPath,
		logPath,
		pid: child.pid as number,
		startMs,
		adminAuth,
		readLog,
		logSize: () => fs.statSync(logPath).size,
		waitForLog,
		isRunning: () => !gone(child),
		stop,
		async kill() {
			if (gone(child)) return;
			killGroup(child, 'SIGKILL');
			await exited;
		},
		async dispose() {
			await stop();
			if (createdUserDirs.has(userDir)) {
				fs.rmSync(userDir, { recursive: true, force: true });
				createdUserDirs.delete(userDir);
			}
		},
	};
}
