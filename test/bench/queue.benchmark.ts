/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Queue-mode benchmark, not a test (`npm run bench:queue`; `BENCH_QUICK=1 npm run bench:queue` for
 * the short CI run). See README.md in this folder. Needs n8n 2.41.1 (scripts/n8n/install.sh),
 * Debian's postgresql and redis-server, and `npm run build` (or BENCH_BUILD=1).
 *
 * Many long decks in n8n's queue mode, three ways: the node waiting in place (holding a worker slot
 * for the whole job), the parked loop of examples/batch-decks-queue-mode.json (Generate → Wait
 * {{ $json.nextCheckInSeconds }} s → Check Status → Still Running → back to the Wait; a Wait of 65 s
 * or more parks the execution and frees the slot) and the hand-built loop (HTTP Request → Wait 70 s → IF).
 * Each contender gets its own stack — PostgreSQL, Redis, one main, ONE worker with --concurrency —
 * and all three run side by side against one simulator (timeScale 1; each contender its own key),
 * every deck started by its own webhook call, all at once. Prints one table and the targets, and
 * writes them to docs/benchmark-queue.md (docs/benchmark-queue-quick.md in quick mode; BENCH_OUT
 * overrides).
 *
 * Targets are printed with PASS/FAIL; nothing here asserts a speed. The test fails only when a run
 * itself breaks: an execution that errors, a job missing or not completed, a file missing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
	acquireE2eLock,
	REPO_ROOT,
	startSimulator,
	type CredentialRef,
	type Execution,
	type N8nClient,
	type PlanKey,
	type SimulatorJobCheckGaps,
	type SimulatorProcess,
	type WorkflowDefinition,
} from '../e2e/harness';
import { TIMING } from '../../core/pacing/timing';
import { buildInto, distStaleness } from './build';
import { mean, percentile, seededRandom, uniformSeconds } from './model';
import {
	databaseBytes,
	sampleActiveSlots,
	sampleCpu,
	startQueueBenchStack,
	workerSlotEvents,
	type CpuLoad,
	type QueueBenchStack,
	type SlotUsage,
} from './queueStack';
import { DESTINATION, handLoopWorkflow, inPlaceWorkflow, parkedLoopWorkflow } from './queueWorkflows';
import { fixed, machine, machineLines, markdownTable, textTable, verdict, type Cell } from './report';
import { log, sleep, type SimJob } from './runner';

const QUICK = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');
const BUILD = /^(1|true|yes)$/i.test(process.env.BENCH_BUILD ?? '');
const N8N_VERSION = '2.41.1';
const SEED = 20_261_203;
/** The hand loop's Wait: over n8n's 65 s park threshold, so it frees the slot too. */
const HAND_WAIT_SECONDS = 70;
const PARK_THRESHOLD_MS = 65_000;
/** Without a server hint, the node's first parked look at a deck: a share of its shortest published time (core/pacing). */
const FIRST_LOOK_SECONDS = (TIMING.expectedDurationMs.deck.from * TIMING.parkedFirstLookShare) / 1000;
const SETTLE_MS = 3_000;
/** Marks the measured jobs in the simulator (warm-up jobs have another prompt). */
const PROMPT_MARK = 'Queue benchmark deck';
/** Two worker jobs of one execution starting closer than this were no park and resume (a resume parks ≥ 65 s). */
const RESUME_BURST_MS = 10_000;
/** Where each stack's main and worker logs are kept after the run (they are small at level info). */
const LOG_DIR = path.join(os.tmpdir(), `perceptis-qbench-logs-${new Date().toISOString().replace(/[:.]/g, '-')}`);

interface Mode {
	name: 'quick' | 'full';
	decks: number;
	concurrency: number;
	/** Seeded job durations, uniform in [min, max] seconds. */
	jobSeconds: [number, number];
}

const MODE: Mode = QUICK
	? { name: 'quick', decks: 20, concurrency: 5, jobSeconds: [30, 60] }
	: { name: 'full', decks: 40, concurrency: 10, jobSeconds: [120, 240] };
const OUT = process.env.BENCH_OUT ?? path.join(REPO_ROOT, 'docs', QUICK ? 'benchmark-queue-quick.md' : 'benchmark-queue.md');

type Kind = 'inPlace' | 'parked' | 'hand';

interface ContenderSpec {
	kind: Kind;
	name: string;
	/** The simulator key of this contender: its jobs and checks are told apart by it. */
	key: PlanKey;
	path: string;
}

const CONTENDERS: ContenderSpec[] = [
	{ kind: 'inPlace', name: 'in place (Generate waits)', key: 'enterprise', path: 'qbench-in-place' },
	{ kind: 'parked', name: 'parked loop (Wait + Check Status)', key: 'business', path: 'qbench-parked' },
	{ kind: 'hand', name: `hand loop (HTTP + Wait ${HAND_WAIT_SECONDS} s)`, key: 'business2', path: 'qbench-hand' },
];

interface ContenderResult {
	spec: ContenderSpec;
	jobs: number;
	longest: number;
	stackStartSeconds?: number;
	/** Lock taken → first webhook call of the measured run, and → done. */
	startedAtMinute?: number;
	doneAtMinute?: number;
	webhookMaxMs?: number;
	wall?: number;
	ratio?: number;
	slots?: SlotUsage;
	slotPerJob?: number;
	/** The same from the worker's log: Σ (Worker finished − Worker started) per Bull job ÷ jobs. */
	logSlotPerJob?: number;
	segmentsPerExecution?: number;
	maxExecutionSlotSeconds?: number;
	/** Executions whose worker started two of their jobs within RESUME_BURST_MS of each other (a resume of a resume). */
	closeResumes?: number;
	/** Jobs with two status checks under 1 s apart. */
	closeCheckJobs?: number;
	statusPerJob?: number;
	detectP50?: number;
	detectP95?: number;
	dbGrowthBytes?: number;
	dbBeforeBytes?: number;
	minCheckGapMs?: number | null;
	minFirstCheckGapMs?: number | null;
	minContactGapMs?: number | null;
	meanFileBytes?: number;
	/** The Node binary n8n runs on (for the report's machine line). */
	n8nNode?: string;
	errors: string[];
}

// ---------------------------------------------------------------------------------------------
// One contender on its own stack
// ---------------------------------------------------------------------------------------------

const deckPrompt = (index: number, total: number, seconds: number) => `${PROMPT_MARK} ${index + 1} of ${total} [sim:seconds=${seconds}]`;

async function credentialFor(client: N8nClient, spec: ContenderSpec, sim: SimulatorProcess): Promise<CredentialRef> {
	if (spec.kind === 'hand') {
		return await client.createCredential({
			name: `Perceptis header auth (${spec.key})`,
			type: 'httpHeaderAuth',
			data: { name: 'Authorization', value: `Bearer ${sim.keys[spec.key]}` },
		});
	}
	return await client.createCredential({ name: `Perceptis API (${spec.key})`, type: 'perceptisApi', data: { apiKey: sim.keys[spec.key], baseUrl: sim.origin } });
}

function workflowFor(spec: ContenderSpec, credential: CredentialRef, sim: SimulatorProcess): WorkflowDefinition {
	const name = `Queue bench: ${spec.name}`;
	if (spec.kind === 'inPlace') return inPlaceWorkflow(name, spec.path, credential);
	if (spec.kind === 'parked') return parkedLoopWorkflow(name, spec.path, credential);
	return handLoopWorkflow(name, spec.path, sim.origin, credential, HAND_WAIT_SECONDS);
}

const FINISHED = (e: Execution) => !!e.stoppedAt && !['running', 'new', 'waiting', 'queued'].includes(e.status);

/** Waits until `count` executions after `afterId` have ended; returns them (no data). */
async function waitForEnded(client: N8nClient, workflowId: string, afterId: number, count: number, deadline: number): Promise<Execution[]> {
	let lastReport = Date.now();
	for (;;) {
		const mine = (await client.getExecutions({ workflowId, limit: 250 })).filter((e) => Number(e.id) > afterId);
		const ended = mine.filter(FINISHED);
		if (ended.length >= count) return ended;
		if (Date.now() > deadline) {
			const statuses: Record<string, number> = {};
			for (const e of mine) statuses[e.status] = (statuses[e.status] ?? 0) + 1;
			throw new Error(`${ended.length} of ${count} executions ended before the deadline (${JSON.stringify(statuses)})`);
		}
		if (Date.now() - lastReport > 60_000) {
			lastReport = Date.now();
			const waiting = mine.filter((e) => e.status === 'waiting').length;
			log(`  workflow ${workflowId}: ${ended.length}/${count} ended, ${waiting} parked, ${Math.max(0, count - ended.length - waiting)} running or queued`);
		}
		await sleep(2_000);
	}
}

const ids = (executions: Execution[]) => new Set(executions.map((e) => String(e.id)));

/** When the file reached the destination (its NoOp's start), and whether it is there. */
function destinationOf(execution: Execution): { at?: number; bytes?: number; problem?: string } {
	const runs = execution.data?.resultData.runData[DESTINATION] ?? [];
	const run = runs[0];
	if (!run) return { problem: `execution #${execution.id}: nothing reached ${DESTINATION} (last node ${execution.data?.resultData.lastNodeExecuted ?? '–'})` };
	const items = run.data?.main[0] ?? [];
	if (runs.length !== 1 || items.length !== 1) return { problem: `execution #${execution.id}: ${DESTINATION} ran ${runs.length}× with ${items.length} items` };
	const file = items[0].binary?.data;
	// n8n records the size as `bytes` (and a human-readable `fileSize`).
	const bytes = typeof file?.bytes === 'number' ? file.bytes : Number.NaN;
	if (!file) return { problem: `execution #${execution.id}: the item at ${DESTINATION} has no file` };
	return { at: Number(run.startTime), bytes: Number.isFinite(bytes) ? bytes : undefined, problem: Number.isFinite(Number(run.startTime)) ? undefined : `execution #${execution.id}: no startTime` };
}

/** The machine's CPU over the measured runs: from the first contender's first webhook call to the last one's end. */
class CpuWindow {
	private sampler?: { stop(): CpuLoad };
	begin(): void {
		this.sampler ??= sampleCpu(1000);
	}
	end(): CpuLoad | undefined {
		return this.sampler?.stop();
	}
}

async function runContender(
	spec: ContenderSpec,
	sim: SimulatorProcess,
	seconds: number[],
	packageDir: string | undefined,
	lockedAt: number,
	cpu: CpuWindow,
): Promise<ContenderResult> {
	const result: ContenderResult = { spec, jobs: seconds.length, longest: Math.max(...seconds), errors: [] };
	const say = (line: string) => log(`${spec.name}: ${line}`);
	let stack: QueueBenchStack | undefined;
	try {
		stack = await startQueueBenchStack({ label: spec.kind, version: N8N_VERSION, concurrency: MODE.concurrency, packageDir });
		result.stackStartSeconds = stack.startMs / 1000;
		result.n8nNode = stack.main.install.node;
		say(`stack ready in ${fixed(result.stackStartSeconds)} s (main ${stack.main.baseUrl}, worker pid ${stack.worker.pid}, postgres :${stack.postgres.port}, redis :${stack.redis.port})`);
		const { client } = stack;
		const credential = await credentialFor(client, spec, sim);
		const workflowId = await client.deploy(workflowFor(spec, credential, sim));

		// Warm-up: one short deck through the whole workflow (the worker loads the nodes' code).
		const warm = await client.runWebhook(spec.path, { prompt: 'Warm-up deck [sim:seconds=0.5]' }, { responseType: 'text' });
		if (warm.status !== 202) throw new Error(`the warm-up webhook answered ${warm.status}: ${String(warm.data).slice(0, 300)}`);
		const [warmed] = await waitForEnded(client, workflowId, 0, 1, Date.now() + 300_000);
		if (warmed.status !== 'success') throw new Error(`the warm-up execution #${warmed.id} ended "${warmed.status}"`);
		const afterId = Number(warmed.id);
		say(`warm-up execution #${warmed.id} ${warmed.status}`);
		await sleep(SETTLE_MS);

		result.dbBeforeBytes = await databaseBytes(stack.postgres);
		const slots = sampleActiveSlots(stack.redis, 200);
		cpu.begin();
		const t0 = Date.now();
		result.startedAtMinute = (t0 - lockedAt) / 60_000;
		const answers = await Promise.all(
			seconds.map(async (s, i) => {
				const sent = Date.now();
				const response = await client.runWebhook(spec.path, { prompt: deckPrompt(i, seconds.length, s) }, { responseType: 'text', timeoutMs: 60_000 });
				return { status: response.status, ms: Date.now() - sent, body: String(response.data) };
			}),
		);
		result.webhookMaxMs = Math.max(...answers.map((a) => a.ms));
		const refused = answers.filter((a) => a.status !== 202);
		if (refused.length) result.errors.push(`${refused.length} webhook calls were not accepted (first: ${refused[0].status} ${refused[0].body.slice(0, 200)})`);
		say(`${answers.length} webhook calls answered within ${result.webhookMaxMs} ms`);

		const budgetMs = (contenderModelSeconds(spec.kind, seconds) * 1.5 + 600) * 1000;
		let ended: Execution[] = [];
		try {
			ended = await waitForEnded(client, workflowId, afterId, seconds.length - refused.length, t0 + budgetMs);
		} catch (error) {
			result.errors.push((error as Error).message);
		}
		result.slots = await slots.stop();
		result.doneAtMinute = (Date.now() - lockedAt) / 60_000;
		result.slotPerJob = result.slots.slotSeconds / seconds.length;
		await sleep(SETTLE_MS);
		result.dbGrowthBytes = (await databaseBytes(stack.postgres)) - result.dbBeforeBytes;

		// The executions with their data: every one succeeded, with one file at the destination.
		const measured = ids(ended);
		const executions = (await client.getExecutions({ workflowId, includeData: true, limit: 250 })).filter((e) => measured.has(String(e.id)));
		let lastFileAt = 0;
		const bytes: number[] = [];
		for (const execution of executions) {
			if (execution.status !== 'success') {
				result.errors.push(`execution #${execution.id} ended "${execution.status}": ${execution.data?.resultData.error?.message ?? ''}`);
				continue;
			}
			const arrived = destinationOf(execution);
			if (arrived.problem) result.errors.push(arrived.problem);
			if (arrived.at !== undefined) lastFileAt = Math.max(lastFileAt, arrived.at);
			if (arrived.bytes !== undefined) bytes.push(arrived.bytes);
		}
		if (executions.length !== seconds.length) result.errors.push(`${executions.length} executions for ${seconds.length} decks`);
		if (lastFileAt > 0) {
			result.wall = (lastFileAt - t0) / 1000;
			result.ratio = result.wall / result.longest;
		}
		result.meanFileBytes = bytes.length ? mean(bytes) : undefined;

		// The worker's own account: each Bull job from "Worker started" to "Worker finished".
		const events = workerSlotEvents(stack.worker.readLog()).filter((e) => measured.has(e.executionId));
		const starts = new Map(events.filter((e) => e.event === 'started').map((e) => [e.jobId, e]));
		const perExecution = new Map<string, number>();
		let logSlotMs = 0;
		for (const end of events.filter((e) => e.event !== 'started')) {
			const start = starts.get(end.jobId);
			if (!start) continue;
			logSlotMs += end.at - start.at;
			perExecution.set(end.executionId, (perExecution.get(end.executionId) ?? 0) + (end.at - start.at));
		}
		result.logSlotPerJob = logSlotMs / 1000 / seconds.length;
		result.segmentsPerExecution = starts.size / Math.max(1, measured.size);
		result.maxExecutionSlotSeconds = perExecution.size ? Math.max(...perExecution.values()) / 1000 : undefined;
		const startsOf = new Map<string, number[]>();
		for (const start of starts.values()) startsOf.set(start.executionId, [...(startsOf.get(start.executionId) ?? []), start.at]);
		result.closeResumes = [...startsOf.values()].filter((times) => {
			const sorted = [...times].sort((a, b) => a - b);
			return sorted.some((t, i) => i > 0 && t - sorted[i - 1] < RESUME_BURST_MS);
		}).length;

		await simulatorFigures(result, sim);
		say(
			`wall ${fixed(result.wall)} s (${fixed(result.ratio, 2)} × longest), ${fixed(result.slotPerJob)} slot-s/job (log ${fixed(result.logSlotPerJob)}), ` +
				`${fixed(result.statusPerJob, 2)} checks/job, detection p50 ${fixed(result.detectP50)} s p95 ${fixed(result.detectP95)} s, ` +
				`DB +${fixed((result.dbGrowthBytes ?? Number.NaN) / 1e6, 1)} MB${result.errors.length ? `; ERRORS: ${result.errors.join('; ')}` : ''}`,
		);
	} catch (error) {
		result.errors.push(`the run stopped: ${(error as Error).message}`);
		say(`ERROR ${(error as Error).stack ?? error}`);
	} finally {
		if (stack) {
			// The logs outlive the stack (dispose() removes the user folders): for a post-mortem of odd figures.
			try {
				const dir = path.join(LOG_DIR, spec.kind);
				fs.mkdirSync(dir, { recursive: true });
				fs.copyFileSync(stack.main.logPath, path.join(dir, 'main.log'));
				fs.copyFileSync(stack.worker.logPath, path.join(dir, 'worker.log'));
				say(`logs kept in ${dir}`);
			} catch {
				// a stack that did not start has no logs to keep
			}
		}
		await stack?.dispose();
	}
	return result;
}

/** Status checks, detection delay and check gaps of the contender's measured jobs (its key, its prompts). */
async function simulatorFigures(result: ContenderResult, sim: SimulatorProcess): Promise<void> {
	const jobs = ((await sim.jobs()) as Array<SimJob & { prompt?: string }>).filter(
		(job) => job.keyPlan === result.spec.key && (job.prompt ?? '').startsWith(PROMPT_MARK),
	);
	if (jobs.length !== result.jobs) result.errors.push(`${jobs.length} jobs reached the simulator, ${result.jobs} expected`);
	const delays: number[] = [];
	for (const job of jobs) {
		if (job.status !== 'completed' || job.completedAt === null) {
			result.errors.push(`job ${job.id} is ${job.status}`);
			continue;
		}
		const seen = job.pollTimes.find((t) => t >= job.completedAt!);
		if (seen === undefined) result.errors.push(`job ${job.id}: no status answer after it completed`);
		else delays.push((seen - job.completedAt) / 1000);
	}
	result.detectP50 = percentile(delays, 50);
	result.detectP95 = percentile(delays, 95);
	const mine = new Set(jobs.map((job) => job.id));
	const gaps = (await sim.checkGaps()).jobs.filter((job: SimulatorJobCheckGaps) => mine.has(job.id));
	result.statusPerJob = gaps.reduce((sum, job) => sum + job.statusChecks, 0) / result.jobs;
	const least = (values: Array<number | null>) => {
		const known = values.filter((v): v is number => v !== null);
		return known.length ? Math.min(...known) : null;
	};
	result.minCheckGapMs = least(gaps.map((job) => job.minCheckGapMs));
	result.closeCheckJobs = gaps.filter((job) => job.minCheckGapMs !== null && job.minCheckGapMs < 1000).length;
	result.minFirstCheckGapMs = least(gaps.map((job) => job.firstCheckGapMs));
	result.minContactGapMs = least(gaps.map((job) => job.minContactGapMs));
}

// ---------------------------------------------------------------------------------------------
// Models: what each contender should take
// ---------------------------------------------------------------------------------------------

/** Jobs run in order on `slots` slots, each taking the first free one: the time the last one ends. */
export function fifoMakespan(seconds: number[], slots: number): number {
	const free = new Array<number>(slots).fill(0);
	let end = 0;
	for (const s of seconds) {
		const slot = free.indexOf(Math.min(...free));
		free[slot] += s;
		end = Math.max(end, free[slot]);
	}
	return end;
}

/** About how long a contender's run should take, seconds (for its deadline only). */
function contenderModelSeconds(kind: Kind, seconds: number[]): number {
	if (kind === 'inPlace') return fifoMakespan(seconds, MODE.concurrency);
	// A loop looks first after its first wait, then about a minute apart.
	return Math.max(...seconds) + Math.max(FIRST_LOOK_SECONDS, HAND_WAIT_SECONDS) + 2 * HAND_WAIT_SECONDS;
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

class Report {
	readonly text: string[] = [];
	readonly markdown: string[] = [];

	title(title: string): void {
		this.text.push(title);
		this.markdown.push(`# ${title}`, '');
	}

	heading(title: string): void {
		this.text.push('', title, '='.repeat(title.length));
		this.markdown.push('', `## ${title}`, '');
	}

	para(...lines: string[]): void {
		this.text.push(...lines);
		this.markdown.push(...lines.map((line) => `${line}  `), '');
	}

	table(headers: string[], rows: Cell[][]): void {
		const last = headers.length - 1;
		if (headers[last] === '' && rows.every((row) => !row[last])) {
			headers = headers.slice(0, last);
			rows = rows.map((row) => row.slice(0, last));
		}
		this.text.push('', textTable(headers, rows), '');
		this.markdown.push(markdownTable(headers, rows), '');
	}
}

interface Target {
	what: string;
	measured: string;
	limit: string;
	ok: boolean | undefined;
}

const known = (...values: Array<number | null | undefined>) => values.every((v) => typeof v === 'number' && Number.isFinite(v));
const atMost = (value: number | null | undefined, limit: number | null | undefined) => (known(value, limit) ? value! <= limit! : undefined);
const mbOf = (bytes: number | undefined) => fixed(bytes === undefined ? undefined : bytes / 1e6, 1);
const secondsOf = (ms: number | null | undefined) => fixed(ms === null || ms === undefined ? undefined : ms / 1000, 1);

interface Measurements {
	codeNote: string;
	seconds: number[];
	results: ContenderResult[];
	cpu?: CpuLoad;
	lockWaitMinutes: number;
	runMinutes: number;
	errors: string[];
}

function render(m: Measurements): Report {
	const report = new Report();
	const { seconds, results } = m;
	const longest = Math.max(...seconds);
	const of = (kind: Kind) => results.find((r) => r.spec.kind === kind);
	const inPlace = of('inPlace');
	const parked = of('parked');
	const hand = of('hand');
	const model = fifoMakespan(seconds, MODE.concurrency);

	report.title(`Perceptis node in n8n queue mode: waiting in place, parked, hand loop (${MODE.name} mode)`);
	report.para(
		...machineLines(machine(results.find((r) => r.n8nNode)?.n8nNode, N8N_VERSION, REPO_ROOT)),
		`The run took ${m.runMinutes.toFixed(1)} min after the e2e lock (${m.lockWaitMinutes.toFixed(1)} min waiting for it), the three contenders side by side.`,
		m.codeNote,
	);
	report.para(
		`Each contender has its own stack: a PostgreSQL 15 server, a Redis server, one n8n ${N8N_VERSION} main (webhooks, the wait tracker) and ONE ` +
			`\`n8n worker --concurrency=${MODE.concurrency}\`, in queue mode (EXECUTIONS_MODE=queue, n8n's default binary data mode there: database), log level info. ` +
			'One simulator (timeScale 1) serves all three, each contender with its own key.',
		`${seconds.length} decks per contender, started by ${seconds.length} webhook calls at once; every webhook answers at once (202 "accepted"), in place too: ` +
			`the caller never waits for the file. Seed ${SEED}: the same durations for every contender, U[${MODE.jobSeconds[0]}, ${MODE.jobSeconds[1]}] s ` +
			`(\`[sim:seconds=N]\`), longest ${fixed(longest)} s, mean ${fixed(mean(seconds))} s. A warm-up deck of 0.5 s runs through each workflow first.`,
	);
	if (QUICK) {
		report.para(
			`Quick mode: ${MODE.decks} decks of ${MODE.jobSeconds[0]}–${MODE.jobSeconds[1]} s on --concurrency=${MODE.concurrency} (the full run: 40 decks of 2–4 min on 10). ` +
				`The targets are stated for the full run: read these as a smoke check. The parked loop looks at a deck first ${FIRST_LOOK_SECONDS} s after its start, ` +
				'so its wall cannot be short here.',
		);
	}

	report.heading('Figures');
	report.table(
		['contender', 'decks', 'longest s', 'wall s', 'wall ÷ longest', 'slot-s/job', 'status checks/job', 'detection p50 s', 'detection p95 s', 'DB growth MB', 'min check gap s', ''],
		results.map((r) => [
			r.spec.name,
			r.jobs,
			fixed(r.longest),
			fixed(r.wall),
			fixed(r.ratio, 2),
			fixed(r.slotPerJob, 1),
			fixed(r.statusPerJob, 2),
			fixed(r.detectP50),
			fixed(r.detectP95),
			mbOf(r.dbGrowthBytes),
			secondsOf(r.minCheckGapMs),
			r.errors.length ? `ERROR: ${r.errors.join('; ').replace(/\s+/g, ' ').slice(0, 300)}` : '',
		]),
	);
	report.para(
		'wall = first webhook call → the last file at the destination (the start of its `Destination` NoOp in the execution data); longest = the longest seeded job.',
		'slot-s/job = worker slot-seconds ÷ decks: Bull\'s active job count in the stack\'s Redis (`LLEN bull:jobs:active`, the jobs its one worker is running) sampled ' +
			'every 200 ms from the first webhook call until every execution had ended, integrated over time. A parked execution is no Bull job, so it holds nothing.',
		'status checks/job = GET /status requests for the job with its key (simulator, 429s included); detection = the simulator\'s completedAt → the first status answer at or after it.',
		'DB growth = pg_database_size of the stack\'s database after the run (and 3 s of rest) minus before the first webhook call, MB = 10⁶ bytes; ' +
			'it holds the executions (saved on success, as by default), their run data and, in this binary mode, the files. min check gap = the smallest time between two status checks of one job.',
	);
	const detail = (r: ContenderResult | undefined) =>
		r
			? `${r.spec.name}: ${fixed(r.logSlotPerJob)} slot-s/job from the worker's log (Σ "Worker finished" − "Worker started" per Bull job) against ${fixed(r.slotPerJob)} sampled; ` +
				`${fixed(r.segmentsPerExecution, 2)} worker jobs per execution (${r.closeResumes ?? '–'} executions with two starting under ${RESUME_BURST_MS / 1000} s apart), ` +
				`${r.closeCheckJobs ?? '–'} jobs with two status checks under 1 s apart; the longest execution held ${fixed(r.maxExecutionSlotSeconds)} slot-s; peak ${r.slots?.peakActive ?? '–'} active ` +
				`(${r.slots?.samples ?? '–'} samples, longest step ${r.slots?.maxStepMs ?? '–'} ms); webhooks answered within ${r.webhookMaxMs ?? '–'} ms; ` +
				`files ${fixed((r.meanFileBytes ?? Number.NaN) / 1000, 0)} kB on average; stack started in ${fixed(r.stackStartSeconds)} s, measured from minute ${fixed(r.startedAtMinute)} to ${fixed(r.doneAtMinute)}.`
			: '';
	report.para('Cross-checks:', ...results.map(detail));
	report.para(
		`In place, the worker runs ${MODE.concurrency} executions at a time and each holds its slot for its whole job: these ${seconds.length} jobs in order on ${MODE.concurrency} slots ` +
			`end after ${fixed(model)} s = ${fixed(model / longest, 2)} × longest (at most ${Math.ceil(seconds.length / MODE.concurrency)} waves × longest = ` +
			`${fixed(Math.ceil(seconds.length / MODE.concurrency))} × longest).`,
	);
	if (parked) {
		report.para(
			`Parked loop, checks of one job: smallest gap between two status checks ${fixed(parked.minCheckGapMs ?? undefined, 0)} ms, ` +
				`first check ≥ ${fixed(parked.minFirstCheckGapMs ?? undefined, 0)} ms after the start, smallest gap between any two contacts (the start included) ${fixed(parked.minContactGapMs ?? undefined, 0)} ms.`,
		);
	}
	if (m.cpu) {
		report.para(
			`Machine CPU from the first measured webhook call to the last contender's end (all ${os.cpus().length} CPUs, /proc/stat each second): ${fixed(m.cpu.mean * 100, 0)} % busy on average, ` +
				`${fixed(m.cpu.peak * 100, 0)} % at the busiest second, ${fixed(m.cpu.saturatedShare * 100, 1)} % of seconds at 90 % or more.`,
		);
	}

	const targets: Target[] = [];
	targets.push({
		what: "parked loop: wall ÷ longest ≤ the hand loop's",
		measured: fixed(parked?.ratio, 2),
		limit: `≤ ${fixed(hand?.ratio, 2)}`,
		ok: atMost(parked?.ratio, hand?.ratio),
	});
	targets.push({ what: 'parked loop: wall ÷ longest ≤ 1.5', measured: fixed(parked?.ratio, 2), limit: '≤ 1.50', ok: atMost(parked?.ratio, 1.5) });
	const slotLimit = inPlace?.slotPerJob !== undefined ? inPlace.slotPerJob * 0.05 : undefined;
	targets.push({
		what: "parked loop: slot-seconds per job ≤ 5 % of in place's",
		measured: `${fixed(parked?.slotPerJob)} s (${fixed(parked?.slotPerJob !== undefined && inPlace?.slotPerJob ? (parked.slotPerJob / inPlace.slotPerJob) * 100 : undefined, 1)} %)`,
		limit: `≤ ${fixed(slotLimit)} s`,
		ok: atMost(parked?.slotPerJob, slotLimit),
	});
	targets.push({
		what: "parked loop: status checks per job ≤ the hand loop's",
		measured: fixed(parked?.statusPerJob, 2),
		limit: `≤ ${fixed(hand?.statusPerJob, 2)}`,
		ok: atMost(parked?.statusPerJob, hand?.statusPerJob),
	});
	targets.push({
		what: "parked loop: detection p95 ≤ the hand loop's",
		measured: `${fixed(parked?.detectP95)} s`,
		limit: `≤ ${fixed(hand?.detectP95)} s`,
		ok: atMost(parked?.detectP95, hand?.detectP95),
	});
	targets.push({
		what: 'parked loop: no two status checks of one job under 1 s apart (sim minCheckGapMs)',
		measured: `${fixed(parked?.minCheckGapMs ?? undefined, 0)} ms`,
		limit: '≥ 1000 ms',
		ok: known(parked?.minCheckGapMs) ? parked!.minCheckGapMs! >= 1000 : undefined,
	});
	targets.push({
		what: `in place shows its cost: wall ÷ longest near the ${MODE.concurrency}-slot queue (≥ 0.9 × ${fixed(model / longest, 2)}; about 4 expected at 40 on 10)`,
		measured: fixed(inPlace?.ratio, 2),
		limit: `≥ ${fixed(0.9 * (model / longest), 2)}`,
		ok: known(inPlace?.ratio) ? inPlace!.ratio! >= 0.9 * (model / longest) : undefined,
	});
	report.heading('Targets (reported beside the figures, never asserted)');
	report.table(
		['target', 'measured', 'limit', 'verdict'],
		targets.map((t) => [t.what, t.measured, t.limit, verdict(t.ok)]),
	);
	if (parked) {
		report.para(
			`When the parked loop looks: Generate's items say to wait until ${FIRST_LOOK_SECONDS} s after the start (half a deck's shortest published time, ` +
				`no server hint here; core/pacing/parking.ts), then each Check Status of a running job says at least ${PARK_THRESHOLD_MS / 1000} s ` +
				'(n8n parks waits of 65 s or more), so looks come about a minute apart, like the hand loop\'s 70 s.',
		);
	}
	if (m.errors.length) report.para('Runs that broke:', ...m.errors.map((e) => `- ${e}`));
	return report;
}

// ---------------------------------------------------------------------------------------------

async function measure(): Promise<Measurements> {
	const asked = Date.now();
	const release = await acquireE2eLock(90 * 60_000);
	const lockedAt = Date.now();
	const seconds = uniformSeconds(seededRandom(SEED), MODE.decks, MODE.jobSeconds[0], MODE.jobSeconds[1], 1);
	const m: Measurements = { codeNote: '', seconds, results: [], lockWaitMinutes: (lockedAt - asked) / 60_000, runMinutes: 0, errors: [] };
	let sim: SimulatorProcess | undefined;
	let buildFolder: string | undefined;
	try {
		let packageDir: string | undefined;
		if (BUILD) {
			buildFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-qbench-build-'));
			packageDir = buildInto(buildFolder);
			m.codeNote = 'The node: compiled from the working tree at the start of this run (BENCH_BUILD=1).';
		} else {
			const stale = distStaleness();
			m.codeNote = stale ? `WARNING: ${stale}` : 'The node: dist/ (up to date with the sources).';
		}
		log(m.codeNote);
		sim = await startSimulator({ timeScale: 1, config: {} });
		log(`simulator at ${sim.origin}; ${seconds.length} decks per contender, longest ${Math.max(...seconds)} s; in-place model ${fixed(fifoMakespan(seconds, MODE.concurrency))} s`);
		const cpu = new CpuWindow();
		const simulator = sim;
		m.results = await Promise.all(CONTENDERS.map(async (spec) => await runContender(spec, simulator, seconds, packageDir, lockedAt, cpu)));
		m.cpu = cpu.end();
	} catch (error) {
		m.errors.push(`the benchmark stopped: ${(error as Error).stack ?? error}`);
	} finally {
		await sim?.stop();
		if (buildFolder) fs.rmSync(buildFolder, { recursive: true, force: true });
		release();
	}
	m.runMinutes = (Date.now() - lockedAt) / 60_000;
	for (const r of m.results) for (const e of r.errors) m.errors.push(`${r.spec.name}: ${e}`);
	return m;
}

it(`queue benchmark (${MODE.name} mode)`, async () => {
	const measurements = await measure();
	const report = render(measurements);
	process.stdout.write(`\n${report.text.join('\n')}\n\n`);
	fs.mkdirSync(path.dirname(OUT), { recursive: true });
	fs.writeFileSync(OUT, `${report.markdown.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`);
	log(`written to ${path.relative(REPO_ROOT, OUT) || OUT}`);
	expect(measurements.errors).toEqual([]);
}, (QUICK ? 60 : 120) * 60_000);
