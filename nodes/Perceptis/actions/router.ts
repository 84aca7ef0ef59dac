/**
 * Runs one operation over all input items, in three phases:
 *   1. plan: validate every item and build what to send (bad input fails here, before any request);
 *   2. run: hand all items' jobs to the one job runner (started and waited on together);
 *   3. output: one item per input item (or per file, when asked), in input order, with `pairedItem`.
 * Continue On Fail is decided here, once, for all operations.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readMaxJobsInFlight, readRunTimeoutMs } from './common';
import * as download from './download.operation';
import * as generate from './generate.operation';
import * as getStatus from './getStatus.operation';
import { errorItem, jobItems } from './output';
import { isToolRun, planForTool, toolItem } from './toolMode';
import * as waitForCompletion from './waitForCompletion.operation';
import { BaseUrlError } from '../helpers/baseUrl';
import { binaryDataSink } from '../helpers/binary';
import { toNodeError } from '../helpers/errors';
import { governedTransport, RequestGovernor } from '../helpers/governor';
import { executionClock, runJobTasks } from '../helpers/jobRunner';
import type { JobPlan } from '../helpers/jobTask';
import { JobTask } from '../helpers/jobTask';
import { createTransport } from '../transport';

export const operations = { generate, getStatus, waitForCompletion, download };
export type OperationName = keyof typeof operations;

/** What an operation module offers: a plan per item, and optional steps around the run. */
interface Operation {
	plan(this: IExecuteFunctions, itemIndex: number): Promise<JobPlan>;
	beforeRun?(this: IExecuteFunctions, plans: JobPlan[]): void;
	/** Keeps what tasks started: called when a task's job exists, and for all after the run. */
	record?(this: IExecuteFunctions, tasks: JobTask[]): void;
}

/** At most this many other job ids are listed in an error, to keep it readable. */
const OTHER_JOBS_LISTED = 20;

/** What every error of a run may need to say. */
interface RunFacts {
	origin: string;
	timeoutMs: number;
}

/** Other started jobs, so that a run that stops on one item's error forgets none of them. */
function otherJobsLine(tasks: JobTask[], failed: JobTask): string {
	const others = tasks.filter((task) => task !== failed && task.jobId);
	if (others.length === 0) return '';
	const listed = others
		.slice(0, OTHER_JOBS_LISTED)
		.map((task) => `${task.jobId} (item ${task.plan.itemIndex}, ${task.snapshot?.status ?? 'started'})`);
	const more = others.length > OTHER_JOBS_LISTED ? ` and ${others.length - OTHER_JOBS_LISTED} more` : '';
	return ` Other jobs of this run, still on Perceptis: ${listed.join(', ')}${more}.`;
}

/**
 * Every item's job of the run, machine-readable, for the error that stops the run: a workflow
 * (or a person) can pick each one up with Get Status or Download, and none is forgotten.
 */
function jobsOfRun(tasks: JobTask[]): IDataObject[] {
	return tasks.map((task) => ({
		itemIndex: task.plan.itemIndex,
		jobId: task.jobId ?? null,
		status: task.snapshot?.status ?? (task.jobId ? 'started' : 'not started'),
		// Without a job id (the start's answer was lost), the key is what gets the job back.
		...(task.plan.start ? { idempotencyKey: task.plan.start.idempotencyKey } : {}),
		...(task.failure ? { error: task.failure.apiCode ?? task.failure.kind } : {}),
		...(task.failedJobIds.length ? { replacedFailedJobs: [...task.failedJobIds] } : {}),
	}));
}

/**
 * n8n keeps nothing a stopped node returns or records (the stopped execution is saved as it was
 * before the run), so the jobs it leaves running on Perceptis go to n8n's log instead.
 */
function logJobsLeftAtStop(ctx: IExecuteFunctions, tasks: JobTask[]): void {
	const left = jobsOfRun(tasks).filter((job) => job.jobId !== null && job.status !== 'completed' && job.status !== 'failed');
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
function jobStarted(ctx: IExecuteFunctions, op: Operation, task: JobTask): void {
	op.record?.call(ctx, [task]);
	ctx.logger?.info(
		`Perceptis: started job ${task.jobId} for item ${task.plan.itemIndex} of execution ${ctx.getExecutionId() ?? '(unsaved)'}`,
		{ executionId: ctx.getExecutionId(), itemIndex: task.plan.itemIndex, perceptisJobId: task.jobId },
	);
}

function failureOf(task: JobTask, ctx: IExecuteFunctions, run: RunFacts, tasks: JobTask[]) {
	const context = {
		itemIndex: task.plan.itemIndex,
		origin: run.origin,
		jobId: task.jobId,
		lastStatus: task.snapshot?.status,
		timeoutSeconds: Math.round(task.plan.timeoutMs / 1000),
		runTimeoutSeconds: Math.round(run.timeoutMs / 1000),
		idempotencyKey: task.plan.start?.idempotencyKey,
		templateName: task.plan.start?.body.template_name as string | undefined,
		attempts: task.attempts,
	};
	// When the run stops on this error, name the other jobs it started so none is forgotten.
	if (ctx.continueOnFail()) return toNodeError(ctx.getNode(), task.failure!, context);
	const error = toNodeError(ctx.getNode(), task.failure!, context, otherJobsLine(tasks, task));
	error.context.jobs = jobsOfRun(tasks) as JsonObject[];
	return error;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as OperationName;
	const op: Operation | undefined = operations[operation];
	if (!op) {
		throw new NodeOperationError(this.getNode(), `The operation "${String(operation)}" is not known`, {
			description: 'Choose one of Generate, Get Status, Wait for Completion or Download.',
		});
	}
	const continueOnFail = this.continueOnFail();
	// An AI agent's tool call: links instead of files, a bounded wait, failures as results.
	const asTool = isToolRun(this);
	// One slot per input item, in input order; a slot holds several items when files are split.
	const output: INodeExecutionData[][] = new Array(items.length);

	// 1. plan: every item is checked before anything is sent.
	const plans: JobPlan[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			plans.push(await op.plan.call(this, itemIndex));
		} catch (error) {
			// Validation throws NodeOperationError, which this returns as it is; anything else is wrapped.
			const itemError = new NodeOperationError(this.getNode(), error as Error, { itemIndex });
			if (!continueOnFail) throw itemError;
			output[itemIndex] = [errorItem(this, itemIndex, itemError)];
		}
	}
	if (plans.length === 0) return [output.flat()];
	op.beforeRun?.call(this, plans);
	if (asTool) plans.forEach(planForTool);

	// One deadline for the whole run (starts, rate-limit waits, checks, downloads), and one signal
	// that ends the downloads in flight at Stop, at the deadline or at a run-ending failure.
	const runTimeoutMs = readRunTimeoutMs(this, Math.max(...plans.map((plan) => plan.timeoutMs)));
	const deadline = Date.now() + runTimeoutMs;
	const cancelSignal = this.getExecutionCancelSignal?.();
	const runEnd = new AbortController();
	if (cancelSignal?.aborted) runEnd.abort();
	cancelSignal?.addEventListener('abort', () => runEnd.abort(), { once: true });

	const transport = await createTransport(this, runEnd.signal);
	if (transport instanceof BaseUrlError) {
		const configError = new NodeOperationError(this.getNode(), transport.message, {
			description: `${transport.remedy} in the Base URL field of the Perceptis API credential.`,
		});
		if (!continueOnFail) throw configError;
		for (const plan of plans) output[plan.itemIndex] = [errorItem(this, plan.itemIndex, configError)];
		return [output.flat()];
	}

	// 2. run: all items' jobs together, every API request paced by one governor.
	const clock = executionClock(cancelSignal);
	const governor = new RequestGovernor({
		now: Date.now,
		sleep: async (ms) => await clock.sleep(ms),
		over: () => runEnd.signal.aborted,
	});
	const paced = governedTransport(transport, governor, () => deadline, Date.now);
	const sink = binaryDataSink(this, cancelSignal);
	const tasks = plans.map((plan) => new JobTask(plan, paced, Date.now, sink, (task) => jobStarted(this, op, task)));
	await runJobTasks(tasks, clock, {
		maxInFlight: readMaxJobsInFlight(this),
		stopOnFirstFailure: !continueOnFail && !asTool,
		deadline,
		endRun: () => runEnd.abort(),
	});

	op.record?.call(this, tasks);

	// 3. output, in input order.
	if (cancelSignal?.aborted) logJobsLeftAtStop(this, tasks);

	const run: RunFacts = { origin: transport.origin, timeoutMs: runTimeoutMs };
	if (asTool) {
		for (const task of tasks) {
			output[task.plan.itemIndex] = [toolItem(task, task.failure ? failureOf(task, this, run, tasks) : undefined)];
		}
		return [output.flat()];
	}
	if (!continueOnFail) {
		const failed = tasks.find((task) => task.failure);
		if (failed) throw failureOf(failed, this, run, tasks);
	}
	for (const task of tasks) {
		const itemIndex = task.plan.itemIndex;
		output[itemIndex] = task.failure
			? [errorItem(this, itemIndex, failureOf(task, this, run, tasks), task.snapshot?.status)]
			: jobItems(task);
	}
	return [output.flat()];
}
