/* eslint-disable @n8n/community-nodes/no-restricted-imports -- Node-RED runtime, not part of the n8n package */

/**
 * The runs of one perceptis node instance, from a message's arrival to its result or error, and
 * across the instance's end:
 *
 * - each message is read (bad input fails here, nothing sent), its run kept for the next
 *   instance from the start (handoverStore.ts) and updated the moment its job exists;
 * - on close (a deploy or Node-RED stopping) every wait ends at once and every run in flight is
 *   kept with its job id and poll state; nothing is sent, since the old instance's wires go
 *   nowhere. A node that was deleted says which jobs it leaves running;
 * - the next instance takes the kept runs and finishes them, marking their messages
 *   `msg.perceptis.resumed = true`; their errors reach Catch nodes through node.error(err, msg).
 */
import { setMaxListeners } from 'events';
import type { ErrorFacts } from '../../core/errors/table';
import { SharedTail } from '../../core/jobs/batchTail';
import { handoverOf, resumedPlan, type Handover } from '../../core/jobs/handover';
import { recordInLedger, resumeFromLedger, type JobLedger } from '../../core/jobs/ledger';
import { isObject } from '../../core/json';
import { pause } from './clock';
import { failWith, problemOf, type PerceptisError } from './errors';
import type { NodeRedTask, StoredFile } from './fileSink';
import { messageFrom, messageText, type InFlightStore, type Parked } from './handoverStore';
import type { InputRefusal } from './inputProblems';
import { resultMessages, type OutputTools } from './output';
import type { Node, NodeMessage, NodeStatus, Send } from './red';
import { planOf, type Evaluate, type PlannedRun } from './request';
import { runPlan } from './run';
import type { PerceptisServer, ServerProblem } from './server';
import type { NodeSettings } from './settings';
import { busyStatus, doneStatus, errorStatus, StatusTicker } from './status';
import { jobsLeftWarning } from './words';

/** How long a close waits for its runs to let go (they do within milliseconds): well under Node-RED's 15 s. */
const CLOSE_GRACE_MS = 500;

export interface WorkerDeps {
	node: Node;
	/** The node's settings, or why it was refused at deploy. */
	settings: NodeSettings | ServerProblem;
	server(): PerceptisServer | undefined;
	evaluate: Evaluate;
	tools: OutputTools & { newToken(): string };
	store: InFlightStore;
	ledger: JobLedger;
}

interface Run extends PlannedRun {
	token: string;
	msg: NodeMessage;
	/** When the wait began (an earlier instance's start for a resumed run). */
	since: number;
	resumed: boolean;
	/** What is kept until the task exists (a resumed run's is its earlier instance's). */
	handover: Handover;
	/** The message's serialisable part, taken once (handoverStore.ts). */
	msgText: string;
	task?: NodeRedTask;
	ended?: Promise<unknown>;
}

const NO_SERVER: ServerProblem = {
	code: 'no_server',
	message: 'The perceptis node has no Perceptis server: choose or add one in its Server field, then deploy.',
};

const asFacts = ({ code, message }: ServerProblem): InputRefusal => ({ code, kind: 'invalid_setting', message, description: '' });

export class NodeRuns {
	private readonly runs = new Map<string, Run>();
	private readonly closing = new AbortController();
	/** The messages in flight together are one batch: its last jobs are checked at a share of their age. */
	private readonly tail = new SharedTail<StoredFile>();
	private readonly ticker: StatusTicker;

	constructor(private readonly deps: WorkerDeps) {
		// Every run and every sleep of this node listens to its close, and lets go as it ends: a batch
		// of messages is many listeners by design, not a leak, so Node 18–20 must not warn at 11.
		setMaxListeners(Infinity, this.closing.signal);
		this.ticker = new StatusTicker(deps.node, () => (this.runs.size ? busyStatus([...this.runs.values()], Date.now()) : undefined));
	}

	/** Why no message can be sent now (a refused setting, no server, no key), or undefined. */
	problem(): ServerProblem | undefined {
		const { settings } = this.deps;
		if ('code' in settings) return settings;
		const server = this.deps.server();
		return server ? server.problem : NO_SERVER;
	}

	/** One input message: its result is sent, or the error for done(err) is thrown. */
	async input(msg: NodeMessage, send: Send): Promise<void> {
		const problem = this.problem();
		if (problem) throw this.failed(msg, asFacts(problem));
		const reading = await planOf(this.deps.settings as NodeSettings, msg, this.deps.node.id, this.deps.evaluate, Date.now());
		if ('refusal' in reading) throw this.failed(msg, reading.refusal);
		if (reading.plan.start) resumeFromLedger([reading.plan], this.deps.ledger);
		const run = this.begin({ ...reading, msg, since: Date.now(), resumed: false, handover: { plan: reading.plan } });
		run.ended = this.execute(run, send);
		await run.ended;
	}

	/** The runs an earlier instance kept: each is finished here, when its poll state allows. */
	resumeParked(): void {
		for (const parked of this.deps.store.takeAll()) {
			const run = this.resumed(parked);
			run.ended = this.finishResumed(run, parked.handover);
		}
	}

	/** Ends every wait, keeps every run in flight for the next instance, and lets go within a second. */
	async close(removed: boolean): Promise<void> {
		this.closing.abort();
		this.ticker.stop();
		const ends = [...this.runs.values()].map((run) => run.ended);
		const grace = new AbortController();
		await Promise.race([Promise.allSettled(ends), pause(CLOSE_GRACE_MS, grace.signal)]);
		grace.abort();
		for (const run of this.runs.values()) this.park(run);
		if (removed) this.deps.store.forget();
		if (removed && this.runs.size > 0) {
			this.deps.node.warn(
				jobsLeftWarning(
					[...this.runs.values()].map(({ handover, task }) => ({
						jobId: task?.jobId ?? handover.jobId,
						status: task?.snapshot?.status ?? handover.status,
						idempotencyKey: handover.plan.start?.idempotencyKey,
					})),
				),
			);
		}
	}

	private resumed(parked: Parked & { live?: NodeMessage }): Run {
		const msg = parked.live ?? messageFrom(parked.msg);
		const since = parked.handover.poll?.startedAt ?? Date.now();
		return this.begin({ operation: parked.operation, plan: parked.handover.plan, msg, since, resumed: true, handover: parked.handover });
	}

	private async finishResumed(run: Run, handover: Handover): Promise<void> {
		const { plan, notBefore } = resumedPlan(handover, Date.now());
		run.plan = plan;
		await pause(notBefore - Date.now(), this.closing.signal);
		if (this.closing.signal.aborted) return;
		try {
			const problem = this.problem();
			if (problem) {
				this.settle(run, errorStatus(problem.code));
				throw this.failed(run.msg, asFacts(problem), undefined, run);
			}
			await this.execute(run, (messages) => this.deps.node.send(messages));
		} catch (error) {
			// No input handler waits for a resumed message: Catch nodes get it from node.error(err, msg).
			this.deps.node.error(error, run.msg);
		}
	}

	private begin(fields: Omit<Run, 'token' | 'msgText'>): Run {
		const run: Run = { token: this.deps.tools.newToken(), msgText: messageText(fields.msg), ...fields };
		this.runs.set(run.token, run);
		this.park(run);
		this.ticker.update();
		return run;
	}

	/** Keeps the run for the next instance as it stands now. */
	private park(run: Run): void {
		const handover = run.task ? handoverOf(run.task) : run.handover;
		this.deps.store.keep(run.token, { operation: run.operation, handover, msg: run.msgText }, run.msg);
	}

	private jobStarted(run: Run, task: NodeRedTask): void {
		run.task = task;
		this.park(run);
		if (task.plan.start) recordInLedger([task], this.deps.ledger);
		this.ticker.update();
	}

	private async execute(run: Run, send: Send): Promise<void> {
		const server = this.deps.server()!;
		const origin = server.origin!;
		let final: NodeStatus | undefined;
		try {
			const task = await runPlan(run.plan, {
				origin,
				apiKey: () => server.apiKey() ?? '',
				nodeSignal: this.closing.signal,
				track: (created) => (run.task = created),
				jobStarted: (started) => this.jobStarted(run, started),
				tail: this.tail,
			});
			// Closed meanwhile: the run is kept for the next instance; this one sends nothing.
			if (this.closing.signal.aborted) return;
			this.deps.store.drop(run.token);
			if (task.plan.start) recordInLedger([task], this.deps.ledger);
			const problem = problemOf(task, origin);
			if (problem) {
				final = errorStatus(problem.code);
				throw this.failed(run.msg, problem, task, run);
			}
			send([resultMessages(run.msg, task, run.operation, run.resumed, this.deps.tools)]);
			final = doneStatus(doneText(run, task));
		} finally {
			if (!this.closing.signal.aborted) this.settle(run, final);
		}
	}

	private failed(msg: NodeMessage, facts: ErrorFacts | InputRefusal, task?: NodeRedTask, run?: Run): PerceptisError {
		const error = failWith(msg, facts, task);
		if (run?.resumed && isObject(msg.perceptis)) msg.perceptis.resumed = true;
		if (!run) this.deps.node.status(errorStatus(facts.code));
		return error;
	}

	/** The run is over: the status shows what the others do, or how this one ended. */
	private settle(run: Run, final: NodeStatus | undefined): void {
		this.deps.store.drop(run.token);
		this.runs.delete(run.token);
		if (this.runs.size > 0) this.ticker.update();
		else {
			this.ticker.stop();
			this.deps.node.status(final ?? errorStatus('failed'));
		}
	}
}

function doneText(run: Run, task: NodeRedTask): string {
	if (task.files.length) return `done: ${task.files.length} file${task.files.length > 1 ? 's' : ''}`;
	return run.operation === 'generate' ? `started: ${task.jobId}` : `${task.snapshot?.status ?? 'checked'}`;
}
