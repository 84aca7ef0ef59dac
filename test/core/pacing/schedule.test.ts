import { parseRetryAfterMs } from '../../../core/pacing/retryAfter';
import { nextDueAt, nextPollDelayMs, transientBackoffMs } from '../../../core/pacing/schedule';
import { TIMING } from '../../../core/pacing/timing';

const NOW = Date.parse('2025-03-10T12:00:00Z');

describe('TIMING: the documented bounds', () => {
	it('starts polling within the advised 2–5 s', () => {
		expect(TIMING.firstPollDelayMs).toBeGreaterThanOrEqual(2_000);
		expect(TIMING.firstPollDelayMs).toBeLessThanOrEqual(5_000);
	});

	it('caps the poll interval at 30 s at most and lengthens it while running', () => {
		expect(TIMING.maxPollIntervalMs).toBeLessThanOrEqual(30_000);
		expect(TIMING.maxPollIntervalMs).toBeGreaterThan(TIMING.firstPollDelayMs);
		expect(TIMING.pollGrowthFactor).toBeGreaterThan(1);
	});

	it('never asks about one job more than once per second', () => {
		expect(TIMING.minRequestGapMs).toBeGreaterThanOrEqual(1_000);
	});

	it('waits at least 20 minutes by default (decks take 5–15 minutes)', () => {
		expect(TIMING.defaultTimeoutSeconds).toBeGreaterThanOrEqual(1_200);
	});

	it('retries a start a few times but not forever, and backs off from a positive base', () => {
		expect(TIMING.generateMaxAttempts).toBeGreaterThanOrEqual(2);
		expect(TIMING.generateMaxAttempts).toBeLessThanOrEqual(10);
		expect(TIMING.transientBackoffBaseMs).toBeGreaterThanOrEqual(TIMING.minRequestGapMs);
		expect(TIMING.transientBackoffMaxMs).toBeGreaterThan(TIMING.transientBackoffBaseMs);
	});
});

describe('parseRetryAfterMs', () => {
	it.each([
		['7', 7_000],
		['0', 0],
		['120', 120_000],
		[' 3 ', 3_000],
		['1.5', 1_500],
		['0.25', 250],
		['2.0004', 2_000],
	])('reads delay-seconds %j as %d ms', (value, expected) => {
		expect(parseRetryAfterMs(value, NOW)).toBe(expected);
	});

	it('reads a numeric header value as seconds', () => {
		expect(parseRetryAfterMs(4, NOW)).toBe(4_000);
		expect(parseRetryAfterMs(0.5, NOW)).toBe(500);
	});

	it('reads an HTTP date relative to the given now', () => {
		expect(parseRetryAfterMs('Mon, 10 Mar 2025 12:00:30 GMT', NOW)).toBe(30_000);
		expect(parseRetryAfterMs('Mon, 10 Mar 2025 12:02:00 GMT', NOW)).toBe(120_000);
		expect(parseRetryAfterMs('Mon, 10 Mar 2025 12:00:30 GMT', NOW + 10_000)).toBe(20_000);
	});

	it('gives 0 for a date in the past, never a negative delay', () => {
		expect(parseRetryAfterMs('Mon, 10 Mar 2025 11:59:00 GMT', NOW)).toBe(0);
		expect(parseRetryAfterMs('Thu, 01 Jan 1970 00:00:00 GMT', NOW)).toBe(0);
	});

	it('takes the first value of an array (repeated header)', () => {
		expect(parseRetryAfterMs(['5', '9'], NOW)).toBe(5_000);
		expect(parseRetryAfterMs(['Mon, 10 Mar 2025 12:00:10 GMT'], NOW)).toBe(10_000);
		expect(parseRetryAfterMs([], NOW)).toBeUndefined();
	});

	it.each([[undefined], [null], [''], ['   '], ['soon'], ['tomorrow'], ['5s'], ['10 seconds'], [NaN], [Infinity], [{}], [true]])(
		'returns undefined for the absent or unreadable value %j',
		(value) => {
			expect(parseRetryAfterMs(value, NOW)).toBeUndefined();
		},
	);

	// V8's Date.parse is lenient: it turns these into dates in 2001, which then read as "ask again
	// now" (0 ms). A garbage Retry-After must be ignored (undefined), not make the node poll at the
	// one-second floor.
	it('returns undefined for malformed values that Date.parse happens to accept (-1, 1,5, abc 12)', () => {
		const read = (value: string) => parseRetryAfterMs(value, NOW);
		expect({ '-1': read('-1'), '1,5': read('1,5'), 'abc 12': read('abc 12') }).toEqual({
			'-1': undefined,
			'1,5': undefined,
			'abc 12': undefined,
		});
	});
});

describe('nextPollDelayMs', () => {
	it('checks first after TIMING.firstPollDelayMs, within 2–5 s', () => {
		const first = nextPollDelayMs(0);
		expect(first).toBe(TIMING.firstPollDelayMs);
		expect(first).toBeGreaterThanOrEqual(2_000);
		expect(first).toBeLessThanOrEqual(5_000);
	});

	it('grows by the growth factor while the job runs', () => {
		const f = TIMING.pollGrowthFactor;
		expect(nextPollDelayMs(1)).toBe(Math.round(TIMING.firstPollDelayMs * f));
		expect(nextPollDelayMs(2)).toBe(Math.round(TIMING.firstPollDelayMs * f * f));
		expect(nextPollDelayMs(1)).toBe(6_000);
		expect(nextPollDelayMs(2)).toBe(12_000);
		expect(nextPollDelayMs(3)).toBe(24_000);
		for (let polls = 1; polls < 20; polls++) {
			expect(nextPollDelayMs(polls)).toBeGreaterThanOrEqual(nextPollDelayMs(polls - 1));
		}
	});

	it('is capped at TIMING.maxPollIntervalMs (≤ 30 s)', () => {
		expect(nextPollDelayMs(6)).toBe(TIMING.maxPollIntervalMs);
		expect(nextPollDelayMs(50)).toBe(TIMING.maxPollIntervalMs);
		expect(nextPollDelayMs(10_000)).toBe(TIMING.maxPollIntervalMs);
		expect(nextPollDelayMs(10_000)).toBeLessThanOrEqual(30_000);
	});

	it('treats a negative count as the first check', () => {
		expect(nextPollDelayMs(-3)).toBe(TIMING.firstPollDelayMs);
	});

	it('lets a server hint win, longer or shorter than the schedule', () => {
		expect(nextPollDelayMs(0, 7_000)).toBe(7_000);
		expect(nextPollDelayMs(10, 2_000)).toBe(2_000);
		expect(nextPollDelayMs(0, 45_000)).toBe(45_000);
	});

	it('never goes below one second, even for a hint of 0', () => {
		expect(nextPollDelayMs(0, 0)).toBe(TIMING.minRequestGapMs);
		expect(nextPollDelayMs(5, 300)).toBe(TIMING.minRequestGapMs);
		expect(nextPollDelayMs(0, 0)).toBeGreaterThanOrEqual(1_000);
	});
});

describe('transientBackoffMs', () => {
	it('doubles from the base after each failure in a row', () => {
		const base = TIMING.transientBackoffBaseMs;
		expect(transientBackoffMs(1)).toBe(base);
		expect(transientBackoffMs(2)).toBe(base * 2);
		expect(transientBackoffMs(3)).toBe(base * 4);
		expect(transientBackoffMs(4)).toBe(base * 8);
		expect([1, 2, 3, 4].map((n) => transientBackoffMs(n))).toEqual([2_000, 4_000, 8_000, 16_000]);
	});

	it('is capped at TIMING.transientBackoffMaxMs', () => {
		expect(transientBackoffMs(6)).toBe(TIMING.transientBackoffMaxMs);
		expect(transientBackoffMs(40)).toBe(TIMING.transientBackoffMaxMs);
		expect(transientBackoffMs(2_000)).toBe(TIMING.transientBackoffMaxMs);
	});

	it('treats 0 failures like the first', () => {
		expect(transientBackoffMs(0)).toBe(TIMING.transientBackoffBaseMs);
	});

	it('never waits less than Retry-After asks, even beyond the cap', () => {
		expect(transientBackoffMs(1, 10_000)).toBe(10_000);
		expect(transientBackoffMs(1, 90_000)).toBe(90_000);
		expect(transientBackoffMs(20, 120_000)).toBe(120_000);
	});

	it('keeps the exponential delay when Retry-After is shorter', () => {
		expect(transientBackoffMs(3, 1_000)).toBe(8_000);
		expect(transientBackoffMs(1, 0)).toBe(TIMING.transientBackoffBaseMs);
	});
});

describe('nextDueAt', () => {
	const deadline = NOW + 60_000;

	it('is now + delay when nothing limits it', () => {
		expect(nextDueAt(NOW, 5_000, deadline, NOW - 10_000)).toBe(NOW + 5_000);
	});

	it('is never past the deadline (a last check happens at the deadline)', () => {
		expect(nextDueAt(NOW, 90_000, deadline, NOW)).toBe(deadline);
		expect(nextDueAt(NOW + 59_000, 30_000, deadline, NOW + 50_000)).toBe(deadline);
	});

	it('is never sooner than one second after the previous request', () => {
		expect(nextDueAt(NOW, 0, deadline, NOW)).toBe(NOW + TIMING.minContactGapMs);
		expect(nextDueAt(NOW, 200, deadline, NOW - 300)).toBe(NOW - 300 + TIMING.minContactGapMs);
		expect(nextDueAt(NOW, 0, deadline, NOW) - NOW).toBeGreaterThanOrEqual(1_000);
	});

	it('keeps the one-second gap even when that lands just past the deadline', () => {
		expect(nextDueAt(deadline - 300, 5_000, deadline, deadline - 300)).toBe(deadline - 300 + TIMING.minContactGapMs);
	});

	it('works without a deadline or an earlier request', () => {
		expect(nextDueAt(NOW, 4_000, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)).toBe(NOW + 4_000);
	});
});
