/**
 * What the node keeps between its instances, without a Node-RED: the runs in flight (in this
 * process's memory and in the node context, each taken once, a restart finding the context's),
 * the message's serialisable part, and the ledger's bound.
 */
import type { Handover } from '../../core/jobs/handover';
import { contextLedger } from '../../node-red/src/ledgerStore';
import { InFlightStore, messageFrom, messageText, type Parked } from '../../node-red/src/handoverStore';

/** A node context as Node-RED's memory store is: values kept by reference. */
function memoryContext() {
	const data = new Map<string, unknown>();
	return { get: (key: string) => data.get(key), set: (key: string, value: unknown) => void data.set(key, value), data };
}

const parked = (jobId: string): Parked => ({
	operation: 'generate',
	handover: { plan: { itemIndex: 0, jobId, mode: 'wait', downloadFiles: true, timeoutMs: 1000, binaryPropertyName: 'payload', itemPerFile: true }, jobId } as Handover,
	msg: messageText({ payload: 'x' }),
});

describe('runs in flight', () => {
	it('the next instance takes each kept run once, from memory and context alike', () => {
		const context = memoryContext();
		const first = new InFlightStore('node-1', context);
		first.keep('a', parked('job-a'));
		first.keep('b', parked('job-b'));
		first.drop('a');
		const next = new InFlightStore('node-1', context);
		expect(next.takeAll().map((entry) => entry.handover.jobId)).toEqual(['job-b']);
		expect(next.takeAll()).toEqual([]);
	});

	it('a deploy without a configured context store (Node-RED deletes the context at close) still finds the runs in memory', () => {
		const before = memoryContext();
		new InFlightStore('node-2', before).keep('a', parked('job-a'));
		const afterDeploy = memoryContext();
		expect(new InFlightStore('node-2', afterDeploy).takeAll().map((entry) => entry.handover.jobId)).toEqual(['job-a']);
	});

	it('a restart (a new process) finds the runs a persistent context kept', () => {
		const persisted = memoryContext();
		new InFlightStore('node-3', persisted).keep('a', parked('job-a'));
		const saved = JSON.parse(JSON.stringify(persisted.get('perceptisInFlight')));
		jest.isolateModules(() => {
			// eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module: the memory of a new process
			const fresh = require('../../node-red/src/handoverStore') as typeof import('../../node-red/src/handoverStore');
			const context = memoryContext();
			context.set('perceptisInFlight', saved);
			expect(new fresh.InFlightStore('node-3', context).takeAll().map((entry) => entry.handover.jobId)).toEqual(['job-a']);
			expect(new fresh.InFlightStore('node-4', memoryContext()).takeAll()).toEqual([]);
		});
	});

	it('a deploy in this process hands on the message itself (msg.res too); the context gets only its JSON', () => {
		const context = memoryContext();
		const res = { _res: { send: () => undefined } };
		new InFlightStore('node-6', context).keep('a', parked('job-a'), { payload: 'x', res });
		expect(JSON.stringify(context.get('perceptisInFlight'))).not.toContain('_res');
		const [taken] = new InFlightStore('node-6', memoryContext()).takeAll();
		expect(taken.live?.res).toBe(res);
	});

	it('a node that is gone leaves nothing in memory', () => {
		const store = new InFlightStore('node-5', memoryContext());
		store.keep('a', parked('job-a'));
		store.forget();
		expect(new InFlightStore('node-5', memoryContext()).takeAll()).toEqual([]);
	});
});

describe("the message's serialisable part", () => {
	it('keeps JSON and Buffers, leaves live connections, functions and circular references behind', () => {
		const circular: Record<string, unknown> = { name: 'loop' };
		circular.self = circular;
		const text = messageText({
			_msgid: 'm1',
			payload: Buffer.from('bytes'),
			topic: 'kept',
			nested: { list: [1, { file: Buffer.from([0, 255]) }] },
			req: { socket: 'live' },
			res: { _res: 'live' },
			circular,
			fn: () => 1,
		});
		const msg = messageFrom(text);
		expect(msg).toEqual({ _msgid: 'm1', payload: Buffer.from('bytes'), topic: 'kept', nested: { list: [1, { file: Buffer.from([0, 255]) }] }, circular: { name: 'loop' } });
		expect(Buffer.isBuffer(msg.payload)).toBe(true);
		// A file is kept as base64, not as JSON's list of numbers.
		const big = messageText({ payload: Buffer.alloc(30_000, 7) });
		expect(big.length).toBeLessThan(41_000);
	});
});

describe('the ledger in node context', () => {
	it('finds an entry by message and request, and keeps the last 500 only', () => {
		const context = memoryContext();
		const ledger = contextLedger(context);
		for (let index = 0; index < 510; index++) ledger.write(`msg:${index}`, { request: 'r', key: `k${index}` });
		expect(ledger.lookup('msg:509', 'r')).toEqual({ request: 'r', key: 'k509' });
		expect(ledger.lookup('msg:509', 'other request')).toBeUndefined();
		expect(ledger.lookup('msg:9', 'r')).toBeUndefined();
		expect(ledger.lookup('msg:10', 'r')).toBeDefined();
		expect(Object.keys(context.get('perceptisLedger') as object)).toHaveLength(500);
	});
});
