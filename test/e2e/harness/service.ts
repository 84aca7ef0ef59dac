/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test code: runs in Node under jest, never inside n8n */
/**
 * What the throwaway servers of the harness (PostgreSQL, Redis) share once spawned: waiting until
 * they are ready — or stopping them, so that no stray process keeps a port, and failing with the
 * reason — and then handing back how to stop them and to remove their folder.
 */
import * as fs from 'fs';

export interface ServiceLifecycle {
	stop(): Promise<void>;
	/** stop(), then removes the server's folder. */
	dispose(): Promise<void>;
}

export async function whenReady(dir: string, stop: () => Promise<void>, ready: () => Promise<void>): Promise<ServiceLifecycle> {
	try {
		await ready();
	} catch (error) {
		await stop();
		throw error;
	}
	return {
		stop,
		async dispose() {
			await stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

/** The end of a server's log, for an error message. */
export function logTail(file: string, chars = 4000): string {
	try {
		return fs.readFileSync(file, 'utf8').slice(-chars);
	} catch {
		return '(no log)';
	}
}
