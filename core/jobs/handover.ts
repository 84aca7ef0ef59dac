/**
 * A job one run hands to the next: a Node-RED node that is redeployed or stopped while it waits
 * (the next instance, or the next start, goes on), or any host whose run ends before its job.
 *
 * The handover is plain JSON a host keeps where it keeps state (Node-RED's node context): the
 * plan, the job once it exists, and where its checking stood (pacing/pollState.ts). The next
 * run picks the job up from there, under the rules of every other check of a job:
 * - a job not known yet is started with the same request and Idempotency-Key, so a start that
 *   was cut off returns the job it may have created instead of a second, paid one;
 * - a known job is only checked (a resumed job that failed is reported, not replaced), within
 *   the deadline it had (`deadlineAt`), its schedule going on from the checks already made
 *   (`poll`), and not before the schedule's next check while it runs.
 */
import type { JobPlan } from './plan';
import type { JobTask } from './task';
import { nextCheckAt, type PollState } from '../pacing/pollState';
import { statusOutcome } from '../wire/answers';

export interface Handover {
	plan: JobPlan;
	jobId?: string;
	/** The job's last status the run saw. */
	status?: string;
	/** Where the checking of the job stood; only once the run was in contact with the job. */
	poll?: PollState;
}

/** What a run hands over for a task (before its job exists, or while it waits). */
export function handoverOf<Stored>(task: JobTask<Stored>): Handover {
	// The plan as it stands: a failed first job's replacement key, the body without images once the job exists.
	const plan: JobPlan = { ...task.plan, ...(task.plan.start ? { start: { ...task.plan.start } } : {}) };
	const poll = task.pollState;
	return {
		plan,
		...(task.jobId ? { jobId: task.jobId } : {}),
		...(task.jobId && Number.isFinite(poll.lastContactAt) ? { poll } : {}),
		...(task.snapshot?.status ? { status: task.snapshot.status } : {}),
	};
}

/**
 * The plan that picks a handed-over job up, and the earliest time its run should begin (ms since
 * epoch): the host waits until then, then runs the plan like any other. The task itself keeps
 * the API's floor (a second after the last contact) from `poll`.
 */
export function resumedPlan(handover: Handover, now: number): { plan: JobPlan; notBefore: number } {
	const { plan, jobId, poll, status } = handover;
	if (!jobId || !poll) return { plan, notBefore: now };
	const rest: JobPlan = { ...plan, jobId, start: undefined, poll, ...(poll.deadline !== null ? { deadlineAt: poll.deadline } : {}) };
	// A start that got its job is over; what is left to say is where the job stands.
	if (rest.mode === 'start-only') rest.mode = 'check-once';
	const stillRunning = rest.mode === 'wait' && statusOutcome(status ?? '') === 'running';
	return { plan: rest, notBefore: stillRunning ? Math.max(now, nextCheckAt(poll)) : now };
}
