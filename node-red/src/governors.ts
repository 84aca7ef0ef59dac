/* eslint-disable @n8n/community-nodes/no-restricted-globals -- Node-RED runtime, not part of the n8n package */

/**
 * One request governor (core/pacing/governor.ts) per API key per Node-RED process, shared by
 * every node and every message that uses the key: the API's rate limit and its Retry-After
 * pauses are the key's, not one message's, so twenty messages at once go as fast as the key
 * allows and a 429 slows all of them. Beside it, the key's job contacts (core/pacing/contacts.ts):
 * two nodes or two messages asking about one job still ask a second apart.
 *
 * The governor lives as long as the process; a message's run does not. So a run's requests wait
 * their turn in the shared governor, but a run that ends (its node closes) stops waiting at
 * once, and a turn that comes after its end sends nothing.
 */
import { sha256 } from '../../core/hash';
import { JobContacts } from '../../core/pacing/contacts';
import { governedClient, NOT_SENT, RequestGovernor, type GovernorClock } from '../../core/pacing/governor';
import type { PerceptisClient } from '../../core/wire/client';
import type { HttpAnswer, NetworkFailure } from '../../core/wire/http';

const processClock: GovernorClock = {
	now: () => Date.now(),
	// A pause of the key's keeps no process alive by itself (Node-RED's server does).
	sleep: async (ms) => await new Promise<void>((resolve) => setTimeout(resolve, ms).unref()),
	over: () => false,
};

export interface KeyPacing {
	governor: RequestGovernor;
	contacts: JobContacts;
}

/** By a digest of origin and key: the key itself is kept by its config node only. */
const paces = new Map<string, KeyPacing>();

export function pacingFor(origin: string, apiKey: string): KeyPacing {
	const id = sha256(`${origin}\n${apiKey}`);
	let pacing = paces.get(id);
	if (!pacing) {
		pacing = { governor: new RequestGovernor(processClock), contacts: new JobContacts() };
		paces.set(id, pacing);
	}
	return pacing;
}

/** The client of one run: paced by the key's governor, and let go of the moment `signal` aborts. */
export function pacedClient(client: PerceptisClient, governor: RequestGovernor, deadline: number, signal: AbortSignal): PerceptisClient {
	const paced = governedClient(client, governor, () => (signal.aborted ? Number.NEGATIVE_INFINITY : deadline), () => Date.now());
	const ended = new Promise<NetworkFailure>((resolve) => {
		if (signal.aborted) resolve(NOT_SENT);
		signal.addEventListener('abort', () => resolve(NOT_SENT), { once: true });
	});
	const orEnd = async (answer: Promise<HttpAnswer | NetworkFailure>) => await Promise.race([answer, ended]);
	return {
		origin: client.origin,
		generate: async (body, key) => await orEnd(paced.generate(body, key)),
		status: async (jobId) => await orEnd(paced.status(jobId)),
		downloadFile: async (url) => await paced.downloadFile(url),
	};
}
