/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, import-x/no-unresolved -- test code: runs in Node under jest, never inside n8n; the test helper is a devDependency of node-red/, found through jest's modulePaths */
/**
 * The Node-RED package in Node-RED's own runtime (node-red-node-test-helper on node-red 4.1.15,
 * devDependencies of node-red/), against the simulator over real HTTP on 127.0.0.1: a flow with
 * a config node, the perceptis node and helper nodes that record what comes out of it, of a
 * Catch, a Complete and a Status node. And the check that no API key shows anywhere.
 */
import helper from 'node-red-node-test-helper';

import perceptisConfig from '../../node-red/src/perceptis-config';
import perceptis from '../../node-red/src/perceptis';
import type { KeyName, Simulator, SimulatorOptions } from '../simulator';
import { useSimulator } from '../simulator/helpers';

helper.init(require.resolve('node-red'));
// Jobs take a second or two each here; a test waits for several.
jest.setTimeout(30_000);

export { helper };
export const NODES = [perceptisConfig, perceptis];

/** Fast jobs (a deck in 0.6 s) and a Retry-After of 1 s on status answers. */
export const FAST: SimulatorOptions = { timeScale: 0.001, statusRetryAfterSeconds: 1 };

export function useFastSimulator(options: SimulatorOptions = {}): Simulator {
	return useSimulator({ ...FAST, ...options });
}

export type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- messages of any shape

export interface FlowOptions {
	/** Properties of the perceptis node (id `p`); only `server` and the wiring are set otherwise. */
	perceptis?: Record<string, unknown>;
	/** Properties of the config node (id `perceptis-server`). */
	config?: Record<string, unknown>;
	/** More nodes on the tab. */
	extra?: Array<Record<string, unknown>>;
}

export const CONFIG_ID = 'perceptis-server';

export function perceptisFlow(sim: Simulator, options: FlowOptions = {}): Array<Record<string, unknown>> {
	return [
		{ id: 'tab', type: 'tab', label: 'perceptis test' },
		{ id: CONFIG_ID, type: 'perceptis-config', name: 'Simulator', baseUrl: sim.origin, ...options.config },
		{ id: 'p', z: 'tab', type: 'perceptis', server: CONFIG_ID, wires: [['out']], ...options.perceptis },
		{ id: 'out', z: 'tab', type: 'helper' },
		{ id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
		{ id: 'caught', z: 'tab', type: 'helper' },
		{ id: 'completer', z: 'tab', type: 'complete', scope: ['p'], wires: [['completed']] },
		{ id: 'completed', z: 'tab', type: 'helper' },
		{ id: 'watcher', z: 'tab', type: 'status', scope: ['p'], wires: [['statuses']] },
		{ id: 'statuses', z: 'tab', type: 'helper' },
		...(options.extra ?? []),
	];
}

/** What a helper node received, and a wait for more. */
export class Recorder {
	readonly messages: Msg[] = [];
	private waiters: Array<() => void> = [];

	constructor(id: string) {
		const node = helper.getNode(id);
		if (!node) throw new Error(`no node ${id} in the flow`);
		node.on('input', (msg: never) => {
			this.messages.push(msg);
			for (const wake of this.waiters.splice(0)) wake();
		});
	}

	/** Resolves once `count` messages arrived in all; fails after `timeoutMs` with what came. */
	async next(count = 1, timeoutMs = 15_000): Promise<Msg[]> {
		const deadline = Date.now() + timeoutMs;
		while (this.messages.length < count) {
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`expected ${count} message(s), got ${this.messages.length}: ${JSON.stringify(this.messages.map(short))}`);
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, left);
				this.waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
		return this.messages.slice(0, count);
	}
}

const short = (msg: Msg) => ({ ...msg, payload: Buffer.isBuffer(msg.payload) ? `<Buffer ${msg.payload.length}>` : msg.payload });

export interface Loaded {
	out: Recorder;
	caught: Recorder;
	completed: Recorder;
	statuses: Recorder;
	send(msg: Msg): void;
}

export function record(): Loaded {
	return {
		out: new Recorder('out'),
		caught: new Recorder('caught'),
		completed: new Recorder('completed'),
		statuses: new Recorder('statuses'),
		send: (msg) => helper.getNode('p')!.receive(msg),
	};
}

/** Loads the flow with the key of `key` as the config node's credential. */
export async function loadFlow(sim: Simulator, options: FlowOptions = {}, key: KeyName | null = 'business'): Promise<Loaded> {
	await helper.load(NODES, perceptisFlow(sim, options), key ? { [CONFIG_ID]: { apiKey: sim.keys[key] } } : {});
	return record();
}

/** The texts the node's status showed, in order, as a Status node saw them. */
export const statusTexts = (statuses: Recorder): string[] => statuses.messages.map((msg) => String(msg.status?.text ?? ''));

/** Every status the node was given, from its start (a Status node sees only those after the flow started). */
export function statusCalls(id = 'p'): string[] {
	const node = helper.getNode(id);
	if (!node) throw new Error(`no node ${id} in the flow`);
	return node.status
		.getCalls()
		.filter((call) => call.thisValue?.id === id)
		.map((call) => String((call.args[0] as { text?: string } | undefined)?.text ?? ''));
}

/** Every string reachable from a value (own properties, also non-enumerable ones such as stack). */
function allText(value: unknown, seen = new WeakSet<object>(), depth = 0): string {
	if (typeof value === 'string') return value;
	if (typeof value !== 'object' || value === null || depth > 12 || seen.has(value)) return String(value);
	seen.add(value);
	if (Buffer.isBuffer(value)) return value.toString('latin1');
	return Object.getOwnPropertyNames(value)
		.map((name) => `${name}=${allText((value as Record<string, unknown>)[name], seen, depth + 1)}`)
		.join('\n');
}

/** Fails when any simulator key shows in the things given or in anything Node-RED logged. */
export function expectNoKey(sim: Simulator, ...things: unknown[]): void {
	const text = [...things, helper.log().args].map((thing) => allText(thing)).join('\n');
	for (const key of Object.values(sim.keys)) {
		if (text.includes(key)) throw new Error(`An API key (${key.slice(0, 16)}…) leaked into an output, a log line or an error`);
	}
}

export const generateRequests = (sim: Simulator) => sim.requests.filter((request) => request.server === 'api' && request.method === 'POST');
export const apiRequests = (sim: Simulator) => sim.requests.filter((request) => request.server === 'api');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
