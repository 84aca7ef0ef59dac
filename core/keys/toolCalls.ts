/**
 * The default Idempotency-Key of a Generate call made by an AI agent or an MCP client, and the
 * memory of one process's calls that keeps it across a window's edge (the host holds one per process).
 *
 * Every MCP `tools/call`, and every chat message to an agent, is an execution of its own, so the
 * execution id cannot tell "the same call again" (a client's retry after a timeout, an agent that
 * asks twice) from a new event. As a tool, the same request to the same node of the same workflow
 * is therefore one job for TOOL_CALL_WINDOW_MS: the key is derived from the workflow, the node, the
 * request and the window it falls in, so any n8n process (a queue-mode worker too) derives it alike
 * and Perceptis returns the job it already has instead of starting a second, paid one.
 *
 * A fixed window has edges: a repeat a minute after the first call may fall into the next window.
 * So this process also remembers, for one window's length after a call, the key that call used and
 * sends it again; a call that ended with a failed job is remembered with the key of its replacement,
 * so asking again retries the failure instead of returning it (failed jobs cost nothing).
 */
import { keyAfterFailedJob } from './idempotency';
import { sha256 } from '../hash';

/** How long the same request to a tool is one job. */
export const TOOL_CALL_WINDOW_MS = 30 * 60 * 1000;
/** Bounds the memory whatever the traffic: the oldest calls are forgotten first. */
const MAX_REMEMBERED_CALLS = 2000;

export interface ToolCallParts {
	/** The host's tag, the key's prefix ("n8n"). */
	host: string;
	workflowId: string | undefined;
	nodeId: string;
	/** requestDigest() of the body. */
	request: string;
}

interface RememberedCall {
	key: string;
	firstCalledAt: number;
}

function callIdentity(parts: ToolCallParts): string {
	return sha256(['tool call', parts.workflowId ?? 'unsaved workflow', parts.nodeId, parts.request].join('\n'));
}

/** The calls of this process, by identity; a Map keeps insertion order, so the first is the oldest. */
export class ToolCallMemory {
	private readonly calls = new Map<string, RememberedCall>();

	constructor(
		private readonly windowMs = TOOL_CALL_WINDOW_MS,
		private readonly maxCalls = MAX_REMEMBERED_CALLS,
	) {}

	/** The key for this call: the one a call within the last window used, or this window's. */
	keyFor(parts: ToolCallParts, now: number): string {
		const identity = callIdentity(parts);
		const earlier = this.calls.get(identity);
		if (earlier && now - earlier.firstCalledAt < this.windowMs) return earlier.key;
		const key = `${parts.host}-tool-${sha256(`${identity}\nwindow ${Math.floor(now / this.windowMs)}`).slice(0, 44)}`;
		this.remember(identity, { key, firstCalledAt: now });
		return key;
	}

	/**
	 * What the next same call sends, once this call is over: the key of the job it ended with, or,
	 * when that job failed, the key of its replacement (so asking again retries the failure, once).
	 */
	settle(parts: ToolCallParts, key: string, failedJobId?: string): void {
		const identity = callIdentity(parts);
		const earlier = this.calls.get(identity);
		if (!earlier) return;
		this.calls.set(identity, { ...earlier, key: failedJobId ? keyAfterFailedJob(key, failedJobId) : key });
	}

	private remember(identity: string, call: RememberedCall): void {
		this.calls.delete(identity);
		this.calls.set(identity, call);
		for (const [oldest, { firstCalledAt }] of this.calls) {
			if (this.calls.size <= this.maxCalls && call.firstCalledAt - firstCalledAt < this.windowMs) break;
			this.calls.delete(oldest);
		}
	}
}
