import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { KEY_SETTINGS_HINT, PLAN_HINT } from '../nodes/Perceptis/helpers/errors';

/**
 * Statuses that mean "this key cannot be used". The test asks for the status of a job id that
 * cannot exist: a working key on an eligible plan gets 404 (free, creates nothing), which is the
 * only non-2xx answer that counts as success. n8n's declarative test otherwise accepts only 2xx,
 * and Perceptis has no endpoint that answers 2xx without starting a paid job.
 */
const FAILING_TEST_STATUSES = Array.from({ length: 200 }, (_, index) => 400 + index).filter(
	(status) => status !== 404,
);

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
			// The origin as the node normalises it: no trailing slash, no /api or /api/v1 suffix.
			baseURL:
				'={{ String($credentials.baseUrl || "https://app.perceptis.ai").trim().replace(/\\/+$/, "").replace(/\\/api(\\/v1)?$/, "") }}',
			url: '/api/v1/status/n8n-credential-test-no-such-job',
			method: 'GET',
			ignoreHttpStatusErrors: { ignore: true, except: FAILING_TEST_STATUSES },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: `The API key is invalid or revoked (HTTP 401). ${KEY_SETTINGS_HINT}`,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: `The key is valid, but its organisation's plan does not include API access (HTTP 403). ${PLAN_HINT}`,
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 429,
					message: 'Perceptis is rate-limiting this key (HTTP 429). Wait a minute and test again.',
				},
			},
		],
	};
}
