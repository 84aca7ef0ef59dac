/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * The request governor against a fake clock and a fake API with a fixed-window rate limit:
 * it backs off on 429, learns the limit, shares a Retry-After across all requests, recovers,
 * and never sends a request that could only go after the run's deadline.
 */
import type { GovernorClock } from '../../../core/pacing/governor';
import { governedClient, NOT_SENT, RequestGovernor } from '../../../core/pacing/governor';
import { TIMING } from '../../../core/pacing/timing';
import type { PerceptisClient } from '../../../core/wire/client';
import type { HttpAnswer } from '../../../core/wire/http';

import { answer, fileAnswer, T0 } from '../fakes';

/** A clock whose sleeps move fake time; sleepers wake in time order, like timers. */
class SharedClock implements GovernorClock {
	t = T0;
	ended = false;
	private sleepers: Array<{ at: number; wake: () => void }> = [];

	now = () => this.t;
	over = () => this.ended;

	sleep(ms: number): Promise<void> {
		return new Promise((resolve) => this.sleepers.push({ at: this.t + ms, wake: resolve }));
	}

	/** Runs until every sleeper woke and `work` settled (fake time jumps to the next wake-up). */
	async drive<T>(work: Promise<T>): Promise<T> {
		let done = false;
		const result = work.finally(() => (done = true));
		for (let turns = 0; turns < 1_000_000; turns++) {
			await new Promise((resolve) => setImmediate(resolve));
			if (done && this.sleepers.length === 0) return await result;
			if (this.sleepers.length === 0) continue;
			this.sleepers.sort((a, b) => a.at - b.at);
			const next = this.sleepers.shift()!;
			this.t = Math.max(this.t, next.at);
			next.wake();
		}
		throw new Error('SharedClock: did not settle');
	}
}

/** An API that allows `max` requests per fixed window of 1 s per route, else 429 + Retry-After. */
function limitedApi(clock: SharedClock, max: number, retryAfter = '1') {
	const windows = new Map<string, { start: number; count: number }>();
	const log: Array<{ route: string; at: number; status: number }> = [];
	const hit = (route: string): HttpAnswer => {
		let window = windows.get(route);
		if (!window || clock.t >= window.start + 1000) windows.set(route, (window = { start: clock.t, count: 0 }));
		const status = window.count < max ? 200 : 429;
		if (status === 200) window.count += 1;
		log.push({ route, at: clock.t, status });
		return status === 200
			? answer(200, { job_id: 'j', status: 'processing' })
			: answer(429, { error: { code: 'rate_limit_exceeded' } }, { 'retry-after': retryAfter });
	};
	const transport: PerceptisClient = {
		origin: 'https://app.perceptis.ai',
		generate: async () => hit('generate'),
		status: async () => hit('status'),
		downloadFile: async () => fileAnswer(200, 'x'),
	};
	return { transport, log };
}

function setup(max: number, retryAfter = '1') {
	const clock = new SharedClock();
	const governor = new RequestGovernor(clock);
	const api = limitedApi(clock, max, retryAfter);
	const paced = governedClient(api.transport, governor, () => Number.POSITIVE_INFINITY, clock.now);
	return { clock, governor, api, paced };
}

describe('RequestGovernor', () => {
	it('starts 50 jobs against 5 requests/s with at most a few 429s, then stays under the limit', async () => {
		const { clock, governor, api, paced } = setup(5);
		await clock.drive(Promise.all(Array.from({ length: 50 }, async () => await paced.generate({}, 'k'))));
		const limited = api.log.filter((r) => r.status === 429);
		expect(limited.length).toBeLessThanOrEqual(2);
		expect(governor.rateOf('generate')).toBeLessThanOrEqual(5);
		// Each start was sent once (the job task, not the governor, retries a 429), in about 50 / 5 s.
		expect(api.log).toHaveLength(50);
		expect(clock.t - T0).toBeLessThan(15_000);
	});

	it('a 429 pauses every request of the run for its Retry-After, not just the one that got it', async () => {
		const { clock, api, paced } = setup(1, '3');
		await clock.drive(Promise.all([paced.status('a'), paced.status('b'), paced.status('c')]));
		const [first, second, ...rest] = api.log;
		expect(first.status).toBe(200);
		expect(second.status).toBe(429);
		for (const request of rest) expect(request.at - second.at).toBeGreaterThanOrEqual(3_000);
	});

	it('grows again while answers are fine and requests wait (slow start from the initial pace)', async () => {
		const { clock, governor, paced } = setup(1_000);
		expect(governor.rateOf('status')).toBe(TIMING.governorInitialRate);
		await clock.drive(Promise.all(Array.from({ length: 300 }, async () => await paced.status('j'))));
		expect(governor.rateOf('status')).toBeGreaterThanOrEqual(TIMING.governorInitialRate * 4);
		expect(clock.t - T0).toBeLessThan(10_000);
	});

	it('does not grow while demand is below the pace', async () => {
		const { clock, governor, paced } = setup(1_000);
		for (let i = 0; i < 10; i++) {
			await clock.drive(paced.status('j'));
			clock.t += 2_000;
		}
		expect(governor.rateOf('status')).toBe(TIMING.governorInitialRate);
	});

	it('paces starts and status checks apart: one kind waiting does not hold the other', async () => {
		const { clock, api, paced } = setup(1_000);
		await clock.drive(Promise.all([...Array.from({ length: 16 }, async () => await paced.generate({}, 'k')), paced.status('j')]));
		const statusAt = api.log.find((r) => r.route === 'status')!.at;
		expect(statusAt - T0).toBeLessThan(200);
	});

	it('sends nothing that could only go after the deadline, nor after the run ended', async () => {
		const clock = new SharedClock();
		const governor = new RequestGovernor(clock);
		const api = limitedApi(clock, 1, '3600');
		const paced = governedClient(api.transport, governor, () => T0 + 60_000, clock.now);
		await clock.drive(paced.generate({}, 'k'));
		await clock.drive(paced.generate({}, 'k')); // 429, Retry-After: 3600
		const third = await clock.drive(paced.generate({}, 'k'));
		expect(third).toBe(NOT_SENT);
		expect(api.log).toHaveLength(2);
		expect(clock.t - T0).toBeLessThan(60_000);
		clock.ended = true;
		expect(await clock.drive(paced.status('j'))).toBe(NOT_SENT);
	});
});

describe('RequestGovernor, what one kind of request learns', () => {
	it('a 429 on starts also slows status checks that have not met the limit yet', async () => {
		const { clock, governor, paced } = setup(5);
		await clock.drive(Promise.all(Array.from({ length: 20 }, async () => await paced.generate({}, 'k'))));
		expect(governor.rateOf('status')).toBeLessThanOrEqual(5);
		expect(governor.rateOf('status')).toBeLessThan(TIMING.governorInitialRate);
	});
});
