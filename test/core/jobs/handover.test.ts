/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: runs in Node under jest, never inside n8n */
/**
 * A job handed from one run to the next (core/jobs/handover.ts), on the fake clock and API: the
 * next run starts a job not known yet with the same key, only checks a known one, within the
 * deadline it had, its schedule going on, and never sooner than a second after the last contact.
 */
import { handoverOf, resumedPlan } from '../../../core/jobs/handover';
import type { JobPlan } from '../../../core/jobs/plan';
import { runJobTasks } from '../../../core/jobs/runner';
import { JobTask } from '../../../core/jobs/task';
import { requestDigest } from '../../../core/keys/idempotency';
import { TIMING } from '../../../core/pacing/timing';
import { FakeApi, FakeClock, keepInMemory } from '../fakes';

const KEY = 'nodered-0123456789abcdef0123456789abcdef0123456789abcdef';

function startPlan(over: Partial<JobPlan> = {}): JobPlan {
	const body = { prompt: 'A deck', output_type: 'deck' };
	return {
		itemIndex: 0,
		start: { body, idempotencyKey: KEY, keySetByUser: false, slot: 'msg:1', request: requestDigest(body) },
		mode: 'wait',
		downloadFiles: false,
		timeoutMs: 600_000,
		binaryPropertyName: 'payload',
		itemPerFile: true,
		...over,
	};
}

/** Runs the plan until fake time `stopAt`, as a node that closes then would. */
async function runUntil(plan: JobPlan, api: FakeApi, clock: FakeClock, stopAt: number) {
	const task = new JobTask(plan, api, clock.now, keepInMemory);
	clock.cancelAt = stopAt;
	await runJobTasks([task], clock, { maxInFlight: 1, stopOnFirstFailure: true });
	clock.cancelAt = undefined;
	return task;
}

describe('a handover', () => {
	it('before the job exists: the next run starts it with the same request and key', async () => {
		const clock = new FakeClock();
		const api = new FakeApi(clock);
		const task = new JobTask(startPlan(), api, clock.now, keepInMemory);
		const handover = JSON.parse(JSON.stringify(handoverOf(task)));
		expect(handover.jobId).toBeUndefined();
		const { plan, notBefore } = resumedPlan(handover, clock.t);
		expect(notBefore).toBe(clock.t);
		expect(plan.start?.idempotencyKey).toBe(KEY);
		expect(plan.start?.body).toEqual({ prompt: 'A deck', output_type: 'deck' });
	});

	it('while the job runs: only checks it, from where its checking stood, within its old deadline', async () => {
		const clock = new FakeClock();
		const api = new FakeApi(clock);
		api.durations = [120_000];
		const first = await runUntil(startPlan(), api, clock, clock.t + 20_000);
		expect(first.failure?.kind).toBe('cancelled');
		const checksBefore = api.of('status').length;
		expect(checksBefore).toBeGreaterThan(0);
		const lastContact = api.requests[api.requests.length - 1].at;

		// What a host keeps is JSON (Node-RED's context): the handover survives the round trip.
		const handover = JSON.parse(JSON.stringify(handoverOf(first)));
		expect(handover).toMatchObject({ jobId: 'job-1', status: 'processing' });
		expect(handover.poll.checksMade).toBe(checksBefore);
		const { plan, notBefore } = resumedPlan(handover, clock.t);
		expect(plan.start).toBeUndefined();
		expect(plan.jobId).toBe('job-1');
		expect(plan.deadlineAt).toBe(first.deadline);
		expect(notBefore).toBeGreaterThanOrEqual(lastContact + TIMING.minContactGapMs);

		clock.t = Math.max(clock.t, notBefore);
		const next = new JobTask(plan, api, clock.now, keepInMemory);
		await runJobTasks([next], clock, { maxInFlight: 1, stopOnFirstFailure: true });
		expect(next.failure).toBeUndefined();
		expect(next.snapshot?.status).toBe('completed');
		expect(api.of('generate')).toHaveLength(1);
		const resumedChecks = api.of('status').slice(checksBefore);
		expect(resumedChecks[0].at - lastContact).toBeGreaterThanOrEqual(TIMING.minContactGapMs);
	});

	it('a resumed wait ends at the deadline the job had, not a fresh one', async () => {
		const clock = new FakeClock();
		const api = new FakeApi(clock);
		api.durations = [60 * 60_000];
		const first = await runUntil(startPlan({ timeoutMs: 60_000 }), api, clock, clock.t + 30_000);
		const { plan, notBefore } = resumedPlan(JSON.parse(JSON.stringify(handoverOf(first))), clock.t);
		clock.t = notBefore;
		const next = new JobTask(plan, api, clock.now, keepInMemory);
		await runJobTasks([next], clock, { maxInFlight: 1, stopOnFirstFailure: true });
		expect(next.failure?.kind).toBe('deadline_exceeded');
		expect(clock.t).toBeLessThanOrEqual(first.deadline + TIMING.minContactGapMs);
	});

	it('a start that got its job is over: the next run says where the job stands', async () => {
		const clock = new FakeClock();
		const api = new FakeApi(clock);
		const task = await runUntil(startPlan({ mode: 'start-only' }), api, clock, clock.t + 1);
		const { plan } = resumedPlan(JSON.parse(JSON.stringify(handoverOf(task))), clock.t);
		expect(plan.mode).toBe('check-once');
		expect(plan.jobId).toBe(task.jobId);
	});
});
