/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-hardcoded-secrets -- test code: runs in Node under jest, never inside n8n */
/**
 * The job runner and its tasks against a fake clock and a fake transport: every request is
 * scripted, fake time moves only when the runner sleeps, nothing goes over the network.
 */
import { keyAfterFailedJob, requestDigest } from '../../../core/keys/idempotency';
import type { JobPlan, JobStart } from '../../../core/jobs/plan';
import type { RunOptions } from '../../../core/jobs/runner';
import { SharedTail } from '../../../core/jobs/batchTail';
import { runJobTasks } from '../../../core/jobs/runner';
import { JobTask } from '../../../core/jobs/task';
import { JobContacts } from '../../../core/pacing/contacts';
import { nextPollDelayMs } from '../../../core/pacing/schedule';
import { TIMING } from '../../../core/pacing/timing';

import { answer, bytesOf, type KeptFile, FakeApi, FakeClock, fileAnswer, gaps, keepInMemory, networkFailure, SharedFakeClock, T0 } from '../fakes';

const KEY = 'n8n-0123456789abcdef0123456789abcdef0123456789abcdef';

/** What generate's plan builds for one item. */
function jobStart(body: JobStart['body'], idempotencyKey: string, itemIndex = 0): JobStart {
	return { body, idempotencyKey, keySetByUser: false, slot: `0:${itemIndex}`, request: requestDigest(body) };
}

function startPlan(itemIndex = 0, over: Partial<JobPlan> = {}): JobPlan {
	return {
		itemIndex,
		start: jobStart({ prompt: `Deck ${itemIndex}`, output_type: 'deck' }, `${KEY}-${itemIndex}`, itemIndex),
		mode: 'wait',
		downloadFiles: false,
		timeoutMs: TIMING.defaultTimeoutSeconds * 1000,
		binaryPropertyName: 'data',
		itemPerFile: false,
		...over,
	};
}

function jobPlan(jobId: string, mode: JobPlan['mode'], over: Partial<JobPlan> = {}): JobPlan {
	return {
		itemIndex: 0,
		jobId,
		mode,
		downloadFiles: mode === 'wait' ? false : mode === 'download',
		timeoutMs: TIMING.defaultTimeoutSeconds * 1000,
		binaryPropertyName: 'data',
		itemPerFile: false,
		...over,
	};
}

function setup() {
	const clock = new FakeClock();
	const api = new FakeApi(clock);
	return { clock, api };
}

async function run(
	plans: JobPlan[],
	api: FakeApi,
	clock: FakeClock,
	options: Partial<RunOptions<KeptFile>> = {},
): Promise<JobTask<KeptFile>[]> {
	const tasks = plans.map((plan) => new JobTask(plan, api, clock.now, keepInMemory));
	await runJobTasks(tasks, clock, { maxInFlight: 5, stopOnFirstFailure: false, ...options });
	return tasks;
}

const times = (requests: Array<{ at: number }>) => requests.map((r) => r.at - T0);

describe('polling schedule of a started job', () => {
	it('checks first after the first poll delay (2–5 s), then at growing intervals capped at 30 s', async () => {
		const { clock, api } = setup();
		api.durations = [120_000];
		const [task] = await run([startPlan()], api, clock);

		expect(task.failure).toBeUndefined();
		expect(task.snapshot?.status).toBe('completed');
		const generateAt = api.of('generate')[0].at;
		expect(generateAt).toBe(T0);
		const statusTimes = api.of('status').map((r) => r.at);
		const first = statusTimes[0] - generateAt;
		expect(first).toBe(TIMING.firstPollDelayMs);
		expect(first).toBeGreaterThanOrEqual(2_000);
		expect(first).toBeLessThanOrEqual(5_000);

		const intervals = gaps([generateAt, ...statusTimes]);
		expect(intervals).toEqual([3_000, 6_000, 12_000, 24_000, 29_000, 29_000, 29_000]);
		expect(intervals).toEqual(intervals.map((_gap, polls) => nextPollDelayMs(polls)));
		for (let i = 1; i < intervals.length; i++) expect(intervals[i]).toBeGreaterThanOrEqual(intervals[i - 1]);
		expect(Math.max(...intervals)).toBe(TIMING.maxPollIntervalMs);
	});

	it('a Retry-After on the generate answer sets the first check', async () => {
		const { clock, api } = setup();
		api.durations = [0];
		api.onGenerate = () => {
			api.addJob('job-h', 0);
			return answer(202, { job_id: 'job-h' }, { 'retry-after': '10' });
		};
		const [task] = await run([startPlan()], api, clock);
		expect(task.jobId).toBe('job-h');
		expect(times(api.of('status'))).toEqual([10_000]);
	});

	it('a Retry-After on a status answer sets the next interval (seconds and HTTP date)', async () => {
		const { clock, api } = setup();
		api.addJob('job-r', 10 * 60_000);
		api.onStatus = (_jobId, n) => {
			if (n === 0) return answer(200, { job_id: 'job-r', status: 'processing' }, { 'retry-after': '7' });
			if (n === 1) return answer(200, { job_id: 'job-r', status: 'processing' }, { 'retry-after': '20' });
			if (n === 2) {
				const date = new Date(clock.t + 12_000).toUTCString();
				return answer(200, { job_id: 'job-r', status: 'processing' }, { 'retry-after': date });
			}
			if (n === 4) return answer(200, { job_id: 'job-r', status: 'completed', downloads: [] });
			return undefined;
		};
		const [task] = await run([jobPlan('job-r', 'wait')], api, clock);
		expect(task.failure).toBeUndefined();
		expect(gaps(times(api.of('status')))).toEqual([7_000, 20_000, 12_000, nextPollDelayMs(4)]);
	});

	it('never asks about one job twice within one second, even when the hint is 0', async () => {
		const { clock, api } = setup();
		api.addJob('job-z', 60 * 60_000);
		api.onStatus = (jobId) => answer(200, { job_id: jobId, status: 'processing' }, { 'retry-after': '0' });
		const [task] = await run([jobPlan('job-z', 'wait', { timeoutMs: 10_000 })], api, clock);
		const intervals = gaps(times(api.of('status')));
		expect(intervals.length).toBeGreaterThanOrEqual(5);
		for (const gap of intervals) expect(gap).toBeGreaterThanOrEqual(TIMING.minRequestGapMs);
		// One second as the server counts it: the floor kept from a send time has a margin for the way.
		expect(intervals.every((gap) => gap === TIMING.minContactGapMs)).toBe(true);
		expect(task.failure?.kind).toBe('deadline_exceeded');
	});

	it('keeps the one-second gap when requests take time and the hint is a past date', async () => {
		const { clock, api } = setup();
		api.latencyMs = 400;
		api.addJob('job-l', 60 * 60_000);
		api.onStatus = (jobId) =>
			answer(200, { job_id: jobId, status: 'processing' }, { 'retry-after': 'Thu, 01 Jan 1970 00:00:00 GMT' });
		await run([jobPlan('job-l', 'wait', { timeoutMs: 8_000 })], api, clock);
		const intervals = gaps(times(api.of('status')));
		expect(intervals.length).toBeGreaterThanOrEqual(4);
		for (const gap of intervals) expect(gap).toBeGreaterThanOrEqual(1_000);
	});

	it('keeps a second between arrivals when the last check of one run was slow on its way and the next run is quick', async () => {
		// The server counts from when a request reaches it, anywhere between its send and its
		// answer. A CI run saw 991 ms between a run's last check and a retry's first, which were
		// sent 1050 ms apart: the first had taken longer on its way. Worst case here: the first
		// run's check arrives only as it is answered, 400 ms after its send; the retry's at once.
		const { clock, api } = setup();
		const arrivals = new Map<string, number[]>();
		api.onStatus = (jobId, n) => {
			api.latencyMs = n === 0 ? 400 : 0;
			arrivals.set(jobId, [...(arrivals.get(jobId) ?? []), clock.t + api.latencyMs]);
			return answer(200, { job_id: jobId, status: 'processing' }, { 'retry-after': '0' });
		};
		for (const jobId of ['job-here', 'job-elsewhere']) api.addJob(jobId, 60 * 60_000);
		// A retry in this process finds the last contact in the process's memory of contacts…
		const contacts = new JobContacts();
		await run([jobPlan('job-here', 'check-once')], api, clock, { contacts });
		await run([jobPlan('job-here', 'check-once')], api, clock, { contacts });
		// …and one elsewhere in the poll state the job ledger kept.
		const [first] = await run([jobPlan('job-elsewhere', 'check-once')], api, clock);
		await run([jobPlan('job-elsewhere', 'check-once', { poll: first.pollState })], api, clock);
		const secondApart = (jobId: string) => gaps(arrivals.get(jobId)!).map((gap) => gap >= TIMING.minRequestGapMs);
		expect({ here: secondApart('job-here'), elsewhere: secondApart('job-elsewhere') }).toEqual({ here: [true], elsewhere: [true] });
	});
});

describe('deadline', () => {
	it('ends the wait with deadline_exceeded at the deadline, keeping the job id and the last status', async () => {
		const { clock, api } = setup();
		api.addJob('job-slow', 10 * 60 * 60_000);
		const [task] = await run([jobPlan('job-slow', 'wait', { timeoutMs: 42_500 })], api, clock);

		expect(task.failure).toEqual({ kind: 'deadline_exceeded', transient: false });
		expect(task.jobId).toBe('job-slow');
		expect(task.snapshot?.status).toBe('processing');
		expect(task.finished).toBe(true);
		// The first check is immediate for an existing job; the last one is made at the deadline, or
		// (when the check before came less than a second earlier, here at 42 s) one second after
		// that check: the one-request-per-second rule is never broken to meet the deadline.
		const statusTimes = times(api.of('status'));
		expect(statusTimes.slice(0, -1)).toEqual([0, 6_000, 18_000, 42_000]);
		const last = statusTimes[statusTimes.length - 1];
		expect(last).toBe(42_000 + TIMING.minContactGapMs);
		expect(last).toBeGreaterThanOrEqual(42_500);
		expect(last).toBeLessThan(42_500 + TIMING.minContactGapMs);
		expect(clock.t - T0).toBe(last);
	});

	it('a hint past the deadline is cut to the deadline', async () => {
		const { clock, api } = setup();
		api.addJob('job-h', 10 * 60 * 60_000);
		api.onStatus = (jobId) => answer(200, { job_id: jobId, status: 'processing' }, { 'retry-after': '600' });
		const [task] = await run([jobPlan('job-h', 'wait', { timeoutMs: 45_000 })], api, clock);
		expect(times(api.of('status'))).toEqual([0, 45_000]);
		expect(task.failure?.kind).toBe('deadline_exceeded');
	});

	it('the deadline of a started job counts from its start, and covers generate + wait', async () => {
		const { clock, api } = setup();
		api.durations = [10 * 60 * 60_000];
		const [task] = await run([startPlan(0, { timeoutMs: 30_000 })], api, clock);
		expect(task.failure?.kind).toBe('deadline_exceeded');
		expect(task.jobId).toBe('job-1');
		const statusTimes = times(api.of('status'));
		expect(statusTimes[statusTimes.length - 1]).toBe(30_000);
		expect(Math.max(...statusTimes)).toBeLessThanOrEqual(30_000);
	});
});

describe('transient failures', () => {
	it('retries a status check after 429 (Retry-After), 500 and a reset, with backoff', async () => {
		const { clock, api } = setup();
		api.addJob('job-t', 0);
		api.onStatus = (_jobId, n) => {
			if (n === 0) return answer(429, { error: { code: 'rate_limit_exceeded', message: 'Slow down' } }, { 'retry-after': '10' });
			if (n === 1) return answer(500, '<html>Internal Server Error</html>');
			if (n === 2) return networkFailure('ECONNRESET');
			return undefined;
		};
		const [task] = await run([jobPlan('job-t', 'wait')], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.snapshot?.status).toBe('completed');
		// 429: at least Retry-After (10 s); then 2nd and 3rd failure in a row: 4 s, 8 s.
		expect(gaps(times(api.of('status')))).toEqual([10_000, 4_000, 8_000]);
	});

	it('a status that keeps failing transiently only fails at the deadline, and keeps the job id', async () => {
		const { clock, api } = setup();
		api.addJob('job-500', 0);
		api.onStatus = () => answer(503, '<html>Service Unavailable</html>');
		const [task] = await run([jobPlan('job-500', 'wait', { timeoutMs: 120_000 })], api, clock);
		expect(times(api.of('status'))).toEqual([0, 2_000, 6_000, 14_000, 30_000, 62_000, 120_000]);
		expect(['server_error', 'deadline_exceeded']).toContain(task.failure?.kind);
		expect(task.jobId).toBe('job-500');
		expect(clock.t - T0).toBe(120_000);
	});

	it('resets keep being retried until the deadline too', async () => {
		const { clock, api } = setup();
		api.addJob('job-net', 0);
		api.onStatus = () => networkFailure('ECONNRESET');
		const [task] = await run([jobPlan('job-net', 'wait', { timeoutMs: 20_000 })], api, clock);
		expect(times(api.of('status'))).toEqual([0, 2_000, 6_000, 14_000, 20_000]);
		expect(['network', 'deadline_exceeded']).toContain(task.failure?.kind);
		expect(task.jobId).toBe('job-net');
	});

	it('a one-off status check gives up after TIMING.oneShotMaxAttempts transient failures', async () => {
		const { clock, api } = setup();
		api.onStatus = () => networkFailure('ECONNRESET');
		const [task] = await run([jobPlan('job-once', 'check-once')], api, clock);
		expect(api.of('status')).toHaveLength(TIMING.oneShotMaxAttempts);
		expect(times(api.of('status'))).toEqual([0, 2_000, 6_000]);
		expect(task.failure).toEqual({ kind: 'network', transient: true, networkCode: 'ECONNRESET' });
		expect(task.jobId).toBe('job-once');
	});
});

describe('starting a job', () => {
	it('retries generate with the same Idempotency-Key after 503, a reset, an unreadable 200 and a 429', async () => {
		const { clock, api } = setup();
		api.durations = [0];
		api.onGenerate = (n) => {
			if (n === 0) return answer(503, '');
			if (n === 1) return networkFailure('ECONNRESET', 'https://app.perceptis.ai/api/v1/generate');
			if (n === 2) return answer(429, '', { 'retry-after': '30' });
			return undefined;
		};
		const [task] = await run([startPlan(0, { downloadFiles: false })], api, clock);
		const generates = api.of('generate');
		expect(generates).toHaveLength(4);
		expect(new Set(generates.map((r) => r.idempotencyKey))).toEqual(new Set([`${KEY}-0`]));
		expect(generates.map((r) => r.body)).toEqual(Array(4).fill({ prompt: 'Deck 0', output_type: 'deck' }));
		expect(gaps(times(generates))).toEqual([2_000, 4_000, 30_000]);
		expect(task.jobId).toBe('job-1');
		expect(api.jobs.size).toBe(1);
		expect(task.failure).toBeUndefined();
		expect(task.snapshot?.status).toBe('completed');
	});

	it('treats a 2xx answer without a job id as transient', async () => {
		const { clock, api } = setup();
		api.durations = [0];
		api.onGenerate = (n) => (n === 0 ? answer(200, '<html>proxy page</html>') : undefined);
		const [task] = await run([startPlan()], api, clock);
		expect(api.of('generate')).toHaveLength(2);
		expect(task.failure).toBeUndefined();
	});

	it('fails after TIMING.generateMaxAttempts attempts, without a job', async () => {
		const { clock, api } = setup();
		api.onGenerate = () => answer(503, { error: { message: 'overloaded' } });
		const [task] = await run([startPlan()], api, clock);
		expect(api.of('generate')).toHaveLength(TIMING.generateMaxAttempts);
		expect(new Set(api.of('generate').map((r) => r.idempotencyKey)).size).toBe(1);
		expect(task.failure).toMatchObject({ kind: 'server_error', transient: true, httpCode: 503 });
		expect(task.jobId).toBeUndefined();
		expect(task.attempts).toBe(TIMING.generateMaxAttempts);
		expect(api.of('status')).toHaveLength(0);
	});

	it('start-only returns as soon as the job exists', async () => {
		const { clock, api } = setup();
		const [task] = await run([startPlan(0, { mode: 'start-only' })], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.jobId).toBe('job-1');
		expect(task.snapshot?.status).toBe('pending');
		expect(api.of('status')).toHaveLength(0);
		expect(clock.t).toBe(T0);
	});

	it.each<[number, unknown, string]>([
		[401, '', 'unauthorized'],
		[403, { error: { code: 'invalid_request', message: 'Plan' } }, 'plan_not_eligible'],
		[409, { error: { code: 'idempotency_conflict', message: 'Key reused' } }, 'idempotency_conflict'],
		[400, { error: { code: 'invalid_request', message: 'prompt is required' } }, 'invalid_request'],
		[400, { error: { code: 'ambiguous_template_name', message: 'Several templates' } }, 'ambiguous_template_name'],
		[404, '', 'endpoint_not_found'],
	])('generate answered %d ends at once (%j → %s)', async (code, body, kind) => {
		const { clock, api } = setup();
		api.onGenerate = () => answer(code, body);
		const [task] = await run([startPlan()], api, clock);
		expect(api.of('generate')).toHaveLength(1);
		expect(task.failure?.kind).toBe(kind);
		expect(task.failure?.transient).toBe(false);
		expect(clock.t).toBe(T0);
	});
});

describe('fatal status answers and failed jobs', () => {
	it.each<[number, string]>([
		[401, 'unauthorized'],
		[403, 'plan_not_eligible'],
		[404, 'job_not_found'],
	])('a status answered %d ends the wait at once as %s', async (code, kind) => {
		const { clock, api } = setup();
		api.addJob('job-f', 10 * 60_000);
		api.onStatus = (_jobId, n) => (n === 2 ? answer(code, '') : undefined);
		const [task] = await run([jobPlan('job-f', 'wait')], api, clock);
		expect(api.of('status')).toHaveLength(3);
		expect(task.failure).toMatchObject({ kind, transient: false, httpCode: code });
		expect(task.jobId).toBe('job-f');
		expect(clock.t - T0).toBe(6_000 + 12_000);
	});

	it('a failed job is job_failed with the API code and message in wait mode', async () => {
		const { clock, api } = setup();
		api.addJob('job-bad', 5_000, { final: 'failed', error: { code: 'content_policy', message: 'Prompt refused' } });
		const [task] = await run([jobPlan('job-bad', 'wait')], api, clock);
		expect(task.failure).toEqual({
			kind: 'job_failed',
			transient: false,
			apiCode: 'content_policy',
			apiMessage: 'Prompt refused',
		});
		expect(task.snapshot?.status).toBe('failed');
	});

	it('a failed job with a string error is job_failed with that message', async () => {
		const { clock, api } = setup();
		api.addJob('job-bad', 0, { final: 'failed', error: 'Template missing' });
		const [task] = await run([jobPlan('job-bad', 'wait')], api, clock);
		expect(task.failure).toMatchObject({ kind: 'job_failed', apiCode: 'job_failed', apiMessage: 'Template missing' });
	});

	it('a failed job is a normal answer in check-once mode', async () => {
		const { clock, api } = setup();
		api.addJob('job-bad', 0, { final: 'failed', error: { code: 'content_policy', message: 'Prompt refused' } });
		const [task] = await run([jobPlan('job-bad', 'check-once')], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.finished).toBe(true);
		expect(task.snapshot?.status).toBe('failed');
		expect(task.snapshot?.error).toEqual({ code: 'content_policy', message: 'Prompt refused' });
		expect(api.of('status')).toHaveLength(1);
	});

	it('a running job is a normal answer in check-once mode', async () => {
		const { clock, api } = setup();
		api.addJob('job-run', 60_000);
		const [task] = await run([jobPlan('job-run', 'check-once')], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.snapshot?.status).toBe('pending');
		expect(api.of('status')).toHaveLength(1);
	});

	it('a network ERR_CANCELED ends the task as cancelled', async () => {
		const { clock, api } = setup();
		api.onStatus = () => networkFailure('ERR_CANCELED');
		const [task] = await run([jobPlan('job-c', 'wait')], api, clock);
		expect(task.failure).toEqual({ kind: 'cancelled', transient: false, networkCode: 'ERR_CANCELED' });
		expect(api.of('status')).toHaveLength(1);
	});
});

describe('downloads', () => {
	it('download mode on a running job fails with job_not_completed and downloads nothing', async () => {
		const { clock, api } = setup();
		api.addJob('job-run', 60_000);
		clock.t += 2_000;
		const [task] = await run([jobPlan('job-run', 'download')], api, clock);
		expect(task.failure).toEqual({ kind: 'job_not_completed', transient: false });
		expect(task.jobId).toBe('job-run');
		expect(task.snapshot?.status).toBe('processing');
		expect(api.of('status')).toHaveLength(1);
		expect(api.of('download')).toHaveLength(0);
	});

	it('download mode fetches every file of a completed job', async () => {
		const { clock, api } = setup();
		api.addJob('job-ok', 0, { fileCount: 3 });
		const [task] = await run([jobPlan('job-ok', 'download')], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.files.map((f) => f.index)).toEqual([0, 1, 2]);
		expect(task.files.map((f) => bytesOf(f).subarray(4).toString())).toEqual([
			'PPTX https://storage.example.com/job-ok/0.pptx',
			'PPTX https://storage.example.com/job-ok/1.pptx',
			'PPTX https://storage.example.com/job-ok/2.pptx',
		]);
		expect(api.of('status')).toHaveLength(1);
	});

	it('wait mode with downloadFiles fetches the files once the job completed', async () => {
		const { clock, api } = setup();
		api.durations = [5_000];
		const [task] = await run([startPlan(0, { downloadFiles: true })], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.files).toHaveLength(1);
		expect(api.of('download')[0].at).toBeGreaterThanOrEqual(api.of('status').pop()!.at);
	});

	it('an expired link (403 from storage) triggers exactly one status refresh; the retry uses the fresh URL', async () => {
		const { clock, api } = setup();
		api.addJob('job-exp', 0);
		api.onDownload = (_url, n) => (n === 0 ? fileAnswer(403, '<Error><Code>AccessDenied</Code></Error>') : undefined);
		const [task] = await run([jobPlan('job-exp', 'download')], api, clock);

		expect(task.failure).toBeUndefined();
		expect(task.files).toHaveLength(1);
		const statuses = api.of('status');
		const downloads = api.of('download');
		expect(statuses).toHaveLength(2);
		expect(downloads.map((d) => d.url)).toEqual([
			'https://storage.example.com/job-exp/0.pptx?sig=s0',
			'https://storage.example.com/job-exp/0.pptx?sig=s1',
		]);
		expect(task.snapshot?.downloads[0].url).toBe('https://storage.example.com/job-exp/0.pptx?sig=s1');
		// The refresh is a status request like any other: at least one second after the previous one.
		expect(statuses[1].at - statuses[0].at).toBeGreaterThanOrEqual(TIMING.minRequestGapMs);
		expect(statuses[1].at).toBeGreaterThan(downloads[0].at - 1);
		expect(downloads[1].at).toBeGreaterThanOrEqual(statuses[1].at);
	});

	it('a second expiry of the same file fails the download', async () => {
		const { clock, api } = setup();
		api.addJob('job-exp', 0);
		api.onDownload = () => fileAnswer(403, 'AccessDenied');
		const [task] = await run([jobPlan('job-exp', 'download')], api, clock);
		expect(task.failure).toMatchObject({ kind: 'download_failed', transient: false, httpCode: 403 });
		expect(api.of('status')).toHaveLength(2);
		expect(api.of('download')).toHaveLength(2);
		expect(task.jobId).toBe('job-exp');
	});

	it('each file gets its own one refresh', async () => {
		const { clock, api } = setup();
		api.addJob('job-two', 0, { fileCount: 2 });
		const expired = new Set(['0.pptx?sig=s0', '1.pptx?sig=s1']);
		api.onDownload = (url) => ([...expired].some((e) => url.endsWith(e)) ? fileAnswer(410, '') : undefined);
		const [task] = await run([jobPlan('job-two', 'download')], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.files).toHaveLength(2);
		expect(api.of('status')).toHaveLength(3);
		expect(api.of('download').map((d) => d.url!.split('/').pop())).toEqual([
			'0.pptx?sig=s0',
			'0.pptx?sig=s1',
			'1.pptx?sig=s1',
			'1.pptx?sig=s2',
		]);
	});

	it('a storage 5xx is retried, then gives up after TIMING.oneShotMaxAttempts', async () => {
		const { clock, api } = setup();
		api.addJob('job-5', 0);
		api.onDownload = () => fileAnswer(502, '');
		const [task] = await run([jobPlan('job-5', 'download')], api, clock);
		expect(api.of('download')).toHaveLength(TIMING.oneShotMaxAttempts);
		expect(task.failure).toMatchObject({ kind: 'download_failed', transient: true, httpCode: 502 });
	});

	it('a download entry without an http(s) URL fails at once', async () => {
		const { clock, api } = setup();
		api.onStatus = (jobId) =>
			answer(200, { job_id: jobId, status: 'completed', downloads: [{ url: 'ftp://storage.example.com/x.pptx' }] });
		const [task] = await run([jobPlan('job-ftp', 'download')], api, clock);
		expect(task.failure?.kind).toBe('download_failed');
		expect(api.of('download')).toHaveLength(0);
	});
});

describe('the runner', () => {
	it('caps the jobs started and not finished at maxInFlight (5 jobs, cap 2), in input order', async () => {
		const { clock, api } = setup();
		api.durations = [30_000, 50_000, 20_000, 40_000, 10_000];
		const plans = [0, 1, 2, 3, 4].map((i) => startPlan(i));
		const tasks = plans.map((plan) => new JobTask(plan, api, clock.now, keepInMemory));
		const inFlightSeen: number[] = [];
		api.observe = (request) => {
			const inFlight = tasks.filter((task) => task.jobId !== undefined && !task.finished).length;
			// A generate request is about to add one more.
			inFlightSeen.push(inFlight + (request.type === 'generate' ? 1 : 0));
		};
		await runJobTasks(tasks, clock, { maxInFlight: 2, stopOnFirstFailure: false });

		expect(Math.max(...inFlightSeen)).toBe(2);
		expect(tasks.every((task) => task.finished && !task.failure)).toBe(true);
		expect(tasks.map((task) => task.snapshot?.status)).toEqual(Array(5).fill('completed'));
		expect(api.of('generate').map((r) => r.body?.prompt)).toEqual(['Deck 0', 'Deck 1', 'Deck 2', 'Deck 3', 'Deck 4']);
		// The third job starts only once the first finished.
		const thirdStart = api.of('generate')[2].at;
		const firstDone = api.of('status', 'job-1').pop()!.at;
		expect(thirdStart).toBeGreaterThanOrEqual(firstDone);
		expect(thirdStart).toBeLessThan(api.of('status', 'job-2').pop()!.at);
	});

	it('polls many jobs in the same loop: total time is about the slowest job, not the sum', async () => {
		const { clock, api } = setup();
		const durations = [60, 70, 80, 90, 100, 110, 120, 130, 140, 150].map((s) => s * 1000);
		durations.forEach((d, i) => api.addJob(`job-${i}`, d));
		const plans = durations.map((_d, i) => jobPlan(`job-${i}`, 'wait', { itemIndex: i }));
		const tasks = await run(plans, api, clock, { maxInFlight: 10 });

		expect(tasks.every((task) => task.snapshot?.status === 'completed' && !task.failure)).toBe(true);
		const elapsed = clock.t - T0;
		expect(elapsed).toBeGreaterThanOrEqual(150_000);
		expect(elapsed).toBeLessThanOrEqual(150_000 + TIMING.maxPollIntervalMs);
		expect(elapsed).toBeLessThan(durations.reduce((a, b) => a + b, 0) / 4);
		// All ten were first checked in the same tick.
		expect(durations.map((_d, i) => api.of('status', `job-${i}`)[0].at - T0)).toEqual(Array(10).fill(0));
	});

	it('cancellation abandons all unfinished tasks with cancelled and returns within one sleep', async () => {
		const { clock, api } = setup();
		api.addJob('job-a', 5_000);
		api.addJob('job-b', 10 * 60_000);
		api.addJob('job-c', 10 * 60_000);
		api.addJob('job-d', 10 * 60_000);
		clock.cancelAt = T0 + 20_000;
		const plans = ['job-a', 'job-b', 'job-c', 'job-d'].map((id, i) => jobPlan(id, 'wait', { itemIndex: i }));
		const tasks = await run(plans, api, clock, { maxInFlight: 2 });

		expect(tasks[0].failure).toBeUndefined();
		expect(tasks[0].snapshot?.status).toBe('completed');
		for (const task of tasks.slice(1)) {
			expect(task.failure).toEqual({ kind: 'cancelled', transient: false });
			expect(task.finished).toBe(true);
		}
		// job-d was never admitted (cap 2) and never asked about.
		expect(api.of('status', 'job-d')).toHaveLength(0);
		// Nothing is asked once cancelled, and only the sleep that crossed the cancel time happened.
		expect(api.requests.filter((r) => r.at >= clock.cancelAt!)).toHaveLength(0);
		expect(clock.sleeps.filter((s) => s.at + s.ms >= clock.cancelAt!)).toHaveLength(1);
		expect(clock.t - clock.cancelAt!).toBeLessThanOrEqual(TIMING.maxPollIntervalMs);
	});

	it('a run cancelled before it starts sends nothing', async () => {
		const { clock, api } = setup();
		clock.cancelAt = T0;
		const tasks = await run([startPlan(0), startPlan(1)], api, clock);
		expect(api.requests).toHaveLength(0);
		expect(clock.sleeps).toHaveLength(0);
		expect(tasks.map((task) => task.failure?.kind)).toEqual(['cancelled', 'cancelled']);
	});

	it('stopOnFirstFailure stops the loop at the first failure', async () => {
		const { clock, api } = setup();
		['job-a', 'job-b', 'job-c'].forEach((id) => api.addJob(id, 10 * 60_000));
		api.onStatus = (jobId, n) => (jobId === 'job-b' && n === 1 ? answer(401, '') : undefined);
		const plans = ['job-a', 'job-b', 'job-c'].map((id, i) => jobPlan(id, 'wait', { itemIndex: i }));
		const tasks = await run(plans, api, clock, { stopOnFirstFailure: true });

		expect(tasks[1].failure?.kind).toBe('unauthorized');
		const failedAt = api.of('status', 'job-b')[1].at;
		expect(failedAt - T0).toBe(6_000);
		expect(api.requests.filter((r) => r.at > failedAt)).toHaveLength(0);
		expect(clock.t).toBe(failedAt);
		expect(tasks[0].finished).toBe(false);
		expect(tasks[2].finished).toBe(false);
	});

	it('without stopOnFirstFailure the other jobs run to the end', async () => {
		const { clock, api } = setup();
		['job-a', 'job-b', 'job-c'].forEach((id) => api.addJob(id, 60_000));
		api.onStatus = (jobId, n) => (jobId === 'job-b' && n === 1 ? answer(401, '') : undefined);
		const plans = ['job-a', 'job-b', 'job-c'].map((id, i) => jobPlan(id, 'wait', { itemIndex: i }));
		const tasks = await run(plans, api, clock, { stopOnFirstFailure: false });
		expect(tasks.map((task) => task.failure?.kind)).toEqual([undefined, 'unauthorized', undefined]);
		expect(tasks.map((task) => task.snapshot?.status)).toEqual(['completed', 'pending', 'completed']);
	});

	it('two items waiting on the same job never ask about it twice within one second', async () => {
		// E.g. Wait for Completion fed two items that carry the same Job ID.
		const { clock, api } = setup();
		api.addJob('job-same', 40_000);
		const plans = [0, 1].map((i) => jobPlan('job-same', 'wait', { itemIndex: i }));
		const tasks = await run(plans, api, clock);
		expect(tasks.map((task) => task.snapshot?.status)).toEqual(['completed', 'completed']);
		const intervals = gaps(times(api.of('status', 'job-same')));
		expect(Math.min(...intervals)).toBeGreaterThanOrEqual(TIMING.minRequestGapMs);
	});

	it('returns at once with no tasks', async () => {
		const { clock, api } = setup();
		await run([], api, clock);
		expect(api.requests).toHaveLength(0);
		expect(clock.sleeps).toHaveLength(0);
	});
});

describe('answers that are not what they claim', () => {
	const SIGN_IN = '<!doctype html><html><head><title>Sign in</title></head><body></body></html>';

	it('three 2xx answers in a row that are not a job end the wait within seconds, not at the deadline', async () => {
		const { clock, api } = setup();
		api.onStatus = () => answer(200, SIGN_IN, { 'content-type': 'text/html' });
		const [task] = await run([startPlan()], api, clock);
		expect(task.failure).toMatchObject({
			kind: 'unreadable_answer',
			transient: false,
			answerShape: 'an HTML page titled "Sign in"',
		});
		expect(task.jobId).toBe('job-1');
		expect(api.of('status')).toHaveLength(TIMING.unreadableAnswersMax);
		expect(clock.t - T0).toBeLessThan(15_000);
	});

	it('a JSON answer without a status field counts as unreadable too', async () => {
		const { clock, api } = setup();
		api.onStatus = (jobId) => answer(200, { job_id: jobId, message: 'ok' });
		const [task] = await run([jobPlan('job-x', 'wait')], api, clock);
		expect(task.failure).toMatchObject({ kind: 'unreadable_answer', answerShape: 'JSON without a "status" field' });
		expect(api.of('status')).toHaveLength(TIMING.unreadableAnswersMax);
	});

	it('an unreadable answer between readable ones is a hiccup: the count starts again', async () => {
		const { clock, api } = setup();
		api.addJob('job-h', 60_000);
		api.onStatus = (_jobId, n) =>
			[0, 1, 3, 4].includes(n) ? answer(200, SIGN_IN) : n === 2 ? answer(503, '') : undefined;
		const [task] = await run([jobPlan('job-h', 'wait')], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.snapshot?.status).toBe('completed');
	});

	it('three unreadable answers to a start end it, with the same Idempotency-Key each time', async () => {
		const { clock, api } = setup();
		api.onGenerate = () => answer(200, SIGN_IN);
		const [task] = await run([startPlan()], api, clock);
		expect(task.failure).toMatchObject({ kind: 'unreadable_answer', transient: false });
		expect(api.of('generate')).toHaveLength(TIMING.unreadableAnswersMax);
		expect(new Set(api.of('generate').map((r) => r.idempotencyKey)).size).toBe(1);
	});

	it('a redirect ends the item at once (the transport did not follow it to another origin)', async () => {
		const { clock, api } = setup();
		api.onStatus = () => answer(307, '', { location: 'https://elsewhere.example.net/api/v1/status/job-1' });
		const [task] = await run([startPlan()], api, clock);
		expect(task.failure).toMatchObject({
			kind: 'redirected',
			transient: false,
			location: 'https://elsewhere.example.net/api/v1/status/job-1',
		});
		expect(api.of('status')).toHaveLength(1);
		expect(task.jobId).toBe('job-1');
	});

	it.each(['cancelled', 'expired', 'error'])('a job that reports "%s" ends the wait at once, keeping the word', async (word) => {
		const { clock, api } = setup();
		api.onStatus = (jobId, n) => answer(200, { job_id: jobId, status: n === 0 ? 'processing' : word });
		const [task] = await run([jobPlan('job-w', 'wait')], api, clock);
		expect(task.failure).toEqual({ kind: 'job_ended', transient: false });
		expect(task.snapshot?.status).toBe(word);
		expect(api.of('status')).toHaveLength(2);
	});

	it('Get Status returns an unknown final word as a result, not an error', async () => {
		const { clock, api } = setup();
		api.onStatus = (jobId) => answer(200, { job_id: jobId, status: 'cancelled' });
		const [task] = await run([jobPlan('job-c', 'check-once')], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.snapshot?.status).toBe('cancelled');
	});

	it('a word the node does not know keeps the wait going (and the deadline shows it)', async () => {
		const { clock, api } = setup();
		api.onStatus = (jobId) => answer(200, { job_id: jobId, status: 'queued' });
		const [task] = await run([jobPlan('job-q', 'wait', { timeoutMs: 60_000 })], api, clock);
		expect(task.failure).toEqual({ kind: 'deadline_exceeded', transient: false });
		expect(task.snapshot?.status).toBe('queued');
	});

	it('a success word the docs do not use ("succeeded") still downloads the files', async () => {
		const { clock, api } = setup();
		api.addJob('job-s', 0);
		api.onStatus = (jobId, n) => {
			const body = api.defaultStatus(jobId, n).body as { status: string };
			return answer(200, { ...body, status: 'succeeded' });
		};
		const [task] = await run([jobPlan('job-s', 'wait', { downloadFiles: true })], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.files).toHaveLength(1);
		expect(task.snapshot?.status).toBe('succeeded');
	});

	it.each<[JobPlan['mode'], boolean]>([
		['wait', true],
		['download', true],
	])('a completed job without files is an error in %s mode when files were asked for', async (mode, downloadFiles) => {
		const { clock, api } = setup();
		api.onStatus = (jobId) => answer(200, { job_id: jobId, status: 'completed', downloads: [] });
		const [task] = await run([jobPlan('job-empty', mode, { downloadFiles })], api, clock);
		expect(task.failure).toEqual({ kind: 'no_files', transient: false });
		expect(task.jobId).toBe('job-empty');
	});

	it('a completed job without files is fine when no files were asked for', async () => {
		const { clock, api } = setup();
		api.onStatus = (jobId) => answer(200, { job_id: jobId, status: 'completed', downloads: [] });
		const [task] = await run([jobPlan('job-empty', 'wait', { downloadFiles: false })], api, clock);
		expect(task.failure).toBeUndefined();
	});

	it('a sign-in page from storage gets fresh links once, then the real file is kept', async () => {
		const { clock, api } = setup();
		api.addJob('job-p', 0);
		api.onDownload = (_url, n) => (n === 0 ? fileAnswer(200, SIGN_IN, { 'content-type': 'text/html' }, true) : undefined);
		const [task] = await run([jobPlan('job-p', 'download')], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.files).toHaveLength(1);
		expect(bytesOf(task.files[0]).subarray(0, 2).toString()).toBe('PK');
		expect(api.of('status')).toHaveLength(2);
	});

	it('a sign-in page again after fresh links is a clear error, never a saved file', async () => {
		const { clock, api } = setup();
		api.addJob('job-p', 0);
		api.onDownload = () => fileAnswer(200, SIGN_IN, { 'content-type': 'text/html' }, true);
		const [task] = await run([jobPlan('job-p', 'download')], api, clock);
		expect(task.files).toHaveLength(0);
		expect(task.failure).toEqual({
			kind: 'not_a_file',
			transient: false,
			httpCode: 200,
			answerShape: 'an HTML page titled "Sign in" (Content-Type text/html)',
		});
		expect(api.of('download')).toHaveLength(2);
	});

	it('names the files like their binary fields and types them by the extension the API gives', async () => {
		const { clock, api } = setup();
		api.onStatus = (jobId) =>
			answer(200, {
				job_id: jobId,
				status: 'completed',
				downloads: [
					{ url: `https://storage.example.com/${jobId}/0.pptx` },
					{ url: `https://storage.example.com/${jobId}/1.pptx`, file_name: 'Board.potx' },
				],
			});
		const [task] = await run([jobPlan('job-n', 'download')], api, clock);
		expect(task.files.map((f) => [f.fileName, f.mimeType])).toEqual([
			['perceptis-job-n.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
			['Board.potx', 'application/vnd.openxmlformats-officedocument.presentationml.template'],
		]);
	});
});

describe('links handed on from a Wait for Completion', () => {
	const reuse = (fetchedAtMs: number) => ({
		downloads: [{ url: 'https://storage.example.com/job-r/0.pptx?sig=earlier' }],
		fetchedAtMs,
		raw: { jobId: 'job-r', status: 'completed' },
	});

	it('a Download right after uses the links it was handed, with no status request', async () => {
		const { clock, api } = setup();
		api.addJob('job-r', 0);
		const [task] = await run([jobPlan('job-r', 'download', { reuse: reuse(clock.t - 20) })], api, clock);
		expect(task.failure).toBeUndefined();
		expect(task.files).toHaveLength(1);
		expect(api.of('status')).toHaveLength(0);
		expect(api.of('download')[0].url).toBe('https://storage.example.com/job-r/0.pptx?sig=earlier');
	});

	it('when a handed-on link fails, the refresh waits a second from when the links were fetched', async () => {
		const { clock, api } = setup();
		api.addJob('job-r', 0);
		const fetchedAt = clock.t - 20;
		api.onDownload = (_url, n) => (n === 0 ? fileAnswer(403, 'AccessDenied') : undefined);
		const [task] = await run([jobPlan('job-r', 'download', { reuse: reuse(fetchedAt) })], api, clock);
		expect(task.failure).toBeUndefined();
		expect(api.of('status')).toHaveLength(1);
		expect(api.of('status')[0].at).toBeGreaterThanOrEqual(fetchedAt + TIMING.minRequestGapMs);
	});
});

describe('the run as a whole', () => {
	it('at the run deadline, every unfinished job is reported as cut short by it, with its id', async () => {
		const { clock, api } = setup();
		api.durations = [600_000, 600_000];
		const tasks = await run([startPlan(0), startPlan(1)], api, clock, { deadline: T0 + 60_000 });
		for (const task of tasks) {
			expect(task.failure).toEqual({ kind: 'run_timeout', transient: false });
			expect(task.jobId).toMatch(/^job-/);
		}
		expect(clock.t - T0).toBeLessThanOrEqual(60_000 + TIMING.minRequestGapMs);
	});

	it('a Retry-After beyond the run deadline fails the start at once instead of sleeping past it', async () => {
		const { clock, api } = setup();
		api.onGenerate = () => answer(429, { error: { code: 'rate_limit_exceeded' } }, { 'retry-after': '3600' });
		const [task] = await run([startPlan()], api, clock, { deadline: T0 + 60_000 });
		expect(task.failure).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3_600_000 });
		expect(api.of('generate')).toHaveLength(1);
		expect(clock.t - T0).toBeLessThan(1_000);
	});

	it('releases the reference images once the job exists (a retry of the start needed them until then)', async () => {
		const { clock, api } = setup();
		const images = [{ data: 'A'.repeat(1_000), mime_type: 'image/png' }];
		const plan = startPlan(0, {
			start: jobStart({ prompt: 'x', output_type: 'single_slide', reference_images: images }, 'k'),
			mode: 'start-only',
		});
		api.onGenerate = (n) => (n === 0 ? networkFailure('ECONNRESET') : undefined);
		const [task] = await run([plan], api, clock);
		expect(api.of('generate').map((r) => r.body!.reference_images)).toEqual([images, images]);
		expect(task.plan.start!.body.reference_images).toBeUndefined();
		expect(task.plan.start!.body.prompt).toBe('x');
	});

	it('a long step (a slow download) does not hold back the other jobs’ checks', async () => {
		const { clock, api } = setup();
		api.durations = [1_000, 60_000];
		let releaseDownload: () => void = () => undefined;
		api.onDownload = (_url, n) =>
			n === 0
				? (new Promise((resolve) => (releaseDownload = () => resolve(fileAnswer(200, 'late'))))) as never
				: undefined;
		const finished = run([startPlan(0, { downloadFiles: true }), startPlan(1)], api, clock);
		for (let turns = 0; turns < 200 && api.of('status', 'job-2').length < 5; turns++) {
			await new Promise((resolve) => setImmediate(resolve));
		}
		expect(api.of('status', 'job-2').length).toBeGreaterThanOrEqual(5);
		releaseDownload();
		const tasks = await finished;
		expect(tasks.map((task) => task.failure)).toEqual([undefined, undefined]);
	});
});

describe("a batch's last jobs", () => {
	const durations = [22_000, 27_000, 31_000, 36_000, 41_000, 44_000, 49_000, 53_000, 58_500, 59_500];

	it('are checked at a share of their age once a quarter of the batch is done: the last is seen within 8 %', async () => {
		const { clock, api } = setup();
		api.durations = [...durations];
		const tasks = await run(durations.map((_d, i) => startPlan(i)), api, clock, { maxInFlight: Number.POSITIVE_INFINITY });
		expect(tasks.every((task) => task.snapshot?.status === 'completed')).toBe(true);
		const lastSeen = Math.max(...api.of('status').map((r) => r.at)) - T0;
		expect(lastSeen / 59_500).toBeLessThanOrEqual(1 + TIMING.tailIntervalShare + 0.01);
		// Without the tail, the base schedule would see the last job only at its 74 s check.
		expect(lastSeen).toBeLessThan(74_000);
		// And the batch still asks less than a 10 s loop would, plus one.
		const perJob = api.of('status').length / durations.length;
		const tenSecondLoop = durations.reduce((sum, d) => sum + Math.ceil(d / 10_000), 0) / durations.length;
		expect(perJob).toBeLessThanOrEqual(tenSecondLoop + 1);
	});

	it('a single job keeps the base schedule (no batch, no tail)', async () => {
		const { clock, api } = setup();
		api.durations = [59_500];
		await run([startPlan()], api, clock);
		expect(gaps([T0, ...api.of('status').map((r) => r.at)])).toEqual([3_000, 6_000, 12_000, 24_000, 29_000]);
	});

	it('a server hint still wins over the tail', async () => {
		const { clock, api } = setup();
		api.durations = [...durations];
		api.onStatus = (jobId, n) => {
			const base = api.defaultStatus(jobId, n);
			return answer(base.statusCode, base.body, { 'retry-after': '20' });
		};
		await run(durations.map((_d, i) => startPlan(i)), api, clock, { maxInFlight: Number.POSITIVE_INFINITY });
		const checks = api.of('status', 'job-10').map((r) => r.at - T0);
		for (const gap of gaps(checks)) expect(gap).toBeGreaterThanOrEqual(20_000);
	});
});

describe("a batch's last jobs, when each job is a run of its own (Node-RED's messages on one node)", () => {
	const durations = [22_000, 27_000, 31_000, 36_000, 41_000, 44_000, 49_000, 53_000, 58_500, 59_500];

	/** One run per plan, all at once on one fake clock, sharing `sharedTail` if given; `later` starts one more run at its time. */
	async function runEach(plans: JobPlan[], sharedTail?: SharedTail<KeptFile>, later?: { at: number; plan: JobPlan }) {
		const clock = new SharedFakeClock();
		const api = new FakeApi(clock);
		api.durations = [...durations];
		const one = async (plan: JobPlan) => {
			const runClock = clock.forRun();
			const task = new JobTask(plan, api, clock.now, keepInMemory);
			try {
				await runJobTasks([task], runClock, { maxInFlight: 1, stopOnFirstFailure: true, sharedTail });
			} finally {
				runClock.done();
			}
			return task;
		};
		const runs = plans.map(one);
		if (later) {
			const waiter = clock.forRun();
			await waiter.sleep(later.at);
			waiter.done();
			runs.push(one(later.plan));
		}
		const tasks = await Promise.all(runs);
		return { api, tasks };
	}

	it('are checked at a share of their age when the runs share a tail: the last is seen within 8 %', async () => {
		const { api, tasks } = await runEach(
			durations.map((_d, i) => startPlan(i)),
			new SharedTail(),
		);
		expect(tasks.every((task) => task.snapshot?.status === 'completed')).toBe(true);
		const lastSeen = Math.max(...api.of('status').map((r) => r.at)) - T0;
		expect(lastSeen / 59_500).toBeLessThanOrEqual(1 + TIMING.tailIntervalShare + 0.01);
		const perJob = api.of('status').length / durations.length;
		const tenSecondLoop = durations.reduce((sum, d) => sum + Math.ceil(d / 10_000), 0) / durations.length;
		expect(perJob).toBeLessThanOrEqual(tenSecondLoop + 1);
	});

	it('without a shared tail each run keeps the base schedule: the last is seen only at its 74 s check', async () => {
		const { api } = await runEach(durations.map((_d, i) => startPlan(i)));
		expect(Math.max(...api.of('status').map((r) => r.at)) - T0).toBeGreaterThanOrEqual(74_000);
	});

	it('a job that arrives once the batch has begun to end is a batch of its own: alone, the base schedule', async () => {
		// Ten jobs at T0; the eleventh arrives at 50 s, after the first (22 s) was seen done at its 45 s check.
		const tail = new SharedTail<KeptFile>();
		const late = startPlan(10, { start: jobStart({ prompt: 'Late deck', output_type: 'deck' }, `${KEY}-late`, 10) });
		const { api } = await runEach(
			durations.map((_d, i) => startPlan(i)),
			tail,
			{ at: 50_000, plan: late },
		);
		const lateJob = api.of('generate').findIndex((r) => r.idempotencyKey === `${KEY}-late`);
		const lateId = `job-${lateJob + 1}`;
		const startedAt = api.of('generate')[lateJob].at;
		expect(gaps([startedAt, ...api.of('status', lateId).map((r) => r.at)]).slice(0, 4)).toEqual([3_000, 6_000, 12_000, 24_000]);
	});
});

describe('a retry picks up the job of an earlier run (the job ledger pointed the plan at it)', () => {
	/** A generate plan that an earlier run already started as `jobId`. */
	const pickedUp = (jobId: string, over: Partial<JobPlan> = {}) => startPlan(0, { jobId, ...over });

	it('a running job is waited for: checked at once, no start, no second job', async () => {
		const { clock, api } = setup();
		api.addJob('job-earlier', 20_000);
		const [task] = await run([pickedUp('job-earlier', { downloadFiles: true })], api, clock);
		expect(api.of('generate')).toHaveLength(0);
		expect(times(api.of('status'))[0]).toBe(0);
		expect(task.failure).toBeUndefined();
		expect(task.jobId).toBe('job-earlier');
		expect(task.wasPickedUp).toBe(true);
		expect(task.files).toHaveLength(1);
	});

	it('a completed job is downloaded without a start', async () => {
		const { clock, api } = setup();
		api.addJob('job-earlier', 0, { fileCount: 2 });
		const [task] = await run([pickedUp('job-earlier', { downloadFiles: true })], api, clock);
		expect(api.of('generate')).toHaveLength(0);
		expect(api.of('status')).toHaveLength(1);
		expect(task.files.map((file) => file.index)).toEqual([0, 1]);
	});

	it('a failed job is replaced by a new one, started with a key derived from the failed job', async () => {
		const { clock, api } = setup();
		api.addJob('job-earlier', 0, { final: 'failed' });
		const plan = pickedUp('job-earlier');
		const [task] = await run([plan], api, clock);
		expect(api.of('generate').map((r) => r.idempotencyKey)).toEqual([keyAfterFailedJob(`${KEY}-0`, 'job-earlier')]);
		expect(task.failure).toBeUndefined();
		expect(task.jobId).not.toBe('job-earlier');
		expect(task.failedJobIds).toEqual(['job-earlier']);
		expect(task.wasPickedUp).toBe(false);
	});

	it('a job that fails after it was picked up running is an error, not a silent new start', async () => {
		const { clock, api } = setup();
		api.addJob('job-earlier', 10_000, { final: 'failed' });
		const [task] = await run([pickedUp('job-earlier')], api, clock);
		expect(api.of('generate')).toHaveLength(0);
		expect(task.failure).toMatchObject({ kind: 'job_failed' });
	});

	it('the new job of a retry that fails is an error too (one new job per retry, never a loop)', async () => {
		const { clock, api } = setup();
		api.defaultFinal = 'failed';
		api.defaultDurationMs = 0;
		api.addJob('job-earlier', 0, { final: 'failed' });
		const [task] = await run([pickedUp('job-earlier')], api, clock);
		expect(api.of('generate')).toHaveLength(1);
		expect(task.failure).toMatchObject({ kind: 'job_failed' });
		expect(task.failedJobIds).toEqual(['job-earlier']);
	});

	it('without waiting: a running job is returned as it is, a failed one is replaced', async () => {
		const { clock, api } = setup();
		api.addJob('job-running', 60_000);
		api.addJob('job-failed', 0, { final: 'failed' });
		const tasks = await run(
			[pickedUp('job-running', { mode: 'start-only' }), { ...pickedUp('job-failed', { mode: 'start-only' }), itemIndex: 1 }],
			api,
			clock,
		);
		expect(tasks[0].snapshot).toMatchObject({ jobId: 'job-running', status: 'pending' });
		expect(tasks[1].jobId).not.toBe('job-failed');
		expect(api.of('generate')).toHaveLength(1);
	});

	it('the Job Timeout of a picked-up job counts from the pick-up', async () => {
		const { clock, api } = setup();
		api.addJob('job-earlier', 10 * 60_000);
		const [task] = await run([pickedUp('job-earlier', { timeoutMs: 60_000 })], api, clock);
		expect(task.failure).toMatchObject({ kind: 'deadline_exceeded' });
		expect(clock.t - T0).toBeGreaterThanOrEqual(60_000);
		expect(clock.t - T0).toBeLessThan(90_000);
	});
});
