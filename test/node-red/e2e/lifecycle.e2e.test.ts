/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * A job waiting in a real Node-RED (NODE_RED_E2E_VERSION, default 5.0.7; 4.1.15 too) while the
 * Node-RED around it changes, with the package installed from the local registry through the
 * palette manager and the Perceptis simulator as the API:
 *
 * - a full redeploy (the editor's default; the flows as GET /flows gives them, no credentials)
 *   during the wait: the old instance lets go at once, one job, and the HTTP request that started
 *   it still gets its .pptx, marked `resumed`;
 * - a restart during the wait, with a persistent context store (localfilesystem): one job, its
 *   file delivered by the new process, marked `resumed`;
 * - stopping Node-RED with a job waiting takes well under Node-RED's 15 s close timeout.
 *
 * Figures printed: redeploy and restart outcomes, stop time.
 */
import * as fs from 'fs';
import * as path from 'path';

import { assertPptx } from '../../e2e/harness/pptx';
import { selectedNodeRedVersion, type FlowNode } from './harness';
import {
	BAD_LOG,
	BUSINESS,
	deckOverHttp,
	freshSimulator,
	generateRequests,
	perceptisNode,
	report,
	requestDeck,
	seconds,
	servers,
	simJobs,
	startPerceptisNodeRed,
	statusChecks,
	tab,
	TAB,
	until,
	type PerceptisNodeRed,
} from './perceptisStack';

const version = selectedNodeRedVersion();
const figures: Record<string, string> = {};

interface Recorded {
	jobId: string;
	resumed: boolean;
	topic: string;
	filename: string;
	bytes: number | null;
	msgid: string;
}

/**
 * inject (the editor's button: POST /inject/<id>) → perceptis → a function that records what came
 * out in global context (persisted too) and puts the file in `dir` → File Out. GET /e2e/results
 * reads the records.
 */
function injectedDeck(prefix: string, prompt: string, topic: string, dir: string): FlowNode[] {
	const record = [
		"const results = global.get('perceptisResults') || [];",
		'results.push({ jobId: msg.perceptis.jobId, resumed: msg.perceptis.resumed === true, topic: msg.topic, filename: msg.filename,',
		'\tbytes: Buffer.isBuffer(msg.payload) ? msg.payload.length : null, msgid: msg._msgid });',
		"global.set('perceptisResults', results);",
		`msg.filename = ${JSON.stringify(dir)} + '/' + msg.filename;`,
		'return msg;',
	].join('\n');
	return [
		{
			id: `${prefix}-inject`,
			type: 'inject',
			z: TAB,
			name: topic,
			props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
			repeat: '',
			crontab: '',
			once: false,
			onceDelay: 0.1,
			topic,
			payload: JSON.stringify({ prompt }),
			payloadType: 'json',
			wires: [[`${prefix}-perceptis`]],
		},
		perceptisNode(`${prefix}-perceptis`, BUSINESS, [[`${prefix}-record`]]),
		{ id: `${prefix}-record`, type: 'function', z: TAB, name: 'record the result', func: record, outputs: 1, noerr: 0, initialize: '', finalize: '', libs: [], wires: [[`${prefix}-file`]] },
		{
			id: `${prefix}-file`,
			type: 'file',
			z: TAB,
			name: 'write the .pptx',
			filename: 'filename',
			filenameType: 'msg',
			appendNewline: false,
			createDir: true,
			overwriteFile: 'true',
			encoding: 'none',
			wires: [[]],
		},
	];
}

function resultsRoute(): FlowNode[] {
	return [
		{ id: 'pe2e-results-in', type: 'http in', z: TAB, name: '', url: '/e2e/results', method: 'get', upload: false, swaggerDoc: '', wires: [['pe2e-results-read']] },
		{
			id: 'pe2e-results-read',
			type: 'change',
			z: TAB,
			name: 'the records',
			rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'perceptisResults', tot: 'global' }],
			wires: [['pe2e-results-out']],
		},
		{ id: 'pe2e-results-out', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
	];
}

describe(`deploys, restarts and stops of a real Node-RED ${version} while a Perceptis job waits`, () => {
	let stack: PerceptisNodeRed;
	let filesDir: string;
	let flows: FlowNode[];

	const results = async (): Promise<Recorded[]> => {
		const response = await fetch(`${stack.nodeRed.baseUrl}/e2e/results`);
		const text = await response.text();
		return text ? ((JSON.parse(text) as Recorded[] | null) ?? []) : [];
	};
	/** The one job of a prompt, once it exists and has been checked at least once. */
	const waitingJob = async (prompt: string) =>
		await until(`a status check of the job of "${prompt}"`, async () => {
			const job = (await simJobs(stack.sim)).find((candidate) => candidate.prompt === prompt);
			return job && (await statusChecks(stack.sim, job.id)).length > 0 ? job : undefined;
		});
	const inject = async (id: string) => {
		const response = await stack.client.request(`/inject/${id}`, { method: 'POST', data: {} });
		expect(response.status).toBe(200);
	};

	beforeAll(async () => {
		stack = await startPerceptisNodeRed();
		filesDir = path.join(stack.work, 'files');
		flows = [
			tab(),
			...servers(stack.sim),
			...deckOverHttp('pe2e-deck', '/e2e/deck', BUSINESS),
			// 15 s jobs (sim seconds × time scale 0.01): long enough to restart Node-RED in the middle.
			...injectedDeck('pe2e-restart', 'A deck that waits through a restart [sim:seconds=1500]', 'kept across a restart', filesDir),
			...injectedDeck('pe2e-never', 'A deck that is never done [sim:never]', 'waiting at the stop', filesDir),
			...resultsRoute(),
		];
		await stack.client.deployFlows(flows);
	}, 240_000);

	afterAll(async () => {
		report(`Node-RED ${version}, lifecycle figures: ${JSON.stringify(figures)}`);
		await stack?.dispose();
	});

	it('a full redeploy during a wait: closes at once, one job, and the HTTP caller still gets its .pptx, resumed', async () => {
		const { sim, client } = stack;
		await freshSimulator(sim);
		const prompt = 'A deck that waits through a full redeploy [sim:seconds=1200]';
		const answer = requestDeck(stack.nodeRed.baseUrl, '/e2e/deck', { prompt });
		const job = await waitingJob(prompt);
		const from = stack.nodeRed.logSize();

		// What the editor's Deploy sends: the flows it holds (credentials stay on the server), full.
		const deployed = await client.getFlows();
		expect(deployed.find((node) => node.id === BUSINESS)).not.toHaveProperty('credentials');
		const began = Date.now();
		await client.deployFlows(deployed, 'full');
		const deployMs = Date.now() - began;
		// The deploy came while the job was still running.
		expect((await simJobs(sim)).find((one) => one.id === job.id)?.status).not.toBe('completed');
		const sinceDeploy = await stack.nodeRed.waitForLog('Stopped flows', { from, timeoutMs: 1_000 });

		const got = await answer;
		expect(got.status).toBe(200);
		assertPptx(got.bytes);
		expect(got.jobId).toBe(job.id);
		expect(got.resumed).toBe('true');
		const jobs = await simJobs(sim);
		expect(jobs.map((one) => one.id)).toEqual([job.id]);
		expect((await generateRequests(sim)).length).toBe(1);
		expect((await sim.checkGaps()).minCheckGapMs).toBeGreaterThanOrEqual(1_000);
		expect(sinceDeploy).not.toMatch(BAD_LOG);
		expect(stack.nodeRed.readLog()).not.toMatch(BAD_LOG);
		// The old instances let go within a second (no 15 s "Close timed out").
		expect(deployMs).toBeLessThan(5_000);
		figures.redeploy = `one job (${job.id}), .pptx answered to the waiting HTTP request, resumed=${got.resumed}, full deploy ${seconds(deployMs)}, request→file ${seconds(got.ms)}`;
		report(`full redeploy during a wait: ${figures.redeploy}`);
	});

	it('a restart during a wait, with localfilesystem context: one job, its file delivered by the next process, resumed', async () => {
		const { sim } = stack;
		await freshSimulator(sim);
		const prompt = 'A deck that waits through a restart [sim:seconds=1500]';
		await inject('pe2e-restart-inject');
		const job = await waitingJob(prompt);
		const lastCheckBefore = Math.max(...(await statusChecks(sim, job.id)).map((request) => Number(request.at)));

		const { stopMs, forced, startMs } = await stack.restart();
		expect(forced).toBe(false);
		expect(stopMs).toBeLessThan(15_000);
		// The job was kept in the node's context, flushed to disk by the clean stop.
		const contextFiles = fs.readdirSync(path.join(stack.nodeRed.userDir, 'context'), { recursive: true }) as string[];
		const kept = contextFiles.filter((file) => file.endsWith('.json')).map((file) => fs.readFileSync(path.join(stack.nodeRed.userDir, 'context', file), 'utf8'));
		expect(kept.some((text) => text.includes(job.id))).toBe(true);

		const [result] = await until('the result of the job after the restart', async () => {
			const found = await results();
			return found.length > 0 ? found : undefined;
		}, 45_000);
		expect(result).toMatchObject({ jobId: job.id, resumed: true, topic: 'kept across a restart' });
		expect(result.bytes).toBeGreaterThan(0);
		const file = path.join(filesDir, result.filename);
		assertPptx(fs.readFileSync(file));
		expect(fs.statSync(file).size).toBe(result.bytes);
		expect((await simJobs(sim)).map((one) => one.id)).toEqual([job.id]);
		expect((await generateRequests(sim)).length).toBe(1);
		const checksAfter = (await statusChecks(sim, job.id)).filter((request) => Number(request.at) > lastCheckBefore);
		expect(checksAfter.length).toBeGreaterThan(0);
		expect((await sim.checkGaps()).minCheckGapMs).toBeGreaterThanOrEqual(1_000);
		// Only one result, a while later still: the job was resumed once.
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		expect(await results()).toHaveLength(1);
		expect(stack.nodeRed.readLog()).not.toMatch(BAD_LOG);
		figures.restart = `one job (${job.id}), file delivered after the restart, resumed=${result.resumed}; stop ${seconds(stopMs)}, start ${seconds(startMs)}`;
		report(`restart during a wait: ${figures.restart}`);
	});

	it('stopping Node-RED with a job waiting takes under 15 s, and the job is kept for the next start', async () => {
		const { sim } = stack;
		await freshSimulator(sim);
		await inject('pe2e-never-inject');
		const job = await waitingJob('A deck that is never done [sim:never]');
		const { ms, forced } = await stack.nodeRed.stop();
		figures.stop = seconds(ms);
		report(`stop with a job waiting: ${figures.stop} (SIGTERM to exit)`);
		expect(forced).toBe(false);
		expect(ms).toBeLessThan(15_000);
		const log = stack.nodeRed.readLog();
		expect(log).not.toMatch(BAD_LOG);
		expect(log).toContain('Stopped flows');
		const contextDir = path.join(stack.nodeRed.userDir, 'context');
		const files = (fs.readdirSync(contextDir, { recursive: true }) as string[]).filter((file) => file.endsWith('.json'));
		expect(files.some((file) => fs.readFileSync(path.join(contextDir, file), 'utf8').includes(job.id))).toBe(true);
	});
});
