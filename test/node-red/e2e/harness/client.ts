/**
 * A small client for Node-RED's Admin API (https://nodered.org/docs/api/admin/), the endpoints the
 * editor itself calls: the palette manager's install, the node list, deploys, the examples library.
 * Going through the same endpoints as the editor is the point: it is how a user's Node-RED meets
 * our package.
 */
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, type Method } from 'axios';

/** One node set of GET /nodes (a module has one set per entry of its `node-red.nodes`). */
export interface NodeSet {
	id: string;
	name: string;
	types: string[];
	enabled: boolean;
	local?: boolean;
	user?: boolean;
	module: string;
	version?: string;
	err?: string;
}

/** What POST /nodes answers: the installed module and its sets. */
export interface ModuleInfo {
	name: string;
	version: string;
	user?: boolean;
	nodes: NodeSet[];
}

/** A node (or tab, or subflow) of a flows file. */
export type FlowNode = { id: string; type: string; z?: string; wires?: string[][] } & Record<string, unknown>;

/** `full` restarts every node (the editor's default); `nodes` only changed ones; `reload` re-reads the file. */
export type DeploymentType = 'full' | 'nodes' | 'flows' | 'reload';

/** An entry of the examples listing: a folder name, or `{fn}` for a flow file (without `.json`). */
export type ExampleEntry = string | { fn: string };

/** What the client needs of a started Node-RED (a NodeRedInstance fits). */
export interface NodeRedTarget {
	baseUrl: string;
	adminAuth?: { username: string; password: string };
	/** With these two, deployFlows() waits until the deployed nodes run (see DEPLOY_STARTED). */
	logSize?(): number;
	waitForLog?(pattern: RegExp, options: { from: number; failOn: RegExp }): Promise<string>;
}

/**
 * What the runtime logs once a deploy's nodes run, by deployment type (full and reload: "Started
 * flows"). POST /flows answers before that: the runtime saves the flows, stops the old nodes and
 * returns the revision while the new nodes are still starting, so an http-in route of the deploy can
 * answer 404 for a moment.
 */
export const DEPLOY_STARTED = /Started (flows|modified nodes|modified flows)/;
/** A deploy that will never start: a type nobody registered. */
export const DEPLOY_STUCK = /Waiting for missing types to be registered/;

export class NodeRedClient {
	readonly http: AxiosInstance;

	constructor(
		readonly baseUrl: string,
		private readonly target?: NodeRedTarget,
	) {
		// Status checks are ours (`call`), so an error carries Node-RED's answer instead of axios's text.
		this.http = axios.create({ baseURL: baseUrl, timeout: 30_000, validateStatus: () => true, proxy: false });
	}

	/** A client for an instance; with adminAuth it logs in first. */
	static async connect(target: NodeRedTarget): Promise<NodeRedClient> {
		const client = new NodeRedClient(target.baseUrl, target);
		if (target.adminAuth) await client.login(target.adminAuth.username, target.adminAuth.password);
		return client;
	}

	/** POST /auth/token (the password grant the editor's login form uses); later calls send the Bearer token. */
	async login(username: string, password: string): Promise<void> {
		const { access_token: token } = await this.call<{ access_token: string }>('POST', '/auth/token', {
			data: { client_id: 'node-red-admin', grant_type: 'password', scope: '*', username, password },
		});
		this.http.defaults.headers.common.Authorization = `Bearer ${token}`;
	}

	/** Any request, with the client's token; never throws on a status (check `response.status`). */
	async request<T = unknown>(path: string, opts: AxiosRequestConfig = {}): Promise<AxiosResponse<T>> {
		return await this.http.request<T>({ url: path, ...opts });
	}

	/** The palette manager's install: Node-RED runs `npm install name@version` in its userDir. */
	async installModule(name: string, version?: string): Promise<ModuleInfo> {
		// npm inside Node-RED: seconds against a local registry, but give it room on a busy machine.
		return await this.call<ModuleInfo>('POST', '/nodes', { data: { module: name, version }, timeout: 180_000 });
	}

	/** GET /nodes as JSON (without exactly `Accept: application/json` it answers the nodes' HTML). */
	async listNodes(): Promise<NodeSet[]> {
		return await this.call<NodeSet[]>('GET', '/nodes', { headers: { Accept: 'application/json' } });
	}

	/** Every registered node type. */
	async nodeTypes(): Promise<string[]> {
		return (await this.listNodes()).reduce<string[]>((types, set) => types.concat(set.types), []);
	}

	/**
	 * POST /flows (API v2, so the answer carries the new revision). Node-RED answers before the new
	 * nodes have started; a client made by connect() from an instance then waits for the log line that
	 * says they run, and fails fast when the deploy waits for a type nobody registered.
	 */
	async deployFlows(flows: FlowNode[], type: DeploymentType = 'full'): Promise<{ rev: string }> {
		const from = this.target?.logSize?.();
		const answer = await this.call<{ rev: string }>('POST', '/flows', {
			data: { flows },
			headers: { 'Node-RED-API-Version': 'v2', 'Node-RED-Deployment-Type': type },
		});
		if (from !== undefined && this.target?.waitForLog) {
			await this.target.waitForLog(DEPLOY_STARTED, { from, failOn: DEPLOY_STUCK });
		}
		return answer;
	}

	/** GET /flows: the deployed flows (tabs, nodes, config nodes; no credentials). */
	async getFlows(): Promise<FlowNode[]> {
		return (await this.call<{ flows: FlowNode[] }>('GET', '/flows', { headers: { 'Node-RED-API-Version': 'v2' } })).flows;
	}

	/** Import › Examples › <module>: the module's `examples/` listing (`GET /library/examples/flows/<module>`). */
	async examples(module: string): Promise<ExampleEntry[]> {
		return await this.call<ExampleEntry[]>('GET', `/library/examples/flows/${module}`);
	}

	/** One example flow (`examples/<name>.json` of the module), as the editor imports it. */
	async exampleFlow(module: string, name: string): Promise<FlowNode[]> {
		return await this.call<FlowNode[]>('GET', `/library/examples/flows/${module}/${name}`);
	}

	private async call<T>(method: Method, path: string, opts: AxiosRequestConfig = {}): Promise<T> {
		const response = await this.http.request<T>({ method, url: path, ...opts });
		if (response.status < 200 || response.status >= 300) {
			const body = typeof response.data === 'string' ? response.data : JSON.stringify(response.data);
			throw new Error(`${method} ${path} → ${response.status}: ${body.slice(0, 2000)}`);
		}
		return response.data;
	}
}
