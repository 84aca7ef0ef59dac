/**
 * The config dialog's Test button: an admin endpoint (only for users who may change config
 * nodes), called by the editor with a relative URL so its admin token goes along. It asks the
 * core whether the key works (core/wire/keyCheck.ts: one status check of a job that cannot
 * exist, no credits spent) and answers in the core's words; it never sends the key back.
 *
 * The key is the one typed in the dialog (a config node not deployed yet has no other), or, when
 * the dialog holds Node-RED's placeholder for a stored key, the stored one, else the named
 * environment variable.
 */
import { describeFailure } from '../../core/errors/table';
import { isObject } from '../../core/json';
import { checkKey, keyWorksMessage } from '../../core/wire/keyCheck';
import { createPerceptisClient } from '../../core/wire/client';
import { axiosHttp } from './http';
import type { AdminRequest, AdminResponse, NodeRedApi } from './red';
import { keyOf, originOf } from './server';
import { NODE_RED_WORDS } from './words';

export const TEST_BUTTON_ROUTE = '/perceptis/test-key';
/** What the editor holds for a stored credential (it never sees the key itself). */
const STORED_PLACEHOLDER = '__PWRD__';

export interface KeyTestAnswer {
	ok: boolean;
	message: string;
	description?: string;
	code?: string;
	httpCode?: number;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

export async function testKey(RED: NodeRedApi, body: unknown): Promise<KeyTestAnswer> {
	const fields = isObject(body) ? body : {};
	const id = text(fields.id);
	const typed = text(fields.apiKey);
	const stored = id ? RED.nodes.getCredentials(id)?.apiKey : undefined;
	const apiKey = keyOf(RED, null, typed && typed !== STORED_PLACEHOLDER ? typed : stored, fields.apiKeyEnv);
	if (!apiKey) {
		return { ok: false, code: 'no_api_key', message: 'There is no API key to test: type it in the API Key field, or name the environment variable that holds it.' };
	}
	const checked = originOf(fields.baseUrl);
	if ('problem' in checked) return { ok: false, code: checked.problem.code, message: checked.problem.message };
	const client = createPerceptisClient({ origin: checked.origin, http: axiosHttp(() => apiKey) });
	const verdict = await checkKey(client, Date.now());
	if (verdict.works) return { ok: true, message: keyWorksMessage(checked.origin) };
	const facts = describeFailure(verdict.failure, { itemIndex: 0, origin: checked.origin }, NODE_RED_WORDS);
	return { ok: false, code: facts.code, message: facts.message, description: facts.description, ...(facts.httpCode ? { httpCode: facts.httpCode } : {}) };
}

export function registerKeyTest(RED: NodeRedApi): void {
	RED.httpAdmin.post(TEST_BUTTON_ROUTE, RED.auth.needsPermission('perceptis-config.write'), (req: AdminRequest, res: AdminResponse) => {
		testKey(RED, req.body).then(
			(answer) => res.json(answer),
			() => res.status(500).json({ ok: false, message: 'The test could not be run; see the Node-RED log.' }),
		);
	});
}
