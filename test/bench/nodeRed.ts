/**
 * The Node-RED row of the batch benchmark: the same seeded batches as the n8n rows, through the
 * packed node-red-contrib-perceptis in a real Node-RED (NODE_RED_E2E_VERSION, default 5.0.7),
 * installed exactly as the Node-RED e2e suites install it (test/node-red/e2e/perceptisStack.ts:
 * node-red/ built in a copy, packed, published to the local verdaccio with its dependencies,
 * installed by the palette manager with POST /nodes). The stack's own simulator runs at the
 * benchmark's time scale (1), reset and configured like the n8n runs' before every batch.
 *
 * The flow, the counterpart of Webhook → Split Out → Perceptis:
 *
 *   HTTP In POST /bench/batch {jobs: [{prompt}]} → Function "split the batch" → N messages at once
 *     → perceptis (Generate a deck, every property as the editor saves a new node) → Function
 *     "record the file" (when it came out, its job, its size, whether it is a ZIP) in global context;
 *   the same Function answers the HTTP request at once (202, and when the messages went out);
 *   a Catch node records any error; GET /bench/results reads the records.
 *
 * wall = the split function sending the N messages → the last file recorded (Node-RED's clock);
 * the request figures (status req/job, detection latency) are computed by runner.ts's own code from
 * the simulator's log, by the contender's key; CPU and RSS are Node-RED's process group's.
 */
import axios from 'axios';

import type { SimulatorProcess } from '../e2e/harness';
import { TAB, perceptisNode, startPerceptisNodeRed, tab, type PerceptisNodeRed } from '../node-red/e2e/perceptisStack';
import type { FlowNode } from '../node-red/e2e/harness';
import { sampleGroup, type GroupUsage } from './procstat';
import { fixed, mb } from './report';
import { log, runFigures, SETTLE_MS, sleep, type Contender, type RunResult } from './runner';

export const NODE_RED_CONTENDER = 'perceptis node, defaults';
/** The simulator key (and plan) of the Node-RED contender: its requests are told apart by it. */
const KEY = 'enterprise';
const SERVER = 'bench-server';
const BATCH_ROUTE = '/bench/batch';
const RESULTS_ROUTE = '/bench/results';
/** How often the driver asks for the records (the wall is measured inside Node-RED, not by this). */
const POLL_MS = 500;

export interface NodeRedBatch {
	label: string;
	jobSeconds: number[];
}

export interface NodeRedMeasurements {
	/** The Node-RED version, e.g. 5.0.7. */
	version: string;
	/** "Node-RED 5.0.7 perceptis node, defaults": the contender's name in the tables. */
	contender: string;
	/** `node --version` of the binary Node-RED runs on. */
	nodeVersion?: string;
	packageVersion?: string;
	/** Build, pack, publish and start, then the palette's install, seconds. */
	setupSeconds?: number;
	installSeconds?: number;
	idle?: { cpuPerSecond: number; rssBytes: number; processes: number };
	/** Smallest gap between two status checks of one job over the batches, ms. */
	minCheckGapMs?: number;
	results: RunResult[];
	errors: string[];
}

interface Recorded {
	index: number;
	at: number;
	jobId: string | null;
	status: string | null;
	bytes: number | null;
	zip: boolean;
}

interface BatchState {
	started: number;
	expected: number;
	results: Recorded[];
	errors: Array<{ index: number | null; at: number; message: string }>;
}

interface SimJobWithPrompt {
	id: string;
	keyPlan: string;
	prompt: string;
	status: string;
	createdAt: number;
	completedAt: number | null;
	pollTimes: number[];
}

// ---------------------------------------------------------------------------------------------
// The flow

const SPLIT = [
	'const jobs = (msg.payload && Array.isArray(msg.payload.jobs)) ? msg.payload.jobs : [];',
	"const messages = jobs.map((job, index) => ({ payload: job.prompt, benchIndex: index, topic: 'bench job ' + (index + 1) }));",
	'const started = Date.now();',
	"global.set('benchBatch', { started, expected: jobs.length, results: [], errors: [] });",
	'msg.statusCode = 202;',
	'msg.payload = { accepted: jobs.length, started };',
	'return [messages, msg];',
].join('\n');

const RECORD = [
	'const at = Date.now();',
	"const batch = global.get('benchBatch');",
	'if (!batch) return null;',
	'const file = msg.payload;',
	'const isFile = Buffer.isBuffer(file);',
	'batch.results.push({',
	'\tindex: msg.benchIndex, at, jobId: msg.perceptis ? msg.perceptis.jobId : null, status: msg.perceptis ? msg.perceptis.status : null,',
	'\tbytes: isFile ? file.length : null, zip: isFile && file.length > 4 && file.readUInt32LE(0) === 0x04034b50,',
	'});',
	"global.set('benchBatch', batch);",
	'return null;',
].join('\n');

const CAUGHT = [
	"const batch = global.get('benchBatch');",
	'if (!batch) return null;',
	"batch.errors.push({ index: msg.benchIndex === undefined ? null : msg.benchIndex, at: Date.now(), message: String(msg.error && msg.error.message) });",
	"global.set('benchBatch', batch);",
	'return null;',
].join('\n');

const fn = (id: string, name: string, func: string, outputs: number, wires: string[][]): FlowNode => ({
	id,
	type: 'function',
	z: TAB,
	name,
	func,
	outputs,
	timeout: 0,
	noerr: 0,
	initialize: '',
	finalize: '',
	libs: [],
	wires,
});

function batchFlow(sim: SimulatorProcess): FlowNode[] {
	return [
		tab(),
		{ id: SERVER, type: 'perceptis-config', name: `Simulator, ${KEY} plan`, baseUrl: sim.origin, apiKeyEnv: '', credentials: { apiKey: sim.keys[KEY] } },
		{ id: 'bench-in', type: 'http in', z: TAB, name: 'a batch', url: BATCH_ROUTE, method: 'post', upload: false, swaggerDoc: '', wires: [['bench-split']] },
		fn('bench-split', 'split the batch', SPLIT, 2, [['bench-perceptis'], ['bench-accepted']]),
		{ id: 'bench-accepted', type: 'http response', z: TAB, name: '202', statusCode: '', headers: {}, wires: [] },
		perceptisNode('bench-perceptis', SERVER, [['bench-record']]),
		fn('bench-record', 'record the file', RECORD, 1, [[]]),
		{ id: 'bench-catch', type: 'catch', z: TAB, name: 'every error', scope: null, uncaught: false, wires: [['bench-caught']] },
		fn('bench-caught', 'record the error', CAUGHT, 1, [[]]),
		{ id: 'bench-results-in', type: 'http in', z: TAB, name: 'the records', url: RESULTS_ROUTE, method: 'get', upload: false, swaggerDoc: '', wires: [['bench-results-read']] },
		{
			id: 'bench-results-read',
			type: 'change',
			z: TAB,
			name: 'read them',
			rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'benchBatch', tot: 'global' }],
			wires: [['bench-results-out']],
		},
		{ id: 'bench-results-out', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
	];
}

// ---------------------------------------------------------------------------------------------
// One batch

class NodeRedBench {
	idleCpuPerSecond = 0;
	minCheckGapMs: number | undefined;
	readonly contender: Contender;

	constructor(
		readonly stack: PerceptisNodeRed,
		name: string,
	) {
		this.contender = { name, kind: 'node', key: KEY, workflowId: '', path: BATCH_ROUTE };
	}

	async measureIdle(seconds: number): Promise<GroupUsage> {
		const sampler = sampleGroup(this.stack.nodeRed.pid);
		await sleep(seconds * 1000);
		const usage = sampler.stop();
		this.idleCpuPerSecond = usage.cpuSeconds / usage.wallSeconds;
		log(`Node-RED idle: ${usage.cpuSeconds.toFixed(2)} CPU s in ${usage.wallSeconds.toFixed(1)} s, RSS ${mb(usage.peakRssBytes)} MB, ${usage.maxProcesses} processes`);
		return usage;
	}

	private async state(): Promise<BatchState | undefined> {
		const response = await axios.get<BatchState | ''>(`${this.stack.nodeRed.baseUrl}${RESULTS_ROUTE}`, { proxy: false, timeout: 10_000, validateStatus: () => true });
		if (response.status !== 200) throw new Error(`GET ${RESULTS_ROUTE} answered ${response.status}`);
		return response.data === '' ? undefined : response.data;
	}

	/** The records once every message has come out with a file or an error (a job's several files: one message each). */
	private async allOut(started: number, jobs: number, deadline: number): Promise<BatchState> {
		for (;;) {
			const state = await this.state();
			const done = new Set([...(state?.results ?? []).map((r) => r.index), ...(state?.errors ?? []).map((e) => e.index)]);
			if (state && state.started === started && done.size >= jobs) return state;
			if (Date.now() > deadline) throw new Error(`${done.size} of ${jobs} messages came out in time`);
			await sleep(POLL_MS);
		}
	}

	async run(batch: NodeRedBatch): Promise<RunResult> {
		const { sim, nodeRed } = this.stack;
		const { jobSeconds } = batch;
		const jobs = jobSeconds.length;
		const longest = Math.max(...jobSeconds);
		const result: RunResult = { label: batch.label, contender: this.contender.name, jobs, longest };
		log(`${batch.label} · ${this.contender.name}: ${jobs} jobs, longest ${longest} s …`);
		// As runner.ts does before every n8n run: a clean simulator with no switches.
		await sim.reset();
		await sim.configure({});
		await sleep(SETTLE_MS);
		const prompts = jobSeconds.map((seconds, i) => `Benchmark deck ${i + 1} of ${jobs} [sim:seconds=${seconds}]`);
		const timeoutMs = Math.min(45 * 60_000, (jobSeconds.reduce((a, b) => a + b, 0) + 180) * 1000);
		const sampler = sampleGroup(nodeRed.pid);
		const t0 = Date.now();
		let state: BatchState;
		try {
			const accepted = await axios.post<{ accepted: number; started: number }>(
				`${nodeRed.baseUrl}${BATCH_ROUTE}`,
				{ jobs: prompts.map((prompt) => ({ prompt })) },
				{ proxy: false, timeout: 30_000, validateStatus: () => true },
			);
			if (accepted.status !== 202 || accepted.data.accepted !== jobs) {
				throw new Error(`POST ${BATCH_ROUTE} answered ${accepted.status}: ${JSON.stringify(accepted.data).slice(0, 300)}`);
			}
			state = await this.allOut(accepted.data.started, jobs, t0 + timeoutMs);
			result.clientWall = (Date.now() - t0) / 1000;
			result.usage = sampler.stop();
		} catch (error) {
			result.usage ??= sampler.stop();
			result.error = `run failed: ${(error as Error).message}`;
			log(`${batch.label} · ${this.contender.name}: ${result.error}`);
			return result;
		}
		result.cpuAboveIdle = result.usage.cpuSeconds - this.idleCpuPerSecond * result.usage.wallSeconds;
		try {
			const problems = checkRecords(state, prompts);
			const last = Math.max(...state.results.map((r) => r.at));
			result.wall = (last - state.started) / 1000;
			result.ratio = result.wall / longest;
			const simJobs = (await sim.jobs()) as SimJobWithPrompt[];
			problems.push(...sameJobs(state, prompts, simJobs));
			// The same figures as the n8n rows (status req/job, 429s, latency, a job missing or unfinished).
			problems.push(...runFigures(result, this.contender, await sim.requests(), simJobs));
			const gap = (await sim.checkGaps()).minCheckGapMs;
			if (gap !== null) this.minCheckGapMs = Math.min(this.minCheckGapMs ?? Infinity, gap);
			if (problems.length) result.error = problems.join('; ');
		} catch (error) {
			result.error = `reading the run failed: ${(error as Error).message}`;
		}
		log(
			`${batch.label} · ${this.contender.name}: wall ${fixed(result.wall)} s (${fixed(result.ratio, 2)} × longest), ` +
				`${fixed(result.statusPerJob, 2)} status req/job, latency p50 ${fixed(result.latencyP50)} s p95 ${fixed(result.latencyP95)} s, ` +
				`CPU +${fixed(result.cpuAboveIdle)} s, peak RSS ${mb(result.usage?.peakRssBytes)} MB${result.error ? `; ERROR ${result.error}` : ''}`,
		);
		return result;
	}
}

/** Every message came out once, completed, with a .pptx (a ZIP) of its own; no error was caught. */
function checkRecords(state: BatchState, prompts: string[]): string[] {
	const problems: string[] = [];
	for (const caught of state.errors) problems.push(`message ${caught.index === null ? '?' : caught.index + 1} failed: ${caught.message}`);
	const byIndex = new Map<number, Recorded[]>();
	for (const record of state.results) byIndex.set(record.index, [...(byIndex.get(record.index) ?? []), record]);
	const missing = prompts.map((_, index) => index).filter((index) => !byIndex.has(index));
	if (missing.length) problems.push(`${missing.length} messages came out without a file (jobs ${missing.map((index) => index + 1).join(', ')})`);
	const withoutFile = state.results.filter((r) => !r.bytes || !r.zip).length;
	if (withoutFile) problems.push(`${withoutFile} messages carry no .pptx in msg.payload`);
	const unfinished = state.results.filter((r) => r.status !== 'completed').length;
	if (unfinished) problems.push(`${unfinished} messages say the job is not completed`);
	if (!state.results.length) problems.push('no message came out');
	return problems;
}

/** Each message's file is its own job's: the job it names is the one started with its prompt. */
function sameJobs(state: BatchState, prompts: string[], simJobs: SimJobWithPrompt[]): string[] {
	const byId = new Map(simJobs.map((job) => [job.id, job]));
	const wrong = state.results.filter((r) => !r.jobId || byId.get(r.jobId)?.prompt !== prompts[r.index]).length;
	const jobIds = new Set(state.results.map((r) => r.jobId));
	const problems: string[] = [];
	if (wrong) problems.push(`${wrong} messages carry another job's file (or none)`);
	if (jobIds.size !== prompts.length) problems.push(`${jobIds.size} distinct jobs came out for ${prompts.length} messages`);
	return problems;
}

// ---------------------------------------------------------------------------------------------

/**
 * Starts the stack (it takes the e2e lock itself: call this right after releasing the benchmark's,
 * with no await in between, so the lock passes straight on), deploys the flow, runs a warm-up job
 * of 0.5 s, measures Node-RED idle for `idleSeconds`, then the batches in order.
 */
export async function measureNodeRed(options: { batches: NodeRedBatch[]; idleSeconds: number }): Promise<NodeRedMeasurements> {
	const began = Date.now();
	// First statement: startPerceptisNodeRed tries the lock synchronously before its first await.
	const starting = startPerceptisNodeRed({ timeScale: 1 });
	const m: NodeRedMeasurements = { version: '?', contender: `Node-RED ? ${NODE_RED_CONTENDER}`, results: [], errors: [] };
	let stack: PerceptisNodeRed | undefined;
	try {
		stack = await starting;
		m.version = stack.version;
		m.contender = `Node-RED ${stack.version} ${NODE_RED_CONTENDER}`;
		m.nodeVersion = stack.nodeRed.install.nodeVersion;
		m.packageVersion = stack.built.tarball.version;
		m.installSeconds = stack.installMs / 1000;
		await stack.client.deployFlows(batchFlow(stack.sim));
		m.setupSeconds = (Date.now() - began) / 1000;
		log(
			`Node-RED ${stack.version} ready with ${stack.installed.name}@${stack.installed.version} in ${m.setupSeconds.toFixed(1)} s ` +
				`(build ${(stack.built.buildMs / 1000).toFixed(1)} s, palette install ${m.installSeconds.toFixed(1)} s; pid ${stack.nodeRed.pid}); simulator at ${stack.sim.origin}`,
		);
		const bench = new NodeRedBench(stack, m.contender);
		const warm = await bench.run({ label: 'warm-up', jobSeconds: [0.5] });
		if (warm.error) m.errors.push(`warm-up of ${m.contender}: ${warm.error}`);
		await sleep(SETTLE_MS);
		const idle = await bench.measureIdle(options.idleSeconds);
		m.idle = { cpuPerSecond: idle.cpuSeconds / idle.wallSeconds, rssBytes: idle.peakRssBytes, processes: idle.maxProcesses };
		for (const batch of options.batches) m.results.push(await bench.run(batch));
		m.minCheckGapMs = bench.minCheckGapMs;
	} catch (error) {
		m.errors.push(`the Node-RED runs stopped: ${(error as Error).stack ?? error}`);
	} finally {
		await stack?.dispose();
	}
	for (const r of m.results) if (r.error) m.errors.push(`${r.label} · ${r.contender}: ${r.error}`);
	return m;
}
