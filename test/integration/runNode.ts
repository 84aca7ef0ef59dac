/**
 * Runs the Perceptis node's execute() against the simulator through the n8n-like test context,
 * and checks on the way that the API key leaked nowhere in what came back.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { Perceptis } from '../../nodes/Perceptis/Perceptis.node';
import type { KeyName, Simulator, SimulatorOptions } from '../simulator';
import { useSimulator } from '../simulator/helpers';
import type { ContextOptions, SentRequest } from '../support/n8nContext';
import { createTestContext } from '../support/n8nContext';

/** Fast jobs (a deck in 0.6 s) and a Retry-After of 1 s, so a wait takes about a second. */
export const FAST: SimulatorOptions = { timeScale: 0.001, statusRetryAfterSeconds: 1 };

/** One fast simulator for a test file (started, reset before each test, closed after). */
export function useFastSimulator(options: SimulatorOptions = {}): Simulator {
	return useSimulator({ ...FAST, ...options });
}

export interface RunOptions extends Omit<ContextOptions, 'credentials' | 'parameters'> {
	key?: KeyName;
	baseUrl?: string;
	/** The node as another n8n process loaded it (its own module state); this process's by default. */
	node?: Perceptis;
}

/** The node as a second n8n process (a queue-mode worker) has it: its modules loaded afresh, nothing remembered. */
export function nodeOfAnotherProcess(): Perceptis {
	let node: Perceptis | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of the module graph, on purpose
		node = new (require('../../nodes/Perceptis/Perceptis.node') as typeof import('../../nodes/Perceptis/Perceptis.node')).Perceptis();
	});
	return node!;
}

export interface RunResult {
	/** The first output's items. */
	items: INodeExecutionData[];
	/** Every output's items (Check Status: Completed, Still Running). */
	outputs: INodeExecutionData[][];
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
	sent: SentRequest[];
	elapsedMs: number;
}

/** Every string reachable from a value (own properties, also non-enumerable ones such as stack). */
function allText(value: unknown, seen = new WeakSet<object>(), depth = 0): string {
	if (typeof value === 'string') return value;
	if (typeof value !== 'object' || value === null || depth > 10 || seen.has(value)) return String(value);
	seen.add(value);
	if (Buffer.isBuffer(value)) return '';
	return Object.getOwnPropertyNames(value)
		.map((name) => `${name}=${allText((value as Record<string, unknown>)[name], seen, depth + 1)}`)
		.join('\n');
}

export function expectNoKey(sim: Simulator, ...things: unknown[]): void {
	const text = things.map((thing) => allText(thing)).join('\n');
	for (const key of Object.values(sim.keys)) {
		if (text.includes(key)) throw new Error(`An API key (${key.slice(0, 16)}…) leaked into the node's output or error`);
	}
}

export async function runPerceptis(
	sim: Simulator,
	parameters: IDataObject | ((itemIndex: number) => IDataObject),
	options: RunOptions = {},
): Promise<RunResult> {
	const { key = 'business', baseUrl = sim.origin, node = new Perceptis(), ...rest } = options;
	const { ctx, sent } = createTestContext({
		...rest,
		parameters,
		credentials: { apiKey: sim.keys[key], baseUrl },
	});
	const started = Date.now();
	try {
		const outputs = await node.execute.call(ctx);
		const [items] = outputs;
		const result = { items, outputs, sent, elapsedMs: Date.now() - started };
		expectNoKey(sim, outputs);
		return result;
	} catch (error) {
		const failure = error as RunResult['error'];
		expectNoKey(sim, failure, failure?.message, failure?.description, failure?.stack);
		return { items: [], outputs: [], error: failure, sent, elapsedMs: Date.now() - started };
	}
}

export function generateRequests(sim: Simulator) {
	return sim.requests.filter((request) => request.server === 'api' && request.method === 'POST');
}

export function isPptx(base64: string): boolean {
	const buffer = Buffer.from(base64, 'base64');
	return buffer.subarray(0, 2).toString() === 'PK' && buffer.includes(Buffer.from('ppt/presentation.xml'));
}
