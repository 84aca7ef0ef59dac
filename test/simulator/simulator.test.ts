/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * The simulated Perceptis API: keys, per-key visibility, request validation, templates, prompt
 * directives, job lifecycle, billing, idempotency and ids that need URL encoding. Real HTTP only.
 */
import { KEYS } from '.';
import { call, generate, sleep, status, waitFinal, useSimulator } from './helpers';

// 0.001: a single slide takes 300 ms, a deck 600 ms.
const sim = useSimulator({ timeScale: 0.001 });

const slide = { prompt: 'Quarterly revenue up 12%', output_type: 'single_slide' };

describe('keys and plans', () => {
	it('exposes distinct, obviously fake keys', () => {
		const keys = Object.values(sim.keys);
		expect(Object.keys(sim.keys).sort()).toEqual(['business', 'business2', 'enterprise', 'free', 'revoked', 'starter', 'trial']);
		expect(new Set(keys).size).toBe(keys.length);
		for (const key of keys) expect(key).toMatch(/^sk-live-per-.*sim.*FAKE/);
		expect(sim.keys).toEqual(KEYS);
	});

	it.each(['business', 'business2', 'enterprise'] as const)('lets a %s key generate and poll', async (key) => {
		const created = await generate(sim, slide, { key });
		expect(created.status).toBe(202);
		expect((await status(sim, created.json.job_id, { key })).status).toBe(200);
		expect(sim.requests.map((r) => r.keyPlan)).toEqual([key, key]);
	});

	it.each(['starter', 'trial', 'free'] as const)('answers 403 to a %s key, explaining the plans', async (key) => {
		const reply = await generate(sim, slide, { key });
		expect(reply.status).toBe(403);
		expect(reply.json.error.code).toBe('forbidden');
		expect(reply.json.error.message).toMatch(/Business and Enterprise/);
		expect((await call(sim, 'GET', '/api/v1/status/job_x', { key })).status).toBe(403);
		expect(sim.jobs()).toHaveLength(0);
	});

	it('answers 401 to a revoked, unknown, malformed or missing key, without echoing it', async () => {
		const replies = [
			await generate(sim, slide, { key: 'revoked' }),
			await generate(sim, slide, { key: null, headers: { authorization: 'Bearer sk-live-per-not-a-real-key' } }),
			await generate(sim, slide, { key: null, headers: { authorization: sim.keys.business } }),
			await generate(sim, slide, { key: null }),
		];
		expect(replies.map((r) => r.status)).toEqual([401, 401, 401, 401]);
		for (const reply of replies) {
			expect(reply.json.error.code).toBe('unauthorized');
			expect(reply.text).not.toMatch(/sk-live/);
		}
		expect(sim.requests.map((r) => r.keyPlan)).toEqual(['revoked', null, null, null]);
	});

	it('shows a job only to the key that created it', async () => {
		const { json } = await generate(sim, slide);
		for (const key of ['business2', 'enterprise'] as const) {
			const reply = await status(sim, json.job_id, { key });
			expect(reply.status).toBe(404);
			expect(reply.json.error.code).toBe('not_found');
		}
		expect((await status(sim, 'job_000000000000000000000000')).status).toBe(404);
		expect((await status(sim, json.job_id)).status).toBe(200);
		// Only the owner's poll counts as a poll of the job.
		expect(sim.jobs()[0].pollTimes).toHaveLength(1);
	});

	it('answers 404 to unknown routes and 405 to the wrong method', async () => {
		expect((await call(sim, 'GET', '/api/v1/templates')).status).toBe(404);
		expect((await call(sim, 'POST', '/api/v1/generate/', { body: slide })).status).toBe(404);
		expect((await call(sim, 'POST', '/api/api/v1/generate', { body: slide })).status).toBe(404);
		expect((await call(sim, 'GET', '/api/v1/generate')).status).toBe(405);
		expect(sim.jobs()).toHaveLength(0);
	});
});

describe('POST /api/v1/generate validation', () => {
	it('requires Content-Type: application/json and a JSON object', async () => {
		const text = await call(sim, 'POST', '/api/v1/generate', { rawBody: JSON.stringify(slide), headers: { 'content-type': 'text/plain' } });
		expect(text.status).toBe(400);
		expect(text.json.error).toEqual({ code: 'invalid_request', message: expect.stringMatching(/Content-Type/) });
		const broken = await call(sim, 'POST', '/api/v1/generate', { rawBody: '{"prompt":', headers: { 'content-type': 'application/json' } });
		expect(broken.status).toBe(400);
		const array = await generate(sim, [slide]);
		expect(array.status).toBe(400);
		const charset = await call(sim, 'POST', '/api/v1/generate', {
			rawBody: JSON.stringify(slide),
			headers: { 'content-type': 'application/json; charset=utf-8' },
		});
		expect(charset.status).toBe(202);
	});

	const image = { data: Buffer.from('fake image').toString('base64'), mime_type: 'image/png' };
	it.each([
		['prompt', { output_type: 'deck' }],
		['prompt', { prompt: '   ', output_type: 'deck' }],
		['output_type', { prompt: 'x' }],
		['output_type', { prompt: 'x', output_type: 'slides' }],
		['variant_count', { ...slide, variant_count: 0 }],
		['variant_count', { ...slide, variant_count: 5 }],
		['variant_count', { ...slide, variant_count: 1.5 }],
		['variant_count', { ...slide, variant_count: '2' }],
		['variant_count', { prompt: 'x', output_type: 'deck', variant_count: 2 }],
		['reference_images', { ...slide, reference_images: Array(6).fill(image) }],
		['reference_images', { ...slide, reference_images: image }],
		['reference_images[0].mime_type', { ...slide, reference_images: [{ ...image, mime_type: 'image/tiff' }] }],
		['reference_images[0].data', { ...slide, reference_images: [{ ...image, data: `data:image/png;base64,${image.data}` }] }],
		['reference_images[1].data', { ...slide, reference_images: [image, { mime_type: 'image/png' }] }],
		['reference_images', { prompt: 'x', output_type: 'deck', reference_images: [image] }],
		['use_web_search', { ...slide, use_web_search: 'yes' }],
		['use_knowledge_base', { ...slide, use_knowledge_base: 1 }],
		['template_name', { ...slide, template_name: '' }],
		['web_search', { ...slide, web_search: true }],
	])('rejects a bad %s with 400 invalid_request naming it', async (field, body) => {
		const reply = await generate(sim, body);
		expect(reply.status).toBe(400);
		expect(reply.json.error.code).toBe('invalid_request');
		expect(reply.json.error.message).toContain(field);
		expect(sim.jobs()).toHaveLength(0);
	});

	it('accepts every documented field at its limits', async () => {
		const reply = await generate(sim, {
			...slide,
			template_name: 'Minimal',
			variant_count: 4,
			reference_images: [image, image, image, { ...image, mime_type: 'image/jpeg' }, { ...image, mime_type: 'image/webp' }],
			use_web_search: true,
			use_knowledge_base: false,
		});
		expect(reply.status).toBe(202);
		expect(sim.jobs()[0]).toMatchObject({ variantCount: 4, templateName: 'Minimal', outputType: 'single_slide' });
	});

	it('resolves template names: exact or unique prefix, case-insensitive; several matches are ambiguous', async () => {
		const ambiguous = await generate(sim, { ...slide, template_name: 'Quarterly Review' });
		expect(ambiguous.status).toBe(400);
		expect(ambiguous.json.error.code).toBe('ambiguous_template_name');
		const unknown = await generate(sim, { ...slide, template_name: 'Sunset' });
		expect(unknown.status).toBe(400);
		expect(unknown.json.error.code).toBe('invalid_request');
		expect((await generate(sim, { ...slide, template_name: 'quarterly review 2026' })).status).toBe(202);
		expect((await generate(sim, { ...slide, template_name: 'corp' })).status).toBe(202);
		expect(sim.jobs().map((j) => j.templateName)).toEqual(['Quarterly Review 2026', 'Corporate Blue']);
	});

	it('answers 402 insufficient_credits for [sim:credits] and creates no job', async () => {
		const reply = await generate(sim, { ...slide, prompt: 'Broke [sim:credits]' });
		expect(reply.status).toBe(402);
		expect(reply.json.error.code).toBe('insufficient_credits');
		expect(sim.jobs()).toHaveLength(0);
	});

	it('answers with the job id, pending status, output type and creation time', async () => {
		const before = Date.now();
		const reply = await generate(sim, { prompt: 'Deck', output_type: 'deck' });
		expect(reply.status).toBe(202);
		expect(reply.json).toEqual({ job_id: expect.stringMatching(/^job_[0-9a-f]+$/), status: 'pending', output_type: 'deck', created_at: expect.any(String) });
		expect(Date.parse(reply.json.created_at)).toBeGreaterThanOrEqual(before);
		expect(sim.jobs()[0]).toMatchObject({ id: reply.json.job_id, keyPlan: 'business', prompt: 'Deck', body: { prompt: 'Deck', output_type: 'deck' } });
	});
});

describe('job lifecycle and billing', () => {
	it('goes pending (first 10%) -> processing with progress -> completed, and charges on completion', async () => {
		sim.configure({ timeScale: 1, durationsMs: { single_slide: 1000 } });
		const { json } = await generate(sim, slide);
		const pending = await status(sim, json.job_id);
		expect(pending.json).toMatchObject({ job_id: json.job_id, status: 'pending', output_type: 'single_slide', created_at: json.created_at });
		expect(pending.json.progress).toBeUndefined();
		await sleep(300);
		const processing = await status(sim, json.job_id);
		expect(processing.json.status).toBe('processing');
		expect(processing.json.progress).toBeGreaterThanOrEqual(0.1);
		expect(processing.json.progress).toBeLessThan(1);
		expect(processing.json.downloads).toBeUndefined();
		expect(sim.creditsCharged()).toBe(0);
		await sleep(750);
		const done = await status(sim, json.job_id);
		expect(done.status).toBe(200);
		expect(done.json.status).toBe('completed');
		expect(done.json.downloads).toEqual([{ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/files\//), slide_count: 1 }]);
		expect(done.json.downloads[0].url.startsWith(sim.storageOrigin)).toBe(true);
		expect(Date.parse(done.json.updated_at) - Date.parse(done.json.created_at)).toBe(1000);
		const [job] = sim.jobs();
		expect(job.status).toBe('completed');
		expect(job.completedAt! - job.createdAt).toBe(1000);
		expect(job.pollTimes).toHaveLength(3);
		expect(job.creditsCharged).toBe(1);
		expect(sim.creditsCharged()).toBe(1);
	});

	it('scales the default durations by timeScale (slide 300 ms, deck 600 ms at 0.001)', async () => {
		const slideJob = (await generate(sim, slide)).json.job_id;
		const deckJob = (await generate(sim, { prompt: 'Deck', output_type: 'deck' })).json.job_id;
		await sleep(400);
		expect((await status(sim, slideJob)).json.status).toBe('completed');
		expect((await status(sim, deckJob)).json.status).toBe('processing');
		await sleep(300);
		expect((await status(sim, deckJob)).json.status).toBe('completed');
	});

	it('bills a single slide per delivered variant and a deck per delivered slide, once', async () => {
		const variants = (await generate(sim, { ...slide, variant_count: 3 })).json.job_id;
		const deck = (await generate(sim, { prompt: 'Plan [sim:slides=5]', output_type: 'deck' })).json.job_id;
		const defaultDeck = (await generate(sim, { prompt: 'Plan', output_type: 'deck' })).json.job_id;
		const v = await waitFinal(sim, variants);
		expect(v.json.downloads).toHaveLength(3);
		expect(v.json.downloads.map((d: { slide_count: number }) => d.slide_count)).toEqual([1, 1, 1]);
		expect(new Set(v.json.downloads.map((d: { url: string }) => d.url)).size).toBe(3);
		const d = await waitFinal(sim, deck);
		expect(d.json.downloads).toEqual([{ url: expect.any(String), slide_count: 5 }]);
		expect((await waitFinal(sim, defaultDeck)).json.downloads[0].slide_count).toBe(3);
		// Polling a completed job again costs nothing.
		await status(sim, deck);
		await status(sim, variants);
		expect(sim.jobs().map((j) => j.creditsCharged)).toEqual([3, 5, 3]);
		expect(sim.creditsCharged()).toBe(11);
	});

	it('fails a [sim:fail] job with HTTP 200, an error object and no charge', async () => {
		const { json } = await generate(sim, { ...slide, prompt: 'Doomed [sim:fail]' });
		const failed = await waitFinal(sim, json.job_id);
		expect(failed.status).toBe(200);
		expect(failed.json.status).toBe('failed');
		expect(failed.json.error).toEqual({ code: 'generation_failed', message: expect.any(String) });
		expect(failed.json.downloads).toBeUndefined();
		expect(sim.jobs()[0]).toMatchObject({ status: 'failed', creditsCharged: 0, completedAt: expect.any(Number) });
		expect(sim.creditsCharged()).toBe(0);
	});

	it('[sim:failfirst=N]: the first N jobs of a prompt fail (per key), later ones complete; an idempotent replay is not a new job', async () => {
		const prompt = 'Flaky [sim:failfirst=2]';
		const ids: string[] = [];
		for (let i = 0; i < 3; i++) ids.push((await generate(sim, { ...slide, prompt }, { headers: { 'idempotency-key': `flaky-${i}` } })).json.job_id);
		// A replay of the first request is that job again, and counts as no new job.
		expect((await generate(sim, { ...slide, prompt }, { headers: { 'idempotency-key': 'flaky-0' } })).json.job_id).toBe(ids[0]);
		// Another key's first job of the same prompt, and another prompt, are counted on their own.
		const other = (await generate(sim, { ...slide, prompt }, { key: 'business2' })).json.job_id;
		const different = (await generate(sim, { ...slide, prompt: 'Flaky too [sim:failfirst=2]' })).json.job_id;
		const outcomes = [];
		for (const [id, key] of [...ids.map((id) => [id, 'business'] as const), [other, 'business2'] as const, [different, 'business'] as const]) {
			outcomes.push((await waitFinal(sim, id, 3000, { key })).json.status);
		}
		expect(outcomes).toEqual(['failed', 'failed', 'completed', 'failed', 'failed']);
		expect(sim.jobs()).toHaveLength(5);
	});

	it('keeps a [sim:never] job processing forever', async () => {
		const { json } = await generate(sim, { ...slide, prompt: 'Stuck [sim:never]' });
		await sleep(400);
		const reply = await status(sim, json.job_id);
		expect(reply.json.status).toBe('processing');
		expect(reply.json.progress).toBeLessThan(1);
		expect(sim.jobs()[0].completedAt).toBeNull();
	});
});

describe('status directives', () => {
	it('[sim:status=WORD] runs normally, then reports WORD exactly as typed: no downloads, no error, no charge', async () => {
		sim.configure({ timeScale: 1, durationsMs: { single_slide: 400, deck: 400 } });
		const cancelled = (await generate(sim, { ...slide, prompt: 'Stop [sim:status=cancelled]' })).json.job_id;
		const odd = (await generate(sim, { prompt: 'Odd [sim:status=Succeeded]', output_type: 'deck' })).json.job_id;
		expect(['pending', 'processing']).toContain((await status(sim, cancelled)).json.status);
		await sleep(450);
		const reply = await status(sim, cancelled);
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({
			job_id: cancelled,
			status: 'cancelled',
			output_type: 'single_slide',
			created_at: expect.any(String),
			updated_at: expect.any(String),
		});
		expect((await status(sim, odd)).json.status).toBe('Succeeded');
		expect(sim.jobs().map((j) => [j.status, j.creditsCharged, j.completedAt !== null])).toEqual([
			['cancelled', 0, true],
			['Succeeded', 0, true],
		]);
		expect(sim.creditsCharged()).toBe(0);
	});

	it('[sim:status=completed] and [sim:status=failed] report the documented words without downloads or error', async () => {
		sim.configure({ timeScale: 0 });
		const completed = (await generate(sim, { ...slide, prompt: 'x [sim:status=completed]' })).json.job_id;
		const failed = (await generate(sim, { ...slide, prompt: 'x [sim:status=failed]' })).json.job_id;
		const done = await status(sim, completed);
		expect(done.json.status).toBe('completed');
		expect(done.json).not.toHaveProperty('downloads');
		const broken = await status(sim, failed);
		expect(broken.json.status).toBe('failed');
		expect(broken.json).not.toHaveProperty('error');
		expect(sim.creditsCharged()).toBe(0);
	});

	it('[sim:never] wins over [sim:status=…], which wins over [sim:fail]; a malformed WORD is ignored', async () => {
		sim.configure({ timeScale: 0 });
		const never = (await generate(sim, { ...slide, prompt: 'x [sim:status=expired] [sim:never]' })).json.job_id;
		const custom = (await generate(sim, { ...slide, prompt: 'x [sim:fail] [sim:status=error]' })).json.job_id;
		const malformed = (await generate(sim, { ...slide, prompt: 'x [sim:status=no way]' })).json.job_id;
		expect((await status(sim, never)).json.status).toBe('processing');
		expect((await status(sim, custom)).json).not.toHaveProperty('error');
		expect((await status(sim, custom)).json.status).toBe('error');
		expect((await status(sim, malformed)).json.status).toBe('completed');
	});

	it('[sim:running=WORD] replaces both pending and processing, then completes and bills normally', async () => {
		sim.configure({ timeScale: 1, durationsMs: { single_slide: 500 } });
		const { json } = await generate(sim, { ...slide, prompt: 'Wait [sim:running=in_progress]', variant_count: 2 });
		expect((await status(sim, json.job_id)).json.status).toBe('in_progress');
		await sleep(100);
		// Past the pending share: still the same word, now with the usual progress.
		const later = await status(sim, json.job_id);
		expect(later.json.status).toBe('in_progress');
		expect(later.json.progress).toBeGreaterThan(0);
		expect(sim.jobs()[0].status).toBe('in_progress');
		await sleep(450);
		const done = await status(sim, json.job_id);
		expect(done.json.status).toBe('completed');
		expect(done.json.downloads).toHaveLength(2);
		expect(sim.creditsCharged()).toBe(2);
	});

	it('[sim:running=WORD] combines with [sim:status=WORD] and [sim:never]', async () => {
		sim.configure({ timeScale: 1, durationsMs: { single_slide: 300 } });
		const ends = (await generate(sim, { ...slide, prompt: 'x [sim:running=queued] [sim:status=expired]' })).json.job_id;
		const stuck = (await generate(sim, { ...slide, prompt: 'x [sim:running=queued] [sim:never]' })).json.job_id;
		expect((await status(sim, ends)).json.status).toBe('queued');
		await sleep(350);
		expect((await status(sim, ends)).json.status).toBe('expired');
		expect((await status(sim, stuck)).json.status).toBe('queued');
	});

	it('[sim:nofiles] completes with an empty downloads list and charges nothing', async () => {
		sim.configure({ timeScale: 0, extraDownloadFields: true });
		const single = (await generate(sim, { ...slide, prompt: 'Empty [sim:nofiles]', variant_count: 3 })).json.job_id;
		const deck = (await generate(sim, { prompt: 'Empty [sim:nofiles] [sim:slides=5]', output_type: 'deck' })).json.job_id;
		for (const id of [single, deck]) {
			const reply = await status(sim, id);
			expect(reply.json.status).toBe('completed');
			expect(reply.json.downloads).toEqual([]);
		}
		expect(sim.jobs().map((j) => [j.status, j.creditsCharged])).toEqual([
			['completed', 0],
			['completed', 0],
		]);
		expect(sim.creditsCharged()).toBe(0);
	});
});

describe('idempotency', () => {
	const key = { 'idempotency-key': 'retry-1' };

	it('replays the same job for the same key and body (field order ignored), with no new charge', async () => {
		const first = await generate(sim, { ...slide, variant_count: 2 }, { headers: key });
		const again = await generate(sim, { variant_count: 2, output_type: 'single_slide', prompt: slide.prompt }, { headers: key });
		expect(first.status).toBe(202);
		expect(again.status).toBe(202);
		expect(again.json).toEqual(first.json);
		expect(again.headers.get('idempotent-replayed')).toBe('true');
		expect(first.headers.get('idempotent-replayed')).toBeNull();
		expect(sim.jobs()).toHaveLength(1);
		expect(sim.jobs()[0].idempotencyKey).toBe('retry-1');
		await waitFinal(sim, first.json.job_id);
		expect(sim.creditsCharged()).toBe(2);
	});

	it('answers 409 idempotency_conflict for the same key with a different body', async () => {
		await generate(sim, slide, { headers: key });
		const conflict = await generate(sim, { ...slide, prompt: 'Another prompt' }, { headers: key });
		expect(conflict.status).toBe(409);
		expect(conflict.json.error.code).toBe('idempotency_conflict');
		expect(sim.jobs()).toHaveLength(1);
	});

	it('scopes keys per API key and honours idempotencyConflictStatus', async () => {
		await generate(sim, slide, { headers: key });
		expect((await generate(sim, slide, { headers: key, key: 'business2' })).status).toBe(202);
		expect(sim.jobs()).toHaveLength(2);
		sim.configure({ idempotencyConflictStatus: 422 });
		expect((await generate(sim, { ...slide, prompt: 'changed' }, { headers: key })).status).toBe(422);
	});

	it('creates a new job for each request without the header', async () => {
		await generate(sim, slide);
		await generate(sim, slide);
		expect(sim.jobs()).toHaveLength(2);
	});
});

describe('ids that need URL encoding', () => {
	it('round-trips an encoded id and rejects it unencoded, form-encoded or double-encoded', async () => {
		sim.configure({ jobIdStyle: 'needs-encoding' });
		const { json } = await generate(sim, slide);
		const id: string = json.job_id;
		for (const ch of ['/', ' ', '+', '?', '#', '%']) expect(id).toContain(ch);
		const ok = await status(sim, id);
		expect(ok.status).toBe(200);
		expect(ok.json.job_id).toBe(id);
		const formEncoded = encodeURIComponent(id).replace(/%20/g, '+');
		const variants = [id.replace(/#/g, '%23'), formEncoded, encodeURIComponent(encodeURIComponent(id)), encodeURI(id)];
		for (const path of variants) expect((await call(sim, 'GET', `/api/v1/status/${path}`)).status).toBe(404);
		expect(sim.jobs()[0].pollTimes).toHaveLength(1);
	});
});
