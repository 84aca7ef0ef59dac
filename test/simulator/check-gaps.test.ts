/**
 * Per-job contact records: how closely a client checked each job (the API asks for at most one
 * status check per second per job, the first 2–5 s after the start). Real HTTP, real wall-clock ms.
 */
import { JobStore } from './jobs';
import { call, generate, sleep, status, toReply, useSimulator } from './helpers';
import { startSimulator as startSimulatorProcess } from '../e2e/harness/simulator';

// 0.001: a slide takes 300 ms of simulated time; the gaps below are real time all the same.
const sim = useSimulator({ timeScale: 0.001 });

const slide = { prompt: 'Quarterly revenue up 12%', output_type: 'single_slide' };
const gapsOf = (id: string) => sim.checkGaps().jobs.find((job) => job.id === id)!;

it('reports the minimum gap between two status checks 300 ms apart, in real ms', async () => {
	const { json } = await generate(sim, slide);
	await status(sim, json.job_id);
	await sleep(300);
	await status(sim, json.job_id);
	const gaps = gapsOf(json.job_id);
	expect(gaps.statusChecks).toBe(2);
	// Real wall-clock ms: not 0.3 (scaled) nor 300000 (unscaled simulated time).
	expect(gaps.minCheckGapMs).toBeGreaterThanOrEqual(295);
	expect(gaps.minCheckGapMs).toBeLessThan(600);
	expect(gaps.lastCheckAt! - gaps.firstCheckAt!).toBe(gaps.minCheckGapMs);
	// The first check came right after the start: that is the smallest contact gap.
	expect(gaps.minContactGapMs).toBe(gaps.firstCheckGapMs);
	expect(sim.checkGaps()).toMatchObject({ statusChecks: 2, minCheckGapMs: gaps.minCheckGapMs, minContactGapMs: gaps.firstCheckGapMs });
});

it('reports a first check made right after the start', async () => {
	const { json } = await generate(sim, slide);
	await status(sim, json.job_id);
	const gaps = gapsOf(json.job_id);
	expect(gaps).toMatchObject({ statusChecks: 1, contacts: 2, replays: 0, minCheckGapMs: null, createdAt: sim.jobs()[0].createdAt });
	expect(gaps.firstCheckGapMs).toBeGreaterThanOrEqual(0);
	expect(gaps.firstCheckGapMs).toBeLessThan(200);
	expect(gaps.firstCheckAt).toBe(gaps.createdAt + gaps.firstCheckGapMs!);
	expect(gaps.minContactGapMs).toBe(gaps.firstCheckGapMs);
	expect(sim.checkGaps()).toMatchObject({ minFirstCheckGapMs: gaps.firstCheckGapMs, maxFirstCheckGapMs: gaps.firstCheckGapMs });
});

it('reports null for a job that was never checked', async () => {
	const { json } = await generate(sim, slide);
	expect(sim.checkGaps()).toEqual({
		jobs: [
			{
				id: json.job_id,
				keyPlan: 'business',
				createdAt: expect.any(Number),
				contacts: 1,
				replays: 0,
				statusChecks: 0,
				firstCheckAt: null,
				lastCheckAt: null,
				firstCheckGapMs: null,
				minCheckGapMs: null,
				minContactGapMs: null,
			},
		],
		statusChecks: 0,
		minCheckGapMs: null,
		minFirstCheckGapMs: null,
		maxFirstCheckGapMs: null,
		minContactGapMs: null,
	});
});

it('counts 429-answered and fault-answered checks: the client did ask', async () => {
	sim.configure({ rateLimit: { max: 1, windowMs: 60_000 } });
	const { json } = await generate(sim, slide);
	expect((await status(sim, json.job_id)).status).toBe(200);
	expect((await status(sim, json.job_id)).status).toBe(429);
	sim.injectFault({ kind: 'rate-limit', path: '/api/v1/status/' });
	expect((await status(sim, json.job_id)).status).toBe(429);
	sim.injectFault({ kind: 'http500', path: '/api/v1/status/' });
	expect((await status(sim, json.job_id)).status).toBe(500);
	sim.injectFault({ kind: 'reset', path: '/api/v1/status/' });
	await expect(status(sim, json.job_id)).rejects.toThrow();
	expect(gapsOf(json.job_id)).toMatchObject({ statusChecks: 5, contacts: 6 });
	// pollTimes (answered polls, as before) leaves the 429s and faults out.
	expect(sim.jobs()[0].pollTimes).toHaveLength(1);
});

it('counts an idempotent replay as a contact, not as a status check', async () => {
	const headers = { 'idempotency-key': 'gap-1' };
	const { json } = await generate(sim, slide, { headers });
	await sleep(200);
	const replay = await generate(sim, slide, { headers });
	expect(replay.headers.get('idempotent-replayed')).toBe('true');
	await status(sim, json.job_id);
	const gaps = gapsOf(json.job_id);
	expect(gaps).toMatchObject({ replays: 1, statusChecks: 1, contacts: 3, minCheckGapMs: null });
	// Start → replay ≈ 200 ms, then replay → check almost at once: the check follows the replay.
	expect(gaps.minContactGapMs).toBeLessThan(150);
	expect(gaps.firstCheckGapMs).toBeGreaterThanOrEqual(195);
	// A different body under the same key is a conflict, and a new key a new job: neither is a replay.
	await generate(sim, { ...slide, prompt: 'Other' }, { headers });
	await generate(sim, slide, { headers: { 'idempotency-key': 'gap-2' } });
	expect(gapsOf(json.job_id).replays).toBe(1);
	expect(sim.jobs()).toHaveLength(2);
});

it("ignores requests that are not its owner's checks of the job", async () => {
	const { json } = await generate(sim, slide);
	await status(sim, json.job_id, { key: 'business2' });
	await status(sim, json.job_id, { key: 'revoked' });
	await status(sim, 'job_000000000000000000000000');
	await call(sim, 'POST', `/api/v1/status/${encodeURIComponent(json.job_id)}`);
	// Redirected to another host: only the API server's request is a check.
	sim.injectFault({ kind: 'redirect', path: '/api/v1/status/' });
	await status(sim, json.job_id);
	expect(sim.requests.map((r) => r.server)).toContain('foreign');
	expect(gapsOf(json.job_id)).toMatchObject({ statusChecks: 1, contacts: 2 });
});

it('keeps a fixed-size record per job, however often it is checked', () => {
	const store = new JobStore();
	const job = store.create({
		keyName: 'business',
		body: slide,
		request: { prompt: slide.prompt, outputType: 'single_slide', variantCount: 1, templateName: null },
		durationMs: 1000,
		idempotencyKey: null,
		idStyle: 'plain',
		now: 1_000,
	});
	const sizeAfter = (checks: number) => {
		for (let i = 0; i < checks; i += 1) store.noteContact(job, 'status', 3_000 + job.contacts.statusChecks * 1_500);
		return JSON.stringify(job.contacts).length;
	};
	const small = sizeAfter(2);
	expect(sizeAfter(10_000)).toBeLessThanOrEqual(small + 20);
	store.noteContact(job, 'replay', 1e12);
	// An arrival recorded behind the last one (a clock stepping back) gives a gap of 0, never a negative one.
	store.noteContact(job, 'status', 5);
	expect(store.checkGaps()).toMatchObject({
		statusChecks: 10_003,
		minFirstCheckGapMs: 2_000,
		minCheckGapMs: 1_500,
		minContactGapMs: 0,
		jobs: [{ statusChecks: 10_003, replays: 1, firstCheckGapMs: 2_000, createdAt: 1_000 }],
	});
	expect(() => store.noteContact(job, 'other', 0)).toThrow(/contact kind/);
});

it('serves the records at GET /__sim/check-gaps, and reset() empties them', async () => {
	const { json } = await generate(sim, slide);
	await status(sim, json.job_id);
	const reply = await toReply(await fetch(`${sim.origin}/__sim/check-gaps`));
	expect(reply.status).toBe(200);
	expect(reply.json).toEqual(sim.checkGaps());
	expect(reply.json.jobs[0]).toMatchObject({ id: json.job_id, statusChecks: 1 });
	// Admin calls are neither recorded nor contacts.
	expect(sim.requests).toHaveLength(2);
	sim.reset();
	expect(sim.checkGaps()).toMatchObject({ jobs: [], statusChecks: 0, minCheckGapMs: null });
});

it('the e2e harness client reads them from a simulator process with checkGaps()', async () => {
	const child = await startSimulatorProcess({ timeScale: 0, config: {} });
	try {
		const authorization = `Bearer ${child.keys.business}`;
		const created = await fetch(`${child.origin}/api/v1/generate`, {
			method: 'POST',
			headers: { authorization, 'content-type': 'application/json' },
			body: JSON.stringify(slide),
		});
		const { job_id: id } = (await created.json()) as { job_id: string };
		const check = () => fetch(`${child.origin}/api/v1/status/${encodeURIComponent(id)}`, { headers: { authorization } }).then((r) => r.text());
		await check();
		await sleep(250);
		await check();
		const gaps = await child.checkGaps();
		expect(gaps.statusChecks).toBe(2);
		expect(gaps.minCheckGapMs).toBeGreaterThanOrEqual(245);
		expect(gaps.jobs).toEqual([expect.objectContaining({ id, statusChecks: 2, replays: 0, minCheckGapMs: gaps.minCheckGapMs })]);
		expect(gaps.minContactGapMs).toBe(gaps.jobs[0].firstCheckGapMs);
	} finally {
		await child.stop();
	}
}, 30_000);
