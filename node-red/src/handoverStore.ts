/**
 * The node's jobs in flight, kept so that a node that closes while it waits (a deploy — full by
 * default, so every deploy — or Node-RED stopping) loses none: the next instance of the node
 * (same id) takes them and sends their results.
 *
 * Kept in two places, because Node-RED keeps node context across a deploy only when a context
 * store is configured: without `contextStorage` in settings.js (the default), it deletes a
 * node's context as the node closes (runtime/lib/nodes/context deleteContext, 4.1 and 5.0).
 * - This process's memory, by node id: a deploy, whatever the settings.
 * - The node's context: a restart, when the store persists (contextStorage with
 *   localfilesystem as the default store); and a deploy with any configured store.
 * The next instance takes both and runs each entry once.
 *
 * Each entry holds the core's handover (plan, job id, poll state: core/jobs/handover.ts), the
 * operation, and the serialisable part of the message: its JSON properties, Buffers included,
 * but not msg.req / msg.res (an HTTP In request cannot outlive its process) nor anything JSON
 * cannot hold, as JSON text, so memory and file stores keep the same thing. This process's
 * memory also keeps the message itself, so that after a deploy an HTTP In request still gets
 * its answer.
 */
import type { Handover } from '../../core/jobs/handover';
import type { ContextStore, NodeMessage } from './red';
import type { Operation } from './settings';

const IN_FLIGHT_KEY = 'perceptisInFlight';
/** Properties that belong to a live connection (HTTP In), not to the message's data. */
const LIVE_PROPERTIES = new Set(['req', 'res']);

export interface Parked {
	operation: Operation;
	handover: Handover;
	/** The message's serialisable part, as JSON text. */
	msg: string;
}

/** How a Buffer is kept: base64, not JSON's list of numbers (a file would grow fourfold). */
const BUFFER_MARK = '$perceptisBuffer';

/** A value JSON can hold: Buffers marked, functions and circular references left out. */
function storable(value: unknown, seen: WeakSet<object>): unknown {
	if (Buffer.isBuffer(value)) return { [BUFFER_MARK]: value.toString('base64') };
	if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return undefined;
	if (typeof value !== 'object' || value === null) return value;
	if (seen.has(value)) return undefined;
	seen.add(value);
	if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
	if (Array.isArray(value)) return value.map((item) => storable(item, seen) ?? null);
	const kept: Record<string, unknown> = {};
	for (const [name, item] of Object.entries(value)) {
		const stored = storable(item, seen);
		if (stored !== undefined) kept[name] = stored;
	}
	return kept;
}

/** The message's properties that JSON can hold, as JSON text. */
export function messageText(msg: NodeMessage): string {
	const kept: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(msg)) {
		if (LIVE_PROPERTIES.has(name)) continue;
		const stored = storable(value, new WeakSet());
		if (stored !== undefined) kept[name] = stored;
	}
	return JSON.stringify(kept);
}

/** The message again, Buffers as Buffers. */
export function messageFrom(text: string): NodeMessage {
	return JSON.parse(text, (_key, value: unknown) => {
		const marked = value as Record<string, unknown> | null;
		return marked && typeof marked[BUFFER_MARK] === 'string' ? Buffer.from(marked[BUFFER_MARK] as string, 'base64') : value;
	}) as NodeMessage;
}

/** An entry as this process keeps it: with the live message, which JSON cannot hold. */
type Shelved = Parked & { live?: NodeMessage };

/** Entries kept in this process, by node id, until the node's next instance takes them. */
const shelf = new Map<string, Record<string, Shelved>>();

const withoutLive = (entries: Record<string, Shelved>): Record<string, Parked> =>
	Object.fromEntries(Object.entries(entries).map(([token, { operation, handover, msg }]) => [token, { operation, handover, msg }]));

export class InFlightStore {
	constructor(
		private readonly nodeId: string,
		private readonly context: ContextStore,
	) {}

	private entries(): Record<string, Shelved> {
		return shelf.get(this.nodeId) ?? {};
	}

	private write(entries: Record<string, Shelved>): void {
		this.context.set(IN_FLIGHT_KEY, withoutLive(entries));
		if (Object.keys(entries).length) shelf.set(this.nodeId, entries);
		else shelf.delete(this.nodeId);
	}

	/**
	 * Keeps a run. `live` is the message itself: a deploy in this process hands it on as it is,
	 * msg.req and msg.res included, so an HTTP In request still gets its answer from the next
	 * instance; a restart has only the JSON part.
	 */
	keep(token: string, parked: Parked, live?: NodeMessage): void {
		this.write({ ...this.entries(), [token]: { ...parked, ...(live ? { live } : {}) } });
	}

	drop(token: string): void {
		const next = { ...this.entries() };
		if (!(token in next)) return;
		delete next[token];
		this.write(next);
	}

	/** Every entry an earlier instance left, in memory or in the context, each once; taken out of both. */
	takeAll(): Shelved[] {
		const saved = (this.context.get(IN_FLIGHT_KEY) as Record<string, Parked> | undefined) ?? {};
		const parked = { ...saved, ...this.entries() };
		if (Object.keys(parked).length) this.write({});
		return Object.values(parked);
	}

	/** The node is gone (deleted or disabled): this process keeps nothing for it. */
	forget(): void {
		shelf.delete(this.nodeId);
	}
}
