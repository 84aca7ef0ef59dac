/**
 * A stand-in for n8n's execution context that behaves like the real one where it matters to the
 * node: parameters come with the node description's defaults and `={{ $json.x }}` expressions,
 * HTTP goes over the network through axios exactly as n8n converts its request options, the
 * credential's `authenticate` block is applied the way n8n applies it, request errors are wrapped
 * in NodeApiError like n8n's helpers do, and binary data is prepared in memory like n8n's
 * default mode. End-to-end tests run the same node inside a real n8n.
 */
import axios from 'axios';
import type { AxiosRequestConfig } from 'axios';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { PerceptisApi } from '../../credentials/PerceptisApi.credentials';
import { Perceptis } from '../../nodes/Perceptis/Perceptis.node';

export interface SentRequest {
	method: string;
	url: string;
	headers: Record<string, string>;
	authenticated: boolean;
}

export interface ContextOptions {
	parameters: IDataObject | ((itemIndex: number) => IDataObject);
	items?: INodeExecutionData[];
	credentials: { apiKey: string; baseUrl: string };
	continueOnFail?: boolean;
	/** The node's "On Error" setting; Continue On Fail is on for both continue modes. */
	onError?: 'continueRegularOutput' | 'continueErrorOutput';
	/** `null`: no execution id, as outside a saved execution. */
	executionId?: string | null;
	/** The workflow's id (`getWorkflow().id`); a tool call's key depends on it. */
	workflowId?: string;
	runIndex?: number;
	abortController?: AbortController;
	/**
	 * n8n's node context (`getContext('node')`), kept with the execution's data. Pass the same
	 * object to a second run for Retry On Fail (same execution), a deep copy of it with another
	 * execution id for the executions list's Retry (which copies the failed execution's data).
	 */
	nodeContext?: IDataObject;
	/** Run as an AI agent's tool (n8n's isToolExecution()). */
	asTool?: boolean;
	/** The node's type: the tool variant n8n derives is `n8n-nodes-perceptis.perceptisTool`. */
	nodeType?: string;
}

export interface TestContext {
	ctx: IExecuteFunctions;
	sent: SentRequest[];
	node: INode;
}

const NODE_DESCRIPTION = new Perceptis().description;

function visible(property: INodeProperties, parameters: IDataObject): boolean {
	const show = property.displayOptions?.show ?? {};
	return Object.entries(show).every(([name, allowed]) =>
		(allowed as unknown[]).includes(parameters[name] ?? defaultOf(name, parameters)),
	);
}

function defaultOf(name: string, parameters: IDataObject): unknown {
	const candidates = NODE_DESCRIPTION.properties.filter((property) => property.name === name);
	const match = candidates.find((property) => visible(property, parameters)) ?? candidates[0];
	return match?.default;
}

/** Resolves the one expression form the node's defaults use: `={{ $json.path }}`. */
function resolveExpression(value: unknown, item: INodeExecutionData | undefined): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	const match = /^=\{\{\s*\$json\.([\w.]+)\s*\}\}$/.exec(value);
	if (!match) throw new Error(`The test context cannot resolve the expression ${value}`);
	return match[1].split('.').reduce<unknown>((current, key) => (current as IDataObject | undefined)?.[key], item?.json);
}

/** The header template of a generic `authenticate` block, resolved as n8n does it. */
function applyAuthenticate(options: IHttpRequestOptions, credentials: ICredentialDataDecryptedObject): IHttpRequestOptions {
	const authenticate = new PerceptisApi().authenticate;
	const headers: IDataObject = { ...(options.headers ?? {}) };
	for (const [name, template] of Object.entries(authenticate.properties.headers ?? {})) {
		headers[name] = String(template)
			.replace(/^=/, '')
			.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_all, key: string) => String(credentials[key] ?? ''));
	}
	return { ...options, headers };
}

/** n8n's conversion of IHttpRequestOptions to an axios request (the parts the node uses). */
function toAxios(options: IHttpRequestOptions): AxiosRequestConfig {
	const config: AxiosRequestConfig = {
		url: options.url,
		method: options.method ?? 'GET',
		headers: { ...(options.headers as Record<string, string>) },
		timeout: options.timeout,
		params: options.qs,
		maxRedirects: options.disableFollowRedirect ? 0 : undefined,
		signal: options.abortSignal as AbortSignal | undefined,
	};
	if (options.encoding !== undefined) config.responseType = options.encoding as AxiosRequestConfig['responseType'];
	if (options.body !== undefined && (options.method ?? 'GET').toUpperCase() !== 'GET') config.data = options.body;
	if (options.json && !Object.keys(config.headers ?? {}).some((key) => key.toLowerCase() === 'accept')) {
		config.headers = { ...config.headers, Accept: 'application/json' };
	}
	if (options.ignoreHttpStatusErrors) config.validateStatus = () => true;
	const authorization = Object.entries(options.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization');
	if (authorization && !options.disableFollowRedirect) {
		// n8n's helpers copy the credential's Authorization onto a redirect to another host
		// (sendCredentialsOnCrossOriginRedirect defaults to true); axios alone would drop it.
		config.beforeRedirect = (redirectOptions: Record<string, unknown>) => {
			const headers = (redirectOptions.headers ?? {}) as Record<string, unknown>;
			headers.authorization = String(authorization[1]);
			redirectOptions.headers = headers;
		};
	}
	return config;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
	return Buffer.concat(chunks);
}

/** The Perceptis node as a workflow holds it (for contexts and errors in tests). */
export function testNode(overrides: Partial<INode> = {}): INode {
	return {
		id: 'perceptis-node-under-test',
		name: 'Perceptis',
		type: 'n8n-nodes-perceptis.perceptis',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		...overrides,
	};
}

export function createTestContext(options: ContextOptions): TestContext {
	const items: INodeExecutionData[] = options.items ?? [{ json: {} }];
	const sent: SentRequest[] = [];
	const node = testNode({
		...(options.onError ? { onError: options.onError } : {}),
		...(options.nodeType ? { type: options.nodeType } : {}),
	});
	const parametersOf = (itemIndex: number): IDataObject =>
		typeof options.parameters === 'function' ? options.parameters(itemIndex) : options.parameters;

	const request = async (requestOptions: IHttpRequestOptions, authenticated: boolean) => {
		sent.push({
			method: requestOptions.method ?? 'GET',
			url: requestOptions.url,
			headers: Object.fromEntries(Object.entries(requestOptions.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
			authenticated,
		});
		try {
			const response = await axios.request(toAxios(requestOptions));
			if (requestOptions.returnFullResponse) {
				return { body: response.data, headers: response.headers, statusCode: response.status, statusMessage: response.statusText };
			}
			return response.data;
		} catch (error) {
			// What n8n's request helpers throw: the axios error wrapped in a NodeApiError.
			throw new NodeApiError(node, error as never);
		}
	};

	const nodeContext: IDataObject = options.nodeContext ?? {};
	const ctx = {
		getInputData: () => items,
		getNode: () => node,
		getExecutionId: () => (options.executionId === null ? undefined : (options.executionId ?? 'test-execution-1')),
		isToolExecution: () => options.asTool === true,
		getWorkflow: () => ({ id: options.workflowId ?? 'test-workflow-1', name: 'Test workflow', active: false }),
		getContext: (type: string) => {
			if (type !== 'node') throw new Error(`The test context keeps only the node context, not "${type}"`);
			return nodeContext;
		},
		getExecutionCancelSignal: () => options.abortController?.signal,
		continueOnFail: () => options.continueOnFail ?? options.onError !== undefined,
		getWorkflowDataProxy: () => ({ $runIndex: options.runIndex ?? 0 }),
		getCredentials: async () => ({ ...options.credentials }),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const parameters = parametersOf(itemIndex);
			const value = name in parameters ? parameters[name] : defaultOf(name, parameters);
			const resolved = resolveExpression(value, items[itemIndex]);
			return resolved === undefined ? fallback : resolved;
		},
		helpers: {
			httpRequest: async (requestOptions: IHttpRequestOptions) => await request(requestOptions, false),
			httpRequestWithAuthentication: async (_type: string, requestOptions: IHttpRequestOptions) => {
				const withSignal = { ...requestOptions, abortSignal: options.abortController?.signal };
				return await request(applyAuthenticate(withSignal, options.credentials), true);
			},
			prepareBinaryData: async (content: Buffer | NodeJS.ReadableStream, fileName?: string, mimeType?: string): Promise<IBinaryData> => {
				// n8n's default (memory) mode: a stream is read to its end into the item.
				const data = Buffer.isBuffer(content) ? content : await readAll(content);
				return {
				data: data.toString('base64'),
				mimeType: mimeType ?? 'application/octet-stream',
				fileName,
				fileExtension: fileName?.split('.').pop(),
				fileSize: `${data.length} B`,
				};
			},
			getBinaryDataBuffer: async (itemIndex: number, property: string) =>
				Buffer.from(items[itemIndex].binary![property].data, 'base64'),
		},
	};
	return { ctx: ctx as unknown as IExecuteFunctions, sent, node };
}

/** Evaluates `={{ js }}` with `$credentials` in scope, as n8n's expression engine would. */
function evaluateCredentialExpression(value: string, credentials: IDataObject): string {
	if (!value.startsWith('=')) return value;
	return value.slice(1).replace(/\{\{([\s\S]+?)\}\}/g, (_all, code: string) =>
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- evaluates the credential's own expression, as n8n does
		String(new Function('$credentials', `return (${code});`)(credentials)),
	);
}

interface TestRule {
	type: 'responseCode' | 'responseSuccessBody';
	properties: { value: unknown; message: string; key?: string };
}

/** lodash's `get` for dotted keys, as n8n's tester reads `responseSuccessBody` rules. */
function getPath(value: unknown, key: string): unknown {
	return key.split('.').reduce<unknown>((current, part) => (current == null ? undefined : (current as Record<string, unknown>)[part]), value);
}

/**
 * What n8n 2.x's credential tester does with the credential's declarative `test` (read in its
 * source, and pinned by the end-to-end suite on 2.41 and 1.123): resolve the request's
 * expressions, apply `authenticate`, follow no redirect when asked not to, read a `data:` URL
 * without any network, fail a status in `ignoreHttpStatusErrors.except` with the matching
 * `responseCode` rule's message (or the status text), fail the first `responseSuccessBody` rule
 * whose key (lodash get on the body) equals its value, and report a failure below HTTP as the
 * bare error code.
 */
export async function runCredentialTest(credentials: { apiKey: string; baseUrl: string }) {
	const { request, rules = [] } = new PerceptisApi().test;
	const typedRules = rules as unknown as TestRule[];
	const url = `${evaluateCredentialExpression(String(request.baseURL ?? ''), credentials)}${evaluateCredentialExpression(String(request.url ?? ''), credentials)}`;
	const options = applyAuthenticate({ url, method: request.method }, credentials);
	const ignore = request.ignoreHttpStatusErrors;
	const except = typeof ignore === 'object' ? ignore.except : [];
	let status = 200;
	let body: unknown;
	if (url.startsWith('data:')) {
		body = Buffer.from(url.slice(url.indexOf(',') + 1));
	} else {
		try {
			const response = await axios.request({
				url,
				method: options.method,
				headers: options.headers as Record<string, string>,
				maxRedirects: (request as { disableFollowRedirect?: boolean }).disableFollowRedirect ? 0 : undefined,
				validateStatus: (code) => (ignore ? !except.includes(code) : code >= 200 && code < 300),
			});
			status = response.status;
			body = response.data;
		} catch (error) {
			const failure = error as { response?: { status: number; statusText: string }; code?: string; message: string };
			if (failure.response) {
				const rule = typedRules.find(
					(candidate) => candidate.type === 'responseCode' && candidate.properties.value === failure.response!.status,
				);
				return {
					status: 'Error',
					message: rule?.properties.message ?? (failure.response.statusText || `Received HTTP status code: ${failure.response.status}`),
				};
			}
			return { status: 'Error', message: failure.code ?? failure.message };
		}
	}
	for (const rule of typedRules) {
		if (rule.type === 'responseSuccessBody' && getPath(body, rule.properties.key!) === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: status ? 'OK' : 'Error', message: 'Connection successful!' };
}
