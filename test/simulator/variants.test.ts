/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * Each switch for an undocumented part of the API changes exactly what it says.
 */
import { DEFAULT_VARIANTS, startSimulator } from '.';
import { call, generate, status, waitFinal, useSimulator } from './helpers';

const sim = useSimulator({ timeScale: 0 });

const slide = { prompt: 'Variants', output_type: 'single_slide' };

it('starts with the documented / most likely defaults', () => {
	expect(sim.variants).toEqual({ ...DEFAULT_VARIANTS, timeScale: 0 });
	expect(DEFAULT_VARIANTS).toMatchObject({
		generateSuccessStatus: 202,
		jobIdField: 'job_id',
		jobIdStyle: 'plain',
		retryAfterFormat: 'seconds',
		statusRetryAfterSeconds: null,
		errorBodyForm: 'object',
		failedErrorForm: 'object',
		extraDownloadFields: false,
		rateLimit: null,
		linkTtlMs: 60000,
		idempotencyConflictStatus: 409,
		fileNameExtension: 'pptx',
		fileSizeBytes: null,
		durationsMs: { single_slide: 300000, deck: 600000 },
	});
});

it.each([200, 201] as const)('generateSuccessStatus %i', async (code) => {
	sim.configure({ generateSuccessStatus: code });
	expect((await generate(sim, slide)).status).toBe(code);
});

it.each(['jobId', 'id'] as const)('jobIdField %s names the id field of the generate answer', async (field) => {
	sim.configure({ jobIdField: field });
	const reply = await generate(sim, slide);
	expect(Object.keys(reply.json).sort()).toEqual(['created_at', field, 'output_type', 'status'].sort());
	expect(reply.json[field]).toBe(sim.jobs()[0].id);
	expect((await status(sim, reply.json[field])).json.job_id).toBe(sim.jobs()[0].id);
});

it('statusRetryAfterSeconds puts Retry-After on 2xx generate and status answers, in either format', async () => {
	const plain = await generate(sim, slide);
	expect(plain.headers.get('retry-after')).toBeNull();
	expect((await status(sim, plain.json.job_id)).headers.get('retry-after')).toBeNull();
	sim.configure({ statusRetryAfterSeconds: 3 });
	const hinted = await generate(sim, slide);
	expect(hinted.headers.get('retry-after')).toBe('3');
	expect((await status(sim, hinted.json.job_id)).headers.get('retry-after')).toBe('3');
	expect((await status(sim, 'job_unknown')).headers.get('retry-after')).toBeNull();
	sim.configure({ retryAfterFormat: 'http-date' });
	const before = Date.now();
	const dated = Date.parse((await status(sim, hinted.json.job_id)).headers.get('retry-after')!);
	expect(dated).toBeGreaterThanOrEqual(before + 3000);
	expect(dated).toBeLessThanOrEqual(Date.now() + 4000);
});

it('errorBodyForm: object, string or no body at all', async () => {
	const object = await generate(sim, slide, { key: 'revoked' });
	expect(object.json).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
	sim.configure({ errorBodyForm: 'string' });
	const string = await generate(sim, { prompt: '' , output_type: 'deck' });
	expect(string.status).toBe(400);
	expect(string.json).toEqual({ error: expect.stringContaining('prompt') });
	sim.configure({ errorBodyForm: 'none' });
	const none = await generate(sim, slide, { key: 'revoked' });
	expect(none.status).toBe(401);
	expect(none.text).toBe('');
	expect(none.headers.get('content-length')).toBe('0');
});

it('failedErrorForm string makes a failed job carry a plain string error', async () => {
	sim.configure({ failedErrorForm: 'string' });
	const { json } = await generate(sim, { ...slide, prompt: 'x [sim:fail]' });
	const failed = await waitFinal(sim, json.job_id);
	expect(failed.json.status).toBe('failed');
	expect(typeof failed.json.error).toBe('string');
	expect(failed.json.error.length).toBeGreaterThan(0);
});

it('rejects unknown variants and bad values, in configure() and startSimulator()', async () => {
	expect(() => sim.configure({ jobIdFeild: 'id' } as never)).toThrow(/unknown simulator variant "jobIdFeild"/);
	expect(() => sim.configure({ generateSuccessStatus: 204 as never })).toThrow(/generateSuccessStatus/);
	expect(() => sim.configure({ rateLimit: { max: 1 } as never })).toThrow(/rateLimit/);
	expect(() => sim.configure({ durationsMs: { slide: 1 } as never })).toThrow(/durationsMs/);
	for (const bad of ['', 'PPTX', '.pptx', 'pptx9abcd', 'pp-tx', 7]) {
		expect(() => sim.configure({ fileNameExtension: bad as never })).toThrow(/fileNameExtension/);
	}
	expect(sim.configure({ fileNameExtension: 'bin' }).fileNameExtension).toBe('bin');
	expect(sim.configure({ fileNameExtension: 'a1b2c3d4' }).fileNameExtension).toBe('a1b2c3d4');
	await expect(startSimulator({ nope: true } as never)).rejects.toThrow(/nope/);
	expect(sim.variants.generateSuccessStatus).toBe(202);
	expect(sim.variants.fileNameExtension).toBe('a1b2c3d4');
});

it('merges durationsMs per output type', () => {
	sim.configure({ durationsMs: { deck: 5 } });
	expect(sim.variants.durationsMs).toEqual({ single_slide: 300000, deck: 5 });
});

it('reset() brings back the constructor options, not the later configure() calls', async () => {
	const other = await startSimulator({ generateSuccessStatus: 201, jobIdField: 'id' });
	try {
		other.configure({ generateSuccessStatus: 200 });
		expect((await generate(other, slide)).status).toBe(200);
		other.reset();
		const reply = await generate(other, slide);
		expect(reply.status).toBe(201);
		expect(reply.json.id).toEqual(expect.any(String));
		expect(other.requests).toHaveLength(1);
		expect(other.jobs()).toHaveLength(1);
	} finally {
		await other.close();
	}
});

it('binds to the given ports and closes both servers', async () => {
	const probe = await startSimulator();
	const apiPort = Number(new URL(probe.origin).port);
	const storagePort = Number(new URL(probe.storageOrigin).port);
	await probe.close();
	const fixed = await startSimulator({ port: apiPort, storagePort });
	expect(fixed.origin).toBe(`http://127.0.0.1:${apiPort}`);
	expect(fixed.storageOrigin).toBe(`http://127.0.0.1:${storagePort}`);
	await fixed.close();
	await expect(call(fixed, 'GET', '/api/v1/status/x')).rejects.toThrow();
	await expect(fetch(`${fixed.storageOrigin}/files/x.pptx`)).rejects.toThrow();
});
