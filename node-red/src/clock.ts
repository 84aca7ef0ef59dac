/* eslint-disable @n8n/community-nodes/no-restricted-globals -- Node-RED runtime, not part of the n8n package */

/**
 * Time on Node-RED's own timers: the run clock of one message (core/ports.ts RunClock), whose
 * sleeps end at once when the node closes (a deploy, Node-RED stopping), and a plain cancellable
 * wait for the hosts' own pauses. No timer of an ended wait is left behind.
 */
import type { RunClock } from '../../core/ports';

/** Resolves after `ms`, when `wake` settles, or at once when `signal` is aborted. */
export async function pause(ms: number, signal: AbortSignal, wake?: Promise<unknown>): Promise<void> {
	if (signal.aborted) return;
	await new Promise<void>((resolve) => {
		const done = () => {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		};
		const timer = setTimeout(done, Math.max(0, ms));
		signal.addEventListener('abort', done, { once: true });
		wake?.then(done, done);
	});
}

/** The clock of one run: cancelled when the node closes. */
export function timerClock(signal: AbortSignal): RunClock {
	return {
		now: () => Date.now(),
		cancelled: () => signal.aborted,
		sleep: async (ms, wake) => await pause(ms, signal, wake),
	};
}
