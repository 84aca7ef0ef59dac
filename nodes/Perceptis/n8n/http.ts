/**
 * The core's HTTP port on n8n's request helpers (axios underneath; n8n forbids a client of our
 * own). API requests go through `httpRequestWithAuthentication`, so n8n itself adds the Bearer
 * header from the credential; files go through the plain `httpRequest`, so the key is never
 * sent to the storage host behind a pre-signed link.
 *
 * API requests never follow a redirect here (`disableFollowRedirect`): n8n would copy the
 * Authorization header to whatever host it names. The core follows those within the origin.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { BaseUrlError, normalizeBaseUrl } from '../../../core/origin';
import type { HttpPort, HttpRequest, HttpResponse } from '../../../core/ports';
import { createPerceptisClient, type PerceptisClient } from '../../../core/wire/client';

import { DownloadSignals } from './downloadSignals';

export const CREDENTIAL_TYPE = 'perceptisApi';

interface FullResponse {
	statusCode: number;
	headers?: Record<string, unknown>;
	body: unknown;
}

function n8nOptions(request: HttpRequest, downloadSignal: AbortSignal | undefined): IHttpRequestOptions {
	const common = {
		method: request.method,
		url: request.url,
		headers: request.headers,
		timeout: request.timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	if (request.kind === 'api') {
		return { ...common, body: request.body as IDataObject | undefined, encoding: 'text', disableFollowRedirect: true };
	}
	// Streamed, so no file is ever held whole in memory. n8n passes the cancel signal only to
	// authenticated requests, so Stop (and the run's end) comes in here (downloadSignals.ts).
	return { ...common, encoding: 'stream', abortSignal: downloadSignal };
}

/** A streamed body lets go of its download's signal when it closes (read to the end, or destroyed). */
function releasedOnClose(body: unknown, release: () => void): void {
	const stream = body as { once?: (event: string, listener: () => void) => unknown } | undefined;
	if (typeof stream?.once === 'function') stream.once('close', release);
	else release();
}

export function n8nHttp(ctx: IExecuteFunctions, runSignal?: AbortSignal): HttpPort {
	const downloads = new DownloadSignals(runSignal);
	return {
		async send(request): Promise<HttpResponse> {
			if (request.kind === 'api') {
				const options = n8nOptions(request, undefined);
				const answer = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, options)) as FullResponse;
				return { statusCode: answer.statusCode, headers: answer.headers ?? {}, body: answer.body };
			}
			const { signal, release } = downloads.open();
			let answer: FullResponse | undefined;
			try {
				answer = (await ctx.helpers.httpRequest(n8nOptions(request, signal))) as FullResponse;
			} finally {
				// No answer (a reset, Stop): nothing streams on.
				if (answer) releasedOnClose(answer.body, release);
				else release();
			}
			return { statusCode: answer.statusCode, headers: answer.headers ?? {}, body: answer.body };
		},
	};
}

function checkedOrigin(baseUrl: unknown): string | BaseUrlError {
	try {
		return normalizeBaseUrl(baseUrl);
	} catch (error) {
		if (error instanceof BaseUrlError) return error;
		return new BaseUrlError(String(error), 'Type the origin only, for example https://app.perceptis.ai');
	}
}

/**
 * The Perceptis client of one node run, reading the credential's origin once. A Base URL that
 * cannot be used comes back as the BaseUrlError (with its remedy) instead of a client.
 */
export async function createClient(
	ctx: IExecuteFunctions,
	/** Aborted when the run ends (Stop, its deadline): ends downloads, and tells timeouts from Stop. */
	runSignal?: AbortSignal,
): Promise<PerceptisClient | BaseUrlError> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const origin = checkedOrigin(credentials.baseUrl);
	if (origin instanceof BaseUrlError) return origin;
	return createPerceptisClient({ origin, http: n8nHttp(ctx, runSignal), runSignal });
}
