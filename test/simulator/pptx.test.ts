/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code: runs in Node under jest, never inside n8n */
/**
 * The rendering worker keeps a process alive while a file is being built, and never after: a
 * simulator left open by a test once kept the whole jest run from exiting (CI waited for it until
 * its time was up).
 */
import { spawn } from 'child_process';
import path from 'path';

const PPTX = path.join(__dirname, 'pptx.js');

function runNode(script: string): Promise<{ code: number | null; stdout: string; elapsedMs: number }> {
	const started = Date.now();
	const child = spawn(process.execPath, ['-e', script, PPTX], { stdio: ['ignore', 'pipe', 'inherit'] });
	let stdout = '';
	child.stdout.on('data', (chunk) => (stdout += chunk));
	const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
	return new Promise((resolve) =>
		child.on('exit', (code) => {
			clearTimeout(killer);
			resolve({ code, stdout, elapsedMs: Date.now() - started });
		}),
	);
}

it('a process that rendered a file and did not close the cache still exits on its own', async () => {
	const { code, stdout, elapsedMs } = await runNode(`
		const { PptxCache } = require(process.argv[1]);
		new PptxCache()
			.get({ objectKey: 'k', prompt: 'A deck about tides', outputType: 'deck', slideCount: 2 }, 0)
			.then((file) => console.log('rendered', file.length, file.subarray(0, 2).toString()));
	`);
	// Killed after 15 s (code null) before the fix: the worker's port held the process.
	expect(code).toBe(0);
	// The pending render held it long enough to finish: a .pptx is a zip ("PK").
	expect(stdout).toMatch(/^rendered \d+ PK\n$/);
	expect(elapsedMs).toBeLessThan(15_000);
}, 20_000);
