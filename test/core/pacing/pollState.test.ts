/**
 * The poll state is data: it survives a trip through JSON (an n8n item, a Node-RED message, a
 * ledger entry) and the next check is a pure function of it, never under 1 s after the last
 * contact with the job, whatever the inputs.
 */
import { clampedToNow, hintedUntil, nextCheckAt, pollFromJson, pollToJson, startedPoll, type PollState } from '../../../core/pacing/pollState';
import { nextPollDelayMs } from '../../../core/pacing/schedule';
import { TIMING } from '../../../core/pacing/timing';

const T0 = 1_800_000_000_000;

describe('the poll state', () => {
	it('is plain JSON: the same next check after a round trip', () => {
		const state: PollState = { ...startedPoll(T0, T0 + 600_000), checksMade: 3, lastContactAt: T0 + 40_000, lastAnswerAt: T0 + 40_050, hintMs: 7_000 };
		const copy = JSON.parse(JSON.stringify(state)) as PollState;
		expect(copy).toEqual(state);
		expect(nextCheckAt(copy)).toBe(nextCheckAt(state));
	});

	it('plans the first check after a start like the schedule does, from the start', () => {
		expect(nextCheckAt(startedPoll(T0, null))).toBe(T0 + nextPollDelayMs(0));
		expect(nextCheckAt(startedPoll(T0, null, 10_000))).toBe(T0 + 10_000);
	});

	it('lengthens the interval with the checks made, up to the cap', () => {
		const after = (checksMade: number) => nextCheckAt({ ...startedPoll(T0, null), checksMade }) - T0;
		expect(after(1)).toBeGreaterThan(after(0));
		expect(after(2)).toBeGreaterThan(after(1));
		expect(after(50)).toBe(TIMING.maxPollIntervalMs);
	});

	it('takes a server hint over the schedule, and a hint past the deadline ends at the deadline', () => {
		const state = { ...startedPoll(T0, T0 + 5_000), checksMade: 4, hintMs: 20_000 };
		expect(nextCheckAt({ ...state, deadline: null })).toBe(T0 + 20_000);
		expect(nextCheckAt(state)).toBe(T0 + 5_000);
		expect(hintedUntil({ ...state, deadline: null })).toBe(T0 + 20_000);
		expect(hintedUntil({ ...state, hintMs: null })).toBe(0);
	});

	it('checks one of the last jobs of a batch after a share of its age, unless the server hinted', () => {
		// 100 s old: a share of its age (6 s) is sooner than the schedule's 29 s.
		const old = { ...startedPoll(T0, null), checksMade: 20, lastContactAt: T0 + 100_000, lastAnswerAt: T0 + 100_000 };
		expect(nextCheckAt(old) - old.lastAnswerAt).toBe(TIMING.maxPollIntervalMs);
		expect(nextCheckAt(old, true) - old.lastAnswerAt).toBe(Math.round(100_000 * TIMING.tailIntervalShare));
		expect(nextCheckAt({ ...old, hintMs: 25_000 }, true) - old.lastAnswerAt).toBe(25_000);
	});

	it.each<[string, Partial<PollState>]>([
		['a hint of 0', { hintMs: 0 }],
		['a deadline already passed', { deadline: T0 - 60_000 }],
		['a contact after the last answer', { lastContactAt: T0 + 900 }],
		['an answer long before the last contact', { lastAnswerAt: T0 - 3_600_000 }],
	])('never answers under 1 s after the last contact: %s', (_name, change) => {
		const state = { ...startedPoll(T0, null), checksMade: 2, ...change };
		expect(nextCheckAt(state)).toBeGreaterThanOrEqual(state.lastContactAt + TIMING.minRequestGapMs);
		expect(nextCheckAt(state, true)).toBeGreaterThanOrEqual(state.lastContactAt + TIMING.minRequestGapMs);
	});

	it('travels on an item as JSON with ISO times, and comes back only for the same job', () => {
		const state: PollState = { ...startedPoll(T0, T0 + 600_000, 4_000), checksMade: 2, lastContactAt: T0 + 9_000, lastAnswerAt: T0 + 9_040 };
		const item = { jobId: 'job-1', poll: pollToJson(state) };
		expect(item.poll).toMatchObject({ startedAt: new Date(T0).toISOString(), checksMade: 2, retryAfterMs: 4_000 });
		expect(pollFromJson(JSON.parse(JSON.stringify(item)), 'job-1')).toEqual(state);
		expect(pollFromJson(item, 'job-2')).toBeUndefined();
		expect(pollFromJson({ jobId: 'job-1', poll: { ...item.poll, checksMade: -1 } }, 'job-1')).toBeUndefined();
		expect(pollFromJson({ jobId: 'job-1', poll: { ...item.poll, lastContactAt: 'yesterday' } }, 'job-1')).toBeUndefined();
	});

	it('from a machine whose clock runs ahead, holds no check back past the API floor', () => {
		const ahead: PollState = { ...startedPoll(T0 + 600_000, null), checksMade: 1 };
		expect(nextCheckAt(clampedToNow(ahead, T0))).toBeLessThanOrEqual(T0 + nextPollDelayMs(1) + TIMING.minContactGapMs);
	});
});
