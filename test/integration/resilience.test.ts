/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Patience without waste: transient failures are retried, a POST is never paid for twice, jobs
 * of all items run together within the in-flight cap, links are refreshed when they expire, and
 * the Stop button ends the wait at once.
 */
import { useFastSimulator, generateRequests, isPptx, runPerceptis } from './runNode';

const sim = useFastSimulator();

const deck = (prompt = 'A deck') => ({ operation: 'generate', outputType: 'deck', prompt });
const statusPath = '/api/v1/status/';

describe('transient answers while polling are retried until the job is done', () => {
	it.each(['rate-limit', 'http500', 'html502', 'reset', 'malformed-json'] as const)('%s', async (kind) => {
		sim.injectFault({ method: 'GET', path: statusPath, kind, times: 2, retryAfterSeconds: 1 });
		const { items, error } = await runPerceptis(sim, deck());
		expect(error).toBeUndefined();
		expect(items[0].json.status).toBe('completed');
		// Two faulty answers, then the answer that said completed.
		const statusAnswers = sim.requests.filter((r) => r.path.startsWith(statusPath)).map((r) => r.status);
		expect(statusAnswers.length).toBeGreaterThanOrEqual(3);
		if (kind !== 'malformed-json') expect(statusAnswers.slice(0, 2)).not.toContain(200);
		expect(sim.pendingFaults()).toHaveLength(0);
	}, 30_000);

	it('obeys Retry-After on a 429 and never asks about one job twice within a second', async () => {
		sim.injectFault({ method: 'GET', path: statusPath, kind: 'rate-limit', times: 1, retryAfterSeconds: 3 });
		const { items } = await runPerceptis(sim, deck());
		expect(items[0].json.status).toBe('completed');
		const polls = sim.jobs()[0].pollTimes;
		const times = sim.requests.filter((r) => r.path.startsWith(statusPath)).map((r) => r.at);
		expect(times[1] - times[0]).toBeGreaterThanOrEqual(2_950);
		for (let i = 1; i < polls.length; i++) expect(polls[i] - polls[i - 1]).toBeGreaterThanOrEqual(950);
	}, 30_000);

	it('waits for the rate limit of the simulator itself', async () => {
		sim.configure({ rateLimit: { max: 1, windowMs: 2_000 }, durationsMs: { deck: 3_000_000 } });
		const { items, error } = await runPerceptis(sim, deck());
		expect(error).toBeUndefined();
		expect(items[0].json.status).toBe('completed');
		expect(sim.requests.some((r) => r.status === 429)).toBe(true);
	}, 30_000);
});

describe('no job is started (or paid for) twice', () => {
	it('a POST lost in transit is retried with the same key and gets the job it created', async () => {
		sim.injectFault({ method: 'POST', path: '/api/v1/generate', kind: 'reset-after' });
		const { items, error } = await runPerceptis(sim, deck());
		expect(error).toBeUndefined();
		expect(sim.jobs()).toHaveLength(1);
		expect(items[0].json.jobId).toBe(sim.jobs()[0].id);
		const posts = generateRequests(sim);
		expect(posts).toHaveLength(2);
		expect(posts[0].status).toBe('reset');
		expect(posts[1].headers['idempotency-key']).toBe(posts[0].headers['idempotency-key']);
		expect(sim.creditsCharged()).toBe(sim.jobs()[0].slideCount);
	}, 30_000);

	it.each(['http500', 'html502', 'reset'] as const)('a POST answered %s is retried with the same key', async (kind) => {
		sim.injectFault({ method: 'POST', path: '/api/v1/generate', kind, times: 2 });
		const { items } = await runPerceptis(sim, { ...deck(), waitForCompletion: false });
		expect(items[0].json.jobId).toBe(sim.jobs()[0].id);
		expect(new Set(generateRequests(sim).map((r) => r.headers['idempotency-key'])).size).toBe(1);
		expect(sim.jobs()).toHaveLength(1);
	}, 30_000);

	it('n8n\'s Retry On Fail (the same execution runs the node again) gets the same job back', async () => {
		const first = await runPerceptis(sim, { ...deck(), waitForCompletion: false }, { executionId: 'exec-42' });
		const again = await runPerceptis(sim, { ...deck(), waitForCompletion: false }, { executionId: 'exec-42' });
		expect(again.items[0].json.jobId).toBe(first.items[0].json.jobId);
		expect(sim.jobs()).toHaveLength(1);
	});

	it('a new execution, another run of the node in a loop, or another item starts a new job', async () => {
		await runPerceptis(sim, { ...deck(), waitForCompletion: false }, { executionId: 'exec-1' });
		await runPerceptis(sim, { ...deck(), waitForCompletion: false }, { executionId: 'exec-2' });
		await runPerceptis(sim, { ...deck(), waitForCompletion: false }, { executionId: 'exec-2', runIndex: 1 });
		await runPerceptis(sim, { ...deck(), waitForCompletion: false }, { executionId: 'exec-3', items: [{ json: {} }, { json: {} }] });
		expect(sim.jobs()).toHaveLength(5);
	});

	it('a key set by the user wins', async () => {
		await runPerceptis(sim, { ...deck(), waitForCompletion: false, options: { idempotencyKey: 'weekly-2026-48' } });
		expect(generateRequests(sim)[0].headers['idempotency-key']).toBe('weekly-2026-48');
	});
});

describe('items run together', () => {
	it('waits for all decks at once, in input order, with pairedItem', async () => {
		const prompts = ['one', 'two', 'three', 'four'];
		const { items } = await runPerceptis(sim, (i) => deck(prompts[i]), {
			items: prompts.map(() => ({ json: {} })),
		});
		expect(items.map((item) => item.pairedItem)).toEqual(prompts.map((_, item) => ({ item })));
		const jobs = sim.jobs();
		expect(items.map((item) => item.json.jobId)).toEqual(
			prompts.map((prompt) => jobs.find((job) => job.prompt === prompt)!.id),
		);
		for (const item of items) expect(isPptx(item.binary!.data.data)).toBe(true);
		// Together: every job was started before the first status check of any of them.
		// (How long a batch takes is measured in test/bench, not asserted here.)
		const firstCheck = sim.requests.find((r) => r.path.startsWith(statusPath))!.at;
		for (const job of jobs) expect(job.createdAt).toBeLessThanOrEqual(firstCheck);
	}, 30_000);

	it('starts no more jobs at once than Max Jobs in Flight', async () => {
		const prompts = ['a', 'b', 'c'];
		await runPerceptis(sim, (i) => ({ ...deck(prompts[i]), options: { maxJobsInFlight: 1 } }), {
			items: prompts.map(() => ({ json: {} })),
		});
		const jobs = sim.jobs().sort((x, y) => x.createdAt - y.createdAt);
		for (let i = 1; i < jobs.length; i++) {
			expect(jobs[i].createdAt).toBeGreaterThanOrEqual(jobs[i - 1].completedAt!);
		}
	}, 30_000);

	it('a deck and single slides with variants in one run', async () => {
		const parameters = [
			deck('deck [sim:slides=5]'),
			{ operation: 'generate', outputType: 'single_slide', prompt: 'slide', options: { variantCount: 2 } },
		];
		const { items } = await runPerceptis(sim, (i) => parameters[i], { items: [{ json: {} }, { json: {} }] });
		expect(Object.keys(items[0].binary!)).toEqual(['data']);
		expect(Object.keys(items[1].binary!)).toEqual(['data', 'data_1']);
		expect(sim.creditsCharged()).toBe(5 + 2);
	}, 30_000);
});

describe('downloads', () => {
	it('an expired link gets one status check for fresh links, then the file', async () => {
		sim.configure({ linkTtlMs: 200 });
		sim.injectFault({ server: 'storage', kind: 'slow', delayMs: 400 });
		const { items, error } = await runPerceptis(sim, deck());
		expect(error).toBeUndefined();
		expect(isPptx(items[0].binary!.data.data)).toBe(true);
		const storage = sim.requests.filter((r) => r.server === 'storage');
		expect(storage.map((r) => r.status)).toEqual([403, 200]);
		expect(storage[1].path).not.toBe(storage[0].path);
	}, 30_000);
});

describe('cancellation', () => {
	it('the Stop button ends a long wait within a moment, naming the job', async () => {
		const abortController = new AbortController();
		let stoppedAt = Number.POSITIVE_INFINITY;
		setTimeout(() => {
			stoppedAt = Date.now();
			abortController.abort();
		}, 1_500);
		const { error, elapsedMs } = await runPerceptis(sim, deck('[sim:never] endless'), { abortController });
		expect(elapsedMs).toBeLessThan(5_000); // far below the 30-minute default timeout; generous for a loaded CI machine
		expect(error!.context!.failureKind).toBe('cancelled');
		expect(error!.message).toContain(sim.jobs()[0].id);
		// Nothing was asked after the Stop (a request already on the wire may still land).
		expect(sim.requests.filter((r) => r.at > stoppedAt + 100)).toHaveLength(0);
	}, 30_000);
});
