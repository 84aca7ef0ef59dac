/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * `npm run demo` in its check mode (`--once`): it builds the package, starts the simulator and a real
 * n8n on a free port, loads the examples, runs the webhook example once, prints what it did and
 * exits 0 — having stopped n8n. Also with PERCEPTIS_API_KEY set (the "real API" path, pointed at a
 * simulator this test runs), where the key must never be printed, and with a revoked key (exit 1).
 *
 * Like every e2e file it needs the pinned n8n installed (the demo would install it, which takes
 * minutes; the tests never do).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
	acquireE2eLock,
	assertPptx,
	findN8nInstall,
	freePort,
	portIsFree,
	runDemoCommand,
	selectedN8nVersion,
	startSimulator,
	type SimulatorProcess,
} from './harness';

const version = selectedN8nVersion();

interface DemoRun {
	code: number | null;
	signal: string | null;
	stdout: string;
	stderr: string;
	port: number;
	outputDir: string;
	ms: number;
}

const outputDirs: string[] = [];

/** Runs `npm run demo -- --once --port <free port>` as a user would, with a clean environment. */
async function runDemo(extraEnv: Record<string, string> = {}, timeoutMs = 240_000): Promise<DemoRun> {
	const port = await freePort();
	const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-demo-test-'));
	outputDirs.push(outputDir);
	const run = await runDemoCommand(['--once', '--port', String(port)], { DEMO_OUTPUT_DIR: outputDir, DEMO_N8N_VERSION: version, ...extraEnv }, timeoutMs);
	return { ...run, port, outputDir };
}

function field(stdout: string, label: string): string {
	const match = new RegExp(`^\\s*${label}:\\s+(.+)$`, 'm').exec(stdout);
	if (!match) throw new Error(`no "${label}:" line in the demo's output:\n${stdout}`);
	return match[1].trim();
}

describe(`npm run demo --once (n8n ${version})`, () => {
	let release: () => void = () => undefined;
	let sim: SimulatorProcess | undefined;

	beforeAll(async () => {
		findN8nInstall(version); // fails with the install command when n8n is missing
		release = await acquireE2eLock();
	});

	afterAll(async () => {
		await sim?.stop();
		for (const dir of outputDirs) fs.rmSync(dir, { recursive: true, force: true });
		release();
	});

	test('with the simulator: prints the account, the job id, its status and the saved .pptx; exits 0 and stops n8n', async () => {
		const run = await runDemo();
		const output = run.stdout + run.stderr;
		// eslint-disable-next-line no-console
		console.log(`demo --once (simulator) took ${Math.round(run.ms / 1000)} s`);
		expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });

		const jobId = field(run.stdout, 'job id');
		expect(jobId).toMatch(/^\S+$/);
		expect(field(run.stdout, 'status')).toBe('completed');
		const file = field(run.stdout, 'file');
		expect(path.isAbsolute(file)).toBe(true);
		expect(file).toBe(path.join(run.outputDir, `${jobId}.pptx`));
		expect(assertPptx(fs.readFileSync(file)).slides).toBe(5);

		expect(run.stdout).toContain(`n8n is running at http://127.0.0.1:${run.port}`);
		expect(field(run.stdout, 'sign in')).toMatch(/^\S+@\S+\s+\/\s+\S{8,}$/);
		expect(run.stdout).toMatch(/starting the Perceptis simulator/);
		expect(run.stdout).toMatch(/Test button says: Connection successful/);
		// The simulator's fake keys look like real ones: none is printed.
		expect(output).not.toMatch(/sk-live-per-sim/);
		// n8n was stopped.
		expect(await portIsFree(run.port)).toBe(true);
	});

	describe('with PERCEPTIS_API_KEY (the real-API path, pointed at a simulator)', () => {
		beforeAll(async () => {
			sim = await startSimulator({ timeScale: 0.005, config: { statusRetryAfterSeconds: 1 } });
		});

		test('uses that origin and key, and never prints the key', async () => {
			const run = await runDemo({ PERCEPTIS_API_KEY: sim!.keys.business, PERCEPTIS_API_BASE_URL: sim!.origin });
			const output = run.stdout + run.stderr;
			expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
			expect(output).not.toContain(sim!.keys.business);
			expect(run.stdout).not.toMatch(/starting the Perceptis simulator/);
			expect(run.stdout).toContain(`real Perceptis API at ${sim!.origin}`);

			const jobId = field(run.stdout, 'job id');
			const jobs = (await sim!.jobs()) as Array<{ id: string; keyPlan: string; prompt: string; status: string }>;
			const job = jobs.find((j) => j.id === jobId);
			// No simulator directive goes to a real API.
			expect(job).toMatchObject({ keyPlan: 'business', status: 'completed', prompt: expect.not.stringContaining('[sim:') });
			assertPptx(fs.readFileSync(field(run.stdout, 'file')));
		});

		test('a revoked key: stops after the credential test with its message, exit 1, nothing left running', async () => {
			const generatesBefore = (await sim!.requests()).filter((r) => r.method === 'POST').length;
			const run = await runDemo({ PERCEPTIS_API_KEY: sim!.keys.revoked, PERCEPTIS_API_BASE_URL: sim!.origin });
			const output = run.stdout + run.stderr;
			// A failed demo keeps n8n's folder (log and database) and says where.
			const kept = /n8n's log and database are kept in (\S+)/.exec(run.stdout)?.[1];
			if (kept) outputDirs.push(kept);
			expect(run.code).toBe(1);
			expect(output).not.toContain(sim!.keys.revoked);
			// Both versions: n8n 2.x's Test reads the 401 status, 1.x's reads Perceptis' error code.
			expect(run.stderr).toMatch(/credential does not work: .*invalid or revoked/);
			expect((await sim!.requests()).filter((r) => r.method === 'POST').length).toBe(generatesBefore);
			expect(kept).toBeDefined();
			expect(await portIsFree(run.port)).toBe(true);
		});
	});
});
