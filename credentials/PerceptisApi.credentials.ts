import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { PLAN_HINT } from '../core/errors/table';
import { API_PREFIX, checkOrigin, ORIGIN_REFUSAL_HINTS, ORIGIN_REFUSALS } from '../core/origin';
import { KEY_SETTINGS_HINT } from '../nodes/Perceptis/n8n/words';

/**
 * How the Test button works, and why it looks like this. Perceptis has no endpoint that answers
 * 2xx without starting a paid job, so the test asks for the status of a job id that cannot exist:
 * a working key on an eligible plan gets a JSON 404, which is the one answer that counts as
 * success. n8n's declarative test (the only form its package scanner accepts) then needs:
 *
 * - the Base URL checked by the node's own rules (`checkOrigin`, run by n8n's expression engine):
 *   a refused origin becomes a `data:` URL holding the refusal's letter, so nothing leaves the
 *   machine (and no key goes over plain http), and a body rule names the reason;
 * - no redirects followed: n8n would copy the key to whatever host a redirect names;
 * - every status but 200 and 404 failing, with words for the ones that mean something;
 * - a body that is Perceptis-shaped (it has `error`): any web server answers 404 to an unknown path.
 *
 * n8n 1.x ignores the status list and the status messages (README, Compatibility): there the body
 * rules alone decide, and the documented error codes give 401, 403 and 429 their words.
 */
const TEST_PATH = `${API_PREFIX}/status/n8n-credential-test-no-such-job`;

const TEST_URL = `={{ (function (verdict) { return verdict.charAt(0) === '!' ? 'data:text/plain,' + verdict.charAt(1) : verdict + '${TEST_PATH}'; })((${checkOrigin.toString()})($credentials.baseUrl)) }}`;

const FAILING_TEST_STATUSES = Array.from({ length: 300 }, (_, index) => 300 + index).filter(
	(status) => status !== 404,
);

const KEY_REFUSED = `The API key is invalid or revoked (HTTP 401). ${KEY_SETTINGS_HINT}`;
const PLAN_REFUSED = `The key is valid, but its organisation's plan does not include API access (HTTP 403). ${PLAN_HINT}`;
const RATE_LIMITED = 'Perceptis is rate-limiting this key (HTTP 429). Wait a minute and test again.';
const REDIRECTED =
	'The Base URL redirects elsewhere; the test did not follow it, so the API key was not sent there. Type the origin Perceptis gave you, for example https://app.perceptis.ai.';
const SERVER_ERROR = 'Perceptis answered with a server error. Try again in a few minutes.';
const NOT_PERCEPTIS =
	'The Base URL did not answer like the Perceptis API. Check that it is the Perceptis origin, for example https://app.perceptis.ai (a proxy, a sign-in page or another web application may be answering), and that the API key is complete.';

const statusRule = (value: number, message: string) => ({ type: 'responseCode' as const, properties: { value, message } });
const bodyRule = (key: string, value: unknown, message: string) => ({
	type: 'responseSuccessBody' as const,
	properties: { key, value, message },
});

export class PerceptisApi implements ICredentialType {
	name = 'perceptisApi';

	displayName = 'Perceptis API';

	icon: Icon = {
		light: 'file:perceptis.svg',
		dark: 'file:perceptis.dark.svg',
	};

	documentationUrl = 'https://docs.perceptis.ai/perceptis-api-v1/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'Create a key in Perceptis under Developer Settings; it is shown only once. API access needs a paid Business or Enterprise plan.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://app.perceptis.ai',
			description:
				'The Perceptis origin, without a path. Leave the default unless Perceptis gave you another origin.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			url: TEST_URL,
			method: 'GET',
			disableFollowRedirect: true,
			ignoreHttpStatusErrors: { ignore: true, except: FAILING_TEST_STATUSES },
		} as IHttpRequestOptions,
		// n8n types the rules as all of one kind; its tester reads each rule by its own type.
		rules: [
			statusRule(401, KEY_REFUSED),
			statusRule(403, PLAN_REFUSED),
			statusRule(429, RATE_LIMITED),
			...[301, 302, 303, 307, 308].map((status) => statusRule(status, REDIRECTED)),
			...[500, 502, 503, 504].map((status) => statusRule(status, SERVER_ERROR)),
			// A refused Base URL: the data: URL's body is a Buffer, whose byte 0 is the letter.
			...Object.values(ORIGIN_REFUSALS).map((letter) => bodyRule('0', letter.charCodeAt(0), ORIGIN_REFUSAL_HINTS[letter])),
			// n8n 1.x shows every status as a body: the documented codes still get their words.
			bodyRule('error.code', 'unauthorized', KEY_REFUSED),
			bodyRule('error.code', 'forbidden', PLAN_REFUSED),
			bodyRule('error.code', 'rate_limit_exceeded', RATE_LIMITED),
			bodyRule('error', undefined, NOT_PERCEPTIS),
		] as unknown as ICredentialTestRequest['rules'],
	};
}
