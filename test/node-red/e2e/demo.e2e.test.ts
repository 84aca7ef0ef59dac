/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * `npm run demo -- --node-red --once`, run the way a user runs it: it builds node-red/, installs the
 * packed package into a new Node-RED userDir, starts the simulator and a real Node-RED, deploys the
 * deck-over-http example, makes one deck, prints what it did and exits 0 — having stopped Node-RED
 * and removed its userDir. Also with PERCEPTIS_API_KEY set (the "real API" path, pointed at a
 * simulator this test runs: its one job is the printed one, and the key is never printed), and with
 * a revoked key (exit 1 after the server node's Test, no job started).
 *
 * Like every Node-RED e2e file it needs the pinned Node-RED installed (scripts/node-red/install.sh;
 * the demo would install it, the tests never do).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { acquireE2eLock, assertPptx, portIsFree, runDemoCommand, startSimulator, type SimulatorProcess } from '../../e2e/harness';
import { findNodeRedInstall, selectedNodeRedVersion } from './harness';

const version = selectedNodeRedVersion();

interface DemoRun {
	code: number | null;
	signal: string | null;
	stdout: string;
	stderr: string;
	outputDir: string;
	ms: number;
}

const leftovers: string[] = [];

/** Runs `npm run demo -- --node-red --once` with a clean environment (no key, no demo or npm settings). */
async function runDemo(extraEnv: Record<string, string> = {}, timeoutMs = 240_000): Promise<DemoRun> {
	const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-node-red-demo-test-'));
	leftovers.push(outputDir);
	const run = await runDemoCommand(['--node-red', '--once'], { DEMO_OUTPUT_DIR: outputDir, DEMO_NODE_RED_VERSION: version, ...extraEnv }, timeoutMs);
	return { ...run, outputDir };
}

/** Exit 0, with the demo's output in the failure message when not. */
function expectSuccess(run: DemoRun): void {
	if (run.code !== 0 || run.signal !== null) {
		throw new Error(`the demo ended with code ${run.code}, signal ${run.signal}:\n${run.stdout}\n${run.stderr}`);
	}
}

function field(stdout: string, label: string): string {
	const match = new RegExp(`^\\s*${label}:\\s+(.+)$`, 'm').exec(stdout);
	if (!match) throw new Error(`no "${label}:" line in the demo's output:\n${stdout}`);
	return match[1].trim();
}

/** The editor's port from "Node-RED is running at http://127.0.0.1:<port>". */
function editorPort(stdout: string): number {
	const match = /^Node-RED is running at http:\/\/127\.0\.0\.1:(\d+)\b/m.exec(stdout);
	if (!match) throw new Error(`no "Node-RED is running at" line in the demo's output:\n${stdout}`);
	return Number(match[1]);
}

describe(`npm run demo -- --node-red --once (Node-RED ${version})`, () => {
	let release: () => void = () => undefined;
	let sim: SimulatorProcess | undefined;

	beforeAll(async () => {
		findNodeRedInstall(version); // fails with the install command when Node-RED is missing
		release = await acquireE2eLock();
	});

	afterAll(async () => {
		await sim?.stop();
		for (const dir of leftovers) fs.rmSync(dir, { recursive: true, force: true });
		release();
	});

	test('with the simulator: prints the job id, its status, the saved .pptx, the editor and its login; exits 0 and stops Node-RED', async () => {
		const run = await runDemo();
		const output = run.stdout + run.stderr;
		// eslint-disable-next-line no-console -- the figure is part of what the test reports
		console.log(`demo --node-red --once (simulator) took ${(run.ms / 1000).toFixed(1)} s`);
		expectSuccess(run);

		const jobId = field(run.stdout, 'job id');
		expect(jobId).toMatch(/^\S+$/);
		expect(field(run.stdout, 'status')).toBe('completed');
		const file = field(run.stdout, 'file');
		expect(file).toBe(path.join(run.outputDir, `${jobId}.pptx`));
		expect(assertPptx(fs.readFileSync(file)).slides).toBe(5);

		expect(run.stdout).toMatch(/starting the Perceptis simulator/);
		expect(run.stdout).toMatch(/Node-RED loaded node-red-contrib-perceptis/);
		expect(run.stdout).toMatch(/not in flows\.json/);
		expect(run.stdout).toMatch(/Test button says: The key works/);
		expect(field(run.stdout, 'sign in')).toMatch(/^\S+\s+\/\s+\S{8,}$/);
		const port = editorPort(run.stdout);
		// The simulator's fake keys look like real ones: none is printed.
		expect(output).not.toMatch(/sk-live-per-sim/);
		// Node-RED was stopped, and its temporary userDir (with flows_cred.json) removed.
		expect(await portIsFree(port)).toBe(true);
		const log = field(run.stdout, 'Node-RED log');
		expect(fs.existsSync(path.dirname(log))).toBe(false);
	});

	describe('with PERCEPTIS_API_KEY (the real-API path, pointed at a simulator)', () => {
		beforeAll(async () => {
			sim = await startSimulator({ timeScale: 0.005, config: { statusRetryAfterSeconds: 1 } });
		});

		test("the printed job is the simulator's one job, made with that key, which is never printed", async () => {
			const run = await runDemo({ PERCEPTIS_API_KEY: sim!.keys.business, PERCEPTIS_API_BASE_URL: sim!.origin });
			const output = run.stdout + run.stderr;
			// eslint-disable-next-line no-console -- the figure is part of what the test reports
			console.log(`demo --node-red --once (PERCEPTIS_API_KEY) took ${(run.ms / 1000).toFixed(1)} s`);
			expectSuccess(run);
			expect(output).not.toContain(sim!.keys.business);
			expect(run.stdout).not.toMatch(/starting the Perceptis simulator/);
			expect(run.stdout).toContain(`real Perceptis API at ${sim!.origin}`);

			const jobId = field(run.stdout, 'job id');
			const jobs = (await sim!.jobs()) as Array<{ id: string; keyPlan: string; prompt: string; status: string }>;
			expect(jobs).toHaveLength(1);
			// No simulator directive goes to a real API.
			expect(jobs[0]).toMatchObject({ id: jobId, keyPlan: 'business', status: 'completed', prompt: expect.not.stringContaining('[sim:') });
			expect(field(run.stdout, 'status')).toBe('completed');
			const file = field(run.stdout, 'file');
			expect(file).toBe(path.join(run.outputDir, `${jobId}.pptx`));
			assertPptx(fs.readFileSync(file));
			expect(await portIsFree(editorPort(run.stdout))).toBe(true);
		});

		test('a revoked key: stops after the server node’s Test with its message, exit 1, no job, nothing left running', async () => {
			const postsBefore = (await sim!.requests()).filter((r) => r.method === 'POST').length;
			const run = await runDemo({ PERCEPTIS_API_KEY: sim!.keys.revoked, PERCEPTIS_API_BASE_URL: sim!.origin });
			const output = run.stdout + run.stderr;
			// A failed demo keeps the userDir (log and flows, not the credentials) and says where.
			const kept = /Node-RED's log and flows are kept in (\S+)/.exec(run.stdout)?.[1];
			if (kept) leftovers.push(path.dirname(kept));
			expect({ code: run.code, signal: run.signal }).toEqual({ code: 1, signal: null });
			expect(output).not.toContain(sim!.keys.revoked);
			expect(run.stderr).toMatch(/key does not work: .*invalid or revoked/);
			expect((await sim!.requests()).filter((r) => r.method === 'POST').length).toBe(postsBefore);
			expect(kept).toBeDefined();
			expect(fs.existsSync(path.join(kept!, 'node-red.log'))).toBe(true);
			expect(fs.existsSync(path.join(kept!, 'flows.json'))).toBe(true);
			expect(fs.existsSync(path.join(kept!, 'flows_cred.json'))).toBe(false);
			// Node-RED was stopped: the port the harness wrote into the log is free again.
			const port = Number(/^--- harness: Node-RED .*, port (\d+),/m.exec(fs.readFileSync(path.join(kept!, 'node-red.log'), 'utf8'))?.[1]);
			expect(port).toBeGreaterThan(0);
			expect(await portIsFree(port)).toBe(true);
		});
	});
});
