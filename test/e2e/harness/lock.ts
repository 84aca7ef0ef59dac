/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- test code: runs in Node under jest, never inside n8n */
/**
 * One e2e test file at a time, whatever jest's worker count: each file holds this lock (a directory
 * created atomically, with the holder's pid) while its n8n runs. A lock left by a dead process is taken over.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * PERCEPTIS_E2E_LOCK names another lock: test:all runs the Node-RED suites under their own, beside
 * the later n8n stages, whose processes mostly sit waiting on simulated jobs.
 */
const LOCK_DIR = path.join(os.tmpdir(), process.env.PERCEPTIS_E2E_LOCK ?? 'perceptis-n8n-e2e.lock');

function holderAlive(): boolean {
	try {
		const pid = Number(fs.readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8'));
		if (!pid) return false;
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Waits for the lock; returns the function that releases it. */
export async function acquireE2eLock(timeoutMs = 60 * 60_000): Promise<() => void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			fs.mkdirSync(LOCK_DIR);
			fs.writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
			let released = false;
			return () => {
				if (released) return;
				released = true;
				fs.rmSync(LOCK_DIR, { recursive: true, force: true });
			};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		// The holder may be between mkdir and writing its pid: give it a moment before judging.
		const stat = fs.statSync(LOCK_DIR, { throwIfNoEntry: false });
		if (!stat) continue;
		const age = Date.now() - stat.mtimeMs;
		if (age > 2_000 && !holderAlive()) {
			fs.rmSync(LOCK_DIR, { recursive: true, force: true });
			continue;
		}
		if (Date.now() > deadline) throw new Error(`another e2e test file holds ${LOCK_DIR} for too long`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}
