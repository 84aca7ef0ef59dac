/**
 * What a run says about its jobs when it ends badly, so a started job is never forgotten: every
 * item's job, machine-readable, for the error that stops the run, and the facts the error table
 * needs to word one failure.
 */
import type { JobTask } from './task';
import type { FailureContext } from '../errors/table';
import type { JsonObject } from '../json';

/** At most this many other job ids are listed in an error's words, to keep it readable. */
const OTHER_JOBS_LISTED = 20;

/** One job of a run, as an error or a log line lists it. */
export interface RunJob extends JsonObject {
	itemIndex: number;
	jobId: string | null;
	status: string;
	idempotencyKey?: string;
	error?: string;
	replacedFailedJobs?: string[];
}

/** Every item's job of the run: a workflow (or a person) can pick each one up with its id or key. */
export function jobsOfRun<Stored>(tasks: JobTask<Stored>[]): RunJob[] {
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

/** The jobs a run leaves running on Perceptis (it was stopped): each one can be picked up later. */
export function jobsLeftRunning<Stored>(tasks: JobTask<Stored>[]): RunJob[] {
	return jobsOfRun(tasks).filter((job) => job.jobId !== null && job.status !== 'completed' && job.status !== 'failed');
}

/** Other started jobs, in words, so that a run that stops on one item's error forgets none of them. */
export function otherJobsLine<Stored>(tasks: JobTask<Stored>[], failed: JobTask<Stored>): string {
	const others = tasks.filter((task) => task !== failed && task.jobId);
	if (others.length === 0) return '';
	const listed = others
		.slice(0, OTHER_JOBS_LISTED)
		.map((task) => `${task.jobId} (item ${task.plan.itemIndex}, ${task.snapshot?.status ?? 'started'})`);
	const more = others.length > OTHER_JOBS_LISTED ? ` and ${others.length - OTHER_JOBS_LISTED} more` : '';
	return ` Other jobs of this run, still on Perceptis: ${listed.join(', ')}${more}.`;
}

/** What the error table needs to word a task's failure. */
export function failureContextOf<Stored>(
	task: JobTask<Stored>,
	run: { origin: string; timeoutMs: number },
): FailureContext {
	return {
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
}
