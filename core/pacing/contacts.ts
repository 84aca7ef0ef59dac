/**
 * The last contact with each job (its start, or a request about it) that this process knows of,
 * so that requests about one job stay a second apart wherever they come from: two items of a
 * run, two runs at once, a retry, a tool call, a parked loop's next pass. The memory is bounded
 * (the oldest are forgotten first); what a host keeps with a run (n8n's node context) comes back
 * in through `absorb`, so a retry in another process sees the same last contact.
 */
import { TIMING } from './timing';

/** Enough for every job of the busiest process for the time a job runs; a few hundred KB at most. */
const MAX_JOBS_REMEMBERED = 5_000;

export class JobContacts {
	/** Insertion order is recency order: a contact moves its job to the end. */
	private readonly lastAt = new Map<string, number>();

	constructor(private readonly maxJobs = MAX_JOBS_REMEMBERED) {}

	lastContactAt(jobId: string): number | undefined {
		return this.lastAt.get(jobId);
	}

	/** A request about the job went out or ended (or the job started) at `at`; an older time changes nothing. */
	record(jobId: string, at: number): void {
		const known = this.lastAt.get(jobId);
		if (known !== undefined && known >= at) return;
		this.lastAt.delete(jobId);
		this.lastAt.set(jobId, at);
		while (this.lastAt.size > this.maxJobs) this.lastAt.delete(this.lastAt.keys().next().value as string);
	}

	/** The earliest time the job may be asked about again. */
	earliestRequestAt(jobId: string): number {
		return (this.lastAt.get(jobId) ?? Number.NEGATIVE_INFINITY) + TIMING.minContactGapMs;
	}

	/** Contacts kept elsewhere (a retried run's saved ones). */
	absorb(saved: Record<string, unknown>): void {
		for (const [jobId, at] of Object.entries(saved)) if (typeof at === 'number' && Number.isFinite(at)) this.record(jobId, at);
	}

	/** The contacts with `jobIds`, to keep with a run. */
	of(jobIds: Iterable<string>): Record<string, number> {
		const saved: Record<string, number> = {};
		for (const jobId of jobIds) {
			const at = this.lastAt.get(jobId);
			if (at !== undefined) saved[jobId] = at;
		}
		return saved;
	}
}
