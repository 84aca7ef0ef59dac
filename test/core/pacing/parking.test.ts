/** When a parked loop looks again at a still-running job: pure, from the poll state. */
import { parkedCheckAt } from '../../../core/pacing/parking';
import { startedPoll, type PollState } from '../../../core/pacing/pollState';
import { TIMING } from '../../../core/pacing/timing';

const T0 = 1_800_000_000_000;
const PARK = 65_000;
const checkedOnce = (at: number, changes: Partial<PollState> = {}): PollState => ({
	...startedPoll(T0, null),
	checksMade: 1,
	lastContactAt: at,
	lastAnswerAt: at,
	...changes,
});

describe('parkedCheckAt', () => {
	it('first looks at half the earliest published end: 150 s for a deck, 90 s for a slide or an unknown kind', () => {
		const state = checkedOnce(T0 + 3_000);
		const half = (ms: number) => ms * TIMING.parkedFirstLookShare;
		expect(parkedCheckAt(state, { minWaitMs: PARK, outputType: 'deck', now: T0 + 3_000 })).toBe(T0 + half(TIMING.expectedDurationMs.deck.from));
		expect(parkedCheckAt(state, { minWaitMs: PARK, outputType: 'single_slide', now: T0 + 3_000 })).toBe(T0 + half(TIMING.expectedDurationMs.single_slide.from));
		expect(parkedCheckAt(state, { minWaitMs: PARK, now: T0 + 3_000 })).toBe(T0 + half(TIMING.expectedDurationMs.single_slide.from));
		// Right after its start (a Generate that did not wait), the same: no check is spent on a job seconds old.
		expect(parkedCheckAt(startedPoll(T0, null), { minWaitMs: PARK, outputType: 'deck', now: T0 })).toBe(T0 + half(TIMING.expectedDurationMs.deck.from));
	});

	it('after the earliest end, looks again after the minimum wait, so the Wait node parks', () => {
		const at = T0 + 200_000;
		expect(parkedCheckAt(checkedOnce(at, { checksMade: 3 }), { minWaitMs: PARK, outputType: 'deck', now: at })).toBe(at + PARK);
	});

	it('takes the server hint over the published durations: the server knows this job', () => {
		const at = T0 + 3_000;
		expect(parkedCheckAt(checkedOnce(at, { hintMs: 90_000 }), { minWaitMs: PARK, outputType: 'deck', now: at })).toBe(at + 90_000);
	});

	it('takes a longer server hint as it is, and raises a shorter one to the minimum wait', () => {
		const at = T0 + 400_000;
		expect(parkedCheckAt(checkedOnce(at, { hintMs: 120_000 }), { minWaitMs: PARK, outputType: 'deck', now: at })).toBe(at + 120_000);
		expect(parkedCheckAt(checkedOnce(at, { hintMs: 5_000 }), { minWaitMs: PARK, outputType: 'deck', now: at })).toBe(at + PARK);
	});

	it('is never past the deadline, unless the deadline is nearer than the minimum wait', () => {
		const at = T0 + 3_000;
		expect(parkedCheckAt(checkedOnce(at, { deadline: T0 + 120_000 }), { minWaitMs: PARK, outputType: 'deck', now: at })).toBe(T0 + 120_000);
		expect(parkedCheckAt(checkedOnce(at, { deadline: T0 + 10_000 }), { minWaitMs: PARK, outputType: 'deck', now: at })).toBe(at + PARK);
	});

	it('never answers under the minimum wait, nor under the API floor with a tiny one', () => {
		const at = T0 + 900_000;
		expect(parkedCheckAt(checkedOnce(at), { minWaitMs: 10_000, outputType: 'deck', now: at })).toBeGreaterThanOrEqual(at + 10_000);
		expect(parkedCheckAt(checkedOnce(at), { minWaitMs: 0, outputType: 'deck', now: at })).toBeGreaterThanOrEqual(at + TIMING.minContactGapMs);
	});
});
