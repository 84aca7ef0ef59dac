/**
 * What a host plugs into the core. The core states the Perceptis rules and keeps no connection,
 * timer, storage or log of its own: n8n lends its request helpers, `sleep`, node context and
 * logger; Node-RED its HTTP client, timers, context and `node.log`. Each port is the least the
 * core needs, so an adapter is a few lines and a test double fewer.
 */
import type { JsonObject } from './json';

/** One HTTP request as the core words it (the URL and every header but the key's). */
export interface HttpRequest {
	method: 'GET' | 'POST';
	url: string;
	headers: Record<string, string>;
	/** A JSON body, for POST. */
	body?: JsonObject;
	timeoutMs: number;
	/**
	 * `api`: to the configured origin. The host adds the key (`Authorization: Bearer …`), returns
	 * the body as text and follows no redirect: the core follows those within the origin itself,
	 * so the key never goes elsewhere.
	 * `file`: a pre-signed download link, possibly on another host. Sent WITHOUT the key; the body
	 * comes back as a stream (a `BodyStream`, or bytes), redirects may be followed.
	 */
	kind: 'api' | 'file';
}

export interface HttpResponse {
	statusCode: number;
	/** Header names in lower case. */
	headers: Record<string, unknown>;
	/** `api`: the body text; `file`: a BodyStream, or the bytes. */
	body: unknown;
}

/** The host's HTTP client. */
export interface HttpPort {
	/**
	 * Sends one request and returns the answer, whatever its status. Throws only when no HTTP
	 * answer came (refused, reset, timed out, cancelled); the core reads the error's code and
	 * drops the error itself, since a host's error object may hold the request's headers.
	 */
	send(request: HttpRequest): Promise<HttpResponse>;
}

/** The parts of a response stream the core uses (a Node.js Readable has them all). */
export interface BodyStream {
	read(): Buffer | null;
	unshift(chunk: Buffer): void;
	once(event: string, listener: (...args: unknown[]) => void): unknown;
	removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
	destroy(): unknown;
	readableEnded?: boolean;
}

/** Time as the job runner sees it: the host's clock, and a sleep that ends early when told. */
export interface RunClock {
	now(): number;
	/** Resolves after `ms`, when `wake` settles, or at once when the run is cancelled. */
	sleep(ms: number, wake?: Promise<unknown>): Promise<void>;
	/** The user stopped the run (n8n's Stop, a Node-RED redeploy): nothing more may be sent. */
	cancelled(): boolean;
}

/** Where the host keeps small records that must outlive one run (the job ledger). */
export interface RecordStore<T> {
	get(key: string): T | undefined;
	set(key: string, value: T): void;
}

/** The host's log. Messages carry job ids, never a key. */
export interface Logger {
	info(message: string, meta?: JsonObject): void;
	warn(message: string, meta?: JsonObject): void;
}
