/**
 * The only module that talks HTTP. API requests go through n8n's
 * `httpRequestWithAuthentication`, so n8n itself adds the Bearer header from the credential;
 * file downloads go through the plain `httpRequest` so the key is never sent to the storage
 * host behind the pre-signed links.
 *
 * Every HTTP answer is returned, whatever its status (`ignoreHttpStatusErrors`): the caller
 * decides what a 404 or a 429 means. API requests never follow a redirect on their own: n8n would
 * copy the Authorization header to whatever host the redirect names. A redirect within the
 * configured origin is followed here; any other comes back as the 3xx answer it is. Failures below HTTP (refused, reset, timed out, cancelled)
 * are returned as a `NetworkFailure` value that carries only the error code, because n8n's own
 * error objects hold the request headers and with them the key.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { API_PREFIX, BaseUrlError, normalizeBaseUrl } from '../helpers/baseUrl';
import { FILE_HEAD_BYTES } from '../helpers/files';
import { TIMING } from '../helpers/timing';

export const CREDENTIAL_TYPE = 'perceptisApi';

export interface HttpAnswer {
	/** The URL that gave this answer (after redirects within the origin): scheme, host and path. */
	url: string;
	statusCode: number;
	headers: IDataObject;
	/** The body parsed as JSON when it is JSON, else the raw text ('' when empty). */
	body: unknown;
}

/** A file's bytes as n8n's binary store takes them: the download stream, or a small file's bytes. */
export type FileContent = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

export interface FileAnswer {
	statusCode: number;
	headers: IDataObject;
	/** The first bytes (up to FILE_HEAD_BYTES), to tell a file from a page before keeping it. */
	head: Buffer;
	/** The whole body, head included: read it once, or `discard()` it. */
	content: FileContent;
	/** Ends the download without reading the rest. */
	discard(): void;
}

/** A request that got no HTTP answer at all: refused, reset, timed out or cancelled. */
export interface NetworkFailure {
	/** A network error code such as ECONNREFUSED, ETIMEDOUT or ERR_CANCELED. */
	networkCode: string;
	/** Scheme, host and path only: the query of a pre-signed link is a credential of its own. */
	url: string;
}

export function isNetworkFailure(value: unknown): value is NetworkFailure {
	return typeof value === 'object' && value !== null && 'networkCode' in value;
}

export interface PerceptisTransport {
	readonly origin: string;
	generate(body: IDataObject, idempotencyKey: string): Promise<HttpAnswer | NetworkFailure>;
	status(jobId: string): Promise<HttpAnswer | NetworkFailure>;
	downloadFile(url: string): Promise<FileAnswer | NetworkFailure>;
}

/** The parts of a response stream this module uses (n8n hands out a Node.js Readable). */
interface BodyStream {
	read(): Buffer | null;
	unshift(chunk: Buffer): void;
	once(event: string, listener: (...args: unknown[]) => void): unknown;
	removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
	destroy(): unknown;
	readableEnded?: boolean;
}

function isBodyStream(value: unknown): value is BodyStream {
	return typeof value === 'object' && value !== null && typeof (value as BodyStream).read === 'function';
}

/** Waits until the stream has data, ended or failed. */
async function readable(stream: BodyStream): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const done = () => {
			stream.removeListener('readable', done);
			stream.removeListener('end', done);
			stream.removeListener('error', failed);
			resolve();
		};
		const failed = (error: unknown) => {
			done();
			reject(error);
		};
		stream.once('readable', done);
		stream.once('end', done);
		stream.once('error', failed);
	});
}

/**
 * Reads the first `size` bytes of a download and puts them back, so the stream still holds the
 * whole file. A body that ended meanwhile (a small page) comes back as bytes instead.
 */
async function peek(stream: BodyStream, size: number): Promise<{ head: Buffer; content: FileContent }> {
	const chunks: Buffer[] = [];
	let length = 0;
	while (length < size && !stream.readableEnded) {
		const chunk = stream.read();
		if (chunk === null) {
			await readable(stream);
			continue;
		}
		chunks.push(chunk);
		length += chunk.length;
	}
	const head = Buffer.concat(chunks);
	if (stream.readableEnded) return { head, content: head };
	stream.unshift(head);
	return { head, content: stream as unknown as FileContent };
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

function checkedOrigin(baseUrl: unknown): string | BaseUrlError {
	try {
		return normalizeBaseUrl(baseUrl);
	} catch (error) {
		if (error instanceof BaseUrlError) return error;
		return new BaseUrlError(String(error), 'Type the origin only, for example https://app.perceptis.ai');
	}
}

/** Same-origin redirects followed for one API request, at most (a loop ends as the 3xx it is). */
const MAX_SAME_ORIGIN_REDIRECTS = 5;

/**
 * The next URL of a redirect that stays within the configured origin, or undefined. 307/308 keep
 * the method and body; 301/302/303 are followed for GET only, since a POST turned into a GET
 * would not start the job.
 */
function sameOriginRedirect(answer: FullResponse, askedUrl: string, method: string, origin: string): string | undefined {
	const { statusCode } = answer;
	const keepsMethod = statusCode === 307 || statusCode === 308;
	const followable = keepsMethod || ([301, 302, 303].includes(statusCode) && method === 'GET');
	const location = answer.headers?.location;
	if (!followable || typeof location !== 'string') return undefined;
	try {
		const next = new URL(location, askedUrl);
		return `${next.protocol}//${next.host}` === origin ? next.toString() : undefined;
	} catch {
		return undefined;
	}
}

const withoutQuery = (url: string) => url.split('?')[0];

interface FullResponse {
	statusCode: number;
	headers: IDataObject;
	body: unknown;
}

/**
 * The code of a request that failed below HTTP. n8n enforces a request's `timeout` by aborting
 * it, which looks like a cancellation: only when the run itself ended (Stop, its deadline) is it
 * one; otherwise it is a timeout, to be retried like any other.
 */
function failureCodeOf(error: unknown, runSignal: AbortSignal | undefined): string {
	const code = networkCodeOf(error);
	return code === 'ERR_CANCELED' && !runSignal?.aborted ? 'ETIMEDOUT' : code;
}

/** Runs one request; a failure below HTTP becomes a value, so no error object (and key) travels on. */
async function send(
	request: () => Promise<unknown>,
	url: string,
	runSignal: AbortSignal | undefined,
): Promise<FullResponse | NetworkFailure> {
	try {
		return (await request()) as FullResponse;
	} catch (error) {
		return { networkCode: failureCodeOf(error, runSignal), url: withoutQuery(url) };
	}
}

/**
 * Builds the transport for one node run, reading the credential's origin once. A Base URL that
 * cannot be used comes back as the BaseUrlError (with its remedy) instead of a transport.
 */
export async function createTransport(
	ctx: IExecuteFunctions,
	/** Aborted when the run ends (Stop, its deadline): ends downloads, and tells timeouts from Stop. */
	runSignal?: AbortSignal,
): Promise<PerceptisTransport | BaseUrlError> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const origin = checkedOrigin(credentials.baseUrl);
	if (origin instanceof BaseUrlError) return origin;

	const apiRequest = async (options: IHttpRequestOptions): Promise<HttpAnswer | NetworkFailure> => {
		const method = options.method ?? 'GET';
		let url = options.url;
		for (let redirects = 0; ; redirects++) {
			const answer = await send(
				async () =>
					await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, {
						...options,
						url,
						headers: { Accept: 'application/json', ...(options.headers ?? {}) },
						encoding: 'text',
						returnFullResponse: true,
						ignoreHttpStatusErrors: true,
						disableFollowRedirect: true,
					}),
				url,
				runSignal,
			);
			if (isNetworkFailure(answer)) return answer;
			const next =
				redirects < MAX_SAME_ORIGIN_REDIRECTS ? sameOriginRedirect(answer, url, method, origin) : undefined;
			if (next === undefined) {
				return {
					url: withoutQuery(url),
					statusCode: answer.statusCode,
					headers: answer.headers ?? {},
					body: parseBody(answer.body),
				};
			}
			url = next;
		}
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
			// Pre-signed link, possibly on another host: plain request, no credential, no auth
			// header. Streamed, so no file is ever held whole in memory; n8n passes the cancel
			// signal only to authenticated requests, so Stop (and the run's end) comes in here.
			const answer = await send(
				async () =>
					await ctx.helpers.httpRequest({
						method: 'GET',
						url,
						encoding: 'stream',
						returnFullResponse: true,
						ignoreHttpStatusErrors: true,
						timeout: TIMING.downloadRequestTimeoutMs,
						abortSignal: runSignal,
					}),
				url,
				runSignal,
			);
			if (isNetworkFailure(answer)) return answer;
			const body = answer.body;
			const headers = answer.headers ?? {};
			if (!isBodyStream(body)) {
				const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : '');
				return { statusCode: answer.statusCode, headers, head: bytes, content: bytes, discard: () => undefined };
			}
			const discard = () => void body.destroy();
			if (answer.statusCode < 200 || answer.statusCode >= 300) {
				discard();
				return { statusCode: answer.statusCode, headers, head: Buffer.alloc(0), content: Buffer.alloc(0), discard };
			}
			try {
				const { head, content } = await peek(body, FILE_HEAD_BYTES);
				return { statusCode: answer.statusCode, headers, head, content, discard };
			} catch (error) {
				discard();
				return { networkCode: failureCodeOf(error, runSignal), url: withoutQuery(url) };
			}
		},
	};
}
