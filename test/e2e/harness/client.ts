/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-hardcoded-secrets -- test code: runs in Node under jest, never inside n8n */
/**
 * Drives a running n8n the way a person (editor, REST with the session cookie) or an integration
 * (public API with an API key) would. HTTP only to 127.0.0.1.
 */
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, type Method } from 'axios';

export const OWNER = {
	email: 'owner@perceptis-e2e.test',
	firstName: 'Ada',
	lastName: 'Owner',
	password: 'E2e-Password-1234',
};

/** The editor sends a browser id; n8n ties the session cookie to it for some endpoints. */
const BROWSER_ID = 'perceptis-e2e-browser';

export interface CredentialRef {
	id: string;
	name: string;
	type: string;
}

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	[key: string]: unknown;
}

export interface WorkflowDefinition {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
}

export interface Execution {
	id: string | number;
	finished: boolean;
	mode: string;
	status: string;
	workflowId: string;
	startedAt: string;
	stoppedAt: string | null;
	data?: {
		resultData: {
			runData: Record<string, Array<NodeRun>>;
			error?: { message: string; description?: string | null; [key: string]: unknown };
			lastNodeExecuted?: string;
		};
	};
	[key: string]: unknown;
}

export interface NodeRun {
	executionStatus?: string;
	error?: { message: string; description?: string | null; httpCode?: string; [key: string]: unknown };
	data?: {
		main: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, BinaryMeta>; pairedItem?: unknown }> | null>;
	};
	[key: string]: unknown;
}

export interface BinaryMeta {
	fileName?: string;
	mimeType?: string;
	fileExtension?: string;
	fileSize?: string;
	id?: string;
	data?: string;
	[key: string]: unknown;
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

export class HttpError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly body: unknown,
	) {
		super(message);
	}
}

function summarize(response: AxiosResponse): string {
	const body = typeof response.data === 'string' ? response.data : JSON.stringify(response.data);
	return `${response.config.method?.toUpperCase()} ${response.config.url} → ${response.status}: ${(body ?? '').slice(0, 500)}`;
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

export class N8nClient {
	readonly http: AxiosInstance;
	cookie?: string;
	apiKey?: string;

	constructor(readonly baseUrl: string) {
		this.http = axios.create({
			baseURL: baseUrl,
			proxy: false,
			validateStatus: () => true,
			timeout: 120_000,
			maxContentLength: Infinity,
			maxBodyLength: Infinity,
		});
	}

	/** A client signed in as the owner (set up on first use) and holding a public API key. */
	static async ready(baseUrl: string): Promise<N8nClient> {
		const client = new N8nClient(baseUrl);
		await client.signIn();
		await client.createApiKey();
		return client;
	}

	private expectOk(response: AxiosResponse): void {
		if (response.status < 200 || response.status >= 300) {
			throw new HttpError(summarize(response), response.status, response.data);
		}
	}

	private takeCookie(response: AxiosResponse): void {
		const setCookie = response.headers['set-cookie'] ?? [];
		const auth = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (!auth) throw new Error(`no n8n-auth cookie in ${summarize(response)}`);
		this.cookie = auth;
	}

	/** Sets the owner up (first run of an instance) or signs in (a reused user folder). Returns the cookie. */
	async signIn(owner = OWNER): Promise<string> {
		const setup = await this.http.post('/rest/owner/setup', owner, { headers: { 'browser-id': BROWSER_ID } });
		if (setup.status === 200) {
			this.takeCookie(setup);
			return this.cookie as string;
		}
		const login = await this.http.post(
			'/rest/login',
			{ emailOrLdapLoginId: owner.email, email: owner.email, password: owner.password },
			{ headers: { 'browser-id': BROWSER_ID } },
		);
		if (login.status !== 200) {
			throw new Error(`owner setup failed (${summarize(setup)}) and so did sign-in (${summarize(login)})`);
		}
		this.takeCookie(login);
		return this.cookie as string;
	}

	/** A REST call with the session cookie, as the editor makes it; returns `.data` of n8n's envelope. */
	async rest<T = unknown>(method: Method, url: string, data?: unknown, config: AxiosRequestConfig = {}): Promise<T> {
		const response = await this.restRaw(method, url, data, config);
		this.expectOk(response);
		const body = response.data as { data?: T };
		return (body && typeof body === 'object' && 'data' in body ? body.data : body) as T;
	}

	async restRaw(method: Method, url: string, data?: unknown, config: AxiosRequestConfig = {}): Promise<AxiosResponse> {
		if (!this.cookie) throw new Error('not signed in: call signIn() first');
		return await this.http.request({
			method,
			url: `/rest${url}`,
			data,
			...config,
			headers: { cookie: this.cookie, 'browser-id': BROWSER_ID, ...(config.headers ?? {}) },
		});
	}

	/** Creates a public API key with every scope the instance offers. */
	async createApiKey(label = `e2e-${Date.now()}`): Promise<string> {
		let scopes: string[] | undefined;
		const scopesResponse = await this.restRaw('GET', '/api-keys/scopes');
		if (scopesResponse.status === 200) scopes = (scopesResponse.data as { data: string[] }).data;
		const created = await this.rest<{ rawApiKey?: string; apiKey?: string }>('POST', '/api-keys', {
			label,
			...(scopes ? { scopes } : {}),
			expiresAt: null,
		});
		const key = created.rawApiKey ?? created.apiKey;
		if (!key) throw new Error(`no key in the API key response: ${JSON.stringify(created)}`);
		this.apiKey = key;
		return key;
	}

	/** A public API call (`/api/v1…`) with the API key. */
	async api<T = unknown>(method: Method, url: string, data?: unknown, config: AxiosRequestConfig = {}): Promise<T> {
		const response = await this.apiRaw(method, url, data, config);
		this.expectOk(response);
		return response.data as T;
	}

	async apiRaw(method: Method, url: string, data?: unknown, config: AxiosRequestConfig = {}): Promise<AxiosResponse> {
		if (!this.apiKey) throw new Error('no API key: call createApiKey() first');
		return await this.http.request({
			method,
			url: `/api/v1${url}`,
			data,
			...config,
			headers: { 'X-N8N-API-KEY': this.apiKey, ...(config.headers ?? {}) },
		});
	}

	/**
	 * Saves a credential the way the editor's dialog does (POST /rest/credentials, cookie auth).
	 * Not the public API: n8n 1.123's public API schema demands `allowedDomains` (a field n8n adds to
	 * every credential with an `authenticate` block) and rejects a plain {apiKey, baseUrl}.
	 */
	async createCredential(input: { name: string; type: string; data: Record<string, unknown> }): Promise<CredentialRef> {
		const created = await this.rest<{ id: string; name: string; type: string }>('POST', '/credentials', input);
		return { id: String(created.id), name: created.name, type: created.type };
	}

	/** Saves a credential through the public API (`POST /api/v1/credentials`, API key auth). */
	async createCredentialViaApi(input: { name: string; type: string; data: Record<string, unknown> }): Promise<CredentialRef> {
		const created = await this.api<{ id: string; name: string; type: string }>('POST', '/credentials', input);
		return { id: String(created.id), name: created.name, type: created.type };
	}

	/**
	 * What the credential dialog's Test button sends (POST /rest/credentials/test, cookie auth): the
	 * saved credential's id, name, type and the form's data. Returns `{status: 'OK'|'Error', message}`.
	 */
	async testCredential(details: { id: string; name: string; type: string; data: Record<string, unknown> }): Promise<CredentialTestResult> {
		return await this.rest<CredentialTestResult>('POST', '/credentials/test', { credentials: details });
	}

	/** The dialog's flow: save the credential, then test it. */
	async saveAndTestCredential(input: { name: string; type: string; data: Record<string, unknown> }): Promise<CredentialTestResult & { credential: CredentialRef }> {
		const credential = await this.createCredential(input);
		const result = await this.testCredential({ ...credential, data: input.data });
		return { ...result, credential };
	}

	async createWorkflow(workflow: WorkflowDefinition): Promise<{ id: string; [key: string]: unknown }> {
		const created = await this.api<{ id: string }>('POST', '/workflows', {
			settings: { executionOrder: 'v1', saveManualExecutions: true },
			...workflow,
		});
		return { ...created, id: String(created.id) };
	}

	async getWorkflow(workflowId: string): Promise<WorkflowDefinition & { id: string }> {
		return await this.api<WorkflowDefinition & { id: string }>('GET', `/workflows/${workflowId}`);
	}

	/** Saves a changed workflow (the public API's PUT takes name, nodes, connections and settings). */
	async updateWorkflow(workflowId: string, workflow: WorkflowDefinition): Promise<void> {
		const { name, nodes, connections, settings } = workflow;
		await this.api('PUT', `/workflows/${workflowId}`, { name, nodes, connections, settings });
	}

	async activate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/activate`, {});
	}

	async deactivate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/deactivate`, {});
	}

	/** Creates and activates a workflow. */
	async deploy(workflow: WorkflowDefinition): Promise<string> {
		const { id } = await this.createWorkflow(workflow);
		await this.activate(id);
		return id;
	}

	/**
	 * Calls a production webhook. Right after activation n8n 2.x answers 404 "not registered" for a
	 * moment: that is retried for `registerTimeoutMs`.
	 */
	async runWebhook(
		webhookPath: string,
		body?: unknown,
		options: { method?: Method; responseType?: 'json' | 'arraybuffer' | 'text'; registerTimeoutMs?: number; timeoutMs?: number } = {},
	): Promise<AxiosResponse> {
		const deadline = Date.now() + (options.registerTimeoutMs ?? 15_000);
		for (;;) {
			const response = await this.http.request({
				method: options.method ?? 'POST',
				url: `/webhook/${webhookPath}`,
				data: body,
				responseType: options.responseType ?? 'json',
				timeout: options.timeoutMs ?? 180_000,
			});
			if (response.status === 404 && Date.now() < deadline) {
				const text = Buffer.isBuffer(response.data) ? response.data.toString() : JSON.stringify(response.data);
				if (/not registered/i.test(text)) {
					await sleep(100);
					continue;
				}
			}
			return response;
		}
	}

	async getExecutions(
		options: { workflowId?: string; includeData?: boolean; status?: string; limit?: number } = {},
	): Promise<Execution[]> {
		const params: Record<string, string> = { limit: String(options.limit ?? 100) };
		if (options.workflowId) params.workflowId = options.workflowId;
		if (options.includeData) params.includeData = 'true';
		if (options.status) params.status = options.status;
		const result = await this.api<{ data: Execution[] }>('GET', '/executions', undefined, { params });
		return result.data;
	}

	async getExecution(id: string | number, includeData = true): Promise<Execution> {
		return await this.api<Execution>('GET', `/executions/${id}`, undefined, {
			params: { includeData: String(includeData) },
		});
	}

	/** The bytes of a binary item: inline base64 (n8n's default mode) or, by id, the editor's download endpoint. */
	async binaryBytes(meta: BinaryMeta): Promise<Buffer> {
		if (meta.id) {
			const response = await this.restRaw('GET', '/binary-data', undefined, {
				params: { id: meta.id, action: 'download' },
				responseType: 'arraybuffer',
			});
			if (response.status !== 200) throw new Error(`binary ${meta.id}: HTTP ${response.status}`);
			return Buffer.from(response.data as ArrayBuffer);
		}
		return Buffer.from(String(meta.data), 'base64');
	}

	/** The editor's Stop button for a running execution. */
	async stopExecution(id: string | number): Promise<void> {
		await this.rest('POST', `/executions/${id}/stop`, {});
	}

	/**
	 * The Retry of a failed execution in the executions list: "with the original workflow"
	 * (`loadWorkflow` false) or "with the currently saved workflow" (true). n8n runs it as a new
	 * execution (mode "retry") and answers when it has ended; returns that execution's id.
	 */
	async retryExecution(id: string | number, loadWorkflow: boolean, workflowId: string): Promise<string> {
		const before = new Set((await this.getExecutions({ workflowId })).map((e) => String(e.id)));
		await this.rest('POST', `/executions/${id}/retry`, { loadWorkflow });
		const after = await this.getExecutions({ workflowId });
		const retry = after.find((e) => !before.has(String(e.id)) && e.mode === 'retry');
		if (!retry) throw new Error(`no retry execution of ${id} appeared (executions: ${after.map((e) => `${e.id}:${e.mode}`).join(', ')})`);
		return String(retry.id);
	}

	/**
	 * Waits until the workflow has an execution in the state 'running'; returns its id. The
	 * editor's list (REST) shows running executions on 1.x and 2.x; the public API does not on 1.x.
	 */
	async waitForRunningExecution(workflowId: string, timeoutMs = 60_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const list = await this.rest<{ results?: Array<{ id: string; status: string }> }>('GET', '/executions', undefined, {
				params: { filter: JSON.stringify({ workflowId, status: ['running'] }) },
			});
			const running = (list.results ?? []).find((e) => e.status === 'running');
			if (running) return String(running.id);
			if (Date.now() > deadline) throw new Error(`workflow ${workflowId}: no running execution after ${timeoutMs} ms`);
			await sleep(100);
		}
	}

	/** Waits until `count` executions of the workflow have stopped running; returns them with data, oldest first. */
	async waitForExecutions(workflowId: string, count = 1, timeoutMs = 120_000): Promise<Execution[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const executions = await this.getExecutions({ workflowId, includeData: true });
			const done = executions.filter((e) => !['running', 'new', 'waiting'].includes(e.status) && e.stoppedAt);
			if (done.length >= count) {
				return done.sort((a, b) => Number(a.id) - Number(b.id));
			}
			if (Date.now() > deadline) {
				throw new Error(
					`workflow ${workflowId}: ${done.length}/${count} executions done after ${timeoutMs} ms (statuses: ${executions
						.map((e) => e.status)
						.join(', ')})`,
				);
			}
			await sleep(250);
		}
	}
}

/** The output items of a node's first run (main output 0). */
export function nodeOutput(execution: Execution, nodeName: string, outputIndex = 0) {
	const run = execution.data?.resultData.runData[nodeName]?.[0];
	return run?.data?.main[outputIndex] ?? [];
}

/** The error of a node's first run, as the editor shows it. */
export function nodeError(execution: Execution, nodeName: string) {
	return execution.data?.resultData.runData[nodeName]?.[0]?.error;
}
