/**
 * The one loop that drives every item's job: it admits at most `maxInFlight` jobs at a time
 * (in input order), runs the steps of all jobs that are due together, then sleeps until the next
 * one is due. The wait for ten decks therefore takes as long as the slowest deck, not their sum.
 */
import { sleep } from 'n8n-workflow';

import type { JobTask } from './jobTask';
import { TIMING } from './timing';

export interface RunnerClock {
	now(): number;
	/** Resolves after `ms`, or sooner when the execution is cancelled. */
	sleep(ms: number): Promise<void>;
	cancelled(): boolean;
}

export interface RunOptions {
	maxInFlight: number;
	/** Stop at the first task that fails (the node will throw, so waiting on is pointless). */
	stopOnFirstFailure: boolean;
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

export async function runJobTasks(
	tasks: JobTask[],
	clock: RunnerClock,
	options: RunOptions,
): Promise<void> {
	const waiting = [...tasks];
	let active: JobTask[] = [];
	// Several items may name the same job: it is still asked about at most once a second.
	const lastAskedAt = new Map<string, number>();

	for (;;) {
		if (clock.cancelled()) {
			for (const task of [...active, ...waiting]) {
				task.abandon({ kind: 'cancelled', transient: false });
			}
			return;
		}
		if (options.stopOnFirstFailure && tasks.some((task) => task.failure)) return;

		active = active.filter((task) => !task.finished);
		while (active.length < options.maxInFlight && waiting.length > 0) {
			const task = waiting.shift()!;
			task.admit();
			active.push(task);
		}
		if (active.length === 0) return;

		const now = clock.now();
		const due = active.filter((task) => task.dueAt <= now && !deferredForSharedJob(task, now, lastAskedAt));
		if (due.length > 0) {
			await Promise.all(due.map(async (task) => await task.step()));
			continue;
		}
		const nextDue = Math.min(...active.map((task) => task.dueAt));
		await clock.sleep(nextDue - now);
	}
}

/**
 * The real clock of a node run. Sleeping uses n8n's `sleep` and ends early when the user presses
 * Stop (the execution's cancel signal), so a long wait never outlives the execution.
 */
export function executionClock(signal: AbortSignal | undefined): RunnerClock {
	return {
		now: () => Date.now(),
		cancelled: () => signal?.aborted === true,
		sleep: async (ms) => {
			if (!signal) return await sleep(ms);
			if (signal.aborted) return;
			await new Promise<void>((resolve) => {
				const done = () => {
					signal.removeEventListener('abort', done);
					resolve();
				};
				signal.addEventListener('abort', done, { once: true });
				void sleep(ms).then(done);
			});
		},
	};
}
