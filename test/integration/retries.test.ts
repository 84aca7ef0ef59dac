/**
 * Never pay twice, never lose a job: every way n8n runs the node again, against the simulator.
 *
 * n8n keeps the node context with the execution's data. Retry On Fail runs the node again in the
 * same execution (the same context object); the executions list's Retry starts a new execution
 * (a new id) with a copy of the failed execution's data (a deep copy of the context). A new event
 * (schedule tick, webhook call, manual run) is a new execution with an empty context.
 */
import type { IDataObject } from 'n8n-workflow';

import { generateRequests, isPptx, runPerceptis, useFastSimulator } from './runNode';

const sim = useFastSimulator();

const deck = (prompt = 'A deck', options: IDataObject = {}) => ({
	operation: 'generate',
	outputType: 'deck',
	prompt,
	options,
});
/** 2.5 s of real time at the fast simulator's time scale: longer than a 1 s Job Timeout. */
const SLOW = '[sim:seconds=2500]';
const copyOf = (context: IDataObject) => JSON.parse(JSON.stringify(context)) as IDataObject;
const jobsCreated = () => sim.jobs().length;

describe('a wait that ran out, then retried', () => {
	it("Retry On Fail (same execution): picks the running job up and downloads it — one job, one charge", async () => {
		const nodeContext: IDataObject = {};
		const first = await runPerceptis(sim, deck(`${SLOW} Board deck`, { timeoutSeconds: 1 }), { executionId: 'exec-1', nodeContext });
		expect(first.error?.context?.failureKind).toBe('deadline_exceeded');
		const jobId = first.error!.context!.jobId;

		const again = await runPerceptis(sim, deck(`${SLOW} Board deck`, { timeoutSeconds: 30 }), { executionId: 'exec-1', nodeContext });
		expect(again.error).toBeUndefined();
		expect(again.items[0].json).toMatchObject({ jobId, status: 'completed', pickedUp: true });
		expect(isPptx(again.items[0].binary!.data.data)).toBe(true);
		expect(jobsCreated()).toBe(1);
		expect(generateRequests(sim)).toHaveLength(1);
		expect(sim.creditsCharged()).toBe(3);
	}, 30_000);

	it("the executions list's Retry (new execution id, copied data): the same job, not a second one", async () => {
		const nodeContext: IDataObject = {};
		const first = await runPerceptis(sim, deck(`${SLOW} Board deck`, { timeoutSeconds: 1 }), { executionId: 'exec-1', nodeContext });
		const jobId = first.error!.context!.jobId;

		const retry = await runPerceptis(sim, deck(`${SLOW} Board deck`), { executionId: 'exec-2', nodeContext: copyOf(nodeContext) });
		expect(retry.items[0].json).toMatchObject({ jobId, status: 'completed', pickedUp: true });
		expect(jobsCreated()).toBe(1);
		expect(sim.creditsCharged()).toBe(3);
	}, 30_000);

	it('a new event (a new execution, no data of the old one) starts a new job', async () => {
		await runPerceptis(sim, deck('Board deck', { timeoutSeconds: 30 }), { executionId: 'exec-1', nodeContext: {} });
		await runPerceptis(sim, deck('Board deck', { timeoutSeconds: 30 }), { executionId: 'exec-2', nodeContext: {} });
		expect(jobsCreated()).toBe(2);
	}, 30_000);

	it('the same request with another prompt on retry (the workflow was edited) is a new request', async () => {
		const nodeContext: IDataObject = {};
		await runPerceptis(sim, deck(`${SLOW} Board deck`, { timeoutSeconds: 1 }), { executionId: 'exec-1', nodeContext });
		const retry = await runPerceptis(sim, deck('Board deck, fixed'), { executionId: 'exec-2', nodeContext: copyOf(nodeContext) });
		expect(retry.items[0].json.pickedUp).toBeUndefined();
		expect(jobsCreated()).toBe(2);
	}, 30_000);
});

describe('a retry really retries a failed job, once per failure', () => {
	it("the list's Retry starts a new job; retrying that same failed execution again does not start a third", async () => {
		const failedExecution: IDataObject = {};
		const first = await runPerceptis(sim, deck('[sim:fail] Deck'), { executionId: 'exec-1', nodeContext: failedExecution });
		expect(first.error?.context?.failureKind).toBe('job_failed');
		const failedJob = first.error!.context!.jobId as string;

		const retryA = await runPerceptis(sim, deck('[sim:fail] Deck'), { executionId: 'exec-2', nodeContext: copyOf(failedExecution) });
		const retryB = await runPerceptis(sim, deck('[sim:fail] Deck'), { executionId: 'exec-3', nodeContext: copyOf(failedExecution) });
		const newJob = retryA.error!.context!.jobId as string;
		expect(newJob).not.toBe(failedJob);
		expect(retryB.error!.context!.jobId).toBe(newJob);
		expect(retryA.error!.context!.jobs).toEqual([
			expect.objectContaining({ itemIndex: 0, jobId: newJob, status: 'failed', replacedFailedJobs: [failedJob] }),
		]);
		expect(jobsCreated()).toBe(2);
	}, 30_000);

	it('each try of Retry On Fail retries the failure the try before it saw', async () => {
		const nodeContext: IDataObject = {};
		const ids: unknown[] = [];
		for (let attempt = 0; attempt < 3; attempt++) {
			const run = await runPerceptis(sim, deck('[sim:fail] Deck'), { executionId: 'exec-1', nodeContext });
			ids.push(run.error!.context!.jobId);
		}
		expect(new Set(ids).size).toBe(3);
		expect(jobsCreated()).toBe(3);
		expect(sim.creditsCharged()).toBe(0);
	}, 30_000);

	it('a completed job is never started again, whatever retries follow', async () => {
		const nodeContext: IDataObject = {};
		const first = await runPerceptis(sim, deck('Deck'), { executionId: 'exec-1', nodeContext });
		const again = await runPerceptis(sim, deck('Deck'), { executionId: 'exec-2', nodeContext: copyOf(nodeContext) });
		expect(again.items[0].json.jobId).toBe(first.items[0].json.jobId);
		expect(jobsCreated()).toBe(1);
		expect(sim.creditsCharged()).toBe(3);
	}, 30_000);
});

describe('several items, one of them fails (no Continue On Fail)', () => {
	it('the error names every job of the run, machine-readable, and a retry pays for none of them again', async () => {
		// The second job fails its 3 s Job Timeout well after the first is done and downloaded (its
		// first check comes 2 s after the start, the API's advice): with one timeout for both, the
		// second could fail while the first was still downloading, which the run then cancels.
		const prompts = ['First deck', '[sim:seconds=5000] Second deck'];
		const timeouts = [30, 3];
		const nodeContext: IDataObject = {};
		const first = await runPerceptis(sim, (i) => deck(prompts[i], { timeoutSeconds: timeouts[i] }), {
			executionId: 'exec-1',
			nodeContext,
			items: prompts.map(() => ({ json: {} })),
		});
		const jobs = first.error!.context!.jobs as IDataObject[];
		expect(jobs).toEqual([
			{ itemIndex: 0, jobId: expect.any(String), status: 'completed', idempotencyKey: expect.stringMatching(/^n8n-/) },
			{
				itemIndex: 1,
				jobId: expect.any(String),
				status: expect.stringMatching(/^(pending|processing)$/),
				idempotencyKey: expect.stringMatching(/^n8n-/),
				error: 'deadline_exceeded',
			},
		]);

		const retry = await runPerceptis(sim, (i) => deck(prompts[i]), {
			executionId: 'exec-2',
			nodeContext: copyOf(nodeContext),
			items: prompts.map(() => ({ json: {} })),
		});
		expect(retry.error).toBeUndefined();
		expect(retry.items.map((item) => item.json.jobId)).toEqual(jobs.map((job) => job.jobId));
		expect(jobsCreated()).toBe(2);
		expect(sim.creditsCharged()).toBe(6);
	}, 30_000);

	it('a run that reaches its Run Timeout lists the jobs left running', async () => {
		const prompts = [`${SLOW} One`, `${SLOW} Two`];
		const run = await runPerceptis(sim, (i) => deck(prompts[i], { runTimeoutSeconds: 1 }), {
			items: prompts.map(() => ({ json: {} })),
		});
		expect(run.error!.context!.jobs).toEqual(
			sim.jobs().map((job, itemIndex) => expect.objectContaining({ itemIndex, jobId: job.id, error: 'run_timeout' })),
		);
	}, 30_000);
});

describe('Idempotency Key set by the user, several items', () => {
	it('different prompts under one key: one job each, no idempotency_conflict', async () => {
		const prompts = ['Sales deck', 'Marketing deck'];
		const run = await runPerceptis(sim, (i) => deck(prompts[i], { idempotencyKey: 'weekly-2026-48' }), {
			items: prompts.map(() => ({ json: {} })),
		});
		expect(run.error).toBeUndefined();
		expect(generateRequests(sim).map((request) => request.headers['idempotency-key'])).toEqual([
			'weekly-2026-48-item-1',
			'weekly-2026-48-item-2',
		]);
		expect(jobsCreated()).toBe(2);
	}, 30_000);

	it('equal prompts under one key: two items, two jobs (not merged into one)', async () => {
		const run = await runPerceptis(sim, deck('Same deck', { idempotencyKey: 'weekly-2026-48' }), {
			items: [{ json: {} }, { json: {} }],
		});
		expect(new Set(run.items.map((item) => item.json.jobId)).size).toBe(2);
		expect(jobsCreated()).toBe(2);
	}, 30_000);

	it('a key per item (an expression) is used as it is, and next week the same expression is a new job', async () => {
		await runPerceptis(sim, deck('Sales deck', { idempotencyKey: 'sales-2026-48' }), { executionId: 'exec-1' });
		await runPerceptis(sim, deck('Sales deck', { idempotencyKey: 'sales-2026-48' }), { executionId: 'exec-2' });
		await runPerceptis(sim, deck('Sales deck', { idempotencyKey: 'sales-2026-49' }), { executionId: 'exec-3' });
		expect(generateRequests(sim).map((request) => request.headers['idempotency-key'])).toEqual([
			'sales-2026-48',
			'sales-2026-48',
			'sales-2026-49',
		]);
		expect(jobsCreated()).toBe(2);
	}, 30_000);
});

describe('no execution id (outside a saved execution)', () => {
	it('two runs never share a key', async () => {
		await runPerceptis(sim, deck('Deck'), { executionId: null });
		await runPerceptis(sim, deck('Deck'), { executionId: null });
		expect(jobsCreated()).toBe(2);
	}, 30_000);
});

describe('a start whose answer was lost after the job was created', () => {
	it('the error gives the key that gets the job back, and a Retry of the execution does', async () => {
		// Every attempt's answer is lost after the job exists: the node never learns its id.
		sim.injectFault({ method: 'POST', path: '/api/v1/generate', kind: 'reset-after', times: 4 });
		const nodeContext: IDataObject = {};
		const first = await runPerceptis(sim, deck('Deck'), { executionId: 'exec-1', nodeContext });
		const [entry] = first.error!.context!.jobs as IDataObject[];
		expect(entry).toMatchObject({ itemIndex: 0, jobId: null, idempotencyKey: expect.stringMatching(/^n8n-/) });
		expect(first.error!.description).toContain(`sends the same key (${String(entry.idempotencyKey)})`);
		expect(jobsCreated()).toBe(1);

		const retry = await runPerceptis(sim, deck('Deck'), { executionId: 'exec-2', nodeContext: copyOf(nodeContext) });
		expect(retry.items[0].json).toMatchObject({ jobId: sim.jobs()[0].id, status: 'completed' });
		expect(jobsCreated()).toBe(1);
	}, 60_000);
});
