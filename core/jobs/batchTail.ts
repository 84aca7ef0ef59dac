/**
 * The batch's tail: once few of a batch's jobs are still running, those decide when the batch
 * ends, so each time another job is seen done the rest are looked at again soon (at a share of
 * their age: pacing/timing.ts). In n8n a batch is the items of one run. In Node-RED each message
 * is a run of its own, and a batch is the messages that arrive together on one node: the
 * `SharedTail` groups them, and wakes every run whose job it hurried.
 */
import type { JobTask } from './task';
import { TIMING } from '../pacing/timing';

export class TailWatch<Stored> {
	/** The batch's jobs not yet finished; a finished one is only counted (its files went on with it). */
	private unfinished: JobTask<Stored>[] = [];
	private watched = 0;
	private finished = 0;
	private reached = false;
	private seenDone = 0;

	constructor(tasks: JobTask<Stored>[] = []) {
		this.add(tasks);
	}

	add(tasks: JobTask<Stored>[]): void {
		const waiting = tasks.filter((task) => task.plan.mode === 'wait');
		this.unfinished.push(...waiting);
		this.watched += waiting.length;
	}

	/** Whether a job of the batch was seen done: a batch whose end has begun takes no newcomers. */
	get anySeenDone(): boolean {
		return this.finished > 0 || this.unfinished.some((task) => task.finished || task.phase === 'download');
	}

	/** The run of `tasks` ended: they are counted as finished, and no longer held (nor their files). */
	release(tasks: JobTask<Stored>[]): void {
		const before = this.unfinished.length;
		this.unfinished = this.unfinished.filter((task) => !tasks.includes(task));
		this.finished += before - this.unfinished.length;
	}

	get allFinished(): boolean {
		return this.unfinished.every((task) => task.finished);
	}

	/** Hurries the last running jobs when their share is reached or another was seen done; true if it did. */
	look(now: number): boolean {
		const before = this.unfinished.length;
		this.unfinished = this.unfinished.filter((task) => !task.finished);
		this.finished += before - this.unfinished.length;
		if (this.watched < 2) return false;
		const stillRunning = this.unfinished.filter((task) => task.phase !== 'download');
		if (stillRunning.length > this.watched * TIMING.tailStartsAtRunningShare) return false;
		const seenDone = this.watched - stillRunning.length;
		const hurried = !this.reached || seenDone !== this.seenDone;
		if (hurried) for (const task of stillRunning) task.hurry(now);
		this.reached = true;
		this.seenDone = seenDone;
		return hurried && stillRunning.length > 0;
	}
}

/** What the runner needs of a tail: a look each turn, and maybe a wake-up and a goodbye. */
export interface RunTail {
	look(now: number): void;
	/** Settles when the tail moved a job of this run sooner (the run then plans again). */
	nudged?(): Promise<void>;
	/** The run ended: the tail holds its tasks no longer. */
	leave?(): void;
}

/**
 * The tails of the batches that run side by side in one host object (a Node-RED node): a run's
 * tasks join the open batch, unless a job of it was already seen done (then they begin the next).
 */
export class SharedTail<Stored> {
	private readonly batches = new Set<TailWatch<Stored>>();
	private open: TailWatch<Stored> | undefined;
	private nudge!: () => void;
	private pending!: Promise<void>;

	constructor() {
		this.renew();
	}

	/** The tail of a run whose `tasks` join a batch. */
	join(tasks: JobTask<Stored>[]): RunTail {
		if (!this.open || this.open.anySeenDone || this.open.allFinished) {
			this.open = new TailWatch<Stored>();
			this.batches.add(this.open);
		}
		const batch = this.open;
		batch.add(tasks);
		return {
			look: (now) => this.look(now),
			nudged: () => this.pending,
			leave: () => this.leave(batch, tasks),
		};
	}

	private leave(batch: TailWatch<Stored>, tasks: JobTask<Stored>[]): void {
		batch.release(tasks);
		if (batch.allFinished && batch !== this.open) this.batches.delete(batch);
	}

	private look(now: number): void {
		let hurried = false;
		for (const batch of this.batches) {
			if (batch.look(now)) hurried = true;
			if (batch.allFinished && batch !== this.open) this.batches.delete(batch);
		}
		if (hurried) {
			this.nudge();
			this.renew();
		}
	}

	private renew(): void {
		this.pending = new Promise((resolve) => (this.nudge = resolve));
	}
}
