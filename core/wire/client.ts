/**
 * The Perceptis client: the only place that builds the API's URLs and headers, and the rules
 * every request follows whichever host sends it (the host's HTTP client comes in through
 * `HttpPort`):
 *
 * - API requests go to the configured origin only, with the key (the host adds it), and follow
 *   a redirect only within that origin (redirects.ts); any other comes back as its 3xx answer.
 * - File downloads go to pre-signed links, possibly on another host, never with the key, and
 *   are streamed: only the first bytes are read here (stream.ts).
 * - Every HTTP answer comes back whatever its status: the caller decides what a 404 or a 429
 *   means. No answer at all comes back as a `NetworkFailure` holding only the error code.
 */
import type { JsonObject } from '../json';
import { API_PREFIX } from '../origin';
import type { HttpPort, HttpRequest, HttpResponse } from '../ports';
import { TIMING } from '../pacing/timing';
import { isNetworkFailure, isSuccess, networkCodeOf, withoutQuery } from './http';
import type { FileAnswer, HttpAnswer, NetworkFailure } from './http';
import { MAX_SAME_ORIGIN_REDIRECTS, sameOriginRedirect } from './redirects';
import { FILE_HEAD_BYTES, isBodyStream, peek } from './stream';

export interface PerceptisClient {
	readonly origin: string;
	generate(body: JsonObject, idempotencyKey: string): Promise<HttpAnswer | NetworkFailure>;
	status(jobId: string): Promise<HttpAnswer | NetworkFailure>;
	downloadFile(url: string): Promise<FileAnswer | NetworkFailure>;
}

export interface ClientOptions {
	/** The origin as `normalizeBaseUrl` returns it (origin.ts). */
	origin: string;
	http: HttpPort;
	/** Aborted when the run ends (Stop, its deadline): ends downloads, and tells timeouts from Stop. */
	runSignal?: AbortSignal;
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

/**
 * The code of a request that failed below HTTP. A host may enforce a request's timeout by
 * aborting it, which looks like a cancellation: only when the run itself ended (Stop, its
 * deadline) is it one; otherwise it is a timeout, to be retried like any other.
 */
function failureCodeOf(error: unknown, runSignal: AbortSignal | undefined): string {
	const code = networkCodeOf(error);
	return code === 'ERR_CANCELED' && !runSignal?.aborted ? 'ETIMEDOUT' : code;
}

/** Sends one request; a failure below HTTP becomes a value, so no error object (and key) travels on. */
async function send(
	http: HttpPort,
	request: HttpRequest,
	runSignal: AbortSignal | undefined,
): Promise<HttpResponse | NetworkFailure> {
	try {
		return await http.send(request);
	} catch (error) {
		return { networkCode: failureCodeOf(error, runSignal), url: withoutQuery(request.url) };
	}
}

/** An API request, following redirects within the origin only. */
async function apiRequest(options: ClientOptions, request: HttpRequest): Promise<HttpAnswer | NetworkFailure> {
	let url = request.url;
	for (let redirects = 0; ; redirects++) {
		const answer = await send(options.http, { ...request, url }, options.runSignal);
		if (isNetworkFailure(answer)) return answer;
		const next =
			redirects < MAX_SAME_ORIGIN_REDIRECTS ? sameOriginRedirect(answer, url, request.method, options.origin) : undefined;
		if (next === undefined) {
			return { url: withoutQuery(url), statusCode: answer.statusCode, headers: answer.headers, body: parseBody(answer.body) };
		}
		url = next;
	}
}

/** A download: the first bytes read and put back, the rest left to stream into the host's store. */
async function fileRequest(options: ClientOptions, url: string): Promise<FileAnswer | NetworkFailure> {
	const request: HttpRequest = {
		kind: 'file',
		method: 'GET',
		url,
		headers: {},
		timeoutMs: TIMING.downloadRequestTimeoutMs,
	};
	const answer = await send(options.http, request, options.runSignal);
	if (isNetworkFailure(answer)) return answer;
	const { body, headers, statusCode } = answer;
	if (!isBodyStream(body)) {
		const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : '');
		return { statusCode, headers, head: bytes, content: bytes, discard: () => undefined };
	}
	const discard = () => void body.destroy();
	if (!isSuccess(statusCode)) {
		discard();
		return { statusCode, headers, head: Buffer.alloc(0), content: Buffer.alloc(0), discard };
	}
	try {
		const { head, content } = await peek(body, FILE_HEAD_BYTES);
		return { statusCode, headers, head, content, discard };
	} catch (error) {
		discard();
		return { networkCode: failureCodeOf(error, options.runSignal), url: withoutQuery(url) };
	}
}

export function createPerceptisClient(options: ClientOptions): PerceptisClient {
	const { origin } = options;
	return {
		origin,
		generate: async (body, idempotencyKey) =>
			await apiRequest(options, {
				kind: 'api',
				method: 'POST',
				url: `${origin}${API_PREFIX}/generate`,
				headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
				body,
				timeoutMs: TIMING.generateRequestTimeoutMs,
			}),
		status: async (jobId) =>
			await apiRequest(options, {
				kind: 'api',
				method: 'GET',
				url: `${origin}${API_PREFIX}/status/${encodeURIComponent(jobId)}`,
				headers: { Accept: 'application/json' },
				timeoutMs: TIMING.statusRequestTimeoutMs,
			}),
		downloadFile: async (url) => await fileRequest(options, url),
	};
}
