/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Batches at production scale, against the simulator over real HTTP: every job starts at once
 * unless capped, one governor paces the run under the API's rate limit without a storm of 429s,
 * one deadline bounds the whole run (Retry-After included), and Stop also ends a download.
 */
import { generateRequests, runPerceptis, useFastSimulator } from './runNode';
import { widestAbortListeners } from '../support/abortListeners';

const sim = useFastSimulator();

const deck = (prompt: string, options: Record<string, unknown> = {}) => ({
	operation: 'generate',
	outputType: 'deck',
	prompt,
	options,
});
const items = (count: number) => Array.from({ length: count }, (_v, index) => ({ json: { index } }));

describe('a batch', () => {
	it('starts every job before the first one finishes (no cap without Max Jobs in Flight)', async () => {
		sim.configure({ durationsMs: { deck: 4_000_000 } }); // 4 s each at this time scale
		const { items: out, error } = await runPerceptis(sim, (i) => deck(`Deck ${i}`), { items: items(12) });
		expect(error).toBeUndefined();
		expect(out.map((item) => item.json.status)).toEqual(Array(12).fill('completed'));
		const jobs = sim.jobs();
		const lastStart = Math.max(...jobs.map((job) => job.createdAt));
		const firstEnd = Math.min(...jobs.map((job) => job.completedAt!));
		expect(lastStart).toBeLessThan(firstEnd);
	}, 60_000);

	it('Max Jobs in Flight still caps the jobs running at once', async () => {
		sim.configure({ durationsMs: { deck: 1_000_000 } });
		const { error } = await runPerceptis(sim, (i) => deck(`Deck ${i}`, { maxJobsInFlight: 2 }), { items: items(4) });
		expect(error).toBeUndefined();
		const jobs = [...sim.jobs()].sort((a, b) => a.createdAt - b.createdAt);
		expect(jobs[2].createdAt).toBeGreaterThanOrEqual(Math.min(jobs[0].completedAt!, jobs[1].completedAt!));
	}, 60_000);

	it('50 items under a limit of 5 requests/s: every job done, exactly one job per item, no storm of 429s', async () => {
		sim.configure({ rateLimit: { max: 5, windowMs: 1_000 } });
		const { items: out, error } = await runPerceptis(sim, (i) => deck(`Deck ${i}`), { items: items(50) });
		expect(error).toBeUndefined();
		expect(out.filter((item) => item.json.status === 'completed')).toHaveLength(50);
		expect(sim.jobs()).toHaveLength(50);
		const api = sim.requests.filter((r) => r.server === 'api');
		const limited = api.filter((r) => r.status === 429);
		// A few 429s teach the governor the limit; a storm would be one per request over it.
		expect(limited.length).toBeLessThanOrEqual(Math.ceil(api.length * 0.05));
		// Idempotency keys kept the retried starts from paying twice.
		expect(new Set(generateRequests(sim).map((r) => r.headers['idempotency-key'])).size).toBe(50);
	}, 120_000);
});

describe('downloads at once', () => {
	it("give Node 20 (n8n 1.x) no cause for a listener warning: no signal of the run gets an 11th abort listener", async () => {
		// Node up to 20 prints "Possible EventTarget memory leak detected" when an AbortSignal gets
		// its 11th listener. n8n raises the limit of its own execution signal; a download is given
		// the node's signal (n8n passes none to plain requests), and axios listens to it for as long
		// as the file streams. Twelve files arriving at once must not crowd any one signal.
		sim.configure({ durationsMs: { deck: 2_000_000 } });
		sim.injectFault({ server: 'storage', kind: 'slow', delayMs: 1_500, times: 12 });
		let result: Awaited<ReturnType<typeof runPerceptis>> | undefined;
		const widest = await widestAbortListeners(async () => {
			result = await runPerceptis(sim, (i) => deck(`Deck ${i}`), { items: items(12) });
		});
		if (!result) throw new Error('the run gave no result');
		expect(result.error).toBeUndefined();
		expect(result.items.filter((item) => item.binary?.data)).toHaveLength(12);
		// The downloads did overlap (each was held 1.5 s, and all began within 1.5 s of the first):
		// the test does not pass because they came one at a time.
		const downloads = sim.requests.filter((r) => r.server === 'storage');
		expect(downloads).toHaveLength(12);
		expect(Math.max(...downloads.map((r) => r.at)) - Math.min(...downloads.map((r) => r.at))).toBeLessThan(1_500);
		expect(Math.max(...widest.values())).toBeLessThanOrEqual(10);
	}, 60_000);
});

describe('one deadline for the whole run', () => {
	it('a Retry-After of an hour on a start ends the run now, not in an hour', async () => {
		sim.injectFault({ method: 'POST', path: '/api/v1/generate', kind: 'rate-limit', retryAfterSeconds: 3600 });
		const { error, elapsedMs } = await runPerceptis(sim, deck('A deck', { timeoutSeconds: 60, runTimeoutSeconds: 60 }));
		expect(error?.context?.failureKind).toBe('rate_limited');
		expect(elapsedMs).toBeLessThan(10_000);
		expect(sim.jobs()).toHaveLength(0);
	}, 30_000);

	it('at the Run Timeout every job still running is reported with its id', async () => {
		const { items: out, error, elapsedMs } = await runPerceptis(sim, (i) => deck(`Endless ${i} [sim:never]`, { runTimeoutSeconds: 3 }), {
			items: items(3),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(elapsedMs).toBeLessThan(10_000);
		const ids = sim.jobs().map((job) => job.id).sort();
		expect(out.map((item) => item.json.jobId).sort()).toEqual(ids);
		for (const item of out) {
			expect(item.json.error).toMatchObject({ code: 'run_timeout', kind: 'run_timeout' });
			expect(String((item.json.error as { message: string }).message)).toMatch(/Run Timeout of 3 s/);
		}
	}, 30_000);

	it('without Continue On Fail, the run-timeout error names every job left running', async () => {
		const { error } = await runPerceptis(sim, (i) => deck(`Endless ${i} [sim:never]`, { runTimeoutSeconds: 2 }), { items: items(3) });
		const ids = sim.jobs().map((job) => job.id);
		expect(error?.message).toContain(ids[0]);
		for (const id of ids.slice(1)) expect(error?.description).toContain(id);
	}, 30_000);
});

describe('Stop', () => {
	it('also ends a download in progress, and reports no file', async () => {
		sim.injectFault({ server: 'storage', kind: 'slow', delayMs: 20_000 });
		const abortController = new AbortController();
		const stopWhenDownloading = setInterval(() => {
			if (sim.requests.some((r) => r.server === 'storage')) abortController.abort();
		}, 20);
		try {
			const { items: out, error, elapsedMs } = await runPerceptis(sim, deck('A deck'), { abortController });
			expect(out).toEqual([]);
			expect(error?.context?.failureKind).toBe('cancelled');
			expect(error?.context?.jobId).toBe(sim.jobs()[0].id);
			expect(elapsedMs).toBeLessThan(10_000);
		} finally {
			clearInterval(stopWhenDownloading);
		}
	}, 30_000);
});
