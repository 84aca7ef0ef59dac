/**
 * The one loop that drives every item's job. It admits jobs in input order (all of them, unless
 * the user capped how many run at once), starts each job's next step as soon as it is due, and
 * sleeps until the next one is due or a step in flight ends. Steps run side by side, so a long
 * download never holds back another job's status check: ten decks take as long as the slowest.
 *
 * The run ends at its deadline, on Stop, or (without Continue On Fail) at the first failure;
 * whatever is unfinished then is reported with its job id.
 */
import { TailWatch, type RunTail, type SharedTail } from './batchTail';
import type { JobTask } from './task';
import { JobContacts } from '../pacing/contacts';
import type { RunClock } from '../ports';
import type { Failure } from '../wire/failures';

export interface RunOptions<Stored = unknown> {
	/** How many jobs may be started and waited on at once (Infinity: all). */
	maxInFlight: number;
	/** Stop at the first task that fails (the node will throw, so waiting on is pointless). */
	stopOnFirstFailure: boolean;
	/** The end of the whole run (ms since epoch); none when omitted. */
	deadline?: number;
	/** Ends what is still in flight (downloads, paced requests) when the run is over. */
	endRun?: () => void;
	/**
	 * The last contact with each job, shared with whatever else checks jobs in this process
	 * (other runs, retries); without it, the run keeps its own.
	 */
	contacts?: JobContacts;
	/**
	 * The tail of batches that span runs (the messages on one Node-RED node); without it, the
	 * run's own tasks are its batch.
	 */
	sharedTail?: SharedTail<Stored>;
}

/** Pushes a task back when anything in this process asked about the same job less than a second ago. */
function deferredForSharedJob<Stored>(task: JobTask<Stored>, now: number, contacts: JobContacts): boolean {
	if (!task.asksStatusNext || task.jobId === undefined) return false;
	const earliest = contacts.earliestRequestAt(task.jobId);
	if (earliest > now) {
		task.dueAt = earliest;
		return true;
	}
	contacts.record(task.jobId, now);
	return false;
}

const CANCELLED: Failure = { kind: 'cancelled', transient: false };
const RUN_TIMEOUT: Failure = { kind: 'run_timeout', transient: false };

/** Marks what the run's end cut short: after Stop everything is cancelled; at the deadline, what was unfinished. */
function abandonAtEnd<Stored>(tasks: JobTask<Stored>[], endedBy: Failure | undefined): void {
	for (const task of tasks) {
		if (endedBy === CANCELLED) task.abandon(CANCELLED);
		// The run's deadline: what it cut short (including requests it stopped) says so.
		if (endedBy === RUN_TIMEOUT && (!task.finished || task.failure?.kind === 'cancelled')) {
			task.abandon(RUN_TIMEOUT, true);
		}
	}
}

export async function runJobTasks<Stored>(tasks: JobTask<Stored>[], clock: RunClock, options: RunOptions<Stored>): Promise<void> {
	const tail: RunTail = options.sharedTail?.join(tasks) ?? new TailWatch(tasks);
	try {
		await runLoop(tasks, clock, options, tail);
	} finally {
		// The run is over: a shared tail lets go of its tasks (and of the files they hold).
		tail.leave?.();
	}
}

async function runLoop<Stored>(tasks: JobTask<Stored>[], clock: RunClock, options: RunOptions<Stored>, tail: RunTail): Promise<void> {
	const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
	const waiting = [...tasks];
	let active: JobTask<Stored>[] = [];
	const running = new Map<JobTask<Stored>, Promise<void>>();
	// Several items, runs or retries may name the same job: it is still asked about at most once a second.
	const contacts = options.contacts ?? new JobContacts();

	const launch = (task: JobTask<Stored>) => {
		const stepDone = task.step().finally(() => {
			running.delete(task);
			// A start is a contact too: the job's first check anywhere waits from it.
			if (task.jobId !== undefined) contacts.record(task.jobId, task.pollState.lastContactAt);
		});
		running.set(task, stepDone);
	};

	for (;;) {
		const now = clock.now();
		const endedBy = clock.cancelled() ? CANCELLED : now >= deadline ? RUN_TIMEOUT : undefined;
		if (endedBy || (options.stopOnFirstFailure && tasks.some((task) => task.failure))) {
			options.endRun?.();
			await Promise.allSettled(running.values());
			return abandonAtEnd(tasks, endedBy);
		}

		active = active.filter((task) => !task.finished);
		while (active.length < options.maxInFlight && waiting.length > 0) {
			const task = waiting.shift()!;
			task.admit(deadline);
			active.push(task);
		}
		if (active.length === 0) {
			await Promise.allSettled(running.values());
			return;
		}
		tail.look(now);

		for (const task of active) {
			if (!running.has(task) && task.dueAt <= now && !deferredForSharedJob(task, now, contacts)) launch(task);
		}
		let nextDue = deadline;
		for (const task of active) if (!running.has(task) && task.dueAt < nextDue) nextDue = task.dueAt;
		// A step that ends, or the shared tail moving one of this run's checks sooner, wakes the run.
		const wakes: Array<Promise<unknown>> = [...running.values()];
		const nudged = tail.nudged?.();
		if (nudged) wakes.push(nudged);
		const wake = wakes.length > 0 ? Promise.race(wakes) : undefined;
		await clock.sleep(Math.max(0, nextDue - now), wake);
	}
}
