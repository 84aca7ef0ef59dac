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
