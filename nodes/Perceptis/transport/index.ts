/**
 * The only module that talks HTTP. API requests go through n8n's
 * `httpRequestWithAuthentication`, so n8n itself adds the Bearer header from the credential;
 * file downloads go through the plain `httpRequest` so the key is never sent to the storage
 * host behind the pre-signed links.
 *
 * Every HTTP answer is returned, whatever its status (`ignoreHttpStatusErrors`): the caller
 * decides what a 404 or a 429 means. Only failures below HTTP (refused, reset, timed out,
 * cancelled) are thrown, as a `TransportFailure` that carries no request details, because n8n's
 * own error objects hold the request headers and with them the key.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { API_PREFIX, normalizeBaseUrl } from '../helpers/baseUrl';
import { TIMING } from '../helpers/timing';

export const CREDENTIAL_TYPE = 'perceptisApi';

export interface HttpAnswer {
	statusCode: number;
	headers: IDataObject;
	/** The body parsed as JSON when it is JSON, else the raw text ('' when empty). */
	body: unknown;
}

export interface FileAnswer {
	statusCode: number;
	headers: IDataObject;
	data: Buffer;
}

export class TransportFailure extends Error {
	readonly url: string;

	constructor(
		/** A network error code such as ECONNREFUSED, ETIMEDOUT or ERR_CANCELED. */
		readonly code: string,
		url: string,
	) {
		super(`${code} while requesting ${url.split('?')[0]}`);
		// The query of a pre-signed link is a credential of its own: keep only scheme, host, path.
		this.url = url.split('?')[0];
		this.name = 'TransportFailure';
	}
}

export interface PerceptisTransport {
	readonly origin: string;
	generate(body: IDataObject, idempotencyKey: string): Promise<HttpAnswer>;
	status(jobId: string): Promise<HttpAnswer>;
	downloadFile(url: string): Promise<FileAnswer>;
}

function parseBody(text: unknown): unknown {
	if (typeof text !== 'string') return text ?? '';
	const trimmed = text.trim();
	if (trimmed === '') return '';
	try {
		return JSON.parse(trimmed);
	} catch {
		return text;
	}
}

const NETWORK_CODE_PATTERN = /\b(E[A-Z_]{3,}|ERR_[A-Z_]+)\b/;

/** Digs the low-level error code out of whatever n8n or axios threw, without keeping the object. */
export function networkCodeOf(error: unknown): string {
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
		if (typeof candidate.code === 'string' && NETWORK_CODE_PATTERN.test(candidate.code)) {
			return candidate.code;
		}
		if (typeof candidate.message === 'string') {
			const match = NETWORK_CODE_PATTERN.exec(candidate.message);
			if (match) return match[1];
			if (/timeout/i.test(candidate.message)) return 'ETIMEDOUT';
			if (/cancel|abort/i.test(candidate.message)) return 'ERR_CANCELED';
		}
		current = candidate.cause;
	}
	return 'ENETWORK';
}

async function send(
	request: () => Promise<unknown>,
	url: string,
): Promise<{ statusCode: number; headers: IDataObject; body: unknown }> {
	try {
		return (await request()) as { statusCode: number; headers: IDataObject; body: unknown };
	} catch (error) {
		throw new TransportFailure(networkCodeOf(error), url);
	}
}

/** Builds the transport for one node run, reading the credential's origin once. */
export async function createTransport(ctx: IExecuteFunctions): Promise<PerceptisTransport> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const origin = normalizeBaseUrl(credentials.baseUrl);

	const apiRequest = async (options: IHttpRequestOptions): Promise<HttpAnswer> => {
		const answer = await send(
			async () =>
				await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, {
					...options,
					headers: { Accept: 'application/json', ...(options.headers ?? {}) },
					encoding: 'text',
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
				}),
			options.url,
		);
		return { statusCode: answer.statusCode, headers: answer.headers ?? {}, body: parseBody(answer.body) };
	};

	return {
		origin,
		async generate(body, idempotencyKey) {
			return await apiRequest({
				method: 'POST',
				url: `${origin}${API_PREFIX}/generate`,
				headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
				body,
				timeout: TIMING.generateRequestTimeoutMs,
			});
		},
		async status(jobId) {
			return await apiRequest({
				method: 'GET',
				url: `${origin}${API_PREFIX}/status/${encodeURIComponent(jobId)}`,
				timeout: TIMING.statusRequestTimeoutMs,
			});
		},
		async downloadFile(url) {
			// Pre-signed link, possibly on another host: plain request, no credential, no auth header.
			const answer = await send(
				async () =>
					await ctx.helpers.httpRequest({
						method: 'GET',
						url,
						encoding: 'arraybuffer',
						returnFullResponse: true,
						ignoreHttpStatusErrors: true,
						timeout: TIMING.downloadRequestTimeoutMs,
					}),
				url,
			);
			const raw = answer.body;
			const data = Buffer.isBuffer(raw)
				? raw
				: raw instanceof ArrayBuffer
					? Buffer.from(raw)
					: Buffer.from(typeof raw === 'string' ? raw : '');
			return { statusCode: answer.statusCode, headers: answer.headers ?? {}, data };
		},
	};
}
