/**
 * The job ledger: what a node started for each item of each of its runs (Idempotency-Key, job
 * id, last status), kept where the host keeps state that outlives a run (a `RecordStore`: n8n's
 * node context, saved with the execution; Node-RED's node context).
 *
 * So a retry finds the job its first run started and picks it up (waits for it, or downloads it)
 * instead of paying for a second one; it starts a new job only when that one failed. A re-run
 * that finds no ledger gets the same job back through the same default key (keys/idempotency.ts).
 */
import type { JobPlan } from './plan';
import type { JobTask } from './task';
import type { PollState } from '../pacing/pollState';
import type { RecordStore } from '../ports';

export interface LedgerEntry {
	/** The request the entry is about (requestDigest of its body). */
	request: string;
	/** The Idempotency-Key the job was (or is being) started with. */
	key: string;
	jobId?: string;
	/** The job's last status this node saw. */
	status?: string;
	/** Jobs of this item that failed and were replaced by a retry, oldest first. */
	failedJobIds?: string[];
	/** Where the checking of the job stood: a retry's first check waits a second from its last contact. */
	poll?: PollState;
}

/** A retry replaces failed jobs, but a ledger entry never lists more than this many. */
const FAILED_JOBS_KEPT = 10;

export class JobLedger {
	constructor(private readonly store: RecordStore<LedgerEntry>) {}

	/** The entry of this slot, if it is about the same request (a changed prompt is a new request). */
	lookup(slot: string, request: string): LedgerEntry | undefined {
		const entry = this.store.get(slot);
		return entry && entry.request === request ? entry : undefined;
	}

	write(slot: string, entry: LedgerEntry): void {
		this.store.set(slot, entry);
	}
}

/**
 * Points each plan that starts a job at what an earlier run of the same request left: its key
 * (a start lost in transit is sent again with it) and its job (checked before anything is sent).
 */
export function resumeFromLedger(plans: JobPlan[], ledger: JobLedger): void {
	for (const plan of plans) {
		const start = plan.start;
		if (!start) continue;
		const entry = ledger.lookup(start.slot, start.request);
		if (!entry) continue;
		start.idempotencyKey = entry.key;
		start.failedJobIds = entry.failedJobIds ?? [];
		if (entry.jobId) plan.jobId = entry.jobId;
		if (entry.jobId && entry.poll) plan.poll = entry.poll;
	}
}

/** Writes what each task of the run started (before the run's result or error leaves the node). */
export function recordInLedger<Stored>(tasks: JobTask<Stored>[], ledger: JobLedger): void {
	for (const task of tasks) {
		const start = task.plan.start;
		if (!start) continue;
		const failedJobIds = task.failedJobIds.slice(-FAILED_JOBS_KEPT);
		ledger.write(start.slot, {
			request: start.request,
			key: start.idempotencyKey,
			...(task.jobId ? { jobId: task.jobId } : {}),
			...(task.snapshot?.status ? { status: task.snapshot.status } : {}),
			...(failedJobIds.length ? { failedJobIds } : {}),
			// Only a job this run was in contact with has a poll state worth handing on.
			...(task.jobId && Number.isFinite(task.pollState.lastContactAt) ? { poll: task.pollState } : {}),
		});
	}
}
