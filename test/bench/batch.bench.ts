/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Benchmark, not a test (`npm run bench`; `BENCH_QUICK=1 npm run bench` for the short CI run).
 * See README.md in this folder. Needs n8n 2.41.1 installed (scripts/n8n/install.sh) and either
 * `npm run build` (n8n loads dist/) or BENCH_BUILD=1 (compiles the working tree for this run only).
 *
 * One real n8n 2.41.1 and the simulator (timeScale 1) run, one after another, on the same seeded
 * jobs: the hand-built loop (HTTP Request → Wait 10 s → HTTP Request → IF → back), the same loop with
 * Wait 30 s, and this node with its defaults. Then the node alone under a rate limit, with server
 * hints (Retry-After = the time the job still needs), and downloading large files in the filesystem
 * binary mode. Before that, the node's polling schedule against fixed loops over 10,000 drawn job
 * durations (a pure computation). Prints the tables and writes them to docs/benchmark.md
 * (docs/benchmark-quick.md in quick mode; BENCH_OUT=path overrides).
 *
 * Then the same batches in a real Node-RED (5.0.7 unless NODE_RED_E2E_VERSION says otherwise) with the
 * packed node-red-contrib-perceptis (nodeRed.ts; BENCH_NODE_RED=0 leaves that row out).
 *
 * Targets are printed beside the figures with PASS/FAIL; nothing here asserts a speed. The test
 * fails only when a run itself breaks (an execution that errors, a job missing or not completed).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { nextPollDelayMs } from '../../core/pacing/schedule';
import { acquireE2eLock, N8nClient, REPO_ROOT, startN8n, startSimulator, type N8nInstance, type SimulatorProcess } from '../e2e/harness';
import { buildInto, distStaleness } from './build';
import { checkTimes, fixedLoop, seededRandom, simulateSchedule, uniformSeconds, type Schedule, type ScheduleFigures } from './model';
import { groupRssBytes } from './procstat';
import { measureNodeRed, type NodeRedMeasurements } from './nodeRed';
import { fixed, machine, machineLines, markdownTable, mb, textTable, verdict, type Cell } from './report';
import { Bench, log, SETTLE_MS, sleep, type Contender, type RunResult } from './runner';
import { handLoopWorkflow, nodeWorkflow } from './workflows';

const QUICK = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');
/** Compile the working tree into the benchmark's own n8n folder instead of loading dist/. */
const BUILD = /^(1|true|yes)$/i.test(process.env.BENCH_BUILD ?? '');
/** The Node-RED row (nodeRed.ts); BENCH_NODE_RED=0 leaves it out. */
const NODE_RED = !/^(0|false|no)$/i.test(process.env.BENCH_NODE_RED ?? '');
const N8N_VERSION = '2.41.1';
const SEED = 20_261_126;
const RATE_LIMIT = { max: 5, windowMs: 1000 };
/** Samples of the pure schedule tables. */
const DRAWS = 10_000;
const NODE = 'Perceptis node, defaults';

interface Mode {
	name: 'quick' | 'full';
	batchSizes: number[];
	/** Job durations of the real runs, uniform in [min, max] seconds. */
	jobSeconds: [number, number];
	/** The hand loops' Wait, seconds. */
	waits: [number, number];
	rateLimitJobs: number;
	hintJobs: number;
	files: { count: number; bytes: number; seconds: [number, number] };
	idleSeconds: number;
	/** Node-RED's idle measurement (its idle rate is a tenth of n8n's; the quick run stays short). */
	nodeRedIdleSeconds: number;
}

const MODE: Mode = QUICK
	? {
			name: 'quick',
			batchSizes: [10],
			jobSeconds: [3, 8],
			waits: [2, 6],
			rateLimitJobs: 20,
			hintJobs: 10,
			files: { count: 5, bytes: 20_000_000, seconds: [2, 3] },
			idleSeconds: 10,
			nodeRedIdleSeconds: 5,
		}
	: {
			name: 'full',
			batchSizes: [10, 30, 100],
			jobSeconds: [20, 60],
			waits: [10, 30],
			rateLimitJobs: 50,
			hintJobs: 30,
			files: { count: 20, bytes: 50_000_000, seconds: [2, 4] },
			idleSeconds: 15,
			nodeRedIdleSeconds: 15,
		};
/** The seeded job durations of every real run (seconds): the first n of them for a batch of n. */
const SECONDS = uniformSeconds(
	seededRandom(SEED),
	Math.max(...MODE.batchSizes, MODE.rateLimitJobs, MODE.hintJobs),
	MODE.jobSeconds[0],
	MODE.jobSeconds[1],
	1,
);
const OUT = process.env.BENCH_OUT ?? path.join(REPO_ROOT, 'docs', QUICK ? 'benchmark-quick.md' : 'benchmark.md');

// ---------------------------------------------------------------------------------------------
// The pure schedule tables
// ---------------------------------------------------------------------------------------------

interface ScheduleRow {
	name: string;
	figures: ScheduleFigures;
}

const NODE_SCHEDULE = "node's schedule";
const HINTED_SCHEDULE = "node's schedule, server hints (Retry-After = time left)";

/** The node's schedule (with and without hints) and fixed loops over the same durations (seconds). */
function scheduleRows(schedule: Schedule, durations: number[]): ScheduleRow[] {
	return [
		{ name: NODE_SCHEDULE, figures: simulateSchedule(schedule, durations) },
		{ name: HINTED_SCHEDULE, figures: simulateSchedule(schedule, durations, { hints: 'remaining' }) },
		...[10, 30, 60].map((seconds) => ({ name: `fixed ${seconds} s loop`, figures: simulateSchedule(fixedLoop(seconds), durations) })),
	];
}

/** Half single slides (3–7 min), half decks (5–15 min), from one seeded sequence. */
function documentedDurations(): number[] {
	const random = seededRandom(SEED + 1);
	return [...uniformSeconds(random, DRAWS / 2, 180, 420, 2), ...uniformSeconds(random, DRAWS / 2, 300, 900, 2)];
}

// ---------------------------------------------------------------------------------------------
// The real runs
// ---------------------------------------------------------------------------------------------

interface Measurements {
	codeNote: string;
	n8nNodeBinary?: string;
	idle?: { cpuPerSecond: number; rssBytes: number; processes: number };
	results: RunResult[];
	download?: { result: RunResult; baselineRss: number };
	nodeRed?: NodeRedMeasurements;
	errors: string[];
}

/** The n8n runs, then (with the e2e lock passed straight on) the Node-RED row. */
async function measure(): Promise<Measurements> {
	const { m, release } = await measureN8n();
	if (!NODE_RED) return m;
	// measureNodeRed() takes the lock again on its first line (startPerceptisNodeRed), with no wait in between.
	release();
	m.nodeRed = await measureNodeRed({
		batches: MODE.batchSizes.map((size) => ({ label: `${size} jobs`, jobSeconds: SECONDS.slice(0, size) })),
		idleSeconds: MODE.nodeRedIdleSeconds,
	});
	m.results.push(...m.nodeRed.results);
	m.errors.push(...m.nodeRed.errors);
	return m;
}

async function measureN8n(): Promise<{ m: Measurements; release: () => void }> {
	const m: Measurements = { codeNote: '', results: [], errors: [] };
	const release = await acquireE2eLock();
	let sim: SimulatorProcess | undefined;
	let n8n: N8nInstance | undefined;
	let userFolder: string | undefined;
	try {
		if (BUILD) {
			userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-bench-'));
			buildInto(userFolder);
			m.codeNote = 'The node: compiled from the working tree at the start of this run (BENCH_BUILD=1).';
		} else {
			const stale = distStaleness();
			m.codeNote = stale ? `WARNING: ${stale}` : 'The node: dist/ (up to date with the sources).';
		}
		log(m.codeNote);
		sim = await startSimulator({ timeScale: 1, config: {} });
		n8n = await startN8n({
			version: N8N_VERSION,
			// info, as a production n8n logs: the harness's default (debug) costs CPU per request.
			logLevel: 'info',
			env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' },
			...(userFolder ? { userFolder, loadPackage: false } : {}),
		});
		m.n8nNodeBinary = n8n.install.node;
		log(`n8n ${N8N_VERSION} ready in ${(n8n.startMs / 1000).toFixed(1)} s (pid ${n8n.pid}); simulator at ${sim.origin}`);
		const client = await N8nClient.ready(n8n.baseUrl);
		const bench = new Bench(n8n, client, sim);

		// One key (and credential) per contender: its requests are told apart by keyPlan in the log.
		const contenders: Contender[] = [];
		for (const [key, wait] of [['business', MODE.waits[0]], ['business2', MODE.waits[1]]] as const) {
			const credential = await client.createCredential({
				name: `Perceptis header auth (${key})`,
				type: 'httpHeaderAuth',
				data: { name: 'Authorization', value: `Bearer ${sim.keys[key]}` },
			});
			const webhookPath = `bench-hand-${wait}s`;
			const workflowId = await client.deploy(handLoopWorkflow(`Hand loop, Wait ${wait} s`, webhookPath, sim.origin, credential, wait));
			contenders.push({ name: `hand loop, Wait ${wait} s`, kind: 'hand', key, workflowId, path: webhookPath });
		}
		const nodeCredential = await client.createCredential({
			name: 'Perceptis API (enterprise)',
			type: 'perceptisApi',
			data: { apiKey: sim.keys.enterprise, baseUrl: sim.origin },
		});
		const node: Contender = {
			name: NODE,
			kind: 'node',
			key: 'enterprise',
			workflowId: await client.deploy(nodeWorkflow(NODE, 'bench-node', nodeCredential)),
			path: 'bench-node',
		};
		contenders.push(node);

		// Warm-up: every workflow runs once (n8n loads its nodes' code), then n8n is left alone for its idle rate.
		for (const contender of contenders) {
			const warm = await bench.run({ label: 'warm-up', contender, jobSeconds: [0.5], simConfig: {}, expectFiles: false });
			if (warm.error) m.errors.push(`warm-up of ${contender.name}: ${warm.error}`);
		}
		await sleep(5_000);
		const idle = await bench.measureIdle(MODE.idleSeconds);
		m.idle = { cpuPerSecond: idle.cpuSeconds / idle.wallSeconds, rssBytes: idle.peakRssBytes, processes: idle.maxProcesses };

		const seconds = SECONDS;
		for (const size of MODE.batchSizes) {
			for (const contender of contenders) {
				const spec = { label: `${size} jobs`, contender, jobSeconds: seconds.slice(0, size), simConfig: {}, expectFiles: contender.kind === 'node' };
				m.results.push(await bench.run(spec));
			}
		}
		m.results.push(
			await bench.run({
				label: `rate limit ${RATE_LIMIT.max}/s per key`,
				contender: node,
				jobSeconds: seconds.slice(0, MODE.rateLimitJobs),
				simConfig: { rateLimit: RATE_LIMIT },
				expectFiles: true,
			}),
		);
		m.results.push(
			await bench.run({
				label: 'server hints (Retry-After = time left)',
				contender: node,
				jobSeconds: seconds.slice(0, MODE.hintJobs),
				simConfig: { statusRetryAfterSeconds: 'remaining' },
				expectFiles: true,
			}),
		);
		await sleep(SETTLE_MS);
		const baselineRss = groupRssBytes(n8n.pid);
		const files = await bench.run({
			label: `${MODE.files.count} files of ${MODE.files.bytes / 1e6} MB`,
			contender: node,
			jobSeconds: uniformSeconds(seededRandom(SEED + 3), MODE.files.count, MODE.files.seconds[0], MODE.files.seconds[1], 1),
			simConfig: { fileSizeBytes: MODE.files.bytes },
			expectFiles: true,
		});
		m.download = { result: files, baselineRss };
		m.results.push(files);
	} catch (error) {
		m.errors.push(`the benchmark stopped: ${(error as Error).stack ?? error}`);
	} finally {
		await n8n?.dispose();
		await sim?.stop();
		if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
		// Kept for the Node-RED row, which takes it over; released here when that row is left out.
		if (!NODE_RED) release();
	}
	for (const r of m.results) if (r.error) m.errors.push(`${r.label} · ${r.contender}: ${r.error}`);
	return { m, release };
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

class Report {
	readonly text: string[] = [];
	readonly markdown: string[] = [];

	title(title: string): void {
		this.text.push(title);
		this.markdown.push(`# ${title}`, '');
	}

	heading(title: string): void {
		this.text.push('', title, '='.repeat(title.length));
		this.markdown.push('', `## ${title}`, '');
	}

	para(...lines: string[]): void {
		this.text.push(...lines);
		this.markdown.push(...lines.map((line) => `${line}  `), '');
	}

	table(headers: string[], rows: Cell[][]): void {
		// A last column that is empty everywhere (the error column of a clean run) is left out.
		const last = headers.length - 1;
		if (headers[last] === '' && rows.every((row) => !row[last])) {
			headers = headers.slice(0, last);
			rows = rows.map((row) => row.slice(0, last));
		}
		this.text.push('', textTable(headers, rows), '');
		this.markdown.push(markdownTable(headers, rows), '');
	}
}

interface Target {
	what: string;
	measured: string;
	limit: string;
	ok: boolean | undefined;
}

/** value ≤ limit, or undefined when either is unknown. */
const within = (value: number | undefined, limit: number | undefined) =>
	value === undefined || limit === undefined || !Number.isFinite(value) || !Number.isFinite(limit) ? undefined : value <= limit;

const RUN_HEADERS = [
	'run',
	'contender',
	'jobs',
	'longest s',
	'wall s',
	'wall/longest',
	'status req/job',
	'latency p50 s',
	'latency p95 s',
	'CPU s above idle',
	'peak RSS MB',
	'RSS growth MB',
	'',
];

function runRow(r: RunResult): Cell[] {
	return [
		r.label,
		r.contender,
		r.jobs,
		fixed(r.longest),
		fixed(r.wall),
		fixed(r.ratio, 2),
		fixed(r.statusPerJob, 2),
		fixed(r.latencyP50),
		fixed(r.latencyP95),
		fixed(r.cpuAboveIdle),
		mb(r.usage?.peakRssBytes),
		mb(r.usage ? r.usage.peakRssBytes - r.usage.startRssBytes : undefined),
		r.error ? `ERROR: ${r.error}` : '',
	];
}

const SCHEDULE_HEADERS = ['schedule', 'status req/job', 'max req/job', 'latency p50 s', 'latency p95 s', 'mean latency s'];
const scheduleTable = (rows: ScheduleRow[]): Cell[][] =>
	rows.map(({ name, figures }) => [
		name,
		fixed(figures.requestsPerJob, 2),
		figures.maxRequests,
		fixed(figures.latencyP50),
		fixed(figures.latencyP95),
		fixed(figures.latencyMean),
	]);

function render(m: Measurements, documented: ScheduleRow[], short: ScheduleRow[], minutes: number): Report {
	const report = new Report();
	const targets: Target[] = [];
	const machineInfo = machine(m.n8nNodeBinary, N8N_VERSION, REPO_ROOT);

	report.title(`Perceptis node benchmark (${MODE.name} mode)`);
	report.para(...machineLines(machineInfo), `Seed ${SEED}: the same seeded jobs for every contender. The run took ${minutes.toFixed(1)} min.`, m.codeNote);
	if (QUICK) {
		report.para(
			`Quick mode: jobs of ${MODE.jobSeconds[0]}–${MODE.jobSeconds[1]} s, hand loops with Wait ${MODE.waits[0]} s and ${MODE.waits[1]} s ` +
				`in place of 10 s and 30 s, ${MODE.rateLimitJobs} jobs under the rate limit, ${MODE.hintJobs} with hints, ` +
				`${MODE.files.count} files of ${MODE.files.bytes / 1e6} MB${NODE_RED ? ', the Node-RED row on the one batch' : ''}. ` +
				'The targets are stated for the full run: read these as a smoke check.',
		);
	}

	// ----- the pure schedule -----
	report.heading('Polling schedule (pure computation, no waiting)');
	report.para(
		`The node's first status checks of a running job, seconds after its start: ${checkTimes(nextPollDelayMs, 10)
			.map((t) => t.toFixed(1))
			.join(', ')} …`,
		`${DRAWS.toLocaleString('en')} drawn durations per table; latency = from the job's end to the check that sees it; request times ignored.`,
		'With hints, every answer about a running job says Retry-After = the whole seconds it still needs, and the schedule is handed that hint.',
	);
	report.para('Documented durations: half single slides U[180, 420] s (3–7 min), half decks U[300, 900] s (5–15 min).');
	report.table(SCHEDULE_HEADERS, scheduleTable(documented));
	report.para('Jobs of U[20, 60] s (the durations of the full real runs below):');
	report.table(SCHEDULE_HEADERS, scheduleTable(short));
	const figuresOf = (rows: ScheduleRow[], name: string) => rows.find((row) => row.name === name)!.figures;
	const nodeDoc = figuresOf(documented, NODE_SCHEDULE);
	const loop30 = figuresOf(documented, 'fixed 30 s loop');
	targets.push({
		what: 'documented durations: status requests/job ≤ 1.2 × fixed 30 s loop (pure)',
		measured: fixed(nodeDoc.requestsPerJob, 2),
		limit: `≤ ${fixed(1.2 * loop30.requestsPerJob, 2)}`,
		ok: within(nodeDoc.requestsPerJob, 1.2 * loop30.requestsPerJob),
	});
	targets.push({
		what: 'documented durations: latency p95 ≤ fixed 30 s loop (pure)',
		measured: `${fixed(nodeDoc.latencyP95)} s`,
		limit: `≤ ${fixed(loop30.latencyP95)} s`,
		ok: within(nodeDoc.latencyP95, loop30.latencyP95),
	});
	const nodeShort = figuresOf(short, NODE_SCHEDULE);
	const loop10 = figuresOf(short, 'fixed 10 s loop');
	targets.push({
		what: '20–60 s jobs: status requests/job ≤ fixed 10 s loop + 1 (pure preview)',
		measured: fixed(nodeShort.requestsPerJob, 2),
		limit: `≤ ${fixed(loop10.requestsPerJob + 1, 2)}`,
		ok: within(nodeShort.requestsPerJob, loop10.requestsPerJob + 1),
	});
	const hintedShort = figuresOf(short, HINTED_SCHEDULE);
	targets.push({
		what: 'server hints: status requests/job ≤ 3 (pure preview, 20–60 s jobs)',
		measured: fixed(hintedShort.requestsPerJob, 2),
		limit: '≤ 3',
		ok: within(hintedShort.requestsPerJob, 3),
	});

	// ----- the batches -----
	const nodeRed = m.nodeRed;
	const beside = nodeRed ? ` and one Node-RED ${nodeRed.version}` : '';
	report.heading(`Batches in one n8n ${N8N_VERSION}${beside} (real runs, jobs of ${MODE.jobSeconds[0]}–${MODE.jobSeconds[1]} s)`);
	report.para(
		'wall = the execution from start to end (n8n startedAt/stoppedAt); longest = the longest job of the batch.',
		"status req/job = status requests of the contender's key ÷ jobs; latency = job end → first status request of that job at or after it.",
		"CPU = utime+stime of n8n's process group (main process and task runners) during the run, minus the idle rate × the run's length; " +
			'peak RSS = summed VmRSS of that group, sampled every 150 ms; RSS growth = peak − RSS when the run started.',
	);
	if (m.idle) {
		report.para(
			`Idle n8n (measured over ${MODE.idleSeconds} s after a warm-up run of each workflow): ${m.idle.cpuPerSecond.toFixed(4)} CPU s per s, ` +
				`RSS ${mb(m.idle.rssBytes)} MB in ${m.idle.processes} processes.`,
		);
	}
	if (nodeRed) {
		report.para(
			`${nodeRed.contender}: the same seeded jobs, and a simulator of its own at the same time scale (1), reset like the n8n runs' before each batch ` +
				`(key \`enterprise\`). Package node-red-contrib-perceptis@${nodeRed.packageVersion ?? '?'} built from the working tree, packed, published to ` +
				'the local verdaccio and installed by the palette manager (POST /nodes), as the Node-RED e2e suites do; Node-RED on Node ' +
				`${nodeRed.nodeVersion ?? '?'}, persistent context (localfilesystem), set up in ${fixed(nodeRed.setupSeconds)} s (not in the figures).`,
			'Flow: HTTP In (the batch) → Function (N messages at once) → perceptis (Generate a deck, a new node\'s defaults) → Function recording ' +
				'each file. wall = the N messages sent → the last file recorded (Node-RED\'s clock); status req/job and latency as above, from the simulator; ' +
				"CPU and RSS of Node-RED's process group, idle rate measured the same way" +
				(nodeRed.idle ? ` (over ${MODE.nodeRedIdleSeconds} s: ${nodeRed.idle.cpuPerSecond.toFixed(4)} CPU s per s, RSS ${mb(nodeRed.idle.rssBytes)} MB)` : '') +
				`; smallest gap between two status checks of a job: ${nodeRed.minCheckGapMs ?? '–'} ms.`,
		);
	}
	// Each batch size's rows together: the n8n contenders, then Node-RED.
	const batchRows = MODE.batchSizes.flatMap((size) => m.results.filter((r) => r.label === `${size} jobs`));
	report.table(RUN_HEADERS, batchRows.map(runRow));
	for (const size of MODE.batchSizes) {
		const rows = batchRows.filter((r) => r.label === `${size} jobs`);
		const nodeRun = rows.find((r) => r.contender === NODE);
		const hands = rows.filter((r) => r.contender.startsWith('hand loop') && r.ratio !== undefined);
		const bestHand = [...hands].sort((a, b) => a.ratio! - b.ratio!)[0];
		const fastLoop = rows.find((r) => r.contender === `hand loop, Wait ${MODE.waits[0]} s`);
		const handLimit = bestHand ? bestHand.ratio! + 0.05 : undefined;
		const requestLimit = fastLoop?.statusPerJob !== undefined ? fastLoop.statusPerJob + 1 : undefined;
		targets.push({ what: `${size} jobs: wall/longest ≤ 1.10`, measured: fixed(nodeRun?.ratio, 3), limit: '≤ 1.100', ok: within(nodeRun?.ratio, 1.1) });
		targets.push({
			what: `${size} jobs: wall/longest ≤ best hand loop's + 0.05 (${bestHand?.contender ?? '–'})`,
			measured: fixed(nodeRun?.ratio, 3),
			limit: `≤ ${fixed(handLimit, 3)}`,
			ok: within(nodeRun?.ratio, handLimit),
		});
		targets.push({
			what: `${size} jobs: status requests/job ≤ Wait ${MODE.waits[0]} s loop's + 1`,
			measured: fixed(nodeRun?.statusPerJob, 2),
			limit: `≤ ${fixed(requestLimit, 2)}`,
			ok: within(nodeRun?.statusPerJob, requestLimit),
		});
		if (nodeRed) {
			// The node's own targets, for the Node-RED package on the same batch.
			const redRun = rows.find((r) => r.contender === nodeRed.contender);
			targets.push({ what: `${size} jobs, Node-RED ${nodeRed.version}: wall/longest ≤ 1.10`, measured: fixed(redRun?.ratio, 3), limit: '≤ 1.100', ok: within(redRun?.ratio, 1.1) });
			targets.push({
				what: `${size} jobs, Node-RED ${nodeRed.version}: status requests/job ≤ Wait ${MODE.waits[0]} s loop's + 1`,
				measured: fixed(redRun?.statusPerJob, 2),
				limit: `≤ ${fixed(requestLimit, 2)}`,
				ok: within(redRun?.statusPerJob, requestLimit),
			});
		}
	}

	// ----- rate limit, hints, downloads -----
	report.heading('The node under a rate limit, with server hints, and downloading large files');
	const limited = m.results.find((r) => r.label.startsWith('rate limit'));
	const hinted = m.results.find((r) => r.label.startsWith('server hints'));
	report.table(RUN_HEADERS, [limited, hinted].filter((r): r is RunResult => r !== undefined).map(runRow));
	if (limited) {
		const share = limited.apiRequests ? (limited.tooMany ?? 0) / limited.apiRequests : undefined;
		const wallLimit = limited.longest + limited.jobs / RATE_LIMIT.max + 10;
		report.para(
			`Rate limit ${RATE_LIMIT.max} requests/s per key (generate and status counted apart): ${limited.tooMany ?? '–'} answers 429 of ` +
				`${limited.apiRequests ?? '–'} API requests (${limited.generateRequests ?? '–'} generate, ${limited.statusRequests ?? '–'} status) ` +
				`= ${fixed(share === undefined ? undefined : share * 100, 2)} %; wall ${fixed(limited.wall)} s, ` +
				`against longest job + jobs ÷ limit + 10 s = ${fixed(limited.longest)} + ${limited.jobs} ÷ ${RATE_LIMIT.max} + 10 = ${fixed(wallLimit)} s.`,
		);
		targets.push({
			what: 'rate limit: 429s ≤ 2 % of all requests',
			measured: `${fixed(share === undefined ? undefined : share * 100, 2)} %`,
			limit: '≤ 2 %',
			ok: within(share, 0.02),
		});
		targets.push({
			what: 'rate limit: wall ≤ longest job + jobs ÷ limit + 10 s',
			measured: `${fixed(limited.wall)} s`,
			limit: `≤ ${fixed(wallLimit)} s`,
			ok: within(limited.wall, wallLimit),
		});
	}
	if (hinted) {
		report.para(
			`Server hints: ${hinted.generateRequests ?? '–'} generate + ${hinted.statusRequests ?? '–'} status requests for ${hinted.jobs} jobs ` +
				`(${fixed(hinted.statusPerJob, 2)} status requests per job); detection latency p50 ${fixed(hinted.latencyP50)} s, p95 ${fixed(hinted.latencyP95)} s.`,
		);
		targets.push({ what: 'server hints: status requests/job ≤ 3', measured: fixed(hinted.statusPerJob, 2), limit: '≤ 3', ok: within(hinted.statusPerJob, 3) });
	}
	if (m.download) {
		const { result, baselineRss } = m.download;
		const peak = result.usage?.peakRssBytes;
		const growth = peak === undefined ? undefined : peak - baselineRss;
		const totalBytes = MODE.files.count * MODE.files.bytes;
		report.table(
			['run', 'binary mode', 'files downloaded', 'MB', 'wall s', 'RSS before MB', 'peak RSS MB', 'growth MB', 'peak RSS of the main process MB', ''],
			[
				[
					result.label,
					'filesystem',
					result.downloads ?? '–',
					mb(totalBytes),
					fixed(result.wall),
					mb(baselineRss),
					mb(peak),
					mb(growth),
					mb(result.usage?.peakMainRssBytes),
					result.error ? `ERROR: ${result.error}` : '',
				],
			],
		);
		targets.push({
			what: `peak RSS growth ≤ 150 MB while downloading ${QUICK ? `${mb(totalBytes)} MB (the target is stated for 1 GB)` : '1 GB'}`,
			measured: `${mb(growth)} MB`,
			limit: '≤ 150 MB',
			ok: within(growth, 150_000_000),
		});
	}

	report.heading('Targets (reported beside the figures, never asserted)');
	report.table(
		['target', 'measured', 'limit', 'verdict'],
		targets.map((t) => [t.what, t.measured, t.limit, verdict(t.ok)]),
	);
	if (m.errors.length) report.para('Runs that broke:', ...m.errors.map((e) => `- ${e}`));
	return report;
}

// ---------------------------------------------------------------------------------------------

it(`benchmark (${MODE.name} mode)`, async () => {
	const began = Date.now();
	// The pure tables need nothing running; they follow whatever nextPollDelayMs is now.
	const documented = scheduleRows(nextPollDelayMs, documentedDurations());
	const short = scheduleRows(nextPollDelayMs, uniformSeconds(seededRandom(SEED + 2), DRAWS, 20, 60, 2));
	const measurements = await measure();
	const report = render(measurements, documented, short, (Date.now() - began) / 60_000);

	process.stdout.write(`\n${report.text.join('\n')}\n\n`);
	fs.mkdirSync(path.dirname(OUT), { recursive: true });
	fs.writeFileSync(OUT, `${report.markdown.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`);
	log(`written to ${path.relative(REPO_ROOT, OUT)}`);

	expect(measurements.errors).toEqual([]);
}, (QUICK ? 8 : 120) * 60_000);
