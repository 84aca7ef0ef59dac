/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * The foreign server: another host (127.0.0.2) that must never receive the API key. It answers
 * everything like a Perceptis status answer and records what it got, redacted.
 */
import { startSimulator } from '.';
import { call, toReply, useSimulator } from './helpers';

const sim = useSimulator({ timeScale: 0 });

const foreign = async (path: string, init: RequestInit = {}) => toReply(await fetch(`${sim.foreignOrigin}${path}`, init));

it('listens on another loopback host, apart from the API and storage origins', () => {
	const url = new URL(sim.foreignOrigin);
	expect(sim.foreignOrigin).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
	expect(url.hostname).not.toBe(new URL(sim.origin).hostname);
	expect(sim.foreignOrigin).not.toBe(sim.storageOrigin);
});

it('answers any method and path with 200 JSON that looks like a status answer', async () => {
	for (const [method, path] of [
		['GET', '/api/v1/status/job_1'],
		['POST', '/api/v1/generate'],
		['DELETE', '/files/x.pptx?expires=1&signature=2'],
	]) {
		const reply = await foreign(path, { method });
		expect(reply.status).toBe(200);
		expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
		expect(reply.json).toEqual({ job_id: 'foreign-job', status: 'processing' });
	}
	expect(sim.requests.map((r) => [r.server, r.method, r.path, r.status])).toEqual([
		['foreign', 'GET', '/api/v1/status/job_1', 200],
		['foreign', 'POST', '/api/v1/generate', 200],
		['foreign', 'DELETE', '/files/x.pptx?expires=1&signature=2', 200],
	]);
});

it('records a leaked key by name only: redacted headers, path and body, keyPlan set', async () => {
	await foreign(`/api/v1/status/job_1?token=${sim.keys.enterprise}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${sim.keys.business}`, 'x-api-key': sim.keys.business2, 'content-type': 'application/json' },
		body: JSON.stringify({ prompt: `key ${sim.keys.business}` }),
	});
	await foreign('/plain');
	const [leak, clean] = sim.requests;
	expect(leak).toMatchObject({ server: 'foreign', keyPlan: 'business', status: 200 });
	expect(leak.headers.authorization).toBe('Bearer <redacted:business>');
	expect(leak.headers['x-api-key']).toBe('<redacted:business2>');
	expect(leak.path).toBe('/api/v1/status/job_1?token=<redacted:enterprise>');
	expect(leak.body).toEqual({ prompt: 'key <redacted:business>' });
	const everything = JSON.stringify(sim.requests);
	for (const key of Object.values(sim.keys)) expect(everything).not.toContain(key);
	expect(clean).toMatchObject({ server: 'foreign', keyPlan: null, body: undefined });
	expect(clean.headers.authorization).toBeUndefined();
});

it('leaves the API and storage logs raw, as before', async () => {
	await call(sim, 'GET', '/api/v1/status/job_x');
	expect(sim.requests[0]).toMatchObject({ server: 'api', keyPlan: 'business' });
	expect(sim.requests[0].headers.authorization).toBe(`Bearer ${sim.keys.business}`);
});

it('takes faults of its own (server: "foreign")', async () => {
	sim.injectFault({ kind: 'html502', server: 'foreign' });
	expect((await call(sim, 'GET', '/api/v1/status/job_x')).status).toBe(404);
	expect((await foreign('/anything')).status).toBe(502);
	expect((await foreign('/anything')).status).toBe(200);
});

it('is emptied by reset() like the other servers, and shown by /__sim/requests redacted', async () => {
	await foreign('/x', { headers: { authorization: `Bearer ${sim.keys.enterprise}` } });
	const admin = await toReply(await fetch(`${sim.origin}/__sim/requests`));
	expect(admin.json).toEqual([expect.objectContaining({ server: 'foreign', keyPlan: 'enterprise', headers: expect.objectContaining({ authorization: 'Bearer <redacted:enterprise>' }) })]);
	sim.reset();
	expect(sim.requests).toHaveLength(0);
	await foreign('/y');
	expect(sim.requests).toHaveLength(1);
});

it('falls back to the simulator host on its own port when the foreign address cannot be bound', async () => {
	const lines: string[] = [];
	// 192.0.2.1 (TEST-NET-1) is never a local address, so binding it fails.
	const other = await startSimulator({ foreignHost: '192.0.2.1', log: (line) => lines.push(line) });
	try {
		expect(other.foreignOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(other.foreignOrigin).not.toBe(other.origin);
		expect(other.foreignOrigin).not.toBe(other.storageOrigin);
		expect((await toReply(await fetch(`${other.foreignOrigin}/z`))).json.job_id).toBe('foreign-job');
		expect(other.requests[0].server).toBe('foreign');
		expect(lines.join('\n')).toMatch(/foreign server cannot listen on 192\.0\.2\.1/);
	} finally {
		await other.close();
	}
});

it('binds a given foreign port and is closed by close()', async () => {
	const probe = await startSimulator();
	const port = Number(new URL(probe.foreignOrigin).port);
	await probe.close();
	await expect(fetch(`${probe.foreignOrigin}/x`)).rejects.toThrow();
	const fixed = await startSimulator({ foreignPort: port });
	expect(fixed.foreignOrigin).toBe(`http://127.0.0.2:${port}`);
	await fixed.close();
	await expect(fetch(`${fixed.foreignOrigin}/x`)).rejects.toThrow();
});
