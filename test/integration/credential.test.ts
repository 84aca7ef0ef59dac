/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
import * as http from 'http';
import type { AddressInfo } from 'net';

import { PerceptisApi } from '../../credentials/PerceptisApi.credentials';
import { checkOrigin, normalizeBaseUrl, ORIGIN_REFUSAL_HINTS } from '../../core/origin';
import { startSimulator } from '../simulator';
import { useSimulator } from '../simulator/helpers';
import { runCredentialTest } from '../support/n8nContext';
import { expectNoKey } from './runNode';

const sim = useSimulator();

async function test(apiKey: string, baseUrl: string) {
	const result = await runCredentialTest({ apiKey, baseUrl });
	expectNoKey(sim, result);
	return result;
}

describe('credential test (the dialog\'s Test button)', () => {
	it('says a Business key works, without starting a job', async () => {
		const result = await test(sim.keys.business, sim.origin);
		expect(result.status).toBe('OK');
		expect(result.message).toBe('Connection successful!');
		expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
		expect(sim.jobs()).toHaveLength(0);
		expect(sim.creditsCharged()).toBe(0);
		expect(sim.requests[0].headers.authorization).toBe(`Bearer ${sim.keys.business}`);
	});

	it('accepts an Enterprise key and the origin typed with /api/v1/', async () => {
		const result = await test(sim.keys.enterprise, `${sim.origin}/api/v1/`);
		expect(result.status).toBe('OK');
		expect(sim.requests[0].path.startsWith('/api/v1/status/')).toBe(true);
	});

	it('says a revoked key is invalid or revoked and where to get a new one', async () => {
		const result = await test(sim.keys.revoked, sim.origin);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/invalid or revoked \(HTTP 401\)/);
		expect(result.message).toMatch(/Developer Settings/);
		expect(result.message).not.toMatch(/Business/);
	});

	it('still says 401 when the 401 has no body at all', async () => {
		sim.configure({ errorBodyForm: 'none' });
		const result = await test(sim.keys.revoked, sim.origin);
		expect(result.message).toMatch(/HTTP 401/);
	});

	it.each(['starter', 'trial', 'free'] as const)('says a %s organisation is not eligible (403)', async (plan) => {
		const result = await test(sim.keys[plan], sim.origin);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/plan does not include API access \(HTTP 403\)/);
		expect(result.message).toMatch(/Business and Enterprise/);
		expect(result.message).not.toMatch(/revoked/);
	});

	it('fails on an unreachable origin (n8n shows the bare network code)', async () => {
		const closed = await startSimulator();
		const origin = closed.origin;
		await closed.close();
		const result = await test(sim.keys.business, origin);
		expect(result.status).toBe('Error');
		expect(result.message).toBe('ECONNREFUSED');
	});

	it('fails on a server error instead of calling it a success', async () => {
		sim.injectFault({ kind: 'http500' });
		const result = await test(sim.keys.business, sim.origin);
		expect(result.status).toBe('Error');
	});
});

/** A web server that is not Perceptis: HTML for every path, with the given status. */
async function htmlServer(status: number): Promise<{ origin: string; close: () => Promise<void> }> {
	const server = http.createServer((_req, res) => {
		res.writeHead(status, { 'content-type': 'text/html' }).end('<!doctype html><title>Not Found</title><h1>Not Found</h1>');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { origin: `http://127.0.0.1:${port}`, close: async () => await new Promise<void>((resolve) => server.close(() => resolve())) };
}

const NOT_PERCEPTIS = /did not answer like the Perceptis API/;

describe('the Test button trusts only a Perceptis answer from an origin the node would use', () => {
	it.each([404, 200])('a web server that answers %d with an HTML page is not Perceptis', async (status) => {
		const other = await htmlServer(status);
		try {
			const result = await test(sim.keys.business, other.origin);
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(NOT_PERCEPTIS) });
		} finally {
			await other.close();
		}
	});

	it('a 200 sign-in page at the origin is not Perceptis', async () => {
		sim.injectFault({ kind: 'html200' });
		expect((await test(sim.keys.business, sim.origin)).message).toMatch(NOT_PERCEPTIS);
	});

	it('JSON that is not a Perceptis error (another API) is not Perceptis', async () => {
		const result = await test(sim.keys.business, sim.foreignOrigin);
		expect(result.message).toMatch(NOT_PERCEPTIS);
	});

	it('a redirect to another host is not followed: the other host never sees the key', async () => {
		sim.injectFault({ kind: 'redirect', redirectTo: 'foreign' });
		const result = await test(sim.keys.business, sim.origin);
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/redirects elsewhere/) });
		expect(sim.requests.filter((r) => r.server === 'foreign')).toEqual([]);
	});

	it.each([
		['https://app.perceptis.ai/v2', 'f'],
		['https://app.perceptis.ai/api/v2/', 'f'],
		['http://perceptis.example.com', 'e'],
		['ftp://app.perceptis.ai', 'b'],
		['https://user:pw@app.perceptis.ai', 'c'],
		['https://app.perceptis.ai/?x=1', 'd'],
		['app.perceptis.ai', 'a'],
	] as const)('refuses %j as the node does, and sends nothing anywhere', async (baseUrl, letter) => {
		const result = await test(sim.keys.business, baseUrl);
		expect(result).toEqual({ status: 'Error', message: ORIGIN_REFUSAL_HINTS[letter] });
		expect(checkOrigin(baseUrl)).toBe(`!${letter}`);
		expect(() => normalizeBaseUrl(baseUrl)).toThrow();
		expect(sim.requests).toEqual([]);
	});
});

describe("the Test button's URL is the node's own origin check, run as an n8n expression", () => {
	const expression = String(new PerceptisApi().test.request.url);

	it('is one expression: one {{ and one }}, so n8n does not cut it apart', () => {
		expect(expression.startsWith('={{ ')).toBe(true);
		expect(expression.match(/\{\{/g)).toHaveLength(1);
		expect(expression.match(/\}\}/g)).toHaveLength(1);
		expect(expression.endsWith(' }}')).toBe(true);
	});

	it.each([
		'',
		'https://app.perceptis.ai',
		'https://app.perceptis.ai/api/v1/',
		'HTTPS://App.Perceptis.AI:443/api',
		'https://eu.perceptis.example:8443',
		'http://localhost:5678/',
		'http://[::1]:9000/api',
		'http://127.0.0.1.evil.example',
		'https://app.perceptis.ai/dashboard',
		'javascript:alert(1)',
		'https://',
		'https://app.perceptis.ai#x',
	])('agrees with the node for %j', (baseUrl) => {
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- evaluates the credential's own expression, as n8n does
		const url = new Function('$credentials', `return (${expression.slice(4, -3)});`)({ baseUrl }) as string;
		const verdict = checkOrigin(baseUrl);
		let nodeOrigin: string | undefined;
		try {
			nodeOrigin = normalizeBaseUrl(baseUrl);
		} catch {
			nodeOrigin = undefined;
		}
		if (nodeOrigin) expect(url).toBe(`${nodeOrigin}/api/v1/status/n8n-credential-test-no-such-job`);
		else expect(url).toBe(`data:text/plain,${verdict.slice(1)}`);
	});
});
