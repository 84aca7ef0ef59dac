/** The core's run clock on n8n's sleep and the execution's cancel signal. */
import { executionClock } from '../../nodes/Perceptis/n8n/clock';

describe('executionClock', () => {
	afterEach(() => {
		jest.useRealTimers();
	});

	it('is cancelled once the signal aborts, and then does not sleep', async () => {
		const controller = new AbortController();
		const clock = executionClock(controller.signal);
		expect(clock.cancelled()).toBe(false);
		controller.abort();
		expect(clock.cancelled()).toBe(true);
		const started = Date.now();
		await clock.sleep(60_000);
		expect(Date.now() - started).toBeLessThan(50);
	});

	it('ends a sleep early when the execution is cancelled', async () => {
		jest.useFakeTimers();
		const controller = new AbortController();
		const clock = executionClock(controller.signal);
		let woke = false;
		const sleeping = clock.sleep(30_000).then(() => {
			woke = true;
		});
		await Promise.resolve();
		expect(woke).toBe(false);
		controller.abort();
		await sleeping;
		expect(woke).toBe(true);
	});

	it('sleeps the time asked without a signal, and is never cancelled', async () => {
		jest.useFakeTimers();
		const clock = executionClock(undefined);
		expect(clock.cancelled()).toBe(false);
		let woke = false;
		const sleeping = clock.sleep(5_000).then(() => {
			woke = true;
		});
		await jest.advanceTimersByTimeAsync(4_999);
		expect(woke).toBe(false);
		await jest.advanceTimersByTimeAsync(1);
		await sleeping;
		expect(woke).toBe(true);
	});
});
