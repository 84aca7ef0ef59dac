/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * Injected faults (in-process and through the admin endpoint) and the rate limiter.
 */
import { FAULT_KINDS } from '.';
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
		expect(() => sim.injectFault({ kind: 'http500', redirect: 'same' } as never)).toThrow(/unknown fault field "redirect"/);
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

describe('proxy, CDN and storage misbehaviour', () => {
	it('redirect: 307 to the foreign host, same URL, short HTML body, nothing handled', async () => {
		const pending = sim.injectFault({ kind: 'redirect', path: '/api/v1/generate' });
		expect(pending).toMatchObject({ kind: 'redirect', redirectStatus: 307, redirectTo: 'foreign' });
		const reply = await generate(sim, slide, { redirect: 'manual' });
		expect(reply.status).toBe(307);
		expect(reply.headers.get('location')).toBe(`${sim.foreignOrigin}/api/v1/generate`);
		expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(reply.text).toMatch(/<title>307 Temporary Redirect<\/title>/);
		expect(sim.jobs()).toHaveLength(0);
		expect(sim.requests.map((r) => [r.server, r.status])).toEqual([['api', 307]]);
	});

	it('redirect: a client that sends its key on to the Location is caught, by key name', async () => {
		const { json } = await generate(sim, slide);
		sim.injectFault({ kind: 'redirect', path: '/api/v1/status/' });
		const moved = await status(sim, json.job_id, { redirect: 'manual' });
		const location = moved.headers.get('location')!;
		expect(location).toBe(`${sim.foreignOrigin}/api/v1/status/${json.job_id}`);
		const followed = await toReply(await fetch(location, { headers: { authorization: `Bearer ${sim.keys.business}` } }));
		expect(followed.json).toEqual({ job_id: 'foreign-job', status: 'processing' });
		const leak = sim.requests[sim.requests.length - 1];
		expect(leak).toMatchObject({ server: 'foreign', keyPlan: 'business', path: `/api/v1/status/${json.job_id}` });
		expect(leak.headers.authorization).toBe('Bearer <redacted:business>');
		expect(JSON.stringify(leak)).not.toContain(sim.keys.business);
	});

	it.each([301, 302, 303, 307, 308] as const)('redirect %i to the same origin marks the query', async (code) => {
		sim.injectFault({ kind: 'redirect', redirectStatus: code, redirectTo: 'same', times: 2 });
		const plain = await call(sim, 'GET', '/api/v1/status/job_a', { redirect: 'manual' });
		expect(plain.status).toBe(code);
		expect(plain.headers.get('location')).toBe(`${sim.origin}/api/v1/status/job_a?redirected=1`);
		const withQuery = await call(sim, 'GET', '/api/v1/status/job_a?x=1', { redirect: 'manual' });
		expect(withQuery.headers.get('location')).toBe(`${sim.origin}/api/v1/status/job_a?x=1&redirected=1`);
	});

	it('redirect same: following it works, and an id that needs encoding arrives intact', async () => {
		sim.configure({ jobIdStyle: 'needs-encoding' });
		const { json } = await generate(sim, slide);
		sim.injectFault({ kind: 'redirect', redirectTo: 'same', path: '/api/v1/status/' });
		const reply = await status(sim, json.job_id);
		expect(reply.status).toBe(200);
		expect(reply.json).toMatchObject({ job_id: json.job_id, status: 'completed' });
		const polls = sim.requests.filter((r) => r.path.startsWith('/api/v1/status/'));
		expect(polls.map((r) => r.status)).toEqual([307, 200]);
		expect(polls[1].path).toBe(`/api/v1/status/${encodeURIComponent(json.job_id)}?redirected=1`);
	});

	it('redirect storage: from the API to the storage origin with the same URL', async () => {
		sim.injectFault({ kind: 'redirect', redirectTo: 'storage', redirectStatus: 302 });
		const reply = await call(sim, 'GET', '/api/v1/status/job_b', { redirect: 'manual' });
		expect(reply.status).toBe(302);
		expect(reply.headers.get('location')).toBe(`${sim.storageOrigin}/api/v1/status/job_b`);
	});

	it('redirect on storage: to the foreign host, or to itself (following still downloads the file)', async () => {
		const { json } = await generate(sim, slide);
		const url: string = (await waitFinal(sim, json.job_id)).json.downloads[0].url;
		const { pathname, search } = new URL(url);
		sim.injectFault({ kind: 'redirect', server: 'storage' });
		const away = await download(url, {}, 'manual');
		expect(away.status).toBe(307);
		expect(away.headers.get('location')).toBe(`${sim.foreignOrigin}${pathname}${search}`);
		sim.injectFault({ kind: 'redirect', server: 'storage', redirectTo: 'same', redirectStatus: 308 });
		const file = await download(url);
		expect(file.status).toBe(200);
		expect(file.bytes.subarray(0, 2).toString()).toBe('PK');
		expect(sim.requests.filter((r) => r.server === 'storage').map((r) => r.status)).toEqual([307, 308, 200]);
	});

	it('html200: a 200 HTML sign-in page, from the API and from storage', async () => {
		sim.injectFault({ kind: 'html200', path: '/api/v1/status/' });
		sim.injectFault({ kind: 'html200', server: 'storage' });
		const { json } = await generate(sim, slide);
		const page = await status(sim, json.job_id);
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(page.text).toMatch(/^<!doctype html>[\s\S]*<title>Sign in<\/title>[\s\S]*<form/i);
		expect(page.json).toBeUndefined();
		const url = (await status(sim, json.job_id)).json.downloads[0].url;
		const fromStorage = await download(url);
		expect(fromStorage.status).toBe(200);
		expect(fromStorage.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(fromStorage.text).toContain('<title>Sign in</title>');
	});

	it('json-without-status: 200 JSON echoing the (decoded) id of a status URL, and no status', async () => {
		sim.configure({ jobIdStyle: 'needs-encoding' });
		const { json } = await generate(sim, slide);
		sim.injectFault({ kind: 'json-without-status', times: 2 });
		const reply = await status(sim, json.job_id);
		expect(reply.status).toBe(200);
		expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
		expect(reply.json).toEqual({ job_id: json.job_id, message: 'ok' });
		expect((await generate(sim, slide)).json).toEqual({ job_id: 'job_nostatus', message: 'ok' });
		expect(sim.jobs()).toHaveLength(1);
	});

	it('not-a-file: 200 application/octet-stream whose bytes are text, not a ZIP', async () => {
		const { json } = await generate(sim, slide);
		const url = (await waitFinal(sim, json.job_id)).json.downloads[0].url;
		sim.injectFault({ kind: 'not-a-file', server: 'storage' });
		const bogus = await download(url);
		expect(bogus.status).toBe(200);
		expect(bogus.headers.get('content-type')).toBe('application/octet-stream');
		expect(bogus.text).toBe('This link has expired. Please sign in again.\n');
		expect(bogus.bytes.subarray(0, 2).toString()).not.toBe('PK');
		expect((await download(url)).bytes.subarray(0, 2).toString()).toBe('PK');
	});

	it('malformed-json-after: the job is created, its answer arrives cut off; a retry with the same key gets the job', async () => {
		sim.injectFault({ kind: 'malformed-json-after', path: '/api/v1/generate' });
		const cut = await generate(sim, slide, { headers: { 'idempotency-key': 'cut-1' } });
		expect(cut.status).toBe(202);
		expect(cut.headers.get('content-type')).toMatch(/^application\/json/);
		expect(cut.json).toBeUndefined();
		expect(cut.text).toMatch(/^\{"job_id":/);
		expect(sim.jobs()).toHaveLength(1);
		expect(sim.requests[0].status).toBe(202);
		const retry = await generate(sim, slide, { headers: { 'idempotency-key': 'cut-1' } });
		expect(retry.json.job_id).toBe(sim.jobs()[0].id);
		expect(cut.text.length).toBeLessThan(retry.text.length);
		expect(retry.text.startsWith(cut.text)).toBe(true);
		expect(sim.jobs()).toHaveLength(1);
	});

	it.each([
		['link-expired', 403, 'AccessDenied', 'Request has expired'],
		['gone', 410, 'Gone', 'no longer available'],
	] as const)('%s on storage: %i XML once, then the same link works', async (kind, code, xmlCode, words) => {
		const { json } = await generate(sim, slide);
		const url = (await waitFinal(sim, json.job_id)).json.downloads[0].url;
		sim.injectFault({ kind, server: 'storage' });
		const refused = await download(url);
		expect(refused.status).toBe(code);
		expect(refused.headers.get('content-type')).toBe('application/xml');
		expect(refused.text).toContain(`<Code>${xmlCode}</Code>`);
		expect(refused.text).toContain(words);
		expect((await download(url)).bytes.subarray(0, 2).toString()).toBe('PK');
	});

	it('rejects bad redirect fields, and redirect fields on other kinds', () => {
		expect(() => sim.injectFault({ kind: 'redirect', redirectStatus: 304 as never })).toThrow(/redirectStatus/);
		expect(() => sim.injectFault({ kind: 'redirect', redirectTo: 'cdn' as never })).toThrow(/redirectTo/);
		expect(() => sim.injectFault({ kind: 'http500', redirectTo: 'same' })).toThrow(/only applies to kind "redirect"/);
		expect(() => sim.injectFault({ kind: 'html200', redirectStatus: 301 })).toThrow(/only applies/);
		expect(sim.injectFault({ kind: 'http500' })).toMatchObject({ redirectStatus: null, redirectTo: null });
	});

	it('lists every kind in FAULT_KINDS', () => {
		expect(FAULT_KINDS).toEqual(
			expect.arrayContaining(['redirect', 'html200', 'json-without-status', 'not-a-file', 'http500', 'reset-after', 'malformed-json-after', 'link-expired', 'gone']),
		);
		expect(FAULT_KINDS).toHaveLength(14);
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
