/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- test code: runs in Node under jest, never inside n8n */
/**
 * Running trials in a real n8n: a pool of simulators (each trial has one to itself, so its jobs,
 * requests, faults and switches are its own and trials run side by side), one workflow per trial
 * (Webhook → Split Out → Perceptis), the executions it leads to (the first run and each Retry), and
 * the restart rounds, where a second n8n is stopped mid-wait and started again on its user folder.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { CredentialRef, Execution, N8nInstance, QueueStack, SimulatorProcess, WorkflowDefinition, WorkflowNode } from '../e2e/harness';
import { databaseFiles, filesContaining, N8nClient, perceptis, PERCEPTIS_CREDENTIAL_TYPE, startN8n, startSimulator, uniquePath } from '../e2e/harness';
import type { FaultClass, RetryStep, TrialPlan } from './classes';
import type { SimJob, Verdict } from './verdict';
import { itemOfJob, judge, keySightings, namedJobIds, NODE_NAME } from './verdict';

export const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
export const log = (line: string) => process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** Every trial's simulator: jobs last what `[sim:seconds=N]` says; status answers advise a check after 2 s. */
const BASE_SIM_CONFIG = { statusRetryAfterSeconds: 2 };
/** The longest a `slow` fault holds a request here, plus room: a trial's simulator is settled within it. */
const SETTLE_LIMIT_MS = 200_000;
const FINISHED = (e: { status: string; stoppedAt: string | null }) => Boolean(e.stoppedAt) && !['running', 'new', 'waiting'].includes(e.status);

// -------------------------------------------------------------------------------------------------
// Simulators
// -------------------------------------------------------------------------------------------------

/** Simulators for the trials, started on demand and reused (reset) by the next trial. */
export class SimulatorPool {
	private readonly idle: SimulatorProcess[] = [];
	private readonly all = new Set<SimulatorProcess>();
	private starting: Promise<unknown> = Promise.resolve();
	peak = 0;
	private inUse = 0;

	async acquire(): Promise<SimulatorProcess> {
		this.inUse += 1;
		this.peak = Math.max(this.peak, this.inUse);
		const reused = this.idle.pop();
		if (reused) return reused;
		// One start at a time: each picks free ports, and two at once could pick the same.
		const started = this.starting.then(async () => await this.start());
		this.starting = started.catch(() => undefined);
		return await started;
	}

	private async start(): Promise<SimulatorProcess> {
		for (let attempt = 1; ; attempt++) {
			try {
				const sim = await startSimulator({ timeScale: 1, config: BASE_SIM_CONFIG });
				this.all.add(sim);
				return sim;
			} catch (error) {
				if (attempt >= 3) throw error;
				await sleep(500);
			}
		}
	}

	/** Back to the pool; a simulator that may still hold a trial's requests is stopped instead. */
	async release(sim: SimulatorProcess, healthy: boolean): Promise<void> {
		this.inUse -= 1;
		if (healthy) {
			this.idle.push(sim);
			return;
		}
		this.all.delete(sim);
		await sim.stop().catch(() => undefined);
	}

	get size(): number {
		return this.all.size;
	}

	async stopAll(): Promise<void> {
		await Promise.all([...this.all].map(async (sim) => await sim.stop().catch(() => undefined)));
		this.all.clear();
		this.idle.length = 0;
	}
}

/** A trial's simulator, fresh: no jobs, no requests, the trial's switches and faults. */
async function prepare(sim: SimulatorProcess, plan: TrialPlan): Promise<void> {
	await sim.reset();
	await sim.configure({ ...BASE_SIM_CONFIG, ...plan.simConfig });
	for (const fault of plan.faults) await sim.injectFault(fault);
}

/**
 * Waits until every request the simulator received has been answered (or dropped): a request
 * held by a `slow` fault is handled when its delay ends, even after the client gave up, and may
 * still create a job. Only then are the trial's jobs counted, and the simulator reused.
 */
async function settle(sim: SimulatorProcess): Promise<boolean> {
	const deadline = Date.now() + SETTLE_LIMIT_MS;
	for (;;) {
		const open = (await sim.requests()).filter((request) => request.status === null);
		if (open.length === 0) return true;
		if (Date.now() > deadline) return false;
		await sleep(1000);
	}
}

// -------------------------------------------------------------------------------------------------
// n8n instances
// -------------------------------------------------------------------------------------------------

/** One n8n (the main one, or a restart round's), its signed-in client and a credential per simulator. */
export class Instance {
	readonly logs: string[] = [];
	private readonly credentials = new Map<string, Promise<CredentialRef>>();

	constructor(
		readonly name: string,
		public n8n: N8nInstance,
		public client: N8nClient,
	) {
		this.logs.push(n8n.logPath);
	}

	static async start(name: string, version: string, userFolder?: string): Promise<Instance> {
		const n8n = await startN8n({ version, userFolder });
		log(`${name}: n8n ${version} ready in ${(n8n.startMs / 1000).toFixed(1)} s (pid ${n8n.pid})`);
		return new Instance(name, n8n, await N8nClient.ready(n8n.baseUrl));
	}

	/** The credential of a simulator (its Business key and origin), saved once per simulator. */
	async credentialFor(sim: SimulatorProcess): Promise<CredentialRef> {
		let credential = this.credentials.get(sim.origin);
		if (!credential) {
			credential = this.client.createCredential({
				name: `Perceptis simulator ${new URL(sim.origin).port}`,
				type: PERCEPTIS_CREDENTIAL_TYPE,
				data: { apiKey: sim.keys.business, baseUrl: sim.origin },
			});
			this.credentials.set(sim.origin, credential);
			credential.catch(() => this.credentials.delete(sim.origin));
		}
		return await credential;
	}

	logSize(): number {
		try {
			return fs.statSync(this.n8n.logPath).size;
		} catch {
			return 0;
		}
	}

	/** Kills n8n's whole process group (n8n and its task runners) with `signal`; resolves when n8n has exited. */
	async kill(signal: NodeJS.Signals): Promise<number> {
		const began = Date.now();
		try {
			process.kill(-this.n8n.pid, signal);
		} catch {
			// already gone
		}
		for (;;) {
			try {
				process.kill(this.n8n.pid, 0);
			} catch {
				break;
			}
			await sleep(100);
		}
		// Whatever of the group is left (a task runner), and the harness's own bookkeeping.
		await this.n8n.stop();
		return Date.now() - began;
	}

	/** Starts n8n again on the same user folder (owner, credentials, workflows and executions kept). */
	async restart(version: string): Promise<number> {
		const n8n = await startN8n({ version, userFolder: this.n8n.userFolder });
		this.n8n = n8n;
		this.logs.push(n8n.logPath);
		this.client = await N8nClient.ready(n8n.baseUrl);
		return n8n.startMs;
	}
}

/** A part of an n8n log that a trial may be blamed for: bytes [from, to) of the file. */
export interface LogWindow {
	path: string;
	from: number;
	to?: number;
}

// -------------------------------------------------------------------------------------------------
// One trial
// -------------------------------------------------------------------------------------------------

export interface TrialRecord {
	cls: FaultClass;
	index: number;
	plan: TrialPlan;
	prompts: string[];
	workflowId?: string;
	executions: Execution[];
	retried: string[];
	jobs: SimJob[];
	requests: Awaited<ReturnType<SimulatorProcess['requests']>>;
	logWindows: LogWindow[];
	/** What happened on the way, in words (restart: what n8n did with the execution). */
	notes: string[];
	/**
	 * A trial that lost job ids and planned no Retry gets one Retry from the executions list
	 * (original workflow), as its error may advise: which lost ids it named, and the new jobs it
	 * started for items that already had one (counted as beyond one per item).
	 */
	probe?: { lost: number; named: number; secondJobs: number; execution?: string; refused?: string };
	/** Restart and queue rows: the status n8n showed for the first execution once it was back. */
	shownAs?: string;
	/** Injected faults the simulator served (of those planned), and its 429 answers (faults and rate limit). */
	faultsServed?: number;
	tooMany?: number;
	/** The trial could not run (a harness or n8n problem, not a verdict on the node). */
	error?: string;
	verdict?: Verdict;
	seconds?: number;
}

export function newRecord(cls: FaultClass, index: number, plan: TrialPlan): TrialRecord {
	const prompts = plan.items.map(
		(item, k) => `Fault table ${cls.id} trial ${index} (item ${k}) [sim:seconds=${item.seconds}]${item.directives ? ` ${item.directives}` : ''}`,
	);
	return { cls, index, plan, prompts, executions: [], retried: [], jobs: [], requests: [], logWindows: [], notes: [] };
}

let column = 0;
const at = (): [number, number] => [(column += 220), 300];

/** Webhook (answers at once) → Split Out → Perceptis (Generate, deck, the item's prompt, the plan's options). */
function trialWorkflow(record: TrialRecord, webhookPath: string, credential: CredentialRef): WorkflowDefinition {
	column = 0;
	const nodes: WorkflowNode[] = [
		{
			id: randomUUID(),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: at(),
			webhookId: randomUUID(),
			parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
		},
		{
			id: randomUUID(),
			name: 'One item per job',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: at(),
			parameters: { fieldToSplitOut: 'body.items', options: {} },
		},
		{
			...perceptis(
				credential,
				{ operation: 'generate', outputType: 'deck', prompt: '={{ $json.prompt }}', options: { ...record.plan.options } },
				NODE_NAME,
				record.plan.settings,
			),
			position: at(),
		},
	];
	const main = (target: string) => ({ main: [[{ node: target, type: 'main', index: 0 }]] });
	return {
		name: `Fault table: ${record.cls.id} #${record.index}`,
		nodes,
		connections: { Webhook: main('One item per job'), 'One item per job': main(NODE_NAME) },
		settings: { executionOrder: 'v1' },
	};
}

/** The workflow's newest execution not in `known`, once it has stopped, with its data. */
async function nextExecution(client: N8nClient, workflowId: string, known: Set<string>, limitMs: number): Promise<Execution> {
	const deadline = Date.now() + limitMs;
	for (;;) {
		const list = await client.getExecutions({ workflowId, limit: 50 });
		const next = list.filter((e) => !known.has(String(e.id))).sort((a, b) => Number(a.id) - Number(b.id))[0];
		if (next && FINISHED(next)) return await client.getExecution(next.id, true);
		if (Date.now() > deadline) {
			throw new Error(`workflow ${workflowId}: no finished execution within ${limitMs / 1000} s (${list.map((e) => `#${e.id} ${e.status}`).join(', ') || 'none'})`);
		}
		await sleep(1000);
	}
}

/** One execution by id, once it has stopped. */
async function finishedExecution(client: N8nClient, id: string, limitMs: number): Promise<Execution> {
	const deadline = Date.now() + limitMs;
	for (;;) {
		const execution = await client.getExecution(id, true);
		if (FINISHED(execution)) return execution;
		if (Date.now() > deadline) throw new Error(`execution ${id} still "${execution.status}" after ${limitMs / 1000} s`);
		await sleep(1000);
	}
}

/** Saves a change to the trial's workflow, as a person would before "Retry with currently saved workflow". */
async function editWorkflow(client: N8nClient, workflowId: string, edit: NonNullable<RetryStep['edit']>): Promise<void> {
	const saved = await client.api<WorkflowDefinition>('GET', `/workflows/${workflowId}`);
	const nodes = saved.nodes.map((node) => {
		if (node.name !== NODE_NAME) return node;
		if (edit === 'move-node') return { ...node, position: [node.position[0], node.position[1] + 100] as [number, number] };
		const parameters = node.parameters as { options?: Record<string, unknown> };
		return { ...node, parameters: { ...parameters, options: { ...(parameters.options ?? {}), timeoutSeconds: 120 } } };
	});
	await client.api('PUT', `/workflows/${workflowId}`, { name: saved.name, nodes, connections: saved.connections, settings: saved.settings ?? {} });
}

/** The Retries of the plan, each on the newest failed execution (or the same again), until one succeeds. */
async function retryUntilDone(instance: Instance, record: TrialRecord, limitMs: number): Promise<void> {
	let previousTarget: string | undefined;
	for (const step of record.plan.retries) {
		const last = record.executions.at(-1)!;
		if (last.status === 'success') return;
		const target = step.of === 'again' && previousTarget ? previousTarget : String(last.id);
		if (step.edit) await editWorkflow(instance.client, record.workflowId!, step.edit);
		let retryId: string;
		try {
			retryId = await instance.client.retryExecution(target, step.loadWorkflow, record.workflowId!);
		} catch (error) {
			record.notes.push(`Retry of #${target} refused: ${(error as Error).message.slice(0, 200)}`);
			return;
		}
		record.retried.push(target);
		previousTarget = target;
		record.executions.push(await finishedExecution(instance.client, retryId, limitMs));
	}
}

export interface TrialContext {
	pool: SimulatorPool;
	keys: string[];
}

/** Occurrences of any key in bytes [from, to) of an n8n log (to the end when `to` is unset). */
export function keysInWindow(window: LogWindow, keys: string[]): number {
	if (!fs.existsSync(window.path)) return 0;
	const size = fs.statSync(window.path).size;
	const to = Math.min(window.to ?? size, size);
	if (to <= window.from) return 0;
	const part = Buffer.alloc(to - window.from);
	const fd = fs.openSync(window.path, 'r');
	try {
		fs.readSync(fd, part, 0, part.length, window.from);
	} finally {
		fs.closeSync(fd);
	}
	let count = 0;
	for (const key of keys) {
		const needle = Buffer.from(key);
		for (let at = part.indexOf(needle); at >= 0; at = part.indexOf(needle, at + 1)) count += 1;
	}
	return count;
}

/** Where a key must never be in an n8n instance as a whole: its logs and its database files. */
export function keysInInstance(instance: Instance, keys: string[]): string[] {
	const files = [...instance.logs, ...databaseFiles(instance.n8n.userFolder)];
	return keys.flatMap((key) => filesContaining(key, files).map((file) => `${instance.name}: a key in ${path.basename(file)}`));
}

/** Reads what the trial left in its simulator once it has settled. */
async function collect(sim: SimulatorProcess, record: TrialRecord): Promise<boolean> {
	const settled = await settle(sim);
	record.jobs = (await sim.jobs()) as SimJob[];
	record.requests = await sim.requests();
	record.tooMany = record.requests.filter((request) => request.status === 429).length;
	const { data } = await sim.admin.get<{ faults: Array<{ remaining: number }> }>('/__sim/state');
	const planned = record.plan.faults.reduce((sum, fault) => sum + (typeof fault.times === 'number' ? fault.times : 1), 0);
	record.faultsServed = planned - data.faults.reduce((sum, fault) => sum + fault.remaining, 0);
	if (!settled) record.notes.push('the simulator still held requests after 200 s');
	return settled;
}

/** Stops whatever execution of the trial's workflow still runs (a trial that could not run). */
async function stopRunning(instance: Instance, workflowId: string | undefined): Promise<void> {
	if (!workflowId) return;
	try {
		for (const e of await instance.client.getExecutions({ workflowId, limit: 50 })) {
			if (!FINISHED(e)) await instance.client.restRaw('POST', `/executions/${e.id}/stop`, {});
		}
	} catch {
		// best effort
	}
}

/**
 * Calls a trial's webhook with its items. A workflow just activated in an n8n busy with two dozen
 * trials can take more than the client's usual 15 s to register its webhook (a CI run saw 404s):
 * a minute here. Any other answer than 200 ends the trial with what n8n said.
 */
async function callTrialWebhook(client: N8nClient, webhookPath: string, record: TrialRecord): Promise<void> {
	const response = await client.runWebhook(webhookPath, { items: record.prompts.map((prompt) => ({ prompt })) }, { registerTimeoutMs: 60_000 });
	if (response.status !== 200) throw new Error(`the webhook answered ${response.status}: ${JSON.stringify(response.data).slice(0, 200)}`);
}

/** One trial in the main n8n: deploy, call, wait, retry as planned, read the simulator. */
export async function runTrial(ctx: TrialContext, instance: Instance, record: TrialRecord): Promise<void> {
	const began = Date.now();
	const sim = await ctx.pool.acquire();
	let healthy = true;
	try {
		await prepare(sim, record.plan);
		const credential = await instance.credentialFor(sim);
		const webhookPath = uniquePath(`faults-${record.cls.id}`);
		record.workflowId = await instance.client.deploy(trialWorkflow(record, webhookPath, credential));
		const window: LogWindow = { path: instance.n8n.logPath, from: instance.logSize() };
		record.logWindows.push(window);
		await callTrialWebhook(instance.client, webhookPath, record);
		record.executions.push(await nextExecution(instance.client, record.workflowId, new Set(), record.plan.limitMs));
		await retryUntilDone(instance, record, record.plan.limitMs);
		healthy = await collect(sim, record);
		judgeRecord(record, ctx.keys);
		if (healthy && record.verdict?.lostJobIds.length && record.plan.retries.length === 0) healthy = await probeLostJobs(ctx, instance, record, sim);
		window.to = instance.logSize();
		await instance.client.deactivate(record.workflowId).catch(() => undefined);
	} catch (error) {
		record.error = (error as Error).message;
		healthy = false;
		await stopRunning(instance, record.workflowId);
	} finally {
		await ctx.pool.release(sim, healthy);
		record.seconds = (Date.now() - began) / 1000;
	}
}

/**
 * One Retry from the executions list of a trial whose job ids were lost: does it name them (the
 * same jobs, found again by their Idempotency-Key), or start second ones? The trial's own columns
 * stay as judged; a second job is added to its jobs beyond one per item, and a key the Retry's
 * data holds to its key sightings.
 */
async function probeLostJobs(ctx: TrialContext, instance: Instance, record: TrialRecord, sim: SimulatorProcess): Promise<boolean> {
	const verdict = record.verdict!;
	const lost = verdict.lostJobIds;
	const before = new Set(record.jobs.map((job) => job.id));
	const itemsWithJobs = new Set(record.jobs.map((job) => itemOfJob(job, record.prompts)));
	const probe: NonNullable<TrialRecord['probe']> = { lost: lost.length, named: 0, secondJobs: 0 };
	record.probe = probe;
	try {
		const retryId = await instance.client.retryExecution(String(record.executions.at(-1)!.id), false, record.workflowId!);
		const execution = await finishedExecution(instance.client, retryId, record.plan.limitMs);
		probe.execution = `#${execution.id} ${execution.status}`;
		const named = namedJobIds(execution);
		probe.named = lost.filter((id) => named.has(id)).length;
		// Named by the Retry: the job was found again (by its Idempotency-Key), not lost.
		verdict.lostJobIds = lost.filter((id) => !named.has(id));
		verdict.keySightings.push(...keySightings({ executions: [execution], requests: [], keys: ctx.keys, keysInLog: 0 }));
	} catch (error) {
		probe.refused = (error as Error).message.slice(0, 200);
	}
	const settled = await settle(sim);
	const jobs = (await sim.jobs()) as SimJob[];
	const added = jobs.filter((job) => !before.has(job.id));
	probe.secondJobs = added.filter((job) => itemsWithJobs.has(itemOfJob(job, record.prompts))).length;
	verdict.beyondOnePerItem += probe.secondJobs;
	const requests = await sim.requests();
	verdict.keySightings.push(...keySightings({ executions: [], requests: requests.slice(record.requests.length), keys: ctx.keys, keysInLog: 0 }));
	return settled;
}

/** The trial's verdict; reads its log windows, so it runs while the logs are still there. */
export function judgeRecord(record: TrialRecord, keys: string[]): void {
	if (record.error) return;
	record.verdict = judge({
		prompts: record.prompts,
		executions: record.executions,
		retried: record.retried,
		jobs: record.jobs,
		requests: record.requests,
		keys,
		keysInLog: record.logWindows.reduce((sum, window) => sum + keysInWindow(window, keys), 0),
		jobIdsInLog: new Set(record.logWindows.flatMap((window) => jobIdsInWindow(window))),
	});
}

/** The job ids of the node's "Perceptis: started job <id> for item …" lines in a log window. */
export function jobIdsInWindow(window: LogWindow): string[] {
	if (!fs.existsSync(window.path)) return [];
	const text = fs.readFileSync(window.path, 'utf8').slice(window.from, window.to);
	return [...text.matchAll(/Perceptis: started job (\S+) for item /g)].map((match) => match[1]);
}

// -------------------------------------------------------------------------------------------------
// A restart round
// -------------------------------------------------------------------------------------------------

export interface RoundResult {
	/** What was stopped, in words. */
	label: string;
	signal: NodeJS.Signals;
	/** From the signal to n8n's exit. */
	exitMs?: number;
	restartMs?: number;
	/** Where a key was found in the round's n8n logs or database. */
	keyFindings: string[];
	error?: string;
}

/**
 * Every trial of a restart row at once in an n8n of their own: the executions start, their jobs
 * exist and the node waits; then n8n gets `signal`, is started again on the same user folder, and
 * each execution that did not end well is retried from the executions list (original workflow).
 */
export async function runRestartRound(
	ctx: TrialContext,
	version: string,
	signal: NodeJS.Signals,
	records: TrialRecord[],
	killAfterMs: number,
): Promise<RoundResult> {
	const result: RoundResult = { label: `n8n (${signal})`, signal, keyFindings: [] };
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `perceptis-faults-${signal.toLowerCase()}-`));
	const sims = new Map<TrialRecord, { sim: SimulatorProcess; healthy: boolean }>();
	const began = Date.now();
	let instance: Instance | undefined;
	try {
		instance = await Instance.start(`restart (${signal})`, version, userFolder);
		const live = instance;
		await Promise.all(
			records.map(async (record) => {
				const sim = await ctx.pool.acquire();
				sims.set(record, { sim, healthy: true });
				await prepare(sim, record.plan);
				const credential = await live.credentialFor(sim);
				const webhookPath = uniquePath(`faults-${record.cls.id}`);
				record.workflowId = await live.client.deploy(trialWorkflow(record, webhookPath, credential));
				record.logWindows.push({ path: live.n8n.logPath, from: live.logSize() });
				await callTrialWebhook(live.client, webhookPath, record);
			}),
		);
		// The node waits: every job exists, every execution runs.
		const deadline = Date.now() + 60_000;
		for (const record of records) {
			const { sim } = sims.get(record)!;
			while ((await sim.jobs()).length < record.prompts.length) {
				if (Date.now() > deadline) throw new Error(`trial ${record.index}: its jobs were not all started within 60 s`);
				await sleep(250);
			}
			await live.client.waitForRunningExecution(record.workflowId!, 30_000);
		}
		await sleep(killAfterMs);
		const signalledAt = Date.now();
		result.exitMs = await live.kill(signal);
		log(`restart (${signal}): n8n exited ${(result.exitMs / 1000).toFixed(1)} s after the signal`);
		for (const record of records) {
			record.notes.push(`${signal} ${((signalledAt - began) / 1000).toFixed(0)} s into the round, n8n gone ${(result.exitMs / 1000).toFixed(1)} s later`);
		}
		result.restartMs = await live.restart(version);
		log(`restart (${signal}): n8n ready again in ${(result.restartMs / 1000).toFixed(1)} s`);
		for (const record of records) record.logWindows.push({ path: live.n8n.logPath, from: 0 });

		await Promise.all(
			records.map(async (record) => {
				const entry = sims.get(record)!;
				try {
					const first = await nextExecution(live.client, record.workflowId!, new Set(), 120_000);
					record.executions.push(first);
					record.shownAs = first.status;
					record.notes.push(`after the restart n8n showed it "${first.status}"`);
					await retryUntilDone(live, record, record.plan.limitMs);
					entry.healthy = await collect(entry.sim, record);
				} catch (error) {
					record.error = (error as Error).message;
					entry.healthy = false;
					await stopRunning(live, record.workflowId);
				}
			}),
		);
		for (const record of records) judgeRecord(record, ctx.keys);
		result.keyFindings = keysInInstance(live, ctx.keys);
	} catch (error) {
		result.error = (error as Error).message;
		for (const record of records) record.error ??= `the ${signal} round broke: ${result.error}`;
	} finally {
		await instance?.n8n.stop().catch(() => undefined);
		for (const record of records) {
			const entry = sims.get(record);
			if (entry) await ctx.pool.release(entry.sim, entry.healthy && !record.error);
			record.seconds = (Date.now() - began) / 1000;
		}
		// Kept when something broke: the logs and database tell what happened.
		if (!result.error) fs.rmSync(userFolder, { recursive: true, force: true });
		else log(`restart (${signal}): user folder kept for a post-mortem: ${userFolder}`);
	}
	return result;
}

// -------------------------------------------------------------------------------------------------
// A queue-mode round
// -------------------------------------------------------------------------------------------------

/**
 * Every trial of the queue row at once on a queue-mode n8n (test/e2e/harness/queue.ts): the
 * executions run on the workers and their jobs exist; then every worker running one of them is
 * SIGKILLed and started again (as a supervisor would), n8n ends each execution as it does, and
 * each that did not end well is retried from the executions list (original workflow).
 */
export async function runQueueRound(ctx: TrialContext, stack: QueueStack, records: TrialRecord[], killAfterMs: number): Promise<RoundResult> {
	const result: RoundResult = { label: 'queue-mode worker (SIGKILL)', signal: 'SIGKILL', keyFindings: [] };
	const sims = new Map<TrialRecord, { sim: SimulatorProcess; healthy: boolean }>();
	const instance = new Instance('queue mode', stack.main, stack.client);
	const workerLogs = () => stack.workerHistory.map(({ worker }) => worker.logPath);
	const began = Date.now();
	try {
		await Promise.all(
			records.map(async (record) => {
				const sim = await ctx.pool.acquire();
				sims.set(record, { sim, healthy: true });
				await prepare(sim, record.plan);
				const credential = await instance.credentialFor(sim);
				const webhookPath = uniquePath(`faults-${record.cls.id}`);
				record.workflowId = await instance.client.deploy(trialWorkflow(record, webhookPath, credential));
				for (const file of [stack.main.logPath, ...workerLogs()]) record.logWindows.push({ path: file, from: fs.existsSync(file) ? fs.statSync(file).size : 0 });
				await callTrialWebhook(instance.client, webhookPath, record);
			}),
		);
		const deadline = Date.now() + 60_000;
		const running = new Map<TrialRecord, string>();
		for (const record of records) {
			const { sim } = sims.get(record)!;
			while ((await sim.jobs()).length < record.prompts.length) {
				if (Date.now() > deadline) throw new Error(`trial ${record.index}: its jobs were not all started within 60 s`);
				await sleep(250);
			}
			running.set(record, await instance.client.waitForRunningExecution(record.workflowId!, 30_000));
		}
		await sleep(killAfterMs);
		const slots = new Set<number>();
		for (const [record, executionId] of running) {
			const where = stack.workersThatStarted(executionId);
			record.notes.push(`ran on worker ${where.join(', ') || '?'}`);
			for (const slot of where) slots.add(slot);
		}
		const killedAt = Date.now();
		for (const slot of slots) await stack.killWorker(slot, 'SIGKILL');
		result.exitMs = Date.now() - killedAt;
		log(`queue: SIGKILLed worker(s) ${[...slots].join(', ')} ${((killedAt - began) / 1000).toFixed(0)} s into the round; starting them again`);
		for (const slot of slots) await stack.startWorker(slot);
		result.restartMs = Date.now() - killedAt;
		for (const record of records) {
			for (const file of workerLogs()) if (!record.logWindows.some((w) => w.path === file)) record.logWindows.push({ path: file, from: 0 });
		}

		await Promise.all(
			records.map(async (record) => {
				const entry = sims.get(record)!;
				try {
					const first = await nextExecution(instance.client, record.workflowId!, new Set(), 180_000);
					record.executions.push(first);
					record.shownAs = first.status;
					record.notes.push(`after the kill n8n showed it "${first.status}" ${((Date.now() - killedAt) / 1000).toFixed(0)} s later`);
					await retryUntilDone(instance, record, record.plan.limitMs);
					entry.healthy = await collect(entry.sim, record);
				} catch (error) {
					record.error = (error as Error).message;
					entry.healthy = false;
					await stopRunning(instance, record.workflowId);
				}
			}),
		);
		for (const record of records) judgeRecord(record, ctx.keys);
		instance.logs.push(...workerLogs());
		result.keyFindings = keysInInstance(instance, ctx.keys);
	} catch (error) {
		result.error = (error as Error).message;
		for (const record of records) record.error ??= `the queue round broke: ${result.error}`;
	} finally {
		for (const record of records) {
			const entry = sims.get(record);
			if (entry) await ctx.pool.release(entry.sim, entry.healthy && !record.error);
			record.seconds = (Date.now() - began) / 1000;
		}
	}
	return result;
}
