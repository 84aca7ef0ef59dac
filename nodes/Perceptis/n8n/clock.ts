/**
 * The core's run clock on n8n: n8n's `sleep` (node code may not set timers of its own), ended
 * early by the execution's cancel signal (the Stop button) or by a step in flight that ends.
 */
import { sleep } from 'n8n-workflow';

import type { RunClock } from '../../../core/ports';
import { TIMING } from '../../../core/pacing/timing';

/**
 * The real clock of a node run. Sleeping uses n8n's `sleep` and ends early when the user presses
 * Stop (the execution's cancel signal) or a step in flight ends, so a wait never outlives the
 * execution and a finished step is followed up at once.
 */
export function executionClock(signal: AbortSignal | undefined): RunClock {
	return {
		now: () => Date.now(),
		cancelled: () => signal?.aborted === true,
		sleep: async (ms, wake) => {
			if (signal?.aborted) return;
			await new Promise<void>((resolve) => {
				let settled = false;
				const done = () => {
					if (settled) return;
					settled = true;
					signal?.removeEventListener('abort', done);
					resolve();
				};
				signal?.addEventListener('abort', done, { once: true });
				// n8n's sleep cannot be cleared: while a step may wake us early, nap in short
				// stretches, so no timer of an ended wait keeps the process busy for long.
				void sleep(wake ? Math.min(ms, TIMING.wakeCheckMs) : ms).then(done);
				void wake?.then(done, done);
			});
		},
	};
}
