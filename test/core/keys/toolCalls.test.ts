import { keyAfterFailedJob } from '../../../core/keys/idempotency';
import { TOOL_CALL_WINDOW_MS, ToolCallMemory } from '../../../core/keys/toolCalls';

const WINDOW = TOOL_CALL_WINDOW_MS;
const call = { host: 'n8n', workflowId: 'wf-1', nodeId: 'node-1', request: 'digest-of-the-deck-request' };
// The start of a window, so that "a minute before the edge" is plain arithmetic.
const windowStart = Math.ceil(1_800_000_000_000 / WINDOW) * WINDOW;

describe('the default key of a tool call', () => {
	test('the same call in the same window gets the same key, in any process', () => {
		const first = new ToolCallMemory().keyFor(call, windowStart + 1000);
		const otherProcess = new ToolCallMemory().keyFor(call, windowStart + WINDOW - 1000);
		expect(first).toMatch(/^n8n-tool-[0-9a-f]{44}$/);
		expect(otherProcess).toBe(first);
	});

	test('a repeat just past the window edge still gets the first key in the process that saw the call', () => {
		const memory = new ToolCallMemory();
		const first = memory.keyFor(call, windowStart + WINDOW - 60_000);
		expect(memory.keyFor(call, windowStart + WINDOW + 60_000)).toBe(first);
		// A process that did not see the first call derives the next window's key.
		expect(new ToolCallMemory().keyFor(call, windowStart + WINDOW + 60_000)).not.toBe(first);
	});

	test('a call a window after the first is a new job', () => {
		const memory = new ToolCallMemory();
		const first = memory.keyFor(call, windowStart + 10);
		expect(memory.keyFor(call, windowStart + 10 + WINDOW)).not.toBe(first);
	});

	test('another request, node or workflow is another key', () => {
		const memory = new ToolCallMemory();
		const keys = [
			call,
			{ ...call, request: 'digest-of-another-request' },
			{ ...call, nodeId: 'node-2' },
			{ ...call, workflowId: 'wf-2' },
			{ ...call, workflowId: undefined },
		].map((parts) => memory.keyFor(parts, windowStart));
		expect(new Set(keys).size).toBe(keys.length);
	});

	test('after a failed job the next same call sends the key of its replacement, and so does the one after', () => {
		const memory = new ToolCallMemory();
		const first = memory.keyFor(call, windowStart);
		memory.settle(call, first, 'job_failed_1');
		const replacement = keyAfterFailedJob(first, 'job_failed_1');
		expect(memory.keyFor(call, windowStart + 1000)).toBe(replacement);
		memory.settle(call, replacement);
		expect(memory.keyFor(call, windowStart + 2000)).toBe(replacement);
	});

	test('settling a call the memory does not hold changes nothing', () => {
		const memory = new ToolCallMemory();
		memory.settle(call, 'n8n-tool-elsewhere', 'job_failed_1');
		expect(memory.keyFor(call, windowStart)).toBe(new ToolCallMemory().keyFor(call, windowStart));
	});

	test('the memory stays bounded: the oldest calls are forgotten first', () => {
		const memory = new ToolCallMemory(WINDOW, 3);
		const key = (n: number) => memory.keyFor({ ...call, request: `r${n}` }, windowStart + WINDOW - 60_000 + n);
		const firstKeys = [0, 1, 2, 3].map(key);
		// r0 was pushed out: past the edge it gets the next window's key; r3 is still remembered.
		const later = windowStart + WINDOW + 60_000;
		expect(memory.keyFor({ ...call, request: 'r3' }, later)).toBe(firstKeys[3]);
		expect(memory.keyFor({ ...call, request: 'r0' }, later)).not.toBe(firstKeys[0]);
	});
});
