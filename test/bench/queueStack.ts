/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/require-node-api-error -- test code: runs in Node under jest, never inside n8n */
/**
 * One contender's queue-mode stack for the queue benchmark (`npm run bench:queue`): its own
 * PostgreSQL server, its own Redis server, one n8n main and one `n8n worker --concurrency=N`, the
 * same way test/e2e/harness/queue.ts builds them (EXECUTIONS_MODE=queue, the same encryption key,
 * each process its own user folder with the package, n8n's queue-mode default binary data mode),
 * but without taking the e2e lock: the benchmark holds it once for all its stacks, which run side
 * by side. Also the samplers the benchmark reads: Bull's active job count in the stack's Redis
 * (the worker slots held), the database's size, and the machine's CPU load.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
	findPostgresBin,
	N8nClient,
	PACKAGE_NAME,
	startN8n,
	startPostgres,
	startRedis,
	type N8nInstance,
	type PostgresServer,
	type RedisServer,
	type StartN8nOptions,
} from '../e2e/harness';

/** Bull's list of the jobs a worker is running: QUEUE_BULL_PREFIX (n8n's default `bull`) : queue name (`jobs`) : active. */
export const BULL_ACTIVE_KEY = 'bull:jobs:active';

export interface QueueBenchStack {
	label: string;
	postgres: PostgresServer;
	redis: RedisServer;
	main: N8nInstance;
	worker: N8nInstance;
	client: N8nClient;
	/** Milliseconds from the first spawn to a signed-in client. */
	startMs: number;
	/** Stops worker, main, Redis and Postgres (whatever started) and removes the user folders. */
	dispose(): Promise<void>;
}

export interface QueueBenchStackOptions {
	label: string;
	version: string;
	concurrency: number;
	logLevel?: string;
	/**
	 * A compiled package folder (BENCH_BUILD=1) copied into each process's user folder instead of
	 * dist/. Undefined: the harness copies package.json and dist/ as usual.
	 */
	packageDir?: string;
}

/** A user folder with `packageDir` installed where n8n looks for community packages. */
function userFolderWith(packageDir: string): string {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-qbench-n8n-'));
	const target = path.join(folder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	fs.mkdirSync(path.dirname(target), { recursive: true });
	fs.cpSync(packageDir, target, { recursive: true });
	return folder;
}

export async function startQueueBenchStack(options: QueueBenchStackOptions): Promise<QueueBenchStack> {
	const begun = Date.now();
	let postgres: PostgresServer | undefined;
	let redis: RedisServer | undefined;
	let main: N8nInstance | undefined;
	let worker: N8nInstance | undefined;
	const folders: string[] = [];
	const dispose = async () => {
		const steps: Array<() => Promise<void> | undefined> = [
			// dispose(): also removes the user folders the harness made (BENCH_BUILD's are removed below).
			() => worker?.dispose(),
			() => main?.dispose(),
			() => redis?.dispose(),
			() => postgres?.dispose(),
		];
		for (const step of steps) {
			try {
				await step();
			} catch {
				// keep stopping the rest
			}
		}
		for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
	};
	const processOptions = (): Partial<StartN8nOptions> => {
		if (!options.packageDir) return {};
		const userFolder = userFolderWith(options.packageDir);
		folders.push(userFolder);
		return { userFolder, loadPackage: false };
	};
	try {
		[postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
		const shared: StartN8nOptions = {
			version: options.version,
			postgres,
			queue: { redis },
			// info, as production logs: the worker's "Worker started/finished execution" lines are info.
			logLevel: options.logLevel ?? 'info',
			// Several n8n processes start at once on a small machine; the first start runs every migration.
			readyTimeoutMs: 420_000,
		};
		// JSON log lines: timestamps at level info (text lines carry them only at debug).
		main = await startN8n({ ...shared, ...processOptions(), env: { N8N_LOG_FORMAT: 'json' } });
		worker = await startN8n({
			...shared,
			...processOptions(),
			command: 'worker',
			args: [`--concurrency=${options.concurrency}`],
			// Workers build resume and webhook URLs: they point at the main. workerSlotEvents reads the JSON lines.
			env: { WEBHOOK_URL: `${main.baseUrl}/`, N8N_EDITOR_BASE_URL: main.baseUrl, N8N_LOG_FORMAT: 'json' },
		});
		const client = await N8nClient.ready(main.baseUrl);
		return { label: options.label, postgres, redis, main, worker, client, startMs: Date.now() - begun, dispose };
	} catch (error) {
		await dispose();
		throw error;
	}
}

// ---------------------------------------------------------------------------------------------
// Worker slots from the worker's own log
// ---------------------------------------------------------------------------------------------

export interface WorkerSlotEvent {
	event: 'started' | 'finished' | 'errored';
	executionId: string;
	/** The Bull job id: one per segment of an execution (its start, and each resume after a park). */
	jobId: string;
	at: number;
}

const SLOT_MESSAGE = /^Worker (started|finished|errored while running) execution (\S+) \(job (\S+)\)/;

/**
 * n8n's job processor logs "Worker started execution <id> (job <bull id>)" when it takes a Bull
 * job and "Worker finished execution …" when the job is done (the execution ended or parked), at
 * level info. Read from the worker's JSON log lines (N8N_LOG_FORMAT=json: `timestamp`, `message`)
 * or from text lines with a timestamp (level debug).
 */
export function workerSlotEvents(logText: string): WorkerSlotEvent[] {
	const events: WorkerSlotEvent[] = [];
	for (const line of logText.split('\n')) {
		if (!line.includes('Worker ')) continue;
		let message: string | undefined;
		let at = Number.NaN;
		if (line.startsWith('{')) {
			try {
				const entry = JSON.parse(line) as { message?: unknown; timestamp?: unknown; metadata?: { timestamp?: unknown } };
				message = typeof entry.message === 'string' ? entry.message : undefined;
				const stamp = entry.timestamp ?? entry.metadata?.timestamp;
				at = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
			} catch {
				continue;
			}
		} else {
			const text = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) \| \w+\s*\| (.*)$/.exec(line);
			if (text) {
				at = Date.parse(text[1]);
				message = text[2];
			}
		}
		const match = message === undefined ? null : SLOT_MESSAGE.exec(message);
		if (!match || !Number.isFinite(at)) continue;
		events.push({ event: match[1] === 'errored while running' ? 'errored' : (match[1] as 'started' | 'finished'), executionId: match[2], jobId: match[3], at });
	}
	return events;
}

// ---------------------------------------------------------------------------------------------
// Worker slots: Bull's active job count, sampled and integrated
// ---------------------------------------------------------------------------------------------

export interface SlotUsage {
	/** ∫ active jobs dt over the sampled window, seconds. */
	slotSeconds: number;
	peakActive: number;
	samples: number;
	/** Largest time between two samples, ms (the integration step actually achieved). */
	maxStepMs: number;
	wallSeconds: number;
	/** Samples that failed (Redis did not answer): the step across them is still integrated. */
	failures: number;
}

/**
 * Samples `LLEN bull:jobs:active` every `intervalMs` (each answer timed on arrival) and integrates
 * it as a step function: every sample's count holds until the next sample.
 */
export function sampleActiveSlots(redis: RedisServer, intervalMs = 200): { stop(): Promise<SlotUsage> } {
	const started = Date.now();
	let stopped = false;
	let last: { at: number; count: number } | undefined;
	let slotMs = 0;
	let peak = 0;
	let samples = 0;
	let failures = 0;
	let maxStepMs = 0;
	const take = async () => {
		try {
			const reply = await redis.command(`LLEN ${BULL_ACTIVE_KEY}`);
			const match = /^:(\d+)/.exec(reply);
			if (!match) throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
			const at = Date.now();
			const count = Number(match[1]);
			if (last) {
				slotMs += last.count * (at - last.at);
				maxStepMs = Math.max(maxStepMs, at - last.at);
			}
			last = { at, count };
			peak = Math.max(peak, count);
			samples += 1;
		} catch {
			failures += 1;
		}
	};
	const loop = (async () => {
		while (!stopped) {
			const before = Date.now();
			await take();
			const rest = intervalMs - (Date.now() - before);
			if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
		}
	})();
	return {
		async stop() {
			stopped = true;
			await loop;
			await take();
			return { slotSeconds: slotMs / 1000, peakActive: peak, samples, maxStepMs, wallSeconds: (Date.now() - started) / 1000, failures };
		},
	};
}

// ---------------------------------------------------------------------------------------------
// The database's size
// ---------------------------------------------------------------------------------------------

/** pg_database_size of the stack's n8n database, bytes (psql over TCP, the harness's test password). */
export async function databaseBytes(postgres: PostgresServer): Promise<number> {
	const psql = path.join(findPostgresBin(), 'psql');
	const program = fs.existsSync(psql) ? psql : 'psql';
	const stdout = await new Promise<string>((resolve, reject) =>
		execFile(
			program,
			['-h', postgres.host, '-p', String(postgres.port), '-U', postgres.user, '-d', postgres.database, '-tAc', `SELECT pg_database_size('${postgres.database}')`],
			{ env: { PATH: process.env.PATH, PGPASSWORD: postgres.password, PGCONNECT_TIMEOUT: '10' }, timeout: 30_000 },
			(error, out, err) => (error ? reject(new Error(`psql failed: ${error.message} ${err}`)) : resolve(out)),
		),
	);
	const bytes = Number(stdout.trim());
	if (!Number.isFinite(bytes)) throw new Error(`pg_database_size gave ${JSON.stringify(stdout)}`);
	return bytes;
}

// ---------------------------------------------------------------------------------------------
// The machine's CPU load (the contenders share it)
// ---------------------------------------------------------------------------------------------

function cpuTimes(): { busy: number; total: number } {
	const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
	const fields = line.trim().split(/\s+/).slice(1).map(Number);
	// user nice system idle iowait irq softirq steal …
	const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
	const idle = fields[3] + (fields[4] ?? 0);
	return { busy: total - idle, total };
}

export interface CpuLoad {
	/** Busy share of all CPUs over the window, 0..1. */
	mean: number;
	/** The busiest sampling interval's share. */
	peak: number;
	/** Share of intervals at least 90 % busy. */
	saturatedShare: number;
}

/** Busy share of the machine's CPUs (/proc/stat), sampled every `intervalMs`. */
export function sampleCpu(intervalMs = 1000): { stop(): CpuLoad } {
	const first = cpuTimes();
	let previous = first;
	let peak = 0;
	let intervals = 0;
	let saturated = 0;
	const timer = setInterval(() => {
		const now = cpuTimes();
		const total = now.total - previous.total;
		if (total > 0) {
			const share = (now.busy - previous.busy) / total;
			peak = Math.max(peak, share);
			intervals += 1;
			if (share >= 0.9) saturated += 1;
		}
		previous = now;
	}, intervalMs);
	return {
		stop() {
			clearInterval(timer);
			const last = cpuTimes();
			const total = last.total - first.total;
			return { mean: total > 0 ? (last.busy - first.busy) / total : Number.NaN, peak, saturatedShare: intervals ? saturated / intervals : Number.NaN };
		},
	};
}
