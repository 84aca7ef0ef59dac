/* eslint-disable @n8n/community-nodes/require-node-api-error -- test code: runs in Node under jest, never inside n8n */
/**
 * n8n in queue mode, the way users scale it: PostgreSQL, Redis, one main process (editor, API,
 * webhooks; it enqueues executions) and workers (`n8n worker`) that run them. Every process gets
 * EXECUTIONS_MODE=queue, the same database, Redis and N8N_ENCRYPTION_KEY, and its own user folder
 * with this package installed (as each machine of a real deployment has its own ~/.n8n). Binary
 * data stays in n8n's default mode for queue mode. Everything binds to 127.0.0.1.
 */
import type { CredentialRef } from './client';
import { N8nClient } from './client';
import { acquireE2eLock } from './lock';
import type { N8nInstance, StartN8nOptions } from './n8n';
import { startN8n } from './n8n';
import type { PostgresServer } from './postgres';
import { startPostgres } from './postgres';
import type { RedisServer } from './redis';
import { startRedis } from './redis';
import type { SimulatorOptions, SimulatorProcess } from './simulator';
import { startSimulator } from './simulator';
import { FAST_SIMULATOR } from './stack';
import { PERCEPTIS_CREDENTIAL_TYPE } from './workflows';

export interface QueueStackOptions {
	/** Number of workers (default 2). */
	workers?: number;
	/** `--concurrency` of each worker (default: n8n's own, 10). */
	concurrency?: number;
	/** Extra environment for every n8n process (main and workers), e.g. QUEUE_WORKER_LOCK_DURATION. */
	env?: Record<string, string | undefined>;
	/** Simulator options (default FAST_SIMULATOR). */
	simulator?: SimulatorOptions;
	/** n8n log level (default as startN8n: N8N_E2E_LOG_LEVEL or debug). */
	logLevel?: string;
}

export interface QueueStackTimings {
	/** Postgres and Redis, started side by side. */
	storesMs: number;
	/** The main process, spawn to ready (the first start runs every migration on Postgres). */
	mainMs: number;
	/** The workers, started side by side. */
	workersMs: number;
	/** Lock taken to credential created. */
	totalMs: number;
}

export interface QueueStack {
	sim: SimulatorProcess;
	postgres: PostgresServer;
	redis: RedisServer;
	main: N8nInstance;
	/** The current process of each worker slot (a restarted worker replaces its slot's entry). */
	workers: N8nInstance[];
	/** Every worker process started so far, restarted ones included, with its slot. */
	workerHistory: Array<{ index: number; worker: N8nInstance }>;
	client: N8nClient;
	/** A credential with the simulator's Business key and origin. */
	business: CredentialRef;
	timings: QueueStackTimings;
	/** Sends `signal` (default SIGKILL) to the worker's whole process group (n8n and its task runners). */
	killWorker(index: number, signal?: NodeJS.Signals): Promise<void>;
	/** Starts the worker of slot `index` again (same user folder), or a new slot when `index` is omitted. */
	startWorker(index?: number): Promise<N8nInstance>;
	/** What the worker processes logged about an execution (started / finished / errored), by time. */
	workerEvents(executionId: string): Array<WorkerLogEvent & { slot: number }>;
	/** Slots whose worker processes logged "Worker started execution <id>" (any process of the slot). */
	workersThatStarted(executionId: string): number[];
	/** Undoes everything that got started, in reverse order, and releases the e2e lock. */
	stop(): Promise<void>;
}

/** A line of a worker's log about one execution (n8n 1.123 and 2.41 log these the same way). */
export interface WorkerLogEvent {
	event: 'started' | 'finished' | 'errored';
	executionId: string;
	/** The Bull job id. */
	jobId: string;
	/** The log line's timestamp (ms). */
	at: number;
}

const WORKER_EVENT = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) \| \w+\s*\| Worker (started|finished|errored while running) execution (\S+) \(job (\S+)\)/gm;

/** The executions an n8n worker process logged it started, finished or errored on, in log order. */
export function workerLogEvents(worker: N8nInstance): WorkerLogEvent[] {
	let log = '';
	try {
		log = worker.readLog();
	} catch {
		return [];
	}
	return [...log.matchAll(WORKER_EVENT)].map((m) => ({
		event: m[2] === 'errored while running' ? 'errored' : (m[2] as 'started' | 'finished'),
		executionId: m[3],
		jobId: m[4],
		at: Date.parse(m[1]),
	}));
}

export async function startQueueStack(version: string, options: QueueStackOptions = {}): Promise<QueueStack> {
	const release = await acquireE2eLock();
	const begun = Date.now();
	let sim: SimulatorProcess | undefined;
	let postgres: PostgresServer | undefined;
	let redis: RedisServer | undefined;
	let main: N8nInstance | undefined;
	const workers: N8nInstance[] = [];
	const workerHistory: Array<{ index: number; worker: N8nInstance }> = [];

	const workerEvents = (executionId: string) =>
		workerHistory
			.flatMap(({ index, worker }) =>
				workerLogEvents(worker)
					.filter((e) => e.executionId === executionId)
					.map((e) => ({ ...e, slot: index })),
			)
			.sort((a, b) => a.at - b.at);

	const stop = async () => {
		// Reverse order; each step runs whatever failed before it.
		const steps: Array<() => Promise<void> | undefined> = [
			() => Promise.all(workerHistory.map(async ({ worker }) => await worker.stop())).then(() => undefined),
			() => main?.stop(),
			() => redis?.dispose(),
			() => postgres?.dispose(),
			() => sim?.stop(),
		];
		for (const step of steps) {
			try {
				await step();
			} catch {
				// keep stopping the rest
			}
		}
		release();
	};

	try {
		sim = await startSimulator(options.simulator ?? FAST_SIMULATOR);
		const storesStarted = Date.now();
		[postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
		const storesMs = Date.now() - storesStarted;

		const shared: StartN8nOptions = {
			version,
			postgres,
			queue: { redis },
			logLevel: options.logLevel,
		};
		main = await startN8n({ ...shared, env: options.env });
		const mainUrl = main.baseUrl;
		const workerOptions = (userFolder?: string): StartN8nOptions => ({
			...shared,
			command: 'worker',
			userFolder,
			args: options.concurrency !== undefined ? [`--concurrency=${options.concurrency}`] : [],
			// Workers build resume and webhook URLs: they point at the main.
			env: { WEBHOOK_URL: `${mainUrl}/`, N8N_EDITOR_BASE_URL: mainUrl, ...options.env },
		});
		const launch = async (index: number, userFolder?: string) => {
			const worker = await startN8n(workerOptions(userFolder));
			workers[index] = worker;
			workerHistory.push({ index, worker });
			return worker;
		};

		const workersStarted = Date.now();
		await Promise.all(Array.from({ length: options.workers ?? 2 }, async (_v, index) => await launch(index)));
		const workersMs = Date.now() - workersStarted;

		const client = await N8nClient.ready(main.baseUrl);
		const business = await client.createCredential({
			name: 'Perceptis business',
			type: PERCEPTIS_CREDENTIAL_TYPE,
			data: { apiKey: sim.keys.business, baseUrl: sim.origin },
		});
		return {
			sim,
			postgres,
			redis,
			main,
			workers,
			workerHistory,
			client,
			business,
			timings: { storesMs, mainMs: main.startMs, workersMs, totalMs: Date.now() - begun },
			async killWorker(index, signal = 'SIGKILL') {
				const worker = workers[index];
				if (!worker) throw new Error(`no worker ${index}`);
				await worker.kill(signal);
			},
			async startWorker(index) {
				if (index === undefined) return await launch(workers.length);
				const previous = workers[index];
				if (previous?.isRunning()) throw new Error(`worker ${index} is still running (pid ${previous.pid})`);
				await previous?.stop();
				return await launch(index, previous?.userFolder);
			},
			workerEvents,
			workersThatStarted(executionId) {
				const slots = workerEvents(executionId)
					.filter((e) => e.event === 'started')
					.map((e) => e.slot);
				return [...new Set(slots)];
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
