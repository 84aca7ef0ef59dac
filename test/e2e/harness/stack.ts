/* eslint-disable @n8n/community-nodes/require-node-api-error -- test code: runs in Node under jest, never inside n8n */
/**
 * The usual setup of an e2e file: the e2e lock, a fast simulator, a real n8n with the package, a
 * signed-in client and a Perceptis credential with the simulator's Business key. `stop()` undoes
 * it all, in reverse order, whatever got started.
 */
import type { CredentialRef } from './client';
import { N8nClient } from './client';
import { acquireE2eLock } from './lock';
import type { N8nInstance } from './n8n';
import { startN8n } from './n8n';
import type { SimulatorProcess } from './simulator';
import { startSimulator } from './simulator';
import { PERCEPTIS_CREDENTIAL_TYPE } from './workflows';
import { standIn } from '../../support/standIn';

export interface PerceptisStack {
	sim: SimulatorProcess;
	n8n: N8nInstance;
	client: N8nClient;
	/** A credential with the simulator's Business key and origin. */
	business: CredentialRef;
}

/** Jobs finish in seconds (time scale 0.005) and status answers ask for a check every second. */
export const FAST_SIMULATOR = { timeScale: 0.005, config: { statusRetryAfterSeconds: 1 } };

export async function startPerceptisStack(version: string): Promise<PerceptisStack & { stop(): Promise<void> }> {
	const release = await acquireE2eLock();
	let sim: SimulatorProcess | undefined;
	let n8n: N8nInstance | undefined;
	const stop = async () => {
		await n8n?.stop();
		await sim?.stop();
		release();
	};
	try {
		sim = await startSimulator(FAST_SIMULATOR);
		n8n = await startN8n({ version });
		const client = await N8nClient.ready(n8n.baseUrl);
		const business = await client.createCredential({
			name: 'Perceptis business',
			type: PERCEPTIS_CREDENTIAL_TYPE,
			data: { apiKey: sim.keys.business, baseUrl: sim.origin },
		});
		return { sim, n8n, client, business, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/**
 * One stack for a test file (or describe block): started before its first test, stopped after its
 * last. Hands out stand-ins at once, so a file writes `const { sim, client, business } = …`.
 */
export function usePerceptisStack(version: string): PerceptisStack {
	let stack: (PerceptisStack & { stop(): Promise<void> }) | undefined;
	beforeAll(async () => {
		stack = await startPerceptisStack(version);
	});
	afterAll(async () => await stack?.stop());
	return {
		sim: standIn(() => stack?.sim, 'The simulator'),
		n8n: standIn(() => stack?.n8n, 'n8n'),
		client: standIn(() => stack?.client, 'The n8n client'),
		business: standIn(() => stack?.business, 'The Business credential'),
	};
}
