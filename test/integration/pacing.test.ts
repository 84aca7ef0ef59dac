/**
 * One check per job per second, and no first check sooner than 2 s after the start, wherever the
 * checks come from: a retry in this process or in another one, a Wait for Completion after a
 * Generate that did not wait, two executions at once. The simulator records the gaps between
 * every contact with each job (its start included), in real time.
 */
import type { IDataObject } from 'n8n-workflow';

import { nodeOfAnotherProcess, runPerceptis, useFastSimulator } from './runNode';

const sim = useFastSimulator();
const copyOf = (context: IDataObject) => JSON.parse(JSON.stringify(context)) as IDataObject;
/** 5 s of real time at the fast simulator's time scale: longer than a 1 s Job Timeout. */
const SLOW = '[sim:seconds=5000]';
const deck = (prompt: string, options: IDataObject = {}) => ({ operation: 'generate', outputType: 'deck', prompt, options });
const gapsOf = (jobId: string) => sim.checkGaps().jobs.find((job) => job.id === jobId)!;

describe("the executions list's Retry of a wait that ran out", () => {
	it.each([
		['in the same process', () => undefined],
		['on another queue-mode worker (nothing in memory, the execution data only)', nodeOfAnotherProcess],
	])('checks the job no sooner than 1 s after the last check of the run it retries: %s', async (_where, node) => {
		const nodeContext: IDataObject = {};
		const first = await runPerceptis(sim, deck(`${SLOW} Board deck`, { timeoutSeconds: 1 }), { executionId: 'exec-1', nodeContext });
		expect(first.error?.context?.failureKind).toBe('deadline_exceeded');
		const jobId = first.error!.context!.jobId as string;
		const checksBefore = gapsOf(jobId).statusChecks;

		const retry = await runPerceptis(sim, deck(`${SLOW} Board deck`, { timeoutSeconds: 1 }), {
			executionId: 'exec-2',
			nodeContext: copyOf(nodeContext),
			node: node(),
		});
		expect(retry.error?.context?.jobId).toBe(jobId);
		const gaps = gapsOf(jobId);
		expect(gaps.statusChecks).toBeGreaterThan(checksBefore);
		expect(gaps.minCheckGapMs).toBeGreaterThanOrEqual(1000);
		expect(sim.jobs()).toHaveLength(1);
	}, 30_000);
});

describe('Wait for Completion after a Generate that did not wait', () => {
	it('makes its first check 2 s after the start at the earliest, from the poll state on the item', async () => {
		const started = await runPerceptis(sim, { ...deck('Board deck'), waitForCompletion: false }, { executionId: 'exec-1', nodeContext: {} });
		const item = started.items[0].json;
		expect(item).toMatchObject({ jobId: expect.any(String), poll: { checksMade: 0, startedAt: expect.any(String) } });

		const waited = await runPerceptis(sim, { operation: 'waitForCompletion', jobId: item.jobId }, {
			executionId: 'exec-1',
			items: [{ json: item }],
			nodeContext: {},
			node: nodeOfAnotherProcess(),
		});
		expect(waited.error).toBeUndefined();
		const gaps = gapsOf(item.jobId as string);
		expect(gaps.firstCheckGapMs).toBeGreaterThanOrEqual(2000);
		expect(gaps.minCheckGapMs ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(1000);
	}, 30_000);
});

describe('checks from several places in one process', () => {
	it('two executions asking about the same job at once stay a second apart', async () => {
		const started = await runPerceptis(sim, { ...deck('Board deck'), waitForCompletion: false }, { executionId: 'exec-1', nodeContext: {} });
		const jobId = started.items[0].json.jobId as string;
		await Promise.all(
			['exec-2', 'exec-3'].map((executionId) =>
				runPerceptis(sim, { operation: 'getStatus', jobId }, { executionId, nodeContext: {} }),
			),
		);
		const gaps = gapsOf(jobId);
		expect(gaps.statusChecks).toBe(2);
		expect(gaps.minCheckGapMs).toBeGreaterThanOrEqual(1000);
	}, 30_000);

	it('Retry On Fail of Get Status (the same execution again) waits a second after the first try', async () => {
		const started = await runPerceptis(sim, { ...deck('Board deck'), waitForCompletion: false }, { executionId: 'exec-1', nodeContext: {} });
		const jobId = started.items[0].json.jobId as string;
		const nodeContext: IDataObject = {};
		await runPerceptis(sim, { operation: 'getStatus', jobId }, { executionId: 'exec-2', nodeContext });
		await runPerceptis(sim, { operation: 'getStatus', jobId }, { executionId: 'exec-2', nodeContext });
		expect(gapsOf(jobId).minCheckGapMs).toBeGreaterThanOrEqual(1000);
	}, 30_000);
});
