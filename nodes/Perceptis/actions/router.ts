/**
 * Runs one operation over all input items, in three phases:
 *   1. plan: validate every item and build what to send (bad input fails here, before any request);
 *   2. run: hand all items' jobs to the one job runner (started and waited on together);
 *   3. output: one item per input item (or per file, when asked), in input order, with `pairedItem`.
 * Continue On Fail is decided here, once, for all operations.
 */
import type { IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readMaxJobsInFlight, readRunTimeoutMs } from './common';
import * as checkStatus from './checkStatus.operation';
import * as download from './download.operation';
import * as generate from './generate.operation';
import * as getStatus from './getStatus.operation';
import { errorItem, jobItems, type Placed } from './output';
import { isToolRun, planForTool, toolItem } from './toolMode';
import * as waitForCompletion from './waitForCompletion.operation';
import type { JobPlan } from '../../../core/jobs/plan';
import { failureContextOf, jobsLeftRunning, jobsOfRun, otherJobsLine } from '../../../core/jobs/runReport';
import { runJobTasks } from '../../../core/jobs/runner';
import { JobTask } from '../../../core/jobs/task';
import { BaseUrlError } from '../../../core/origin';
import { governedClient, RequestGovernor } from '../../../core/pacing/governor';
import type { PerceptisClient } from '../../../core/wire/client';
import { binaryDataSink, type N8nTask } from '../n8n/binary';
import { executionClock } from '../n8n/clock';
import { contactsForRun, keepContacts } from '../n8n/contacts';
import { createClient } from '../n8n/http';
import { toNodeError } from '../n8n/nodeErrors';

export const operations = { generate, getStatus, checkStatus, waitForCompletion, download };
export type OperationName = keyof typeof operations;

/** What an operation module offers: a plan per item, and optional steps around the run. */
interface Operation {
	plan(this: IExecuteFunctions, itemIndex: number): Promise<JobPlan>;
	beforeRun?(this: IExecuteFunctions, plans: JobPlan[]): void;
	/** Keeps what tasks started: called when a task's job exists, and for all after the run. */
	record?(this: IExecuteFunctions, tasks: N8nTask[]): void;
	/** How many main outputs the operation has (its description says which); one without it. */
	outputCount?: number;
	/** Where each finished job's items go, all of a run at once (in the order of `tasks`); output 0 with its job items without it. */
	place?(this: IExecuteFunctions, tasks: N8nTask[]): Placed[];
}

/** One slot per input item and output, in input order; a slot holds several items when files are split. */
type Slots = INodeExecutionData[][];

/** What every error of a run may need to say. */
interface RunFacts {
	origin: string;
	timeoutMs: number;
}

/** The run's limits: one deadline for everything, and one signal that ends what is in flight. */
interface RunLimits {
	timeoutMs: number;
	deadline: number;
	/** The execution's own signal: the Stop button. */
	cancelSignal: AbortSignal | undefined;
	/** Aborted at Stop, at the deadline or at a run-ending failure: ends the downloads in flight. */
	runEnd: AbortController;
}

/**
 * n8n keeps nothing a stopped node returns or records (the stopped execution is saved as it was
 * before the run), so the jobs it leaves running on Perceptis go to n8n's log instead.
 */
function logJobsLeftAtStop(ctx: IExecuteFunctions, tasks: N8nTask[]): void {
	const left = jobsLeftRunning(tasks);
	if (left.length === 0) return;
	const list = left.map((job) => `${job.jobId} (item ${job.itemIndex}, ${job.status})`).join(', ');
	ctx.logger?.warn(
		`Perceptis: execution ${ctx.getExecutionId() ?? '(unsaved)'} was stopped; ${left.length} job(s) keep running on Perceptis: ${list}. Get Status or Download with a job id picks one up.`,
		{ executionId: ctx.getExecutionId(), perceptisJobs: left },
	);
}

/**
 * A job exists: it is recorded for a retry at once, and logged, so that a job is never forgotten
 * even when n8n keeps nothing of the run (a stopped execution, a queue-mode worker that died).
 */
function jobStarted(ctx: IExecuteFunctions, op: Operation, task: N8nTask): void {
	op.record?.call(ctx, [task]);
	ctx.logger?.info(
		`Perceptis: started job ${task.jobId} for item ${task.plan.itemIndex} of execution ${ctx.getExecutionId() ?? '(unsaved)'}`,
		{ executionId: ctx.getExecutionId(), itemIndex: task.plan.itemIndex, perceptisJobId: task.jobId },
	);
}

function failureOf(task: N8nTask, ctx: IExecuteFunctions, run: RunFacts, tasks: N8nTask[]) {
	const context = failureContextOf(task, run);
	// When the run stops on this error, name the other jobs it started so none is forgotten.
	if (ctx.continueOnFail()) return toNodeError(ctx.getNode(), task.failure!, context);
	const error = toNodeError(ctx.getNode(), task.failure!, context, otherJobsLine(tasks, task));
	error.context.jobs = jobsOfRun(tasks) as unknown as JsonObject[];
	return error;
}

function operationOf(ctx: IExecuteFunctions): Operation {
	const operation = ctx.getNodeParameter('operation', 0) as OperationName;
	const op: Operation | undefined = operations[operation];
	if (!op) {
		throw new NodeOperationError(ctx.getNode(), `The operation "${String(operation)}" is not known`, {
			description: 'Choose one of Generate, Get Status, Check Status, Wait for Completion or Download.',
		});
	}
	return op;
}

/** 1. plan: every item is checked before anything is sent; a bad item fails here, or (Continue On Fail) becomes its error item. */
async function planItems(ctx: IExecuteFunctions, op: Operation, output: Slots): Promise<JobPlan[]> {
	const plans: JobPlan[] = [];
	for (let itemIndex = 0; itemIndex < output.length; itemIndex++) {
		try {
			plans.push(await op.plan.call(ctx, itemIndex));
		} catch (error) {
			// Validation throws NodeOperationError, which this returns as it is; anything else is wrapped.
			const itemError = new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
			if (!ctx.continueOnFail()) throw itemError;
			output[itemIndex] = [errorItem(ctx, itemIndex, itemError)];
		}
	}
	return plans;
}

function runLimits(ctx: IExecuteFunctions, plans: JobPlan[]): RunLimits {
	const timeoutMs = readRunTimeoutMs(ctx, Math.max(...plans.map((plan) => plan.timeoutMs)));
	const cancelSignal = ctx.getExecutionCancelSignal?.();
	const runEnd = new AbortController();
	if (cancelSignal?.aborted) runEnd.abort();
	cancelSignal?.addEventListener('abort', () => runEnd.abort(), { once: true });
	return { timeoutMs, deadline: Date.now() + timeoutMs, cancelSignal, runEnd };
}

/** 2. run: all items' jobs together, every API request paced by one governor. */
async function runTasks(
	ctx: IExecuteFunctions,
	op: Operation,
	plans: JobPlan[],
	client: PerceptisClient,
	limits: RunLimits,
	asTool: boolean,
): Promise<N8nTask[]> {
	const { cancelSignal, deadline, runEnd } = limits;
	const clock = executionClock(cancelSignal);
	const governor = new RequestGovernor({
		now: Date.now,
		sleep: async (ms) => await clock.sleep(ms),
		over: () => runEnd.signal.aborted,
	});
	const paced = governedClient(client, governor, () => deadline, Date.now);
	const sink = binaryDataSink(ctx, cancelSignal);
	const tasks = plans.map((plan) => new JobTask(plan, paced, Date.now, sink, (task) => jobStarted(ctx, op, task)));
	await runJobTasks(tasks, clock, {
		maxInFlight: readMaxJobsInFlight(ctx),
		stopOnFirstFailure: !ctx.continueOnFail() && !asTool,
		deadline,
		endRun: () => runEnd.abort(),
		contacts: contactsForRun(ctx),
	});
	op.record?.call(ctx, tasks);
	keepContacts(ctx, tasks.flatMap((task) => (task.jobId ? [task.jobId] : [])));
	if (cancelSignal?.aborted) logJobsLeftAtStop(ctx, tasks);
	return tasks;
}

/**
 * 3. output, in input order: tool results, the run's error, or each item's result (on the output
 * the operation places it on) or error item (on the first output; n8n moves it to the error
 * output when the node has one).
 */
function outputOf(ctx: IExecuteFunctions, op: Operation, tasks: N8nTask[], run: RunFacts, asTool: boolean, outputs: Slots[]): void {
	if (asTool) {
		for (const task of tasks) {
			outputs[0][task.plan.itemIndex] = [toolItem(task, task.failure ? failureOf(task, ctx, run, tasks) : undefined)];
		}
		return;
	}
	if (!ctx.continueOnFail()) {
		const failed = tasks.find((task) => task.failure);
		if (failed) throw failureOf(failed, ctx, run, tasks);
	}
	const succeeded = tasks.filter((task) => !task.failure);
	const placed = op.place?.call(ctx, succeeded) ?? succeeded.map((task) => ({ output: 0, items: jobItems(task) }));
	succeeded.forEach((task, index) => (outputs[placed[index].output][task.plan.itemIndex] = placed[index].items));
	for (const task of tasks.filter((failed) => failed.failure)) {
		const itemIndex = task.plan.itemIndex;
		outputs[0][itemIndex] = [errorItem(ctx, itemIndex, failureOf(task, ctx, run, tasks), task.snapshot?.status)];
	}
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const op = operationOf(this);
	// An AI agent's tool call: links instead of files, a bounded wait, failures as results.
	const asTool = isToolRun(this);
	const itemCount = this.getInputData().length;
	const outputs: Slots[] = Array.from({ length: op.outputCount ?? 1 }, () => new Array<INodeExecutionData[]>(itemCount));
	const [output] = outputs;
	const flat = () => outputs.map((slots) => slots.flat());

	const plans = await planItems(this, op, output);
	if (plans.length === 0) return flat();
	op.beforeRun?.call(this, plans);
	if (asTool) plans.forEach(planForTool);

	const limits = runLimits(this, plans);
	const client = await createClient(this, limits.runEnd.signal);
	if (client instanceof BaseUrlError) {
		const configError = new NodeOperationError(this.getNode(), client.message, {
			description: `${client.remedy} in the Base URL field of the Perceptis API credential.`,
		});
		if (!this.continueOnFail()) throw configError;
		for (const plan of plans) output[plan.itemIndex] = [errorItem(this, plan.itemIndex, configError)];
		return flat();
	}

	const tasks = await runTasks(this, op, plans, client, limits, asTool);
	outputOf(this, op, tasks, { origin: client.origin, timeoutMs: limits.timeoutMs }, asTool, outputs);
	return flat();
}
