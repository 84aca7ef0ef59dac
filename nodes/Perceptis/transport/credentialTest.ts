/**
 * The credential dialog's Test button. It sends the request defined next to the credential (a
 * status check of a job id that cannot exist: free, creates nothing) and reads the status code,
 * which n8n's declarative tests cannot do: 404 means the key and the plan are fine, 401 a bad
 * key, 403 an ineligible plan.
 */
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { networkCodeOf } from './index';
import { PERCEPTIS_CREDENTIAL_TEST_REQUEST } from '../../../credentials/PerceptisApi.credentials';
import { BaseUrlError, normalizeBaseUrl } from '../helpers/baseUrl';
import { KEY_SETTINGS_HINT, PLAN_HINT } from '../helpers/errors';
import { TIMING } from '../helpers/timing';

export async function testPerceptisCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	let origin: string;
	try {
		origin = normalizeBaseUrl(data.baseUrl);
	} catch (error) {
		if (error instanceof BaseUrlError) return { status: 'Error', message: `${error.message}. ${error.remedy}.` };
		throw error;
	}
	const apiKey = typeof data.apiKey === 'string' ? data.apiKey.trim() : '';
	if (apiKey === '') {
		return { status: 'Error', message: `The API Key is empty. ${KEY_SETTINGS_HINT}` };
	}

	let statusCode: number;
	try {
		const response = (await this.helpers.request({
			method: PERCEPTIS_CREDENTIAL_TEST_REQUEST.method,
			uri: `${origin}${PERCEPTIS_CREDENTIAL_TEST_REQUEST.path}`,
			// The credential test gets no authenticated request helper, so the header that the
			// credential's `authenticate` block adds everywhere else is set here, in the same form.
			headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' },
			simple: false,
			resolveWithFullResponse: true,
			timeout: TIMING.credentialTestTimeoutMs,
		})) as { statusCode: number };
		statusCode = response.statusCode;
	} catch (error) {
		return {
			status: 'Error',
			message: `Could not reach Perceptis at ${origin} (${networkCodeOf(error)}). Check the Base URL and that this n8n instance can reach it.`,
		};
	}

	if (statusCode === PERCEPTIS_CREDENTIAL_TEST_REQUEST.expectedStatus || (statusCode >= 200 && statusCode < 300)) {
		return {
			status: 'OK',
			message: `Connection successful: the API key works and its organisation's plan includes API access (checked at ${origin} without starting a job).`,
		};
	}
	if (statusCode === 401) {
		return { status: 'Error', message: `The API key is invalid or revoked (HTTP 401). ${KEY_SETTINGS_HINT}` };
	}
	if (statusCode === 403) {
		return {
			status: 'Error',
			message: `The key is valid, but its organisation's plan does not include API access (HTTP 403). ${PLAN_HINT}`,
		};
	}
	if (statusCode === 429) {
		return { status: 'Error', message: 'Perceptis is rate-limiting this key (HTTP 429). Wait a minute and test again.' };
	}
	return {
		status: 'Error',
		message: `Perceptis answered HTTP ${statusCode} at ${origin}. Check the Base URL (the origin only, e.g. https://app.perceptis.ai) and try again.`,
	};
}
