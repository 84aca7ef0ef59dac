/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code: runs in Node under jest, never inside n8n */
/**
 * The CLI: one JSON line on stdout, a working simulator, a clean exit on SIGTERM/SIGINT.
 */
import { spawn, ChildProcessWithoutNullStreams } from 'child_process';
import path from 'path';
import { KEYS } from '.';

const CLI = path.join(__dirname, 'cli.js');

interface Running {
	child: ChildProcessWithoutNullStreams;
	info: { origin: string; storageOrigin: string; foreignOrigin: string; keys: Record<string, string> };
	stdout: () => string;
	stderr: () => string;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startCli(args: string[]): Promise<Running> {
	const child = spawn(process.execPath, [CLI, ...args], { stdio: 'pipe' });
	let stdout = '';
	let stderr = '';
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		child.on('exit', (code, signal) => resolve({ code, signal })),
	);
	child.stderr.on('data', (d) => (stderr += d));
	return new Promise((resolve, reject) => {
		child.stdout.on('data', (d) => {
			stdout += d;
			if (stdout.includes('\n')) {
				resolve({ child, info: JSON.parse(stdout.split('\n')[0]), stdout: () => stdout, stderr: () => stderr, exited });
			}
		});
		exited.then(({ code }) => reject(new Error(`cli exited early with ${code}: ${stderr}`)));
	});
}

it('prints one JSON line, serves the API, and exits cleanly on SIGTERM', async () => {
	const run = await startCli(['--time-scale', '0', '--port', '0']);
	expect(run.info.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	expect(run.info.storageOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	expect(run.info.storageOrigin).not.toBe(run.info.origin);
	expect(run.info.foreignOrigin).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
	expect(Object.keys(run.info)).toEqual(['origin', 'storageOrigin', 'foreignOrigin', 'keys']);
	expect(run.info.keys).toEqual(KEYS);
	expect(await (await fetch(`${run.info.foreignOrigin}/anything`)).json()).toEqual({ job_id: 'foreign-job', status: 'processing' });
	const reply = await fetch(`${run.info.origin}/api/v1/generate`, {
		method: 'POST',
		headers: { authorization: `Bearer ${run.info.keys.business}`, 'content-type': 'application/json' },
		body: JSON.stringify({ prompt: 'From the CLI', output_type: 'deck' }),
	});
	expect(reply.status).toBe(202);
	const jobs = await (await fetch(`${run.info.origin}/__sim/jobs`)).json();
	expect(jobs).toEqual([expect.objectContaining({ prompt: 'From the CLI', status: 'completed', creditsCharged: 3 })]);
	run.child.kill('SIGTERM');
	expect(await run.exited).toEqual({ code: 0, signal: null });
	expect(run.stdout().trim().split('\n')).toHaveLength(1);
	expect(run.stderr()).toBe('');
});

it('takes durations in seconds, logs redacted lines to stderr with --verbose, and exits on SIGINT', async () => {
	const run = await startCli(['--deck-seconds', '0.2', '--slide-seconds', '100', '--verbose']);
	const headers = { authorization: `Bearer ${run.info.keys.business}`, 'content-type': 'application/json' };
	await fetch(`${run.info.origin}/api/v1/generate`, { method: 'POST', headers, body: JSON.stringify({ prompt: 'd', output_type: 'deck' }) });
	await fetch(`${run.info.origin}/api/v1/generate`, { method: 'POST', headers, body: JSON.stringify({ prompt: 's', output_type: 'single_slide' }) });
	await new Promise((resolve) => setTimeout(resolve, 250));
	const jobs = (await (await fetch(`${run.info.origin}/__sim/jobs`)).json()) as Array<{ status: string }>;
	expect(jobs.map((j: { status: string }) => j.status)).toEqual(['completed', 'pending']);
	run.child.kill('SIGINT');
	expect((await run.exited).code).toBe(0);
	expect(run.stdout().trim().split('\n')).toHaveLength(1);
	expect(run.stderr()).toContain('api POST /api/v1/generate -> 202');
	expect(run.stderr()).not.toContain(run.info.keys.business);
});

it('refuses unknown arguments with exit code 2 and usage on stderr', async () => {
	const child = spawn(process.execPath, [CLI, '--prot', '1'], { stdio: 'pipe' });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (d) => (stdout += d));
	child.stderr.on('data', (d) => (stderr += d));
	const code = await new Promise((resolve) => child.on('exit', resolve));
	expect(code).toBe(2);
	expect(stdout).toBe('');
	expect(stderr).toMatch(/unknown argument --prot[\s\S]*usage:/);
});

it('takes --foreign-host and --foreign-port', async () => {
	const probe = await startCli([]);
	const port = Number(new URL(probe.info.foreignOrigin).port);
	probe.child.kill('SIGTERM');
	await probe.exited;
	const run = await startCli(['--foreign-host', '127.0.0.3', '--foreign-port', String(port)]);
	expect(run.info.foreignOrigin).toBe(`http://127.0.0.3:${port}`);
	run.child.kill('SIGTERM');
	expect((await run.exited).code).toBe(0);
});

it('prints help on stdout with --help, starts nothing and exits 0', async () => {
	const child = spawn(process.execPath, [CLI, '--help'], { stdio: 'pipe' });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (d) => (stdout += d));
	child.stderr.on('data', (d) => (stderr += d));
	const code = await new Promise((resolve) => child.on('exit', resolve));
	expect(code).toBe(0);
	expect(stderr).toBe('');
	expect(stdout).toMatch(/^usage: node test\/simulator\/cli\.js/);
	for (const flag of ['--foreign-host', '--foreign-port', '--storage-port', '--config', '--verbose']) expect(stdout).toContain(flag);
	expect(stdout).toContain('foreignOrigin');
});
