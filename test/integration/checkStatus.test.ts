/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Check Status, the step of a loop through n8n's Wait node: one check, routed to Completed or
 * Still Running with one `nextCheckInSeconds` for the run, from the poll state the items carry.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { outputsFor } from '../../nodes/Perceptis/Perceptis.node';
import { OUTPUT_NAMES } from '../../nodes/Perceptis/actions/checkStatus.operation';
import { PARK_THRESHOLD_SECONDS } from '../../nodes/Perceptis/actions/nextCheck';
import { TIMING } from '../../core/pacing/timing';
import { isPptx, runPerceptis, useFastSimulator } from './runNode';

const sim = useFastSimulator();
const start = async (prompt: string, outputType = 'deck') =>
	(await runPerceptis(sim, { operation: 'generate', outputType, prompt, waitForCompletion: false }, { executionId: 'exec-1', nodeContext: {} })).items;
const check = (items: INodeExecutionData[], options: IDataObject = {}, extra = {}) =>
	runPerceptis(sim, { operation: 'checkStatus', jobId: '={{ $json.jobId }}', options }, { executionId: 'exec-2', items, nodeContext: {}, ...extra });
const jobIdOf = (items: INodeExecutionData[]) => items[0].json.jobId as string;
const untilDone = async (jobId: string) => {
	for (let i = 0; i < 100 && sim.jobs().find((job) => job.id === jobId)?.status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 100));
};

describe('Check Status', () => {
	it('declares its two outputs by name, and one output for every other operation', () => {
		expect(outputsFor({ operation: 'checkStatus' }).map((output) => 'displayName' in output && output.displayName)).toEqual([...OUTPUT_NAMES]);
		expect(outputsFor({ operation: 'getStatus' })).toEqual([{ type: 'main' }]);
	});

	it('routes a job still running to Still Running with the poll state and when to look again: not long before a deck may be done', async () => {
		// No Retry-After from the server: the published durations decide.
		sim.configure({ statusRetryAfterSeconds: null });
		const started = await start('[sim:seconds=600000] A long deck');
		const { outputs, error } = await check(started);
		expect(error).toBeUndefined();
		expect(outputs[0]).toHaveLength(0);
		const [item] = outputs[1];
		expect(item.json).toMatchObject({ jobId: jobIdOf(started), status: expect.stringMatching(/pending|processing/), poll: { checksMade: 1 } });
		// Started a moment ago: a deck takes 5 minutes at least, so the first look is at half of that.
		const firstLook = (TIMING.expectedDurationMs.deck.from * TIMING.parkedFirstLookShare) / 1000;
		const seconds = item.json.nextCheckInSeconds as number;
		expect(seconds).toBeGreaterThan(firstLook - 10);
		expect(seconds).toBeLessThanOrEqual(firstLook);
		expect(Date.parse(item.json.nextCheckAt as string)).toBeGreaterThan(Date.now() + (firstLook - 10) * 1000);
	}, 30_000);

	it("takes the server's Retry-After over the published durations, raised to the Wait node's 65 s", async () => {
		sim.configure({ statusRetryAfterSeconds: 'remaining' });
		const started = await start('[sim:seconds=100000] A deck of 100 s');
		const { outputs } = await check(started);
		expect(outputs[1][0].json.nextCheckInSeconds).toBeGreaterThanOrEqual(95);
		expect(outputs[1][0].json.nextCheckInSeconds).toBeLessThanOrEqual(100);
		sim.configure({ statusRetryAfterSeconds: 1 });
		const hinted = await check(outputs[1]);
		expect(hinted.outputs[1][0].json.nextCheckInSeconds).toBe(PARK_THRESHOLD_SECONDS);
	}, 30_000);

	it('never proposes less than the Wait node parks for, once a job may be done, and all Still Running items share the earliest', async () => {
		const a = await start('[sim:seconds=600000] Deck A');
		const b = await start('[sim:seconds=600000] Deck B');
		// Both started 20 minutes ago, as far as their poll state says: past any published duration.
		const aged = [...a, ...b].map((item) => ({
			json: { ...item.json, poll: { ...(item.json.poll as IDataObject), startedAt: new Date(Date.now() - 1_200_000).toISOString() } },
		}));
		const { outputs } = await check(aged, { timeoutSeconds: 3600 });
		expect(outputs[1].map((item) => item.json.nextCheckInSeconds)).toEqual([PARK_THRESHOLD_SECONDS, PARK_THRESHOLD_SECONDS]);
		const faster = await check(aged, { timeoutSeconds: 3600, minimumWaitSeconds: 5 });
		expect(faster.outputs[1].map((item) => item.json.nextCheckInSeconds)).toEqual([5, 5]);
	}, 30_000);

	it('routes a completed job to Completed, with its files when asked', async () => {
		const started = await start('A short deck');
		await untilDone(jobIdOf(started));
		const plain = await check(started);
		expect(plain.outputs[1]).toHaveLength(0);
		expect(plain.outputs[0][0].json).toMatchObject({ jobId: jobIdOf(started), status: 'completed', downloads: expect.any(Array) });
		expect(plain.outputs[0][0].binary).toBeUndefined();
		const withFiles = await check(started, { downloadFiles: true });
		expect(isPptx(withFiles.outputs[0][0].binary!.data.data)).toBe(true);
	}, 30_000);

	it('a failed job is an error with its id, and a Continue On Fail item on the first output', async () => {
		const started = await start('[sim:fail] A deck');
		await new Promise((r) => setTimeout(r, 1500));
		const stops = await check(started);
		expect(stops.error?.context).toMatchObject({ failureKind: 'job_failed', jobId: jobIdOf(started) });
		const goesOn = await check(started, {}, { continueOnFail: true });
		expect(goesOn.outputs[0][0].json).toMatchObject({ jobId: jobIdOf(started), status: 'failed', error: { kind: 'job_failed' } });
	}, 30_000);

	it("a job still running past its deadline, counted from the job's start across passes, is an error with its id", async () => {
		const started = await start('[sim:seconds=600000] A long deck');
		const old = [{ json: { ...started[0].json, poll: { ...(started[0].json.poll as IDataObject), startedAt: new Date(Date.now() - 120_000).toISOString() } } }];
		const { error } = await check(old, { timeoutSeconds: 60 });
		expect(error?.context).toMatchObject({ failureKind: 'deadline_exceeded', jobId: jobIdOf(started) });
	}, 30_000);

	it('Generate without waiting says when a parked loop should first look: one value for all its items', async () => {
		sim.configure({ statusRetryAfterSeconds: null });
		const { items } = await runPerceptis(
			sim,
			(itemIndex: number) => ({ operation: 'generate', outputType: 'deck', prompt: `[sim:seconds=600000] Deck ${itemIndex}`, waitForCompletion: false }),
			{ executionId: 'exec-9', nodeContext: {}, items: [{ json: {} }, { json: {} }] },
		);
		const firstLook = (TIMING.expectedDurationMs.deck.from * TIMING.parkedFirstLookShare) / 1000;
		expect(items.map((item) => item.json.nextCheckInSeconds)).toEqual([firstLook, firstLook]);
		// Nothing was asked about the jobs yet: only their starts.
		expect(sim.checkGaps().statusChecks).toBe(0);
	}, 30_000);
});
