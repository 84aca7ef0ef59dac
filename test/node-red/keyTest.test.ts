/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * The config dialog's Test button, through the admin endpoint as the editor calls it: a working
 * key (the API's JSON 404 for a job that cannot exist), a revoked one (401), a plan without API
 * access (403), a key typed before the first deploy, a stored one, one from an environment
 * variable; no credits spent, no key sent back.
 */
import http from 'http';
import type { AddressInfo } from 'net';

import { PLAN_HINT } from '../../core/errors/table';
import { KEY_CHECK_JOB_ID } from '../../core/wire/keyCheck';
import { registerKeyTest, TEST_BUTTON_ROUTE } from '../../node-red/src/keyTest';
import type { NodeRedApi } from '../../node-red/src/red';
import { CONFIG_ID, expectNoKey, helper, loadFlow, useFastSimulator } from './flows';
import type { Simulator } from '../simulator';

const sim = useFastSimulator();

afterEach(async () => await helper.unload());

/** What the dialog sends, as the editor sends it (a relative URL of the admin API). */
async function test(body: Record<string, unknown>) {
	const answer = await helper.request().post(TEST_BUTTON_ROUTE).send(body);
	expect(answer.status).toBe(200);
	expectNoKey(sim, answer.text);
	return answer.body;
}

const typed = (s: Simulator, key: keyof Simulator['keys'], extra: Record<string, unknown> = {}) => ({
	id: 'not-deployed-yet',
	baseUrl: s.origin,
	apiKey: s.keys[key],
	...extra,
});

describe('the Test button', () => {
	beforeEach(async () => await loadFlow(sim, {}, 'business'));

	it('tells a working key, typed before the first deploy, with one free status check', async () => {
		const answer = await test(typed(sim, 'business'));
		expect(answer).toMatchObject({ ok: true });
		expect(answer.message).toContain(`The key works: Perceptis at ${sim.origin} accepted it`);
		expect(sim.requests).toHaveLength(1);
		expect(sim.requests[0]).toMatchObject({ method: 'GET', path: `/api/v1/status/${KEY_CHECK_JOB_ID}`, keyPlan: 'business' });
		expect(sim.jobs()).toHaveLength(0);
		expect(sim.creditsCharged()).toBe(0);
	});

	it('tells a revoked key (401) and says where the new one goes', async () => {
		const answer = await test(typed(sim, 'revoked'));
		expect(answer).toMatchObject({ ok: false, code: 'unauthorized', httpCode: 401 });
		expect(answer.message).toContain('invalid or revoked (HTTP 401)');
		expect(answer.description).toContain('Developer Settings');
	});

	it('tells a plan without API access (403), naming Business and Enterprise', async () => {
		const answer = await test(typed(sim, 'starter'));
		expect(answer).toMatchObject({ ok: false, code: 'forbidden', httpCode: 403 });
		expect(answer.description).toBe(PLAN_HINT);
		expect(answer.description).toContain('Business and Enterprise');
	});

	it('uses the stored key when the dialog holds its placeholder', async () => {
		expect(await test({ id: CONFIG_ID, baseUrl: sim.origin, apiKey: '__PWRD__' })).toMatchObject({ ok: true });
		expect(sim.requests[0].keyPlan).toBe('business');
	});

	it('uses the named environment variable when no key is typed or stored', async () => {
		process.env.PERCEPTIS_KEY_TEST = sim.keys.trial;
		try {
			const answer = await test({ id: 'new', baseUrl: sim.origin, apiKey: '', apiKeyEnv: 'PERCEPTIS_KEY_TEST' });
			expect(answer).toMatchObject({ ok: false, code: 'forbidden' });
			expect(sim.requests[0].keyPlan).toBe('trial');
		} finally {
			delete process.env.PERCEPTIS_KEY_TEST;
		}
	});

	it('says when there is no key at all, and asks nothing', async () => {
		expect(await test({ id: 'new', baseUrl: sim.origin, apiKey: '' })).toMatchObject({ ok: false, code: 'no_api_key' });
		expect(sim.requests).toHaveLength(0);
	});

	it('refuses a Base URL the core refuses, and asks nothing', async () => {
		const answer = await test(typed(sim, 'business', { baseUrl: `${sim.origin}/v2` }));
		expect(answer).toMatchObject({ ok: false, code: 'invalid_base_url' });
		expect(answer.message).toContain(`Type ${sim.origin} (without "/v2")`);
		expect(sim.requests).toHaveLength(0);
	});

	it('tells an origin that is not Perceptis from a working key: a 404 without the API\'s error, a job that cannot exist', async () => {
		const server = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>'));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
			expect(await test(typed(sim, 'business', { baseUrl: origin }))).toMatchObject({ ok: false, code: 'endpoint_not_found', httpCode: 404 });
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
		const foreign = await test(typed(sim, 'business', { baseUrl: sim.foreignOrigin }));
		expect(foreign).toMatchObject({ ok: false, code: 'unreadable_answer' });
		expect(foreign.message).toContain('a job for an id that cannot exist');
	});
});

describe('the endpoint', () => {
	it('is open only to users who may change config nodes', () => {
		const calls: unknown[][] = [];
		const guard = () => undefined;
		const red = {
			httpAdmin: { post: (...args: unknown[]) => calls.push(args) },
			auth: { needsPermission: (permission: string) => (permission === 'perceptis-config.write' ? guard : undefined) },
		} as unknown as NodeRedApi;
		registerKeyTest(red);
		expect(calls).toHaveLength(1);
		expect(calls[0][0]).toBe('/perceptis/test-key');
		expect(calls[0][1]).toBe(guard);
	});
});
