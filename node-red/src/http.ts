/* eslint-disable @n8n/community-nodes/no-restricted-imports -- Node-RED runtime, not part of the n8n package */

/**
 * The core's HTTP port on axios. axios reads http_proxy, https_proxy and no_proxy from the
 * environment (through proxy-from-env; HTTPS goes through the proxy in a CONNECT tunnel), as
 * Node-RED's own http request node does, so a Node-RED behind a proxy reaches Perceptis
 * without a setting of ours.
 *
 * - API requests carry the key (`Authorization: Bearer …`, added here and nowhere else), get
 *   their body as text and follow no redirect: the core follows one only within the origin, so
 *   the key never goes to another host.
 * - File downloads go without the key to pre-signed links, possibly on another host, and come
 *   back as a stream; axios follows their redirects.
 * - A request that got no answer rejects with axios's error, which holds the request's headers
 *   and with them the key: the core reduces it to its code at once (core/wire/client.ts), and
 *   nothing here keeps or logs it.
 */
import axios, { type AxiosResponse } from 'axios';

import type { HttpPort, HttpRequest, HttpResponse } from '../../core/ports';

/** Redirects a download link may take (storage hosts answer links with one or two). */
const FILE_REDIRECTS = 5;

/** Every answer comes back as it is: the core decides what a 404 or a 429 means. */
const client = axios.create({ validateStatus: () => true });

function headersOf(response: AxiosResponse): Record<string, unknown> {
	const headers: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(response.headers ?? {})) headers[name.toLowerCase()] = value;
	return headers;
}

async function send(request: HttpRequest, apiKey: string, signal: AbortSignal | undefined): Promise<HttpResponse> {
	const isApi = request.kind === 'api';
	const response = await client.request({
		method: request.method,
		url: request.url,
		headers: isApi ? { ...request.headers, Authorization: `Bearer ${apiKey}` } : request.headers,
		data: request.body,
		timeout: request.timeoutMs,
		signal,
		maxRedirects: isApi ? 0 : FILE_REDIRECTS,
		responseType: isApi ? 'text' : 'stream',
		// The API's body stays text; the core parses it (and keeps an odd answer as it came).
		transformResponse: isApi ? [(data: unknown) => data] : undefined,
	});
	return { statusCode: response.status, headers: headersOf(response), body: response.data };
}

/** The port for one run: `apiKey` is read per request, `signal` ends every request of the run. */
export function axiosHttp(apiKey: () => string, signal?: AbortSignal): HttpPort {
	return { send: async (request) => await send(request, apiKey(), signal) };
}
