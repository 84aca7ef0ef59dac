/* eslint-disable @n8n/community-nodes/no-restricted-globals -- Node-RED runtime, not part of the n8n package */

/**
 * The node's status under it in the editor, in words: what it is doing for its messages now
 * (starting a job, waiting with the time waited so far, downloading), and how the last one
 * ended (done, or the error's code). While jobs wait, the time is brought up to date every few
 * seconds; nothing ticks when nothing waits.
 */
import type { NodeRedTask } from './fileSink';
import type { Node, NodeStatus } from './red';

/** How often the time waited is brought up to date: often enough to see it move, seldom enough to be quiet. */
const TICK_MS = 5_000;

export function elapsed(ms: number): string {
	const seconds = Math.max(0, Math.floor(ms / 1000));
	const minutes = Math.floor(seconds / 60);
	return minutes > 0 ? `${minutes}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** What the node is doing for its runs, one line. */
export function busyStatus(tasks: Array<{ task?: NodeRedTask; since: number }>, now: number): NodeStatus {
	// A job that exists and has no files yet is waited for (its start was the first contact).
	const waiting = tasks.filter(({ task }) => task?.jobId !== undefined && task.phase !== 'download');
	const downloading = tasks.filter(({ task }) => task?.phase === 'download');
	if (waiting.length > 0) {
		const longest = elapsed(now - Math.min(...waiting.map(({ since }) => since)));
		const jobs = waiting.length > 1 ? `${waiting.length} jobs, ` : '';
		return { fill: 'blue', shape: 'ring', text: `waiting: ${jobs}${longest}` };
	}
	if (downloading.length > 0) return { fill: 'blue', shape: 'dot', text: 'downloading' };
	return { fill: 'blue', shape: 'dot', text: 'starting' };
}

export const doneStatus = (text: string): NodeStatus => ({ fill: 'green', shape: 'dot', text });
export const errorStatus = (code: string): NodeStatus => ({ fill: 'red', shape: 'ring', text: `error: ${code}` });
export const refusedStatus = (text: string): NodeStatus => ({ fill: 'red', shape: 'ring', text });

/** Keeps the busy status up to date while the node has runs. */
export class StatusTicker {
	private timer: ReturnType<typeof setInterval> | undefined;

	constructor(
		private readonly node: Node,
		private readonly busy: () => NodeStatus | undefined,
	) {}

	/** Shows the busy status now; ticks while there is one. */
	update(): void {
		const status = this.busy();
		if (status) this.node.status(status);
		if (status && !this.timer) this.timer = setInterval(() => this.update(), TICK_MS);
		if (!status) this.stop();
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
	}
}
