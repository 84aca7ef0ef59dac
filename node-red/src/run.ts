/**
 * One message's run: its job task through the core's runner (core/jobs/runner.ts), on the run
 * clock of the node (it ends when the node closes), with every API request paced by the key's
 * governor and every check of a job a second from any other in the process. The task comes back
 * finished, failed, or cut short by the node's close.
 */
import type { SharedTail } from '../../core/jobs/batchTail';
import { runJobTasks } from '../../core/jobs/runner';
import { JobTask } from '../../core/jobs/task';
import type { JobPlan } from '../../core/jobs/plan';
import { TIMING } from '../../core/pacing/timing';
import { createPerceptisClient } from '../../core/wire/client';
import { timerClock } from './clock';
import { bufferSink, type NodeRedTask, type StoredFile } from './fileSink';
import { pacedClient, pacingFor } from './governors';
import { axiosHttp } from './http';

/** What a run needs from its node and config node. */
export interface RunDeps {
	origin: string;
	apiKey: () => string;
	/** Aborted when the node closes: every wait ends, every request is let go. */
	nodeSignal: AbortSignal;
	/** The task exists (the node keeps it, to hand it over at close). */
	track(task: NodeRedTask): void;
	/** The task's job exists (the node records it at once). */
	jobStarted(task: NodeRedTask): void;
	/** The node's batch tail: messages that arrive together are one batch, whose last jobs are checked sooner. */
	tail: SharedTail<StoredFile>;
}

export async function runPlan(plan: JobPlan, deps: RunDeps): Promise<NodeRedTask> {
	// The whole run may last the job's wait plus room to start it (rate limits) and fetch its files.
	const deadline = Date.now() + plan.timeoutMs + TIMING.runTimeoutAllowanceMs;
	const runEnd = new AbortController();
	const endRun = () => runEnd.abort();
	deps.nodeSignal.addEventListener('abort', endRun, { once: true });
	try {
		const client = createPerceptisClient({ origin: deps.origin, http: axiosHttp(deps.apiKey, runEnd.signal), runSignal: runEnd.signal });
		const { governor, contacts } = pacingFor(deps.origin, deps.apiKey());
		const paced = pacedClient(client, governor, deadline, runEnd.signal);
		const task: NodeRedTask = new JobTask(plan, paced, () => Date.now(), bufferSink(), deps.jobStarted);
		deps.track(task);
		await runJobTasks([task], timerClock(deps.nodeSignal), { maxInFlight: 1, stopOnFirstFailure: true, deadline, endRun, contacts, sharedTail: deps.tail });
		return task;
	} finally {
		deps.nodeSignal.removeEventListener('abort', endRun);
		runEnd.abort();
	}
}
