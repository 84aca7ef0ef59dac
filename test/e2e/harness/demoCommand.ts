/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code: runs in Node under jest, never inside n8n */
/**
 * `npm run demo -- <args>` as a user runs it, for the demo tests of both hosts: a clean environment
 * (no key, no demo, host or npm settings of this shell), its own process group, stopped with
 * SIGINT (the demo's Ctrl-C) when it outlives `timeoutMs`.
 */
import { spawn } from 'child_process';

import { REPO_ROOT } from './install';

export interface DemoCommandRun {
	code: number | null;
	signal: string | null;
	stdout: string;
	stderr: string;
	ms: number;
}

/** Variables of this shell the demo must not see: a key, demo and host settings, npm's own. */
const NOT_PASSED_ON = /^(PERCEPTIS_API_|DEMO_|N8N_|NODE_RED_|npm_)/i;

export async function runDemoCommand(args: string[], env: Record<string, string>, timeoutMs: number): Promise<DemoCommandRun> {
	const clean: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) if (!NOT_PASSED_ON.test(key)) clean[key] = value;
	const started = Date.now();
	const child = spawn('npm', ['run', 'demo', '--', ...args], {
		cwd: REPO_ROOT,
		env: { ...clean, ...env },
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const timer = setTimeout(() => {
		try {
			process.kill(-child.pid!, 'SIGINT');
		} catch {
			// gone
		}
	}, timeoutMs);
	const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
	clearTimeout(timer);
	return { code, signal, stdout, stderr, ms: Date.now() - started };
}
