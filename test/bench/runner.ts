/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * One benchmark run in the real n8n: the simulator is reset and set up, the contender's workflow is
 * started through its webhook (which answers when the workflow has finished), n8n's process group
 * is sampled meanwhile, and then the execution, the simulator's request log and its jobs give the
 * figures. A run that breaks (execution error, a job missing or unfinished) says so in `error`.
 */
import type { Execution, N8nClient, N8nInstance, SimulatorProcess, SimulatorRequest } from '../e2e/harness';
import { percentile } from './model';
import { sampleGroup, type GroupUsage } from './procstat';
import { fixed, mb } from './report';

export const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
export const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** Pause between runs, so one run's tail (GC, saving the execution) is not measured in the next. */
export const SETTLE_MS = 3_000;

export interface RunSpec {
	label: string;
	/** Which workflow and which simulator key (its own credential). */
	contender: Contender;
	jobSeconds: number[];
	/** Simulator switches for this run (applied after a reset). */
	simConfig: Record<string, unknown>;
	/** Check every output item carries a downloaded file. */
	expectFiles: boolean;
}

export interface Contender {
	name: string;
	kind: 'hand' | 'node';
	key: 'business' | 'business2' | 'enterprise';
	workflowId: string;
	path: string;
}

export interface RunResult {
	label: string;
	contender: string;
	jobs: number;
	longest: number;
	wall?: number;
	clientWall?: number;
	ratio?: number;
	statusPerJob?: number;
	statusRequests?: number;
	generateRequests?: number;
	apiRequests?: number;
	tooMany?: number;
	downloads?: number;
	latencyP50?: number;
	latencyP95?: number;
	usage?: GroupUsage;
	cpuAboveIdle?: number;
	error?: string;
}

export class Bench {
	idleCpuPerSecond = 0;

	constructor(
		readonly n8n: N8nInstance,
		readonly client: N8nClient,
		readonly sim: SimulatorProcess,
	) {}

	async lastExecutionId(workflowId: string): Promise<number> {
		const executions = await this.client.getExecutions({ workflowId, limit: 5 });
		return Math.max(0, ...executions.map((e) => Number(e.id)));
	}

	/** The execution after `afterId` once it has stopped (saved a moment after the webhook answered). */
	async executionAfter(workflowId: string, afterId: number): Promise<Execution> {
		const deadline = Date.now() + 60_000;
		for (;;) {
			const executions = await this.client.getExecutions({ workflowId, limit: 5 });
			const next = executions.filter((e) => Number(e.id) > afterId).sort((a, b) => Number(a.id) - Number(b.id))[0];
			if (next && next.stoppedAt && !['running', 'new', 'waiting'].includes(next.status)) {
				return await this.client.getExecution(next.id, true);
			}
			if (Date.now() > deadline) throw new Error(`no finished execution of workflow ${workflowId} after #${afterId} within 60 s`);
			await sleep(500);
		}
	}

	async stopRunning(workflowId: string, afterId: number): Promise<void> {
		try {
			for (const e of await this.client.getExecutions({ workflowId, limit: 5 })) {
				if (Number(e.id) > afterId && !e.stoppedAt) await this.client.restRaw('POST', `/executions/${e.id}/stop`, {});
			}
		} catch {
			// best effort: n8n is stopped at the end anyway
		}
	}

	/** Measures n8n left alone for `seconds`: the CPU rate every run's CPU figure is corrected by. */
	async measureIdle(seconds: number): Promise<GroupUsage> {
		const sampler = sampleGroup(this.n8n.pid);
		await sleep(seconds * 1000);
		const usage = sampler.stop();
		this.idleCpuPerSecond = usage.cpuSeconds / usage.wallSeconds;
		log(`idle: ${usage.cpuSeconds.toFixed(2)} CPU s in ${usage.wallSeconds.toFixed(1)} s, RSS ${mb(usage.peakRssBytes)} MB, ${usage.maxProcesses} processes`);
		return usage;
	}

	async run(spec: RunSpec): Promise<RunResult> {
		const { contender, jobSeconds } = spec;
		const jobs = jobSeconds.length;
		const longest = Math.max(...jobSeconds);
		const result: RunResult = { label: spec.label, contender: contender.name, jobs, longest };
		log(`${spec.label} · ${contender.name}: ${jobs} jobs, longest ${longest} s …`);
		await this.sim.reset();
		await this.sim.configure(spec.simConfig);
		await sleep(SETTLE_MS);
		const before = await this.lastExecutionId(contender.workflowId);
		const body = { jobs: jobSeconds.map((seconds, i) => ({ prompt: `Benchmark deck ${i + 1} of ${jobs} [sim:seconds=${seconds}]` })) };
		// Bounded: a contender that waits on every job in turn still ends well within this.
		const timeoutMs = Math.min(45 * 60_000, (jobSeconds.reduce((a, b) => a + b, 0) + 180) * 1000);
		const sampler = sampleGroup(this.n8n.pid);
		const t0 = Date.now();
		try {
			const response = await this.client.runWebhook(contender.path, body, { timeoutMs, responseType: 'text' });
			result.clientWall = (Date.now() - t0) / 1000;
			result.usage = sampler.stop();
			if (response.status !== 200) throw new Error(`the webhook answered ${response.status}: ${String(response.data).slice(0, 300)}`);
		} catch (error) {
			result.usage ??= sampler.stop();
			await this.stopRunning(contender.workflowId, before);
			result.error = `run failed: ${(error as Error).message}`;
			log(`${spec.label} · ${contender.name}: ${result.error}`);
			return result;
		}
		result.cpuAboveIdle = result.usage.cpuSeconds - this.idleCpuPerSecond * result.usage.wallSeconds;
		try {
			const execution = await this.executionAfter(contender.workflowId, before);
			result.wall = (Date.parse(execution.stoppedAt!) - Date.parse(execution.startedAt)) / 1000;
			result.ratio = result.wall / longest;
			const problems: string[] = [];
			if (execution.status !== 'success') {
				problems.push(`execution #${execution.id} ended "${execution.status}": ${execution.data?.resultData.error?.message ?? ''}`);
			}
			problems.push(...checkOutput(contender, execution, jobs, spec.expectFiles));
			const requests = await this.sim.requests();
			const simJobs = (await this.sim.jobs()) as SimJob[];
			problems.push(...runFigures(result, contender, requests, simJobs));
			if (problems.length) result.error = problems.join('; ');
		} catch (error) {
			result.error = `reading the run failed: ${(error as Error).message}`;
		}
		log(
			`${spec.label} · ${contender.name}: wall ${fixed(result.wall)} s (${fixed(result.ratio, 2)} × longest), ` +
				`${fixed(result.statusPerJob, 2)} status req/job, latency p50 ${fixed(result.latencyP50)} s p95 ${fixed(result.latencyP95)} s, ` +
				`CPU +${fixed(result.cpuAboveIdle)} s, peak RSS ${mb(result.usage?.peakRssBytes)} MB${result.error ? `; ERROR ${result.error}` : ''}`,
		);
		return result;
	}
}

/**
 * Fills the request and latency figures of one run from the simulator's log, for any host's
 * contender; returns problems (missing or unfinished jobs).
 */
export function runFigures(result: RunResult, contender: Contender, requests: SimulatorRequest[], simJobs: SimJob[]): string[] {
	const problems: string[] = [];
	const mine = requests.filter((r) => r.keyPlan === contender.key && r.server === 'api');
	const statusRequests = mine.filter((r) => r.method === 'GET' && r.path.startsWith('/api/v1/status/'));
	result.statusRequests = statusRequests.length;
	result.generateRequests = mine.filter((r) => r.method === 'POST' && r.path.startsWith('/api/v1/generate')).length;
	result.apiRequests = mine.length;
	result.tooMany = mine.filter((r) => r.status === 429).length;
	result.downloads = requests.filter((r) => r.server === 'storage').length;
	result.statusPerJob = statusRequests.length / result.jobs;
	const jobs = simJobs.filter((j) => j.keyPlan === contender.key);
	if (jobs.length !== result.jobs) problems.push(`${jobs.length} jobs reached the simulator, ${result.jobs} expected`);
	const latencies: number[] = [];
	for (const job of jobs) {
		if (job.status !== 'completed' || job.completedAt === null) {
			problems.push(`job ${job.id} is ${job.status}`);
			continue;
		}
		const seen = job.pollTimes.find((t) => t >= job.completedAt!);
		if (seen === undefined) problems.push(`job ${job.id}: no status request after it completed`);
		else latencies.push((seen - job.completedAt) / 1000);
	}
	result.latencyP50 = percentile(latencies, 50);
	result.latencyP95 = percentile(latencies, 95);
	return problems;
}

export interface SimJob {
	id: string;
	keyPlan: string;
	status: string;
	createdAt: number;
	completedAt: number | null;
	pollTimes: number[];
}

/** The workflow's own result: every job came out completed (and with its file, when asked). */
function checkOutput(contender: Contender, execution: Execution, jobs: number, expectFiles: boolean): string[] {
	const runData = execution.data?.resultData.runData ?? {};
	if (contender.kind === 'hand') {
		const done = (runData.Done ?? []).reduce((sum, run) => sum + (run.data?.main[0]?.length ?? 0), 0);
		return done === jobs ? [] : [`${done} of ${jobs} jobs reached Done`];
	}
	const items = runData.Perceptis?.[0]?.data?.main[0] ?? [];
	const problems: string[] = [];
	if (items.length !== jobs) problems.push(`the node output ${items.length} items for ${jobs} jobs`);
	const unfinished = items.filter((item) => item.json.status !== 'completed').length;
	if (unfinished) problems.push(`${unfinished} items are not completed`);
	if (expectFiles) {
		const withoutFile = items.filter((item) => !item.binary?.data).length;
		if (withoutFile) problems.push(`${withoutFile} items have no file`);
	}
	return problems;
}
