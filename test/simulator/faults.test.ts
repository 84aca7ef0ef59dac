/**
 * Injected faults (in-process and through the admin endpoint) and the rate limiter.
 */
import { call, download, generate, sleep, status, toReply, waitFinal, useSimulator } from './helpers';

const sim = useSimulator({ timeScale: 0 });

const slide = { prompt: 'Fault tolerance', output_type: 'single_slide' };

describe('faults', () => {
	it('http500: a JSON 500 once, then normal answers', async () => {
		sim.injectFault({ kind: 'http500' });
		const failed = await generate(sim, slide);
		expect(failed.status).toBe(500);
		expect(failed.json.error.code).toBe('internal_error');
		expect(sim.jobs()).toHaveLength(0);
		expect((await generate(sim, slide)).status).toBe(202);
		expect(sim.requests.map((r) => r.status)).toEqual([500, 202]);
	});

	it('html502: an HTML 502 body', async () => {
		sim.injectFault({ kind: 'html502', path: '/api/v1/status/' });
		const reply = await status(sim, 'job_any');
		expect(reply.status).toBe(502);
		expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
		expect(reply.text).toMatch(/^<html>.*502 Bad Gateway/);
		expect(reply.json).toBeUndefined();
	});

	it('reset: drops the connection before handling, so no job is created', async () => {
		sim.injectFault({ kind: 'reset', method: 'POST' });
		await expect(generate(sim, slide)).rejects.toThrow();
		expect(sim.jobs()).toHaveLength(0);
		expect(sim.requests).toHaveLength(1);
		expect(sim.requests[0]).toMatchObject({ method: 'POST', status: 'reset', body: slide });
	});

	it('reset-after: creates the job, then drops the answer (a POST lost in transit)', async () => {
		sim.injectFault({ kind: 'reset-after', path: '/api/v1/generate' });
		await expect(generate(sim, slide, { headers: { 'idempotency-key': 'lost-1' } })).rejects.toThrow();
		expect(sim.jobs()).toHaveLength(1);
		expect(sim.requests[0].status).toBe('reset');
		// The documented way out: retry with the same Idempotency-Key and get the same job.
		const retry = await generate(sim, slide, { headers: { 'idempotency-key': 'lost-1' } });
		expect(retry.status).toBe(202);
		expect(retry.json.job_id).toBe(sim.jobs()[0].id);
		expect(sim.jobs()).toHaveLength(1);
	});

	it('slow: answers normally after delayMs', async () => {
		sim.injectFault({ kind: 'slow', delayMs: 300 });
		const started = Date.now();
		const reply = await generate(sim, slide);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		expect(reply.status).toBe(202);
		const quick = Date.now();
		await generate(sim, slide);
		expect(Date.now() - quick).toBeLessThan(250);
	});

	it('malformed-json: 200 application/json with a truncated body', async () => {
		sim.injectFault({ kind: 'malformed-json' });
		const reply = await generate(sim, slide);
		expect(reply.status).toBe(200);
		expect(reply.headers.get('content-type')).toBe('application/json');
		expect(reply.text.length).toBeGreaterThan(0);
		expect(() => JSON.parse(reply.text)).toThrow();
	});

	it('rate-limit: 429 with Retry-After in seconds or as an HTTP date', async () => {
		sim.injectFault({ kind: 'rate-limit', retryAfterSeconds: 7 });
		const seconds = await generate(sim, slide);
		expect(seconds.status).toBe(429);
		expect(seconds.json.error.code).toBe('rate_limit_exceeded');
		expect(seconds.headers.get('retry-after')).toBe('7');
		sim.configure({ retryAfterFormat: 'http-date' });
		sim.injectFault({ kind: 'rate-limit', retryAfterSeconds: 3 });
		const before = Date.now();
		const dated = await generate(sim, slide);
		const retryAt = Date.parse(dated.headers.get('retry-after')!);
		expect(dated.headers.get('retry-after')).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
		expect(retryAt).toBeGreaterThanOrEqual(before + 3000);
		expect(retryAt).toBeLessThanOrEqual(Date.now() + 4000);
	});

	it('matches by method, path prefix and server, for `times` requests', async () => {
		sim.injectFault({ kind: 'http500', method: 'GET', path: '/api/v1/status/', times: 2 });
		expect((await generate(sim, slide)).status).toBe(202);
		const id = sim.jobs()[0].id;
		expect((await status(sim, id)).status).toBe(500);
		expect((await status(sim, id)).status).toBe(500);
		expect((await status(sim, id)).status).toBe(200);
		expect(sim.pendingFaults()).toEqual([]);
	});

	it('applies storage faults to the storage server only', async () => {
		sim.injectFault({ kind: 'html502', server: 'storage' });
		const { json } = await generate(sim, slide);
		const done = await waitFinal(sim, json.job_id);
		expect(done.status).toBe(200);
		const url = done.json.downloads[0].url;
		const first = await download(url);
		expect(first.status).toBe(502);
		expect((await download(url)).status).toBe(200);
		expect(sim.requests.filter((r) => r.server === 'storage').map((r) => r.status)).toEqual([502, 200]);
	});

	it('rejects malformed faults', () => {
		expect(() => sim.injectFault({ kind: 'explode' } as never)).toThrow(/kind/);
		expect(() => sim.injectFault({ kind: 'http500', times: 0 })).toThrow(/times/);
		expect(() => sim.injectFault({ kind: 'http500', server: 'cdn' } as never)).toThrow(/server/);
		expect(sim.pendingFaults()).toEqual([]);
	});

	it('can be injected over HTTP: POST /__sim/faults', async () => {
		const injected = await toReply(
			await fetch(`${sim.origin}/__sim/faults`, { method: 'POST', body: JSON.stringify({ kind: 'http500', path: '/api/v1/generate' }) }),
		);
		expect(injected.status).toBe(200);
		expect(injected.json.fault).toMatchObject({ kind: 'http500', path: '/api/v1/generate', remaining: 1 });
		expect((await generate(sim, slide)).status).toBe(500);
		const bad = await fetch(`${sim.origin}/__sim/faults`, { method: 'POST', body: JSON.stringify({ kind: 'nope' }) });
		expect(bad.status).toBe(400);
	});
});

describe('rate limit', () => {
	it('limits each key, separately for generate and status, with Retry-After of the remaining window', async () => {
		sim.configure({ rateLimit: { max: 2, windowMs: 1500 } });
		const start = Date.now();
		expect((await generate(sim, slide)).status).toBe(202);
		expect((await generate(sim, slide)).status).toBe(202);
		const limited = await generate(sim, slide);
		expect(limited.status).toBe(429);
		expect(limited.json.error.code).toBe('rate_limit_exceeded');
		const retryAfter = Number(limited.headers.get('retry-after'));
		expect(retryAfter).toBe(Math.ceil((start + 1500 - Date.now()) / 1000));
		expect(sim.jobs()).toHaveLength(2);
		// Status polls have their own budget, and another key has its own.
		const id = sim.jobs()[0].id;
		expect((await status(sim, id)).status).toBe(200);
		expect((await status(sim, id)).status).toBe(200);
		expect((await status(sim, id)).status).toBe(429);
		expect((await generate(sim, slide, { key: 'business2' })).status).toBe(202);
	});

	it('says at least 1 second, in the configured format, and opens again after the window', async () => {
		sim.configure({ rateLimit: { max: 1, windowMs: 300 }, retryAfterFormat: 'http-date' });
		const start = Date.now();
		await call(sim, 'GET', '/api/v1/status/job_x');
		const limited = await call(sim, 'GET', '/api/v1/status/job_x');
		expect(limited.status).toBe(429);
		const retryAt = Date.parse(limited.headers.get('retry-after')!);
		expect(retryAt - start).toBeGreaterThanOrEqual(1000);
		expect(retryAt - start).toBeLessThanOrEqual(2000);
		sim.configure({ retryAfterFormat: 'seconds' });
		expect((await call(sim, 'GET', '/api/v1/status/job_x')).headers.get('retry-after')).toBe('1');
		await sleep(320);
		expect((await call(sim, 'GET', '/api/v1/status/job_x')).status).toBe(404);
	});

	it('is cleared by reset()', async () => {
		sim.configure({ rateLimit: { max: 1, windowMs: 60000 } });
		await generate(sim, slide);
		expect((await generate(sim, slide)).status).toBe(429);
		sim.reset();
		sim.configure({ rateLimit: { max: 1, windowMs: 60000 } });
		expect((await generate(sim, slide)).status).toBe(202);
	});
});
