/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets -- test code: runs in Node under jest, never inside n8n */
/**
 * Starts a real n8n (a pinned install made by scripts/n8n/install.sh) with this package loaded the way
 * a user's install loads it: package.json + dist/ under $N8N_USER_FOLDER/.n8n/nodes/node_modules/.
 * Everything binds to 127.0.0.1. The main process (`n8n start`, SQLite by default) or, for queue
 * mode, a main or a worker (`n8n worker`) on PostgreSQL and Redis.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { findN8nInstall, majorOf, REPO_ROOT, selectedN8nVersion, type N8nInstall } from './install';
import { freePorts } from './ports';

export const PACKAGE_NAME = 'n8n-nodes-perceptis';
/** A fixed test value: credentials in the test database are encrypted with it. */
export const TEST_ENCRYPTION_KEY = 'perceptis-e2e-encryption-key-not-a-secret';
/** The log line that says a process is ready, by command. */
const READY_LINES = { start: 'Editor is now accessible via', worker: 'n8n worker is now ready' } as const;

export type N8nCommand = keyof typeof READY_LINES;

/** A PostgreSQL database n8n uses instead of SQLite (DB_TYPE=postgresdb). */
export interface PostgresConnection {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
}

/** The Redis that carries the queue (QUEUE_BULL_REDIS_*). */
export interface RedisConnection {
	host: string;
	port: number;
}

export interface StartN8nOptions {
	/** n8n version; default N8N_E2E_VERSION or 2.41.1. */
	version?: string;
	/** Folder used as N8N_USER_FOLDER; default a new temporary folder. Reusing one keeps the owner, credentials, workflows. */
	userFolder?: string;
	/** Extra environment for n8n (wins over the harness's). */
	env?: Record<string, string | undefined>;
	/** Copy package.json + dist/ into the user folder (default true; needs `npm run build`). */
	loadPackage?: boolean;
	/** n8n log level (default N8N_E2E_LOG_LEVEL or "debug", so secret checks see the most). */
	logLevel?: string;
	/** How long to wait for the ready line (default 180 s: the first start runs every migration). */
	readyTimeoutMs?: number;
	/** `start` (default: the main process, editor and webhooks) or `worker` (queue mode: runs executions). */
	command?: N8nCommand;
	/** Extra arguments after the command, e.g. `['--concurrency=5']` for a worker. */
	args?: string[];
	/** Use this PostgreSQL database instead of SQLite. */
	postgres?: PostgresConnection;
	/** Queue mode (EXECUTIONS_MODE=queue) on this Redis. A worker needs it; a main with it enqueues executions. */
	queue?: { redis: RedisConnection };
}

export interface CliResult {
	code: number | null;
	signal: string | null;
	stdout: string;
	stderr: string;
}

export interface N8nInstance {
	version: string;
	major: number;
	install: N8nInstall;
	command: N8nCommand;
	/** The main's editor/API/webhook origin; for a worker, its health server (`/healthz`). */
	baseUrl: string;
	/** The port of baseUrl. */
	port: number;
	brokerPort: number;
	userFolder: string;
	/** n8n's stdout and stderr. */
	logPath: string;
	/** The sqlite database file (unused with `postgres`). */
	dbPath: string;
	pid: number;
	/** Milliseconds from spawn to the ready line. */
	startMs: number;
	/** The environment n8n runs with (what a CLI command on the same folder needs). */
	env: NodeJS.ProcessEnv;
	readLog(): string;
	/** Runs `n8n <args>` on the same user folder and database (with its own broker port). */
	runCli(args: string[], options?: { timeoutMs?: number }): Promise<CliResult>;
	/** Stops n8n (SIGTERM to its process group) and drops its editor cache; keeps the log and database. */
	stop(): Promise<void>;
	/** stop(), then removes the user folder if the harness created it. */
	dispose(): Promise<void>;
	/** Sends `signal` to n8n's whole process group (n8n and its task runners); resolves when n8n has exited. */
	kill(signal: NodeJS.Signals): Promise<void>;
	/** True while the n8n process runs. */
	isRunning(): boolean;
}

/**
 * The built package's dist/: the repository's, or PERCEPTIS_E2E_DIST. test:all gives its second
 * lane (the quick benchmark and fault table) a copy, so that the demo test's `npm run build` in
 * the first lane cannot pull dist/ away from under an n8n the second is starting.
 */
export function builtDist(): string {
	return process.env.PERCEPTIS_E2E_DIST ?? path.join(REPO_ROOT, 'dist');
}

/** Copies the built package into the user-install layout. */
export function installPackageInto(userFolder: string): string {
	const dist = builtDist();
	const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
		n8n?: { nodes?: string[]; credentials?: string[] };
	};
	const declared = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = declared.filter((file) => !fs.existsSync(path.join(dist, path.relative('dist', file))));
	if (!fs.existsSync(dist) || missing.length > 0) {
		throw new Error(
			`The package is not built (${missing.length ? missing.join(', ') : 'dist/'} missing): run \`npm run build\` first.`,
		);
	}
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(target, { recursive: true });
	fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(target, 'package.json'));
	fs.cpSync(dist, path.join(target, 'dist'), { recursive: true });
	return target;
}

/** The environment of every n8n process of one instance (server and CLI). */
function n8nEnv(
	install: N8nInstall,
	userFolder: string,
	port: number,
	brokerPort: number,
	logLevel: string,
	extra: Record<string, string | undefined> = {},
	options: Pick<StartN8nOptions, 'postgres' | 'queue'> & { healthPort?: number } = {},
): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		// Nothing of the caller's n8n/db configuration leaks in; NODE_OPTIONS from a test runner neither.
		if (/^(N8N_|DB_|EXECUTIONS_|QUEUE_|GENERIC_|WEBHOOK_URL$|NODE_OPTIONS$|NODE_ENV$)/.test(key)) continue;
		env[key] = value;
	}
	Object.assign(env, {
		PATH: `${path.dirname(install.node)}${path.delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}`,
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
		DB_TYPE: 'sqlite',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_LEVEL: logLevel,
		NODE_ENV: 'production',
	});
	if (majorOf(install.version) >= 2) {
		// 2.x refreshes an MCP server catalogue from api.n8n.io at start: keep n8n off the network.
		env.N8N_DISABLED_MODULES = 'mcp-registry';
	}
	if (majorOf(install.version) < 2) {
		// 1.x's default expression engine does not start on this machine kind (tests only: n8n calls it insecure).
		env.N8N_EXPRESSION_ENGINE = 'legacy';
	}
	if (options.postgres) {
		Object.assign(env, {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: options.postgres.host,
			DB_POSTGRESDB_PORT: String(options.postgres.port),
			DB_POSTGRESDB_USER: options.postgres.user,
			DB_POSTGRESDB_PASSWORD: options.postgres.password,
			DB_POSTGRESDB_DATABASE: options.postgres.database,
		});
	}
	if (options.queue) {
		Object.assign(env, {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: options.queue.redis.host,
			QUEUE_BULL_REDIS_PORT: String(options.queue.redis.port),
		});
	}
	if (options.healthPort !== undefined) {
		// A worker's only server: /healthz and /healthz/readiness, on loopback.
		Object.assign(env, {
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(options.healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		});
	}
	for (const [key, value] of Object.entries(extra)) {
		if (value === undefined) delete env[key];
		else env[key] = value;
	}
	return env;
}

function tail(file: string, lines = 40): string {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// already gone
	}
}
function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	// A crashed or interrupted test run must not leave n8n processes behind.
	process.on('exit', () => {
		for (const child of running) killGroup(child, 'SIGKILL');
	});
}

/** A process the harness started (detached: it leads its own process group) is killed if the test process exits. */
export function trackProcess(child: ChildProcess): void {
	installExitHook();
	running.add(child);
	child.once('exit', () => running.delete(child));
}

/** Sends `signal` (SIGTERM) to the process group, SIGKILL after `graceMs`; resolves when the leader exited. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 15_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	killGroup(child, signal);
	const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
	await exited;
	clearTimeout(timer);
	// Task runners and other children of the group.
	killGroup(child, 'SIGKILL');
}

export async function startN8n(options: StartN8nOptions = {}): Promise<N8nInstance> {
	const version = options.version ?? selectedN8nVersion();
	const install = findN8nInstall(version);
	const createdFolder = options.userFolder === undefined;
	const userFolder = options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-n8n-'));
	fs.mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	if (options.loadPackage !== false) installPackageInto(userFolder);

	const command = options.command ?? 'start';
	if (command === 'worker' && !options.queue) throw new Error('an n8n worker needs `queue: {redis}`');
	// A worker does not serve N8N_PORT; its HTTP server is the health check, on a port of its own.
	const [n8nPort, brokerPort, healthPort] = await freePorts(command === 'worker' ? 3 : 2);
	const port = command === 'worker' ? healthPort : n8nPort;
	const logLevel = options.logLevel ?? process.env.N8N_E2E_LOG_LEVEL ?? 'debug';
	const env = n8nEnv(install, userFolder, n8nPort, brokerPort, logLevel, options.env, {
		postgres: options.postgres,
		queue: options.queue,
		healthPort: command === 'worker' ? healthPort : undefined,
	});
	const logPath = path.join(userFolder, command === 'worker' ? `n8n-worker-${port}.log` : `n8n-${port}.log`);
	const out = fs.openSync(logPath, 'a');
	const started = Date.now();
	const child = spawn(install.node, [install.n8n, command, ...(options.args ?? [])], {
		cwd: userFolder,
		env,
		detached: true,
		stdio: ['ignore', out, out],
	});
	fs.closeSync(out);
	trackProcess(child);
	const readyLine = READY_LINES[command];

	const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
	await new Promise<void>((resolve, reject) => {
		let done = false;
		const finish = (error?: Error) => {
			if (done) return;
			done = true;
			clearInterval(poll);
			child.off('exit', onExit);
			if (error) reject(error);
			else resolve();
		};
		const onExit = (code: number | null, signal: string | null) =>
			finish(
				new Error(
					`n8n ${version} exited (code ${code}, signal ${signal}) before it was ready. Log ${logPath}:\n${tail(logPath)}`,
				),
			);
		child.once('exit', onExit);
		child.once('error', (error) => finish(error));
		const poll = setInterval(() => {
			let log = '';
			try {
				log = fs.readFileSync(logPath, 'utf8');
			} catch {
				// not written yet
			}
			if (log.includes(readyLine)) finish();
			else if (Date.now() - started > readyTimeoutMs) {
				killGroup(child, 'SIGKILL');
				finish(new Error(`n8n ${version} was not ready after ${readyTimeoutMs} ms. Log ${logPath}:\n${tail(logPath)}`));
			}
		}, 100);
	});
	const startMs = Date.now() - started;

	const cliEnvBase = { ...env };
	const stop = async () => {
		await stopProcessGroup(child);
		running.delete(child);
		// n8n unpacks its editor into <user folder>/.cache (~75 MB) on every start; the log and the
		// database stay for a post-mortem.
		fs.rmSync(path.join(userFolder, '.cache'), { recursive: true, force: true });
	};
	return {
		version,
		major: majorOf(version),
		install,
		command,
		baseUrl: `http://127.0.0.1:${port}`,
		port,
		brokerPort,
		userFolder,
		logPath,
		dbPath: path.join(userFolder, '.n8n', 'database.sqlite'),
		pid: child.pid as number,
		startMs,
		env,
		readLog: () => fs.readFileSync(logPath, 'utf8'),
		async runCli(args, cliOptions = {}) {
			const [cliBroker] = await freePorts(1);
			// A CLI command also opens a runner broker and must not take the server's HTTP port.
			const cliEnv = { ...cliEnvBase, N8N_RUNNERS_BROKER_PORT: String(cliBroker) };
			const cli = spawn(install.node, [install.n8n, ...args], {
				cwd: userFolder,
				env: cliEnv,
				detached: true,
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			running.add(cli);
			let stdout = '';
			let stderr = '';
			cli.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
			cli.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
			const timeoutMs = cliOptions.timeoutMs ?? 120_000;
			const timer = setTimeout(() => killGroup(cli, 'SIGKILL'), timeoutMs);
			const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
				cli.once('exit', (c, s) => resolve([c, s])),
			);
			clearTimeout(timer);
			killGroup(cli, 'SIGKILL');
			running.delete(cli);
			// Keep CLI output in the instance log too: the secret scan covers it.
			fs.appendFileSync(
				logPath,
				`\n--- n8n ${args.join(' ')} (exit ${code ?? signal}) ---\n${stdout}${stderr}\n--- end ---\n`,
			);
			return { code, signal, stdout, stderr };
		},
		stop,
		async dispose() {
			await stop();
			if (createdFolder) fs.rmSync(userFolder, { recursive: true, force: true });
		},
		async kill(signal) {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
			killGroup(child, signal);
			await exited;
		},
		isRunning: () => child.exitCode === null && child.signalCode === null,
	};
}

/**
 * The run data that `n8n execute --rawOutput` prints (pretty JSON, possibly inside a log line with
 * metadata after it at debug level).
 */
export function parseExecuteOutput(stdout: string): {
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- n8n's run data, of any node
	data: { resultData: { runData: Record<string, any[]>; error?: { message: string } } };
	status?: string;
	finished?: boolean;
	[key: string]: unknown;
} {
	const start = stdout.search(/\{\s*\n\s*"data": \{/);
	if (start < 0) throw new Error(`no run data in the CLI output:\n${stdout.slice(-2000)}`);
	let depth = 0;
	let inString = false;
	for (let i = start; i < stdout.length; i++) {
		const c = stdout[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
		} else if (c === '"') inString = true;
		else if (c === '{') depth++;
		else if (c === '}' && --depth === 0) return JSON.parse(stdout.slice(start, i + 1));
	}
	throw new Error(`unterminated run data in the CLI output:\n${stdout.slice(-2000)}`);
}
