/**
 * What a fault-table trial came to, from what can be read afterwards: the trial's executions (the
 * first run and every Retry of it), the simulator's jobs and request log, and n8n's log. Pure
 * functions, no I/O: the definitions of the table's columns live here, in code.
 */
import type { Execution, NodeRun, SimulatorRequest } from '../e2e/harness';

/** The node under test, by its name in every trial workflow. */
export const NODE_NAME = 'Perceptis';

/** The simulator's view of one job (GET /__sim/jobs). */
export interface SimJob {
	id: string;
	prompt: string;
	status: string;
	createdAt: number;
	idempotencyKey: string | null;
}

export type Outcome = 'completed' | 'failed-clear' | 'failed-unclear';

export interface TrialFacts {
	/** The prompt of each input item, in order; every prompt is unique within its trial. */
	prompts: string[];
	/** The trial's executions, oldest first: the first run, then each Retry from the executions list. */
	executions: Execution[];
	/** Ids of the executions that were retried from the executions list (a failed one may be retried twice). */
	retried: string[];
	jobs: SimJob[];
	requests: SimulatorRequest[];
	/** Every fake key of the simulator. */
	keys: string[];
	/** Occurrences of a key in the parts of n8n's log written while this trial ran. */
	keysInLog: number;
	/**
	 * Job ids n8n's log names in the node's own line "Perceptis: started job <id> for item …", in
	 * the parts written while this trial ran (the only record left when n8n keeps nothing of a run).
	 */
	jobIdsInLog?: ReadonlySet<string>;
}

export interface Verdict {
	outcome: Outcome;
	/** Why a failure is not clear, or what the final execution ended with. */
	detail: string;
	/** The node's failure kind (context.failureKind) of the final execution, if it failed. */
	failureKind?: string;
	/** The error message of the final execution, if it failed. */
	message?: string;
	/** Jobs the simulator created, all items. */
	jobs: number;
	/** New jobs allowed because a Retry replaced a job that had failed (one per failed job retried). */
	replacements: number;
	/** Must be 0: jobs − one per item − replacements. */
	beyondOnePerItem: number;
	/** Must be 0: ids of simulator jobs that no execution of the trial names, nor n8n's log. */
	lostJobIds: string[];
	/** Ids no execution names, but n8n's log does (the node logs every job it starts). */
	onlyInLogJobIds: string[];
	/** Must be 0: where a key was seen (execution data, storage/foreign requests, n8n's log). */
	keySightings: string[];
}

interface JobEntry {
	itemIndex?: number;
	jobId?: string | null;
	status?: string;
	error?: string;
	replacedFailedJobs?: string[];
}

type Item = NonNullable<NonNullable<NodeRun['data']>['main'][number]>[number];

const nodeRuns = (execution: Execution): NodeRun[] => execution.data?.resultData.runData[NODE_NAME] ?? [];
const itemsOf = (execution: Execution): Item[] => nodeRuns(execution).flatMap((run) => run.data?.main[0] ?? []);
const errorOf = (execution: Execution) => nodeRuns(execution).find((run) => run.error)?.error;
const contextOf = (execution: Execution) => (errorOf(execution)?.context ?? {}) as Record<string, unknown>;
const jobsListed = (execution: Execution): JobEntry[] => {
	const jobs = contextOf(execution).jobs;
	return Array.isArray(jobs) ? (jobs as JobEntry[]) : [];
};
const asStrings = (value: unknown): string[] =>
	Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];

/**
 * The job ids an execution names in the places a user or a workflow reads them: each output item's
 * `jobId` and `replacedFailedJobs` (and `error.jobId` of a Continue On Fail item), and the node
 * error's `context.jobId` and `context.jobs[].jobId` / `.replacedFailedJobs`.
 */
export function namedJobIds(execution: Execution): Set<string> {
	const named = new Set<string>();
	for (const item of itemsOf(execution)) {
		const json = item.json as Record<string, unknown>;
		for (const id of [...asStrings(json.jobId), ...asStrings(json.replacedFailedJobs)]) named.add(id);
		const error = json.error as Record<string, unknown> | undefined;
		if (error && typeof error === 'object') for (const id of asStrings(error.jobId)) named.add(id);
	}
	const context = contextOf(execution);
	for (const id of asStrings(context.jobId)) named.add(id);
	for (const entry of jobsListed(execution)) {
		for (const id of [...asStrings(entry.jobId), ...asStrings(entry.replacedFailedJobs)]) named.add(id);
	}
	return named;
}

/** Which item a simulator job belongs to: its prompt is that item's (directives included). */
export function itemOfJob(job: SimJob, prompts: string[]): number {
	return prompts.findIndex((prompt) => job.prompt === prompt.trim());
}

/** The simulator's jobs of each item, oldest first. */
function jobsByItem(jobs: SimJob[], prompts: string[]): SimJob[][] {
	const byItem: SimJob[][] = prompts.map(() => []);
	for (const job of [...jobs].sort((a, b) => a.createdAt - b.createdAt)) {
		const index = itemOfJob(job, prompts);
		if (index >= 0) byItem[index].push(job);
	}
	return byItem;
}

/**
 * "Completed": the final execution succeeded and gave one item per input item, each `completed`,
 * naming that item's newest simulator job, with its file (binary `data`).
 */
function completedProblem(execution: Execution, byItem: SimJob[][]): string | undefined {
	if (execution.status !== 'success') return `execution ${execution.id} ended "${execution.status}"`;
	const items = itemsOf(execution);
	if (items.length !== byItem.length) return `${items.length} output items for ${byItem.length} input items`;
	for (const [index, item] of items.entries()) {
		const newest = byItem[index].at(-1);
		if (item.json.status !== 'completed') return `item ${index} is "${String(item.json.status)}"`;
		if (!newest || item.json.jobId !== newest.id) return `item ${index} names ${String(item.json.jobId)}, its newest job is ${newest?.id ?? 'none'}`;
		if (!item.binary?.data) return `item ${index} has no file`;
	}
	return undefined;
}

/**
 * "Failed with a clear error" — the final execution failed on the Perceptis node, and its error:
 *  1. names what went wrong, machine-readable: `context.failureKind` is set;
 *  2. says what to do: a description of at least 20 characters;
 *  3. names the job when one exists: if the simulator holds a job of the failing item
 *     (`context.itemIndex`), the newest one's id is `context.jobId` and is written in the message
 *     or the description;
 *  4. forgets no job of the run: `context.jobs` lists every item, each with its newest job's id
 *     (null only for an item the simulator holds no job of).
 * Returns the first rule broken, or undefined when all hold.
 */
export function unclearBecause(execution: Execution, byItem: SimJob[][]): string | undefined {
	if (execution.status === 'success') return 'the execution succeeded but the items are not all completed';
	const error = errorOf(execution);
	if (!error) return `execution ${execution.id} ended "${execution.status}" without an error on the Perceptis node`;
	const context = contextOf(execution);
	if (typeof context.failureKind !== 'string' || context.failureKind === '') return 'no context.failureKind';
	const description = typeof error.description === 'string' ? error.description : '';
	if (description.trim().length < 20) return 'no description saying what to do';
	const itemIndex = typeof context.itemIndex === 'number' ? context.itemIndex : 0;
	const newest = byItem[itemIndex]?.at(-1);
	if (newest) {
		if (context.jobId !== newest.id) return `context.jobId is ${String(context.jobId)}, the failing item's job is ${newest.id}`;
		if (!`${error.message}\n${description}`.includes(newest.id)) return `neither message nor description names job ${newest.id}`;
	}
	const listed = jobsListed(execution);
	for (const [index, jobs] of byItem.entries()) {
		const entry = listed.find((e) => e.itemIndex === index);
		const expected = jobs.at(-1)?.id ?? null;
		if (!entry) return `context.jobs has no entry for item ${index}`;
		if ((entry.jobId ?? null) !== expected) return `context.jobs names ${String(entry.jobId)} for item ${index}, its newest job is ${expected ?? 'none'}`;
	}
	return undefined;
}

/** Every place a key must never be, with what was found there. */
export function keySightings(facts: Pick<TrialFacts, 'executions' | 'requests' | 'keys' | 'keysInLog'>): string[] {
	const found: string[] = [];
	for (const execution of facts.executions) {
		const text = JSON.stringify(execution);
		for (const key of facts.keys) if (text.includes(key)) found.push(`execution ${execution.id}'s data holds a key`);
	}
	for (const request of facts.requests) {
		if (request.server === 'api') continue;
		const authorization = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization');
		if (authorization) found.push(`${request.server} host got Authorization on ${request.method} ${request.path.split('?')[0]}`);
	}
	for (let i = 0; i < facts.keysInLog; i++) found.push("a key in n8n's log");
	return found;
}

/**
 * New jobs a Retry may start: one per failed job it replaced. For each item, every distinct
 * execution that was retried from the executions list and whose error lists the item's job as
 * failed entitles one new job (a second Retry of the same execution gets that same new job).
 */
export function allowedReplacements(facts: Pick<TrialFacts, 'executions' | 'retried'>, items: number): number[] {
	const allowed = Array.from({ length: items }, () => 0);
	for (const id of new Set(facts.retried)) {
		const execution = facts.executions.find((e) => String(e.id) === id);
		if (!execution) continue;
		for (const entry of jobsListed(execution)) {
			const failed = entry.status === 'failed' || entry.error === 'generation_failed' || entry.error === 'job_failed';
			if (failed && entry.jobId && typeof entry.itemIndex === 'number' && entry.itemIndex < items) allowed[entry.itemIndex] += 1;
		}
	}
	return allowed;
}

export function judge(facts: TrialFacts): Verdict {
	const byItem = jobsByItem(facts.jobs, facts.prompts);
	const final = facts.executions.at(-1);
	const replacementsPerItem = allowedReplacements(facts, facts.prompts.length);
	const replacements = replacementsPerItem.reduce((a, b) => a + b, 0);
	// Jobs of no item (a prompt the trial did not send) count against the trial too.
	const strays = facts.jobs.filter((job) => itemOfJob(job, facts.prompts) < 0).length;
	const beyond = byItem.reduce((sum, jobs, index) => sum + Math.max(0, jobs.length - 1 - replacementsPerItem[index]), 0) + strays;
	const named = new Set<string>();
	for (const execution of facts.executions) for (const id of namedJobIds(execution)) named.add(id);
	const unnamed = facts.jobs.map((job) => job.id).filter((id) => !named.has(id));
	const onlyInLogJobIds = unnamed.filter((id) => facts.jobIdsInLog?.has(id));
	const lostJobIds = unnamed.filter((id) => !facts.jobIdsInLog?.has(id));
	const base = { jobs: facts.jobs.length, replacements, beyondOnePerItem: beyond, lostJobIds, onlyInLogJobIds, keySightings: keySightings(facts) };
	if (!final) return { ...base, outcome: 'failed-unclear', detail: 'no execution' };
	const notCompleted = completedProblem(final, byItem);
	if (notCompleted === undefined) return { ...base, outcome: 'completed', detail: 'completed' };
	const failureKind = contextOf(final).failureKind;
	const kind = typeof failureKind === 'string' ? failureKind : undefined;
	const message = errorOf(final)?.message ?? final.data?.resultData.error?.message;
	const unclear = unclearBecause(final, byItem);
	return unclear === undefined
		? { ...base, outcome: 'failed-clear', failureKind: kind, message, detail: kind ?? 'failed' }
		: { ...base, outcome: 'failed-unclear', failureKind: kind, message, detail: unclear };
}
