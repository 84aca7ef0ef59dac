/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * The fault table, not a test (`npm run faults`; `FAULTS_QUICK=1 npm run faults` for CI). See
 * README.md in this folder. Needs n8n 2.41.1 installed (scripts/n8n/install.sh) and `npm run build`
 * (n8n loads dist/).
 *
 * For each fault class, N seeded trials (20 by default, FAULTS_TRIALS; 2 in quick mode) run in a
 * real n8n 2.41.1 against the simulator, side by side, each with a simulator of its own. One row
 * per class: how many trials completed, failed with a clear error, or failed otherwise, and the
 * three counts that must be 0 — jobs beyond one per item, job ids lost, the key seen where it must
 * not be. Prints the table (progress lines go to stderr); in full mode also writes docs/faults.md
 * (FAULTS_OUT=path writes it in either mode).
 *
 * The jest test fails only when a trial cannot run, or when a must-be-0 count is not 0.
 */
import * as fs from 'fs';
import * as path from 'path';

import { acquireE2eLock, REPO_ROOT, startQueueStack, type QueueStack } from '../e2e/harness';
import { distStaleness } from '../bench/build';
import { machine, machineLines, markdownTable, textTable, type Cell } from '../bench/report';
import { seededRandom } from '../bench/model';
import { KEYS } from '../simulator';
import { CLASSES, planTrial, type FaultClass } from './classes';
import {
	Instance,
	keysInInstance,
	log,
	newRecord,
	runQueueRound,
	runRestartRound,
	runTrial,
	SimulatorPool,
	type RoundResult,
	type TrialContext,
	type TrialRecord,
} from './trial';

const QUICK = /^(1|true|yes)$/i.test(process.env.FAULTS_QUICK ?? '');
const TRIALS = Number(process.env.FAULTS_TRIALS ?? (QUICK ? 2 : 20));
const SEED = Number(process.env.FAULTS_SEED ?? 20_261_128);
/** Trials of the main n8n running at once. */
const CONCURRENCY = Number(process.env.FAULTS_CONCURRENCY ?? 24);
const N8N_VERSION = '2.41.1';
const MODE = QUICK ? 'quick' : 'full';
const OUT = process.env.FAULTS_OUT ?? (QUICK ? undefined : path.join(REPO_ROOT, 'docs', 'faults.md'));
/** Only these classes (comma-separated ids), for working on one row. */
const ONLY = (process.env.FAULTS_ONLY ?? '').split(',').map((id) => id.trim()).filter(Boolean);

if (!Number.isInteger(TRIALS) || TRIALS < 1) throw new Error(`FAULTS_TRIALS must be a whole number ≥ 1, not ${process.env.FAULTS_TRIALS}`);
if (!Number.isInteger(SEED)) throw new Error(`FAULTS_SEED must be a whole number, not ${process.env.FAULTS_SEED}`);

interface Run {
	records: TrialRecord[];
	rounds: RoundResult[];
	/** Keys found in a whole n8n instance (logs, database files). */
	keyFindings: string[];
	n8nNodeBinary?: string;
	codeNote: string;
	peakSimulators: number;
	/** The run itself broke (not a trial). */
	errors: string[];
}

/** Runs `tasks` with at most `limit` at once, in the order given. */
async function inParallel<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
	const queue = [...items];
	const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
		for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
	});
	await Promise.all(workers);
}

/**
 * n8n's worker lock times in queue mode (ms), lowered as in the queue-mode e2e suite, so that a
 * dead worker is noticed in seconds (n8n's defaults: lock 60 s, renewed every 10 s, stalled check every 30 s).
 */
const QUEUE_ENV = {
	QUEUE_WORKER_LOCK_DURATION: '8000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
	QUEUE_WORKER_STALLED_INTERVAL: '4000',
};

/** Longest first, so the long trials do not start last. */
const EXPECTED_SECONDS: Record<string, number> = { slow: 200, 'retry-failed-job': 60, 'retry-original': 60, 'retry-current': 50, 'retry-on-fail': 40 };

async function measure(classes: FaultClass[]): Promise<Run> {
	const run: Run = { records: [], rounds: [], keyFindings: [], codeNote: '', peakSimulators: 0, errors: [] };
	const stale = distStaleness();
	run.codeNote = stale ? `WARNING: ${stale}` : 'The node: dist/ (up to date with the sources).';
	log(run.codeNote);
	for (const cls of classes) {
		for (let index = 0; index < TRIALS; index++) run.records.push(newRecord(cls, index, planTrial(SEED, cls, index)));
	}
	const pool = new SimulatorPool();
	const ctx: TrialContext = { pool, keys: Object.values(KEYS) };
	const queueRecords = run.records.filter((r) => r.cls.where === 'queue');
	// The queue stack takes the e2e lock itself (and gives it back at its stop); without it, the run takes it.
	let stack: QueueStack | undefined;
	let release: () => void = () => undefined;
	let main: Instance | undefined;
	try {
		if (queueRecords.length) {
			stack = await startQueueStack(N8N_VERSION, { env: QUEUE_ENV });
			log(`queue mode: Postgres, Redis, a main and 2 workers up in ${(stack.timings.totalMs / 1000).toFixed(1)} s`);
		} else {
			release = await acquireE2eLock();
		}
		main = await Instance.start('main', N8N_VERSION);
		run.n8nNodeBinary = main.n8n.install.node;
		const live = main;
		const mainRecords = run.records
			.filter((r) => r.cls.where === 'main')
			.sort((a, b) => (EXPECTED_SECONDS[b.cls.id] ?? 20) - (EXPECTED_SECONDS[a.cls.id] ?? 20));
		let done = 0;
		const mainTrials = inParallel(mainRecords, CONCURRENCY, async (record) => {
			await runTrial(ctx, live, record);
			done += 1;
			const v = record.verdict;
			log(
				`${done}/${mainRecords.length} ${record.cls.id} #${record.index}: ${record.error ? `COULD NOT RUN: ${record.error}` : `${v!.outcome} (${v!.detail})`}` +
					` in ${record.seconds?.toFixed(0)} s`,
			);
		});
		// Each restart row in an n8n of its own, side by side with the main trials.
		const restartRows = classes.filter((cls) => cls.where === 'restart');
		const rounds = restartRows.map(async (cls) => {
			const records = run.records.filter((r) => r.cls === cls);
			// The moment of the signal, after every job exists: seeded like everything else.
			const killAfterMs = Math.round(seededRandom(SEED + restartRows.indexOf(cls) + 1)() * 3000);
			const result = await runRestartRound(ctx, N8N_VERSION, cls.signal!, records, killAfterMs);
			run.rounds.push(result);
			for (const record of records) {
				log(`${record.cls.id} #${record.index}: ${record.error ? `COULD NOT RUN: ${record.error}` : `${record.verdict!.outcome} (${record.verdict!.detail})`}`);
			}
		});
		const queueRound = stack
			? (async () => {
					const killAfterMs = Math.round(seededRandom(SEED + 99)() * 3000);
					const result = await runQueueRound(ctx, stack, queueRecords, killAfterMs);
					run.rounds.push(result);
					for (const record of queueRecords) {
						log(`${record.cls.id} #${record.index}: ${record.error ? `COULD NOT RUN: ${record.error}` : `${record.verdict!.outcome} (${record.verdict!.detail})`}`);
					}
				})()
			: undefined;
		await Promise.all([mainTrials, ...rounds, queueRound]);
		run.keyFindings.push(...keysInInstance(main, ctx.keys));
		for (const round of run.rounds) run.keyFindings.push(...round.keyFindings);
	} catch (error) {
		run.errors.push(`the run stopped: ${(error as Error).stack ?? error}`);
	} finally {
		run.peakSimulators = pool.peak;
		await main?.n8n.dispose();
		await pool.stopAll();
		await stack?.stop();
		release();
	}
	return run;
}

// -------------------------------------------------------------------------------------------------
// The report
// -------------------------------------------------------------------------------------------------

interface Row {
	cls: FaultClass;
	records: TrialRecord[];
	completed: number;
	clear: number;
	unclear: number;
	couldNotRun: number;
	beyond: number;
	replacements: number;
	lost: number;
	onlyInLog: number;
	keys: number;
	notes: string;
}

const count = <T>(values: T[]) => {
	const counts = new Map<T, number>();
	for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
	return [...counts.entries()].map(([value, n]) => `${String(value)} ×${n}`).join(', ');
};

function rowOf(cls: FaultClass, records: TrialRecord[]): Row {
	const judged = records.filter((r) => r.verdict);
	const v = judged.map((r) => r.verdict!);
	const failures = v.filter((x) => x.outcome !== 'completed').map((x) => x.failureKind ?? 'no kind');
	const notes: string[] = [];
	const planned = records.reduce((sum, r) => sum + r.plan.faults.reduce((n, f) => n + (typeof f.times === 'number' ? f.times : 1), 0), 0);
	const served = records.reduce((sum, r) => sum + (r.faultsServed ?? 0), 0);
	if (planned) notes.push(`faults served ${served} of ${planned}`);
	const tooMany = records.reduce((sum, r) => sum + (r.tooMany ?? 0), 0);
	if (tooMany) notes.push(`429 answers ${tooMany}`);
	if (failures.length) notes.push(`failed: ${count(failures)}`);
	if (cls.where !== 'main') {
		const shown = records.flatMap((r) => (r.shownAs ? [r.shownAs] : []));
		if (shown.length) notes.push(`n8n showed the execution ${cls.where === 'restart' ? 'after the restart' : 'after the kill'}: ${count(shown)}`);
		notes.push(`Retried from the list: ${records.filter((r) => r.retried.length).length}`);
	}
	const probed = records.filter((r) => r.probe);
	if (probed.length) {
		const lost = probed.reduce((sum, r) => sum + r.probe!.lost, 0);
		const named = probed.reduce((sum, r) => sum + r.probe!.named, 0);
		const second = probed.reduce((sum, r) => sum + r.probe!.secondJobs, 0);
		notes.push(`one Retry from the list named ${named} of the ${lost} lost ids${second ? ` and started ${second} second job(s)` : ''}`);
	}
	const refused = records.flatMap((r) => r.notes.filter((n) => n.includes('refused')));
	if (refused.length) notes.push(`Retry refused ×${refused.length}`);
	return {
		cls,
		records,
		completed: v.filter((x) => x.outcome === 'completed').length,
		clear: v.filter((x) => x.outcome === 'failed-clear').length,
		unclear: v.filter((x) => x.outcome === 'failed-unclear').length,
		couldNotRun: records.length - judged.length,
		beyond: v.reduce((sum, x) => sum + x.beyondOnePerItem, 0),
		replacements: v.reduce((sum, x) => sum + x.replacements, 0),
		lost: v.reduce((sum, x) => sum + x.lostJobIds.length, 0),
		onlyInLog: v.reduce((sum, x) => sum + x.onlyInLogJobIds.length, 0),
		keys: v.reduce((sum, x) => sum + x.keySightings.length, 0),
		notes: notes.join('; '),
	};
}

const HEADERS = [
	'fault class',
	'trials',
	'completed',
	'failed, clear error',
	'failed, unclear',
	'jobs beyond one per item (must be 0)',
	'job ids lost (must be 0)',
	"job ids only in n8n's log",
	'key seen (must be 0)',
	'new jobs for failed jobs retried (expected)',
	'notes',
];

const rowCells = (row: Row): Cell[] => [
	row.cls.title,
	row.records.length,
	row.completed,
	row.clear,
	row.unclear + row.couldNotRun,
	row.beyond,
	row.lost,
	row.onlyInLog,
	row.keys,
	row.replacements,
	[row.couldNotRun ? `${row.couldNotRun} could not run` : '', row.notes].filter(Boolean).join('; '),
];

const LEGEND = [
	'**completed**: the last execution of the trial (after its planned Retries, if any) succeeded, with one item per input item, each `completed`, naming its newest job and carrying its file.',
	"**failed, clear error**: the last execution failed on the Perceptis node with an error that (1) has `context.failureKind`; (2) has a description of at least 20 characters saying what to do; (3) when the simulator holds a job of the failing item, has that job's id in `context.jobId` and in its message or description; (4) lists every item in `context.jobs` with the id of the item's newest job (null only when the simulator holds none). Defined in `test/faults/verdict.ts` (`unclearBecause`).",
	'**failed, unclear**: any other end (the rule it broke is in the trial list below), and trials that could not run.',
	'**jobs beyond one per item**: jobs the simulator created for the trial, minus one per input item, minus the new jobs counted as expected (next column). Must be 0.',
	"**new jobs for failed jobs retried**: a Retry of an execution whose error lists an item's job as `failed` may start one new job for that item — once per failed execution retried, however often it is retried. These are expected and not counted as beyond one per item.",
	"**job ids lost**: jobs the simulator created whose id nothing names — no execution of the trial (not in an output item: `jobId`, `replacedFailedJobs`, `error.jobId`; nor in the node's error: `context.jobId`, `context.jobs[].jobId` / `.replacedFailedJobs`) and not n8n's log. Must be 0. A trial whose executions name an id nowhere and that planned no Retry then gets one Retry from the executions list (original workflow), as the error advises (it gives the item's Idempotency-Key): an id that Retry names was found again, not lost (the notes say how many); a second job it starts for an item counts as beyond one per item.",
	"**job ids only in n8n's log**: ids no execution names, because n8n kept nothing of the run (a queue-mode worker killed: n8n 2.x fails the execution with no data and its Retry does not run the node), but that n8n's log names in the node's line `Perceptis: started job <id> for item <i> of execution <n>`, written the moment each job exists. Not lost — the log is the record left — and not in any execution either.",
	"**key seen**: the simulator's keys in an execution's data (outputs included), any request to the storage or foreign host that carried `Authorization`, and a key in n8n's log (debug level) while the trial ran — a key in the log is counted for every trial running at that moment. n8n's whole logs and database files are checked at the end too (below the table). Must be 0.",
];

/** At most three problems per class for the terminal (the Markdown lists them all). */
function shortList(problems: string[], classes: FaultClass[]): string[] {
	const shown: string[] = [];
	const other = problems.filter((p) => !classes.some((cls) => p.startsWith(`${cls.id} #`)));
	shown.push(...other);
	for (const cls of classes) {
		const mine = problems.filter((p) => p.startsWith(`${cls.id} #`));
		shown.push(...mine.slice(0, 3));
		if (mine.length > 3) shown.push(`${cls.id}: ${mine.length - 3} more like these${OUT ? ` (all in ${path.relative(REPO_ROOT, OUT)})` : ''}`);
	}
	return shown;
}

function render(run: Run, classes: FaultClass[], minutes: number): { text: string; markdown: string; problems: string[] } {
	const rows = classes.map((cls) => rowOf(cls, run.records.filter((r) => r.cls === cls)));
	const info = machine(run.n8nNodeBinary, N8N_VERSION, REPO_ROOT);
	const problems: string[] = [...run.errors];
	for (const record of run.records) {
		const name = `${record.cls.id} #${record.index} (seed ${SEED}: ${record.plan.summary})`;
		if (record.error) problems.push(`${name} could not run: ${record.error}`);
		const v = record.verdict;
		if (!v) continue;
		const executions = record.executions.map((e) => `#${e.id} ${e.status}`).join(', ');
		const jobs = record.jobs.map((j) => `${j.id} (${j.status})`).join(', ');
		if (v.beyondOnePerItem) {
			const byProbe = record.probe?.secondJobs ? ` (${record.probe.secondJobs} started by one Retry of the lost ids, ${record.probe.execution})` : '';
			problems.push(`${name}: ${v.beyondOnePerItem} job(s) beyond one per item${byProbe} — jobs ${jobs}; executions ${executions}`);
		}
		if (v.lostJobIds.length) problems.push(`${name}: job id(s) lost: ${v.lostJobIds.join(', ')} — executions ${executions}`);
		if (v.keySightings.length) problems.push(`${name}: key seen: ${v.keySightings.join('; ')}`);
	}
	for (const finding of run.keyFindings) problems.push(`key seen: ${finding}`);

	const head = [
		...machineLines(info),
		`Seed ${SEED}, ${TRIALS} trial(s) per class, up to ${CONCURRENCY} main trials at once (${run.peakSimulators} simulators at the peak); the run took ${minutes.toFixed(1)} min.`,
		run.codeNote,
	];
	const restarts = run.rounds.map(
		(r) =>
			`${r.label}: gone ${r.exitMs === undefined ? '–' : (r.exitMs / 1000).toFixed(1)} s after the signal, ready again ${
				r.restartMs === undefined ? '–' : (r.restartMs / 1000).toFixed(1)
			} s after its start${r.error ? ` (the round broke: ${r.error})` : ''}.`,
	);
	const keyLine = run.keyFindings.length
		? `Keys found in n8n's logs or database files: ${run.keyFindings.join('; ')}.`
		: "n8n's logs (debug level) and database files of every instance, searched for the simulator's keys at the end: none found.";
	const table = rows.map(rowCells);
	const queueNote = classes.some((c) => c.where === 'queue')
		? `Queue mode: PostgreSQL, Redis, one main and two workers (test/e2e/harness/queue.ts), worker lock ${QUEUE_ENV.QUEUE_WORKER_LOCK_DURATION} ms, renewed every ${QUEUE_ENV.QUEUE_WORKER_LOCK_RENEW_TIME} ms, stalled check every ${QUEUE_ENV.QUEUE_WORKER_STALLED_INTERVAL} ms.`
		: '';

	const text = [
		`Perceptis node fault table (${MODE} mode)`,
		...head,
		'',
		textTable(HEADERS, table),
		'',
		...restarts,
		keyLine,
		queueNote,
		...(problems.length
			? [
					'',
					`Must-be-0 counts that are not 0, and trials that could not run (FAULTS_SEED=${SEED} FAULTS_ONLY=<class id> FAULTS_TRIALS=<number + 1> npm run faults runs one again):`,
					...shortList(problems, classes).map((p) => `- ${p}`),
				]
			: []),
	].join('\n');

	const planLines = classes.map((cls) => {
		const records = run.records.filter((r) => r.cls === cls);
		return `- **${cls.title}** (\`${cls.id}\`): ${records.map((r) => `#${r.index} ${r.plan.summary}`).join('; ')}`;
	});
	const outcomeLines = classes.map((cls) => {
		const records = run.records.filter((r) => r.cls === cls);
		const words = records.map((r) => {
			const v = r.verdict;
			const said = v?.message ? ` — "${v.message.length > 120 ? `${v.message.slice(0, 117)}…` : v.message}"` : '';
			const what = r.error
				? `could not run (${r.error})`
				: v!.outcome === 'completed'
					? 'completed'
					: `${v!.outcome === 'failed-clear' ? 'clear' : 'UNCLEAR'}: ${v!.detail}${said}`;
			const probe = r.probe
				? [`one Retry of the lost ids: ${r.probe.refused ? `refused (${r.probe.refused})` : `${r.probe.execution}, named ${r.probe.named} of ${r.probe.lost}, ${r.probe.secondJobs} second job(s)`}`]
				: [];
			const extra = r.notes.length || probe.length ? ` [${[...r.notes, ...probe].join('; ')}]` : '';
			return `#${r.index} ${what}, ${v?.jobs ?? '?'} job(s), ${r.seconds?.toFixed(0) ?? '?'} s${extra}`;
		});
		return `- **${cls.id}**: ${words.join('; ')}`;
	});
	const markdown = [
		`# Perceptis node fault table (${MODE} mode)`,
		'',
		...head.map((line) => `${line}  `),
		'',
		markdownTable(HEADERS, table),
		'',
		...restarts.map((line) => `${line}  `),
		`${keyLine}  `,
		queueNote,
		'',
		'## Legend',
		'',
		...LEGEND.map((line) => `- ${line}`),
		'',
		...(problems.length
			? [
					'## Must-be-0 counts that are not 0, and trials that could not run',
					'',
					`A trial's plan depends only on the seed, the class and its number: \`FAULTS_SEED=${SEED} FAULTS_ONLY=<class id> FAULTS_TRIALS=<number + 1> npm run faults\` runs it again (with the trials before it).`,
					'',
					...problems.map((p) => `- ${p}`),
					'',
				]
			: []),
		'## Trial plan (the same seed gives the same plan)',
		'',
		...planLines,
		'',
		'## Every trial',
		'',
		...outcomeLines,
		'',
	].join('\n');
	return { text, markdown, problems };
}

// -------------------------------------------------------------------------------------------------

it(`fault table (${MODE} mode, ${TRIALS} trial(s) per class, seed ${SEED})`, async () => {
	const began = Date.now();
	const classes = ONLY.length ? CLASSES.filter((cls) => ONLY.includes(cls.id)) : CLASSES;
	if (classes.length === 0) throw new Error(`FAULTS_ONLY names no class; the classes are: ${CLASSES.map((c) => c.id).join(', ')}`);
	log(`seed ${SEED}, ${TRIALS} trial(s) per class, ${classes.length} classes`);
	const run = await measure(classes);
	const { text, markdown, problems } = render(run, classes, (Date.now() - began) / 60_000);
	process.stdout.write(`\n${text}\n\n`);
	if (OUT) {
		fs.mkdirSync(path.dirname(OUT), { recursive: true });
		fs.writeFileSync(OUT, markdown);
		log(`written to ${path.relative(REPO_ROOT, OUT)}`);
	}
	expect(problems).toEqual([]);
}, (QUICK ? 10 : 45) * 60_000);
