/**
 * The parts of Node-RED's runtime API this package uses, typed here (types only: nothing of this
 * file is left in dist/). Node-RED ships no types of its own, and these few lines keep the
 * package free of @types packages that drag in express.
 */

/** A message as it travels a flow. */
export interface NodeMessage {
	_msgid?: string;
	payload?: unknown;
	[key: string]: unknown;
}

export interface NodeStatus {
	fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
	shape?: 'ring' | 'dot';
	text?: string;
}

export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type Done = (error?: Error) => void;

export interface ContextStore {
	get(key: string): unknown;
	set(key: string, value: unknown): void;
}

/** A node instance, as `RED.nodes.createNode` makes it. */
export interface Node {
	id: string;
	type: string;
	name?: string;
	credentials?: Record<string, string | undefined>;
	on(event: 'input', listener: (msg: NodeMessage, send: Send, done: Done) => void): void;
	on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
	send(msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>): void;
	status(status: NodeStatus): void;
	error(error: unknown, msg?: NodeMessage): void;
	warn(message: unknown): void;
	log(message: unknown): void;
	context(): ContextStore;
}

/** What a node's properties look like as the flow file holds them. */
export type NodeDef = Record<string, unknown> & { id: string; type: string; name?: string };

export interface AdminRequest {
	body?: unknown;
}

export interface AdminResponse {
	status(code: number): AdminResponse;
	json(body: unknown): void;
}

type Middleware = (req: AdminRequest, res: AdminResponse, next: () => void) => void;

export interface NodeRedApi {
	nodes: {
		createNode(node: object, def: NodeDef): void;
		getNode(id: string): unknown;
		getCredentials(id: string): Record<string, string | undefined> | undefined;
		registerType(
			type: string,
			constructor: (this: Node, def: NodeDef) => void,
			options?: { credentials?: Record<string, { type: 'text' | 'password' }> },
		): void;
	};
	util: {
		evaluateNodeProperty(
			value: unknown,
			type: string,
			node: Node,
			msg: NodeMessage | undefined,
			callback: (error: Error | null, result?: unknown) => void,
		): void;
		getSetting(node: Node | null, name: string): unknown;
		cloneMessage<T extends NodeMessage>(msg: T): T;
		generateId(): string;
	};
	events: {
		once(event: string, listener: () => void): void;
		removeListener(event: string, listener: () => void): void;
	};
	httpAdmin: { post(path: string, ...handlers: Middleware[]): void };
	auth: { needsPermission(permission: string): Middleware };
}
