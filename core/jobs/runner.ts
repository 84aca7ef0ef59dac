/**
 * The one loop that drives every item's job. It admits jobs in input order (all of them, unless
 * the user capped how many run at once), starts each job's next step as soon as it is due, and
 * sleeps until the next one is due or a step in flight ends. Steps run side by side, so a long
 * download never holds back another job's status check: ten decks take as long as the slowest.
 *
 * The run ends at its deadline, on Stop, or (without Continue On Fail) at the first failure;
 * whatever is unfinished then is reported with its job id.
 */
import { sleep } from 'n8n-workflow';

import type { Failure } from './apiAnswers';
import type { JobTask } from './jobTask';
import { TIMING } from './timing';

export interface RunnerClock {
	now(): number;
	/** Resolves after `ms`, when `wake` settles, or at once when the execution is cancelled. */
	sleep(ms: number, wake?: Promise<unknown>): Promise<void>;
	cancelled(): boolean;
}

export interface RunOptions {
	/** How many jobs may be started and waited on at once (Infinity: all). */
	maxInFlight: number;
	/** Stop at the first task that fails (the node will throw, so waiting on is pointless). */
	stopOnFirstFailure: boolean;
	/** The end of the whole run (ms since epoch); none when omitted. */
	deadline?: number;
	/** Ends what is still in flight (downloads, paced requests) when the run is over. */
	endRun?: () => void;
}

/** Pushes a task back when another task asked about the same job less than a second ago. */
function deferredForSharedJob(task: JobTask, now: number, lastAskedAt: Map<string, number>): boolean {
	if (!task.asksStatusNext || task.jobId === undefined) return false;
	const earliest = (lastAskedAt.get(task.jobId) ?? Number.NEGATIVE_INFINITY) + TIMING.minRequestGapMs;
	if (earliest > now) {
		task.dueAt = earliest;
		return true;
	}
	lastAskedAt.set(task.jobId, now);
	return false;
}

const CANCELLED: Failure = { kind: 'cancelled', transient: false };
const RUN_TIMEOUT: Failure = { kind: 'run_timeout', transient: false };

export async function runJobTasks(tasks: JobTask[], clock: RunnerClock, options: RunOptions): Promise<void> {
	const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
	const waiting = [...tasks];
	let active: JobTask[] = [];
	const running = new Map<JobTask, Promise<void>>();
	// Several items may name the same job: it is still asked about at most once a second.
	const lastAskedAt = new Map<string, number>();

	const launch = (task: JobTask) => {
		const stepDone = task.step().finally(() => running.delete(task));
		running.set(task, stepDone);
	};

	// The batch's tail: once few of its jobs are still running, those decide when the run ends.
	const watched = tasks.filter((task) => task.plan.mode === 'wait');
	let tailReached = false;
	let tailSeenDone = 0;

	for (;;) {
		const now = clock.now();
		const endedBy = clock.cancelled() ? CANCELLED : now >= deadline ? RUN_TIMEOUT : undefined;
		if (endedBy || (options.stopOnFirstFailure && tasks.some((task) => task.failure))) {
			options.endRun?.();
			await Promise.allSettled(running.values());
			for (const task of tasks) {
				if (endedBy === CANCELLED) task.abandon(CANCELLED);
				// The run's deadline: what it cut short (including requests it stopped) says so.
				if (endedBy === RUN_TIMEOUT && (!task.finished || task.failure?.kind === 'cancelled')) {
					task.abandon(RUN_TIMEOUT, true);
				}
			}
			return;
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

		if (watched.length >= 2) {
			const stillRunning = watched.filter((task) => !task.finished && task.phase !== 'download');
			if (stillRunning.length <= watched.length * TIMING.tailStartsAtRunningShare) {
				// Each time another job is seen done, the rest are looked at again soon.
				const seenDone = watched.length - stillRunning.length;
				if (!tailReached || seenDone !== tailSeenDone) for (const task of stillRunning) task.hurry(now);
				tailReached = true;
				tailSeenDone = seenDone;
			}
		}

		for (const task of active) {
			if (!running.has(task) && task.dueAt <= now && !deferredForSharedJob(task, now, lastAskedAt)) launch(task);
		}
		let nextDue = deadline;
		for (const task of active) if (!running.has(task) && task.dueAt < nextDue) nextDue = task.dueAt;
		const wake = running.size > 0 ? Promise.race(running.values()) : undefined;
		await clock.sleep(Math.max(0, nextDue - now), wake);
	}
}

/**
 * The real clock of a node run. Sleeping uses n8n's `sleep` and ends early when the user presses
 * Stop (the execution's cancel signal) or a step in flight ends, so a wait never outlives the
 * execution and a finished step is followed up at once.
 */
export function executionClock(signal: AbortSignal | undefined): RunnerClock {
	return {
		now: () => Date.now(),
		cancelled: () => signal?.aborted === true,
		sleep: async (ms, wake) => {
			if (signal?.aborted) return;
			await new Promise<void>((resolve) => {
				let settled = false;
				const done = () => {
					if (settled) return;
					settled = true;
					signal?.removeEventListener('abort', done);
					resolve();
				};
				signal?.addEventListener('abort', done, { once: true });
				// n8n's sleep cannot be cleared: while a step may wake us early, nap in short
				// stretches, so no timer of an ended wait keeps the process busy for long.
				void sleep(wake ? Math.min(ms, TIMING.wakeCheckMs) : ms).then(done);
				void wake?.then(done, done);
			});
		},
	};
}
