/**
 * Admin endpoints under /__sim/ (for a simulator in another process): state, control, and no keys ever.
 */
import { generate, toReply, waitFinal, useSimulator } from './helpers';

const sim = useSimulator({ timeScale: 0 });

const admin = async (method: string, path: string, body?: unknown) =>
	toReply(await fetch(`${sim.origin}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) }));

it('GET /__sim/requests redacts every key, and admin calls are not recorded', async () => {
	await generate(sim, { prompt: `Leaked ${sim.keys.enterprise} in a prompt`, output_type: 'single_slide' });
	await generate(sim, { prompt: 'x', output_type: 'deck' }, { key: 'revoked' });
	await generate(sim, { prompt: 'x', output_type: 'deck' }, { key: null, headers: { authorization: 'Bearer sk-live-per-SomethingReal123' } });
	// In-process the log is raw, so a test can check exactly what was sent.
	expect(sim.requests[0].headers.authorization).toBe(`Bearer ${sim.keys.business}`);
	const reply = await admin('GET', '/__sim/requests');
	expect(reply.status).toBe(200);
	expect(reply.json.map((r: { headers: { authorization: string } }) => r.headers.authorization)).toEqual([
		'Bearer <redacted:business>',
		'Bearer <redacted:revoked>',
		'Bearer <redacted:unknown>',
	]);
	expect(reply.json[0].body.prompt).toBe('Leaked <redacted:enterprise> in a prompt');
	for (const key of Object.values(sim.keys)) expect(reply.text).not.toContain(key);
	expect(reply.text).not.toContain('SomethingReal123');
	expect(reply.json[0]).toMatchObject({ server: 'api', method: 'POST', path: '/api/v1/generate', status: 202, keyPlan: 'business' });
	expect(sim.requests).toHaveLength(3);
});

it('GET /__sim/jobs and /__sim/state report jobs and credits', async () => {
	const { json } = await generate(sim, { prompt: 'Deck [sim:slides=4]', output_type: 'deck' });
	await waitFinal(sim, json.job_id);
	const jobs = await admin('GET', '/__sim/jobs');
	expect(jobs.json).toEqual([expect.objectContaining({ id: json.job_id, status: 'completed', creditsCharged: 4, keyPlan: 'business' })]);
	const state = await admin('GET', '/__sim/state');
	expect(state.json).toMatchObject({ creditsCharged: 4, faults: [], variants: { timeScale: 0 } });
	expect(state.json.origins).toEqual({ api: sim.origin, storage: sim.storageOrigin, foreign: sim.foreignOrigin });
});

it('POST /__sim/config changes variants and rejects bad ones', async () => {
	const ok = await admin('POST', '/__sim/config', { generateSuccessStatus: 201 });
	expect(ok.status).toBe(200);
	expect(ok.json.variants.generateSuccessStatus).toBe(201);
	expect((await generate(sim, { prompt: 'x', output_type: 'deck' })).status).toBe(201);
	const bad = await admin('POST', '/__sim/config', { generateSuccessStatus: 204 });
	expect(bad.status).toBe(400);
	expect(bad.json.error.message).toMatch(/generateSuccessStatus/);
	const notJson = await toReply(await fetch(`${sim.origin}/__sim/config`, { method: 'POST', body: '{' }));
	expect(notJson.status).toBe(400);
	expect(sim.variants.generateSuccessStatus).toBe(201);
});

it('POST /__sim/reset clears requests, jobs and variants', async () => {
	sim.configure({ jobIdField: 'id' });
	await generate(sim, { prompt: 'x', output_type: 'deck' });
	expect((await admin('POST', '/__sim/reset')).status).toBe(200);
	expect(sim.requests).toHaveLength(0);
	expect(sim.jobs()).toHaveLength(0);
	expect(sim.variants.jobIdField).toBe('job_id');
});

it('POST /__sim/faults takes the new kinds and fields, and /__sim/state lists them', async () => {
	const injected = await admin('POST', '/__sim/faults', { kind: 'redirect', redirectTo: 'same', redirectStatus: 302, server: 'storage' });
	expect(injected.status).toBe(200);
	expect(injected.json.fault).toMatchObject({ kind: 'redirect', redirectTo: 'same', redirectStatus: 302, server: 'storage' });
	expect((await admin('POST', '/__sim/faults', { kind: 'redirect', redirectStatus: 300 })).status).toBe(400);
	expect((await admin('POST', '/__sim/faults', { kind: 'not-a-file', server: 'foreign' })).status).toBe(200);
	const state = await admin('GET', '/__sim/state');
	expect(state.json.faults.map((f: { kind: string; server: string }) => `${f.server}:${f.kind}`)).toEqual(['storage:redirect', 'foreign:not-a-file']);
});

it('answers 404 to unknown admin routes', async () => {
	const reply = await admin('GET', '/__sim/nothing');
	expect(reply.status).toBe(404);
	expect(reply.json.error.message).toContain('/__sim/requests');
});
