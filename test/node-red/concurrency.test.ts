/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * Many messages at once, and never a lost or doubled job: twenty messages each get their own
 * job and file, paced by one governor per key (a rate limit slows them all, fails none); a job
 * is never checked twice within a second; the same message sent again is the same job, unless
 * that job failed.
 */
import { CONFIG_ID, generateRequests, helper, loadFlow, sleep, useFastSimulator, type Msg } from './flows';
import { getMaxListeners } from 'events';
import { readPptx } from '../simulator/helpers';
import { widestAbortListeners } from '../support/abortListeners';

const sim = useFastSimulator();

afterEach(async () => await helper.unload());

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
		await sleep(10);
	}
}

/** Twenty decks of 3 s each (the simulator's time): long enough to be checked twice or more. */
async function sendTwenty(flow: Awaited<ReturnType<typeof loadFlow>>): Promise<Msg[]> {
	for (let index = 0; index < 20; index++) flow.send({ payload: `Deck number ${index} [sim:seconds=3000]`, index });
	return await flow.out.next(20, 25_000);
}

describe('twenty messages at once', () => {
	it('each gets its own deck, from one job each, every job checked at most once a second', async () => {
		const flow = await loadFlow(sim);
		const started = Date.now();
		const messages = await sendTwenty(flow);
		const wall = Date.now() - started;
		expect(flow.caught.messages).toHaveLength(0);
		expect(sim.jobs()).toHaveLength(20);
		expect(generateRequests(sim)).toHaveLength(20);
		// Each message has the file of its own prompt's job.
		const byIndex = new Map(messages.map((msg) => [msg.index as number, msg]));
		expect(byIndex.size).toBe(20);
		for (const [index, msg] of byIndex) {
			const job = sim.jobs().find((candidate) => candidate.id === msg.perceptis.jobId)!;
			expect(job.prompt).toBe(`Deck number ${index} [sim:seconds=3000]`);
			expect((await readPptx(msg.payload)).slides.join('')).toContain(`Deck number ${index}`);
		}
		expect(new Set(messages.map((msg) => msg.perceptis.jobId)).size).toBe(20);
		const gaps = sim.checkGaps();
		expect(gaps.statusChecks).toBeGreaterThan(20);
		expect(gaps.minCheckGapMs).not.toBeNull();
		expect(gaps.minCheckGapMs).toBeGreaterThanOrEqual(1_000);
		// Side by side, not one after another: about as long as one job.
		expect(wall).toBeLessThan(10_000);
	});

	it("gives Node 18–20 no cause for a listener warning in the user's log: the shared close signal allows them all", async () => {
		// Node up to 20 prints "Possible EventTarget memory leak detected" when an AbortSignal gets
		// its 11th listener, unless its limit was raised (events.setMaxListeners). Every run and every
		// sleep listens to its node's close signal, so twenty messages on one node are forty
		// listeners: by design, and let go as each ends. Count them per signal, and check the limit.
		const widest = await widestAbortListeners(async () => await sendTwenty(await loadFlow(sim)));
		const crowded = [...widest].filter(([, most]) => most > 10);
		expect(crowded.length).toBeGreaterThan(0);
		// (Infinity, not 0: Node's getMaxListeners throws on an EventTarget whose limit is 0.)
		for (const [signal, most] of crowded) expect({ most, limit: getMaxListeners(signal) }).toEqual({ most, limit: Infinity });
	});

	it("messages that arrive together are one batch: its last job is seen soon after it ends, not at the base schedule's 21 s check", async () => {
		// Decks of 4 to 10 s: alone, a job is checked at 3, 9 and 21 s, so the 10 s ones would be
		// seen at 21 s. Once a quarter of the batch is seen done, the rest are checked at a share
		// of their age (as the n8n node does for the items of one run).
		const seconds = [4, 5, 6, 7, 8, 9, 10, 10];
		sim.configure({ statusRetryAfterSeconds: null }); // no server hint: the node's own schedule
		const flow = await loadFlow(sim);
		const started = Date.now();
		seconds.forEach((s, index) => flow.send({ payload: `Deck ${index} [sim:seconds=${s * 1000}]`, index }));
		const messages = await flow.out.next(seconds.length, 30_000);
		const wall = (Date.now() - started) / 1000;
		expect(messages).toHaveLength(seconds.length);
		expect(flow.caught.messages).toHaveLength(0);
		expect(wall).toBeLessThan(15);
	}, 40_000);

	it('under a rate limit of the key, all twenty still get their files: the 429s slow them, fail none', async () => {
		sim.configure({ rateLimit: { max: 4, windowMs: 1_000 } });
		const flow = await loadFlow(sim);
		const messages = await sendTwenty(flow);
		expect(flow.caught.messages).toHaveLength(0);
		expect(messages.every((msg) => Buffer.isBuffer(msg.payload))).toBe(true);
		expect(sim.jobs()).toHaveLength(20);
		expect(sim.requests.some((request) => request.status === 429)).toBe(true);
	});
});

describe('one governor per key, across nodes', () => {
	it("a Retry-After drawn by one node's request holds another node's request on the same key", async () => {
		await sim.injectFault({ kind: 'rate-limit', method: 'POST', path: '/api/v1/generate', retryAfterSeconds: 2, times: 1 });
		const second = { id: 'p2', z: 'tab', type: 'perceptis', server: CONFIG_ID, wait: false, wires: [['out']] };
		const flow = await loadFlow(sim, { perceptis: { wait: false }, extra: [second] });
		flow.send({ payload: 'First node' });
		await until(() => sim.requests.some((request) => request.status === 429));
		const limitedAt = sim.requests.find((request) => request.status === 429)!.at;
		helper.getNode('p2')!.receive({ payload: 'Second node' });
		await flow.out.next(2);
		const second2 = generateRequests(sim).find((request) => (request.body as { prompt: string }).prompt === 'Second node')!;
		expect(second2.at - limitedAt).toBeGreaterThanOrEqual(1_900);
		expect(sim.jobs()).toHaveLength(2);
	});
});

describe('the same message again is the same job', () => {
	it('a message sent twice (the same _msgid) makes one job, and both get its file', async () => {
		const flow = await loadFlow(sim);
		const msg = { _msgid: 'same-message', payload: 'Once only' };
		flow.send({ ...msg });
		flow.send({ ...msg });
		const [first, second] = await flow.out.next(2);
		expect(sim.jobs()).toHaveLength(1);
		expect(first.perceptis.jobId).toBe(second.perceptis.jobId);
		expect(first.perceptis.idempotencyKey).toBe(second.perceptis.idempotencyKey);
	});

	it('two messages with the same prompt are two jobs', async () => {
		const flow = await loadFlow(sim);
		flow.send({ payload: 'Twice on purpose' });
		flow.send({ payload: 'Twice on purpose' });
		await flow.out.next(2);
		expect(sim.jobs()).toHaveLength(2);
	});

	it('a message sent again after its job failed gets a new job (a Catch → retry loop works)', async () => {
		const flow = await loadFlow(sim);
		const msg = { _msgid: 'retried-message', payload: 'Works the second time [sim:failfirst=1]' };
		flow.send({ ...msg });
		const [failed] = await flow.caught.next(1);
		expect(failed.perceptis.error.kind).toBe('job_failed');
		flow.send({ ...msg });
		const [done] = await flow.out.next(1);
		expect(sim.jobs()).toHaveLength(2);
		expect(done.perceptis.jobId).toBe(sim.jobs()[1].id);
		expect(done.perceptis.replacedFailedJobs).toEqual([failed.perceptis.jobId]);
	});
});
