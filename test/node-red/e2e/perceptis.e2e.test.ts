/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * The packed package in a real Node-RED (NODE_RED_E2E_VERSION, default 5.0.7; 4.1.15 too), started
 * by the suite on 127.0.0.1 with its own userDir, settings and admin login: installed from the local
 * verdaccio through the palette manager (POST /nodes), flows deployed through the Admin API, the
 * Perceptis simulator as the API origin.
 *
 * - HTTP In → perceptis (Generate a deck, waiting) → HTTP Response answers a real .pptx;
 * - a Catch node gets the plan error of a Starter key (HTTP 403): msg.error, msg.perceptis.error,
 *   the words Business and Enterprise, no job;
 * - 20 concurrent requests: 20 jobs, each request its own file; wall ÷ longest job printed.
 *
 * Figures printed: install time, deck time, wall ÷ longest. Needs scripts/node-red/install.sh
 * <version> and scripts/registry/install.sh.
 */
import * as fs from 'fs';
import * as path from 'path';

import { isLoopback, listeningAddresses } from '../../e2e/harness/net';
import { assertPptx, PPTX_MIME } from '../../e2e/harness/pptx';
import { NodeRedClient, selectedNodeRedVersion } from './harness';
import {
	BAD_LOG,
	BUSINESS,
	catchToHttp,
	deckOverHttp,
	expectNoKey,
	freshSimulator,
	generateRequests,
	jsonOf,
	MODULE,
	postRoute,
	report,
	requestDeck,
	seconds,
	servers,
	simJobs,
	STARTER,
	startPerceptisNodeRed,
	tab,
	type PerceptisNodeRed,
} from './perceptisStack';

const version = selectedNodeRedVersion();
const figures: Record<string, string> = {};

describe(`node-red-contrib-perceptis in a real Node-RED ${version}`, () => {
	let stack: PerceptisNodeRed;

	beforeAll(async () => {
		stack = await startPerceptisNodeRed();
		figures.build = seconds(stack.built.buildMs);
		figures.install = seconds(stack.installMs);
		await stack.client.deployFlows([
			tab(),
			...servers(stack.sim),
			...deckOverHttp('pe2e-deck', '/e2e/deck', BUSINESS),
			...deckOverHttp('pe2e-plan', '/e2e/deck-on-starter', STARTER),
			...catchToHttp(),
		]);
	}, 240_000);

	afterAll(async () => {
		report(`Node-RED ${version}, perceptis e2e figures: ${JSON.stringify(figures)}`);
		await stack?.dispose();
	});

	it('was installed by the palette manager from the local registry, with its dependencies, and lists its nodes and examples', async () => {
		const { installed, client, nodeRed, registry, built } = stack;
		report(`install (POST /nodes of ${MODULE}@${built.tarball.version} + ${built.dependencies.length} dependencies from verdaccio): ${figures.install}`);
		expect(installed).toMatchObject({ name: MODULE, version: built.tarball.version });
		const sets = (await client.listNodes()).filter((set) => set.module === MODULE);
		expect(sets.map((set) => set.types).flat().sort()).toEqual(['perceptis', 'perceptis-config']);
		expect(sets.every((set) => set.enabled && !set.err)).toBe(true);
		// Installed from verdaccio, in the userDir, axios beside it (a runtime dependency, not bundled).
		const lock = JSON.parse(fs.readFileSync(path.join(nodeRed.userDir, 'package-lock.json'), 'utf8')) as {
			packages: Record<string, { resolved?: string; version?: string }>;
		};
		expect(lock.packages[`node_modules/${MODULE}`].resolved).toContain(registry.url);
		expect(lock.packages['node_modules/axios'].resolved).toContain(registry.url);
		const listed = (await client.examples(MODULE)).map((entry) => (typeof entry === 'string' ? entry : entry.fn)).sort();
		expect(listed).toEqual(['deck-over-http', 'generate-deck-to-file', 'start-then-wait']);
		// Loopback only, and the Admin API wants the login.
		expect(listeningAddresses(nodeRed.pid).filter((address) => !isLoopback(address))).toEqual([]);
		expect((await new NodeRedClient(nodeRed.baseUrl).request('/flows')).status).toBe(401);
	});

	it('HTTP In → perceptis → HTTP Response answers a real .pptx deck', async () => {
		const { nodeRed, sim } = stack;
		await freshSimulator(sim);
		const prompt = 'A deck about the quarterly numbers, for the board';
		const answer = await requestDeck(nodeRed.baseUrl, '/e2e/deck', { prompt });
		figures.deck = seconds(answer.ms);
		expect(answer.status).toBe(200);
		expect(answer.response.headers['content-type']).toContain(PPTX_MIME);
		const pptx = assertPptx(answer.bytes);
		expect(pptx.slides).toBeGreaterThan(0);
		expect(answer.fileName).toMatch(/\.pptx$/);
		const jobs = await simJobs(sim);
		expect(jobs).toHaveLength(1);
		expect(jobs[0]).toMatchObject({ id: answer.jobId, prompt, keyPlan: 'business', status: 'completed' });
		expect((await generateRequests(sim)).length).toBe(1);
		expect(answer.resumed).toBe('false');
		const jobMs = jobs[0].completedAt! - jobs[0].createdAt;
		report(`deck over HTTP: ${figures.deck} from request to .pptx (${answer.bytes.length} bytes, ${pptx.slides} slides); the job itself took ${seconds(jobMs)}`);
		// The answer comes within a few seconds of the job's end: checks at the API's Retry-After (1 s), then the download.
		expect(answer.ms).toBeLessThan(jobMs + 5_000);
		expect((await sim.checkGaps()).minCheckGapMs).toBeGreaterThanOrEqual(1_000);
	});

	it('a Catch node gets the plan error of a Starter key (HTTP 403) with msg.perceptis.error, naming Business and Enterprise; no job', async () => {
		const { nodeRed, sim } = stack;
		await freshSimulator(sim);
		const response = await postRoute(nodeRed.baseUrl, '/e2e/deck-on-starter', { prompt: 'A deck nobody on this plan may have' });
		// The Catch route answers with the HTTP status Perceptis gave (msg.perceptis.error.httpCode).
		expect(response.status).toBe(403);
		const caught = jsonOf(response);
		expect(caught.error.source).toMatchObject({ id: 'pe2e-plan-perceptis', type: 'perceptis' });
		expect(caught.error.message).toMatch(/Business/);
		expect(caught.error.message).toMatch(/Enterprise/);
		expect(caught.error.code).toBe('forbidden');
		expect(caught.perceptis.error).toMatchObject({ code: 'forbidden', kind: 'plan_not_eligible', httpCode: 403 });
		expect(`${caught.perceptis.error.message} ${caught.perceptis.error.description}`).toMatch(/Business.*Enterprise|Enterprise.*Business/s);
		expect(caught.perceptis.status).toBe('not_started');
		expect(caught.perceptis.jobId).toBeUndefined();
		expect(await simJobs(sim)).toHaveLength(0);
		const refused = await generateRequests(sim);
		expect(refused.map((request) => [request.keyPlan, request.status])).toEqual([['starter', 403]]);
		report(`Catch got: ${caught.error.message}`);
	});

	it('20 concurrent requests: 20 jobs, each request gets its own file; wall ÷ longest job printed', async () => {
		const { nodeRed, sim } = stack;
		await freshSimulator(sim);
		// 8–9.9 s each (sim seconds × the time scale 0.01), all different.
		const prompts = Array.from({ length: 20 }, (_v, index) => `Deck number ${index + 1} of twenty [sim:seconds=${800 + index * 10}]`);
		const began = Date.now();
		const answers = await Promise.all(prompts.map(async (prompt) => await requestDeck(nodeRed.baseUrl, '/e2e/deck', { prompt })));
		const wallMs = Date.now() - began;

		expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
		for (const answer of answers) assertPptx(answer.bytes);
		const jobs = await simJobs(sim);
		expect(jobs).toHaveLength(20);
		expect((await generateRequests(sim)).length).toBe(20);
		// Each request's file is its own job's: the job the answer names is the one of its prompt.
		const byId = new Map(jobs.map((job) => [job.id, job]));
		expect(answers.map((answer) => byId.get(answer.jobId)?.prompt)).toEqual(prompts);
		expect(new Set(answers.map((answer) => answer.jobId)).size).toBe(20);
		expect(new Set(answers.map((answer) => answer.sha256)).size).toBe(20);
		expect(jobs.every((job) => job.status === 'completed')).toBe(true);

		const longestMs = Math.max(...jobs.map((job) => job.completedAt! - job.createdAt));
		const ratio = wallMs / longestMs;
		const gaps = await sim.checkGaps();
		const checksPerJob = gaps.statusChecks / jobs.length;
		figures.concurrent20 = `wall ${seconds(wallMs)} ÷ longest ${seconds(longestMs)} = ${ratio.toFixed(2)}, ${checksPerJob.toFixed(1)} checks/job`;
		report(`20 concurrent: ${figures.concurrent20}; smallest gap between two checks of a job ${gaps.minCheckGapMs} ms`);
		// Side by side, not one after another (that would be about 20).
		expect(ratio).toBeLessThan(1.5);
		expect(gaps.minCheckGapMs).toBeGreaterThanOrEqual(1_000);
	});

	it('no key in the log, the flows or any answer; nothing crashed or timed out', async () => {
		const { nodeRed, client, sim } = stack;
		const log = nodeRed.readLog();
		expect(log).not.toMatch(BAD_LOG);
		expectNoKey(sim, {
			'the Node-RED log': log,
			'GET /flows': JSON.stringify(await client.getFlows()),
			'flows.json': fs.readFileSync(path.join(nodeRed.userDir, 'flows.json'), 'utf8'),
		});
		expect(nodeRed.isRunning()).toBe(true);
	});
});
