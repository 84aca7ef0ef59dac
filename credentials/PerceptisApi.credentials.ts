import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * The request the credential dialog's Test button sends.
 *
 * Perceptis has no endpoint that answers 2xx without starting (and paying for) a job, so the test
 * asks for the status of a job id that cannot exist: a working key gets 404 (not found), a bad or
 * revoked key 401, an organisation on an ineligible plan 403. n8n's declarative `test` only accepts
 * 2xx, so the node's `credentialTest` method (named by `testedBy`) sends this request and reads
 * the status code. It costs nothing and creates nothing.
 */
export const PERCEPTIS_CREDENTIAL_TEST_REQUEST = {
	method: 'GET',
	path: '/api/v1/status/n8n-credential-test-no-such-job',
	/** The answer that proves the key and the plan are fine. */
	expectedStatus: 404,
} as const;

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
}
