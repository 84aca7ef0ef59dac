/**
 * The node as an AI agent's tool: compact JSON a model can use (links, not files), a bounded
 * wait that returns the job id instead of hanging the agent, failures as results, and a retried
 * tool call (a new run index) that gets the same job.
 */
import type { IDataObject } from 'n8n-workflow';

import { generateRequests, runPerceptis, useFastSimulator } from './runNode';

const sim = useFastSimulator();

const deck = (prompt = 'A deck about tides', options: IDataObject = {}) => ({ operation: 'generate', outputType: 'deck', prompt, options });
const storageRequests = () => sim.requests.filter((request) => request.server === 'storage');

describe('Generate as a tool', () => {
	it('a finished deck comes back as links with the slide count and a one-line summary, no files', async () => {
		const { items, error } = await runPerceptis(sim, deck(), { asTool: true });
		expect(error).toBeUndefined();
		const [job] = sim.jobs();
		expect(items).toHaveLength(1);
		expect(items[0].binary).toBeUndefined();
		expect(items[0].json).toMatchObject({
			jobId: job.id,
			status: 'completed',
			done: true,
			slideCount: 3,
			files: [{ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//), slideCount: 3 }],
			summary: expect.stringMatching(/^Ready: 3 slides\. Download: http/),
		});
		expect(storageRequests()).toHaveLength(0);
	});

	it('a long job returns within Wait as AI Tool, with its id and what to do next (not an error)', async () => {
		const { items, error, elapsedMs } = await runPerceptis(sim, deck('[sim:seconds=60000] Long deck', { toolWaitSeconds: 1 }), { asTool: true });
		expect(error).toBeUndefined();
		const [job] = sim.jobs();
		expect(elapsedMs).toBeLessThan(4_000);
		expect(items[0].json).toMatchObject({
			jobId: job.id,
			status: expect.stringMatching(/^(pending|processing)$/),
			done: false,
			nextStep: expect.stringContaining(`Get Status operation with job ID ${job.id}`),
		});
	});

	it('a retried tool call (a new run index, the same execution) gets the same job back', async () => {
		const nodeContext: IDataObject = {};
		const first = await runPerceptis(sim, deck('[sim:seconds=60000] Long deck', { toolWaitSeconds: 0 }), { asTool: true, runIndex: 0, nodeContext });
		const again = await runPerceptis(sim, deck('[sim:seconds=60000] Long deck', { toolWaitSeconds: 0 }), { asTool: true, runIndex: 1, nodeContext });
		expect(again.items[0].json.jobId).toBe(first.items[0].json.jobId);
		expect(sim.jobs()).toHaveLength(1);
		expect(generateRequests(sim)).toHaveLength(1);
	});

	it('the same call in another execution (a repeated MCP tools/call, the next chat message) gets the same job', async () => {
		const call = (executionId: string) =>
			runPerceptis(sim, deck('[sim:seconds=60000] Long deck', { toolWaitSeconds: 0 }), { asTool: true, executionId, workflowId: 'wf-repeat' });
		const first = await call('execution-101');
		const again = await call('execution-102');
		expect(again.items[0].json.jobId).toBe(first.items[0].json.jobId);
		expect(sim.jobs()).toHaveLength(1);
		// Perceptis is asked with the same key, and answers with the job it has.
		const keys = generateRequests(sim).map((request) => request.headers['idempotency-key']);
		expect(keys).toEqual([keys[0], keys[0]]);
		// The same request to the same node of another workflow is another job.
		const otherWorkflow = await runPerceptis(sim, deck('[sim:seconds=60000] Long deck', { toolWaitSeconds: 0 }), {
			asTool: true,
			executionId: 'execution-103',
			workflowId: 'wf-other',
		});
		expect(otherWorkflow.items[0].json.jobId).not.toBe(first.items[0].json.jobId);
		expect(sim.jobs()).toHaveLength(2);
		// Three calls, each checking its job no sooner than 2 s after the start (the API's advice).
	}, 20_000);

	it('asking again after a failed job starts one new job; asking once more gets that job back', async () => {
		const call = (executionId: string) => runPerceptis(sim, deck('[sim:failfirst=1] Deck that fails once'), { asTool: true, executionId, workflowId: 'wf-fail' });
		const failed = await call('execution-201');
		expect(failed.items[0].json).toMatchObject({ status: 'failed', done: true });
		const retried = await call('execution-202');
		expect(retried.items[0].json).toMatchObject({ status: 'completed', done: true });
		const again = await call('execution-203');
		expect(again.items[0].json.jobId).toBe(retried.items[0].json.jobId);
		expect(sim.jobs().map((job) => job.status)).toEqual(['failed', 'completed']);
		// Three calls, each checking its job no sooner than 2 s after the start (the API's advice).
	}, 20_000);

	it('a failed job is a result the model can read, not a thrown error', async () => {
		const { items, error } = await runPerceptis(sim, deck('[sim:fail] Deck'), { asTool: true });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			jobId: sim.jobs()[0].id,
			status: 'failed',
			done: true,
			error: { code: expect.any(String), message: expect.stringContaining('failed') },
			summary: expect.stringMatching(/^Perceptis could not make it: /),
		});
	});
});

describe('Get Status and Download as tools', () => {
	it('Get Status of a running job says to come back; of a finished one, gives the links', async () => {
		const started = await runPerceptis(sim, { ...deck('[sim:seconds=60000] Long deck'), waitForCompletion: false });
		const runningId = started.items[0].json.jobId as string;
		const running = await runPerceptis(sim, { operation: 'getStatus', jobId: runningId }, { asTool: true });
		expect(running.items[0].json).toMatchObject({ jobId: runningId, done: false, nextStep: expect.stringContaining(runningId) });

		const done = await runPerceptis(sim, deck('Short deck'));
		const doneId = done.items[0].json.jobId as string;
		const status = await runPerceptis(sim, { operation: 'getStatus', jobId: doneId }, { asTool: true });
		expect(status.items[0].json).toMatchObject({ jobId: doneId, status: 'completed', done: true, files: [expect.objectContaining({ url: expect.any(String) })] });
		// Four runs, each check paced from the job's start (2 s) and its last check (1 s): about 5 s
		// on a quiet machine, more on a busy one.
	}, 30_000);

	it('Download as a tool hands out links and fetches nothing', async () => {
		const done = await runPerceptis(sim, { ...deck('Short deck'), options: { downloadFiles: false } });
		const before = storageRequests().length;
		const { items } = await runPerceptis(sim, { operation: 'download', jobId: done.items[0].json.jobId }, { asTool: true });
		expect(items[0].binary).toBeUndefined();
		expect(items[0].json).toMatchObject({ done: true, files: [expect.objectContaining({ url: expect.any(String) })] });
		expect(storageRequests().length).toBe(before);
	});
});

describe("the tool node type run by the workflow engine (AI Agent 3.x: isToolExecution() is false)", () => {
	const asEngineRunsIt = { nodeType: 'n8n-nodes-perceptis.perceptisTool' };

	it('still answers as a tool: links, a bounded wait, and the same job for a repeated call', async () => {
		const nodeContext: IDataObject = {};
		const first = await runPerceptis(sim, deck('[sim:seconds=60000] Long deck', { toolWaitSeconds: 1 }), { ...asEngineRunsIt, runIndex: 0, nodeContext });
		const again = await runPerceptis(sim, deck('[sim:seconds=60000] Long deck', { toolWaitSeconds: 1 }), { ...asEngineRunsIt, runIndex: 1, nodeContext });
		expect(first.error).toBeUndefined();
		expect(first.elapsedMs).toBeLessThan(4_000);
		expect(first.items[0].json).toMatchObject({ done: false, nextStep: expect.stringContaining('Get Status') });
		expect(again.items[0].json.jobId).toBe(first.items[0].json.jobId);
		expect(sim.jobs()).toHaveLength(1);
	});

	it('the action node type (not a tool) keeps waiting and downloading as usual', async () => {
		const { items } = await runPerceptis(sim, deck('Short deck'), { nodeType: 'n8n-nodes-perceptis.perceptis' });
		expect(items[0].binary?.data).toBeDefined();
		expect(items[0].json.done).toBeUndefined();
	});
});

