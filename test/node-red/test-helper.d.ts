/**
 * The few parts of node-red-node-test-helper (0.3.6, a devDependency of node-red/) these tests
 * use; the package ships no types.
 */
declare module 'node-red-node-test-helper' {
	interface TestNode {
		id: string;
		receive(msg: Record<string, unknown>): void;
		on(event: string, listener: (...args: never[]) => void): void;
		context(): { get(key: string): unknown; set(key: string, value: unknown): void };
		/** Node.prototype.status, spied on by the helper (the calls of every node). */
		status: { getCalls(): Array<{ thisValue: { id: string }; args: unknown[] }> };
	}
	/** supertest's request chain, as far as these tests go. */
	interface AdminCall extends PromiseLike<{ status: number; body: Record<string, unknown>; text: string }> {
		send(body: unknown): AdminCall;
		set(name: string, value: string): AdminCall;
	}
	interface Helper {
		init(runtimePath: string, userSettings?: Record<string, unknown>): void;
		load(nodes: unknown, flow: unknown[], credentials?: Record<string, unknown>): Promise<void>;
		setFlows(flow: unknown[], type?: 'full' | 'flows' | 'nodes', credentials?: Record<string, unknown>): Promise<void>;
		unload(): Promise<void>;
		getNode(id: string): TestNode | null;
		request(): { post(url: string): AdminCall; get(url: string): AdminCall };
		log(): { args: unknown[][] };
	}
	const helper: Helper;
	export = helper;
}
