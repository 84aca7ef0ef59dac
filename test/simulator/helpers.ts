/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Test helpers for the simulator's own tests: real HTTP through Node's fetch, nothing mocked.
 */
import JSZip from 'jszip';
import type { KeyName, Simulator, SimulatorOptions } from '.';
import { startSimulator } from '.';
import { standIn } from '../support/standIn';

export interface Reply {
	status: number;
	headers: Headers;
	text: string;
	/** Parsed body, or undefined if it is not JSON. */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any answer's shape
	json: any;
}

/** fetch's redirect modes (RequestRedirect is a DOM type, not in this project's libs). */
export type RedirectMode = 'follow' | 'manual' | 'error';

export interface CallOptions {
	/** Which simulator key to send; null sends no Authorization header. Default 'business'. */
	key?: KeyName | null;
	/** Sent as JSON (with Content-Type: application/json unless headers say otherwise). */
	body?: unknown;
	/** Sent as is. */
	rawBody?: string;
	headers?: Record<string, string>;
	/** fetch's redirect mode; 'manual' shows a redirect answer itself. Default 'follow'. */
	redirect?: RedirectMode;
}

export async function toReply(response: Response): Promise<Reply> {
	const text = await response.text();
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any answer's shape
	let json: any;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json };
}

export async function call(sim: Simulator, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
	const headers: Record<string, string> = {};
	const key = options.key === undefined ? 'business' : options.key;
	if (key) headers.authorization = `Bearer ${sim.keys[key]}`;
	let body: string | undefined = options.rawBody;
	if (options.body !== undefined) {
		headers['content-type'] = 'application/json';
		body = JSON.stringify(options.body);
	}
	Object.assign(headers, options.headers);
	return toReply(await fetch(`${sim.origin}${path}`, { method, headers, body, redirect: options.redirect }));
}

export function generate(sim: Simulator, body: unknown, options: CallOptions = {}): Promise<Reply> {
	return call(sim, 'POST', '/api/v1/generate', { ...options, body });
}

export function status(sim: Simulator, jobId: string, options: CallOptions = {}): Promise<Reply> {
	return call(sim, 'GET', `/api/v1/status/${encodeURIComponent(jobId)}`, options);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls (every 20 ms, up to timeoutMs) until the job is final; returns the final status reply. */
export async function waitFinal(sim: Simulator, jobId: string, timeoutMs = 3000, options: CallOptions = {}): Promise<Reply> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const reply = await status(sim, jobId, options);
		if (reply.status !== 200 || ['completed', 'failed'].includes(reply.json.status) || Date.now() > deadline) return reply;
		await sleep(20);
	}
}

export async function download(url: string, headers: Record<string, string> = {}, redirect: RedirectMode = 'follow') {
	const response = await fetch(url, { headers, redirect });
	const bytes = Buffer.from(await response.arrayBuffer());
	return { status: response.status, headers: response.headers, bytes, text: bytes.toString('utf8') };
}

/** Opens a .pptx (a zip; CRCs checked) and returns its file names and the text of its slides. */
export async function readPptx(bytes: Buffer) {
	const zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
	const names = Object.keys(zip.files);
	const slideNames = names.filter((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n)).sort();
	const slides = await Promise.all(slideNames.map((n) => zip.file(n)!.async('string')));
	const presentation = await zip.file('ppt/presentation.xml')?.async('string');
	return { names, slides, presentation };
}

/**
 * One simulator for a test file: started before the first test, reset before each, closed after
 * the last. The simulator exists only once `beforeAll` has run, so this hands out a stand-in that
 * forwards every property and method to it; tests write `sim.jobs()` as usual.
 */
export function useSimulator(options: SimulatorOptions = {}): Simulator {
	let current: Simulator | undefined;
	beforeAll(async () => {
		current = await startSimulator(options);
	});
	afterAll(async () => await current?.close());
	beforeEach(() => current!.reset());
	return standIn(() => current, 'The simulator');
}
