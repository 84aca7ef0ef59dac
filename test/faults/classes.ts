/**
 * The fault classes of the table and each trial's plan. A trial's plan is drawn from its own seeded
 * sequence (the run's seed, the class and the trial's number), so the same seed gives the same plan,
 * and trial #3 is the same whether 2 or 20 trials run. Where a class has variants, trial i plays
 * variant i mod their count, so even a quick run (2 trials) meets more than one.
 *
 * Times are real: every simulator runs at time scale 1, and `[sim:seconds=N]` gives each job N
 * seconds. The node's own timings (request timeouts, backoff) come from
 * core/pacing/timing.ts, so the table follows any change to them.
 */
import { TIMING } from '../../core/pacing/timing';
import { seededRandom } from '../bench/model';

export type Where = 'main' | 'restart' | 'queue';

/** A fault for the simulator (POST /__sim/faults), see test/simulator/README.md. */
export type SimFault = Record<string, unknown>;

/** One Retry from the executions list, as the person at the editor clicks it. */
export interface RetryStep {
	/** `latest`: the newest failed execution of the trial; `again`: the one the step before retried (a second click on the same). */
	of: 'latest' | 'again';
	/** "Retry with currently saved workflow" (true) or "with original workflow" (false). */
	loadWorkflow: boolean;
	/** Saved before this Retry: Job Timeout raised to 120 s (the error's advice), or only a node moved. */
	edit?: 'raise-timeout' | 'move-node';
}

export interface TrialPlan {
	/** The drawn parameters in words, for the plan listing. */
	summary: string;
	/** Each input item's job: its duration and extra directives. */
	items: Array<{ seconds: number; directives?: string }>;
	simConfig: Record<string, unknown>;
	faults: SimFault[];
	/** Perceptis node options (Generate). */
	options: Record<string, unknown>;
	/** Node settings (Retry On Fail). */
	settings: Record<string, unknown>;
	/** Retries from the executions list after a failed run, until one succeeds. */
	retries: RetryStep[];
	/** How long the first execution may take before the trial counts as unable to run. */
	limitMs: number;
}

export interface FaultClass {
	id: string;
	/** The row's name in the table. */
	title: string;
	where: Where;
	/** For restart and queue rows: the signal that ends the process. */
	signal?: NodeJS.Signals;
	plan(random: () => number, index: number): TrialPlan;
}

// -------------------------------------------------------------------------------------------------

const GENERATE = { method: 'POST', path: '/api/v1/generate' };
const STATUS = { method: 'GET', path: '/api/v1/status/' };
const STORAGE = { server: 'storage', method: 'GET' };

/** An integer in [min, max]. */
const int = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)];
const seconds = (random: () => number, min: number, max: number) => Math.round((min + random() * (max - min)) * 10) / 10;

/** Items of a fault trial: 1–3 jobs of 3–8 s. */
function items(random: () => number, min = 1, max = 3, range: [number, number] = [3, 8]): TrialPlan['items'] {
	return Array.from({ length: int(random, min, max) }, () => ({ seconds: seconds(random, range[0], range[1]) }));
}

const base = (plan: Partial<TrialPlan> & Pick<TrialPlan, 'summary' | 'items'>): TrialPlan => ({
	simConfig: {},
	faults: [],
	options: {},
	settings: {},
	retries: [],
	limitMs: 180_000,
	...plan,
});

const itemsWords = (plan: TrialPlan['items']) => `${plan.length} item${plan.length > 1 ? 's' : ''} (${plan.map((i) => `${i.seconds} s`).join(', ')})`;

/**
 * The jobs and the number of faults of a trial of a fault the node retries a limited number of
 * times (`budget`). A fault applies to the next matching requests whichever item sends them, so
 * with several items it is spread over them: every fourth trial (i mod 4 = 3) is one item that
 * meets the fault on every attempt the node makes; the others are 1–3 items and fewer faults.
 */
function withinBudget(random: () => number, index: number, budget: number): { jobs: TrialPlan['items']; times: number; words: string } {
	if (index % 4 === 3) {
		const jobs = items(random, 1, 1);
		return { jobs, times: budget, words: `×${budget} (every attempt)` };
	}
	const jobs = items(random);
	const times = int(random, 1, budget - 1);
	return { jobs, times, words: `×${times}` };
}

/** A fault on one endpoint, `times` answers in a row; `budget`: the node gives up after that many (none: it waits on). */
function burst(id: string, title: string, kind: string, where: typeof GENERATE | typeof STATUS | typeof STORAGE, budget?: number): FaultClass {
	return {
		id,
		title,
		where: 'main',
		plan(random, index) {
			if (budget === undefined) {
				const jobs = items(random);
				const times = int(random, 1, 4);
				return base({ summary: `${itemsWords(jobs)}, ${kind} ×${times}`, items: jobs, faults: [{ kind, ...where, times }] });
			}
			const { jobs, times, words } = withinBudget(random, index, budget);
			return base({ summary: `${itemsWords(jobs)}, ${kind} ${words}`, items: jobs, faults: [{ kind, ...where, times }] });
		},
	};
}

/** A storm of 429s: a real rate limit of 1 request per window per kind, plus a burst of 429s on status. */
function storm(id: string, title: string, retryAfterFormat: 'seconds' | 'http-date'): FaultClass {
	return {
		id,
		title,
		where: 'main',
		plan(random) {
			const jobs = items(random, 2, 4);
			const windowMs = pick(random, [1000, 2000, 3000]);
			const startBurst = int(random, 0, 2);
			const statusBurst = int(random, 2, 6);
			const retryAfterSeconds = int(random, 1, 3);
			const faults: SimFault[] = [{ kind: 'rate-limit', ...STATUS, times: statusBurst, retryAfterSeconds }];
			if (startBurst) faults.unshift({ kind: 'rate-limit', ...GENERATE, times: startBurst, retryAfterSeconds });
			return base({
				summary: `${itemsWords(jobs)}, limit 1 per ${windowMs / 1000} s, 429 ×${startBurst} on start and ×${statusBurst} on status (Retry-After ${retryAfterSeconds} s)`,
				items: jobs,
				simConfig: { rateLimit: { max: 1, windowMs }, retryAfterFormat },
				faults,
			});
		},
	};
}

/** A trial whose first run ends at its Job Timeout (the job outlasts it), for the retry rows. */
function timedOut(random: () => number): { jobs: TrialPlan['items']; timeoutSeconds: number } {
	const timeoutSeconds = pick(random, [2, 3]);
	const jobs = Array.from({ length: int(random, 1, 2) }, () => ({ seconds: seconds(random, timeoutSeconds + 2, 3 * timeoutSeconds + 4) }));
	return { jobs, timeoutSeconds };
}

export const CLASSES: FaultClass[] = [
	burst('lost-answer', 'answer lost after the job was created (reset-after on start)', 'reset-after', GENERATE, TIMING.generateMaxAttempts),
	burst('start-5xx', '5xx on start', 'http500', GENERATE, TIMING.generateMaxAttempts),
	burst('start-502', 'HTML 502 on start', 'html502', GENERATE, TIMING.generateMaxAttempts),
	burst('status-5xx', '5xx on status', 'http500', STATUS),
	burst('status-502', 'HTML 502 on status', 'html502', STATUS),
	storm('429-seconds', '429 storm, Retry-After in seconds', 'seconds'),
	storm('429-date', '429 storm, Retry-After as an HTTP date', 'http-date'),
	burst('status-malformed', 'malformed JSON on status', 'malformed-json', STATUS, TIMING.unreadableAnswersMax),
	{
		id: 'start-malformed',
		title: 'malformed JSON on start (before / after the job was created)',
		where: 'main',
		plan(random, index) {
			// Cut off by a proxy before the API saw it (even trials), or the API's own answer cut off on
			// the way back (odd); trials 2 and 3 mod 4 are one item that meets it on every attempt.
			const kind = index % 2 === 1 ? 'malformed-json-after' : 'malformed-json';
			const { jobs, times, words } = withinBudget(random, index % 4 >= 2 ? 3 : 0, TIMING.unreadableAnswersMax);
			return base({ summary: `${itemsWords(jobs)}, ${kind} ${words}`, items: jobs, faults: [{ kind, ...GENERATE, times }] });
		},
	},
	{
		id: 'slow',
		title: 'answers slower than the request timeout',
		where: 'main',
		plan(random, index) {
			const jobs = items(random, 1, 2);
			const onStart = index % 2 === 0;
			const timeoutMs = onStart ? TIMING.generateRequestTimeoutMs : TIMING.statusRequestTimeoutMs;
			const delayMs = timeoutMs + int(random, 1, 15) * 1000;
			return base({
				summary: `${itemsWords(jobs)}, ${onStart ? 'start' : 'status'} answered after ${delayMs / 1000} s (timeout ${timeoutMs / 1000} s)`,
				items: jobs,
				faults: [{ kind: 'slow', ...(onStart ? GENERATE : STATUS), delayMs }],
				limitMs: 2 * timeoutMs + 120_000,
			});
		},
	},
	{
		id: 'expired-links',
		title: 'expired links',
		where: 'main',
		plan(random, index) {
			const jobs = items(random);
			const variant = index % 4;
			if (variant === 0) return base({ summary: `${itemsWords(jobs)}, storage 403 "Request has expired" once`, items: jobs, faults: [{ kind: 'link-expired', ...STORAGE }] });
			if (variant === 1) return base({ summary: `${itemsWords(jobs)}, storage 410 once`, items: jobs, faults: [{ kind: 'gone', ...STORAGE }] });
			if (variant === 2) {
				// A link that expires while its download waits (a queue, a slow proxy): 1.5 s links, the first download held 2 s.
				return base({
					summary: `${itemsWords(jobs)}, links live 1.5 s, first download held 2 s`,
					items: jobs,
					simConfig: { linkTtlMs: 1500 },
					faults: [{ kind: 'slow', ...STORAGE, delayMs: 2000 }],
				});
			}
			return base({ summary: `${itemsWords(jobs)}, every link already expired (linkTtlMs 0)`, items: jobs, simConfig: { linkTtlMs: 0 } });
		},
	},
	{
		id: 'storage-5xx',
		title: 'storage 5xx',
		where: 'main',
		plan(random, index) {
			const kind = index % 2 === 0 ? 'http500' : 'html502';
			const { jobs, times, words } = withinBudget(random, index, TIMING.oneShotMaxAttempts);
			return base({ summary: `${itemsWords(jobs)}, storage ${kind} ${words}`, items: jobs, faults: [{ kind, ...STORAGE, times }] });
		},
	},
	...(['SIGTERM', 'SIGKILL'] as const).map(
		(signal): FaultClass => ({
			id: `restart-${signal.toLowerCase()}`,
			title: `n8n restarted mid-wait (${signal}), then Retry from the list`,
			where: 'restart',
			signal,
			plan(random) {
				// SIGTERM: n8n waits up to 30 s for running executions, so most jobs outlast that (a
				// shorter one ends within it, a result too); SIGKILL: anything longer than the kill.
				const jobs = items(random, 1, 2, signal === 'SIGTERM' ? [35, 50] : [20, 40]);
				return base({ summary: `${itemsWords(jobs)}`, items: jobs, retries: [{ of: 'latest', loadWorkflow: false }] });
			},
		}),
	),
	{
		id: 'queue-worker-killed',
		title: 'queue mode: the worker running the wait SIGKILLed, then Retry from the list',
		where: 'queue',
		signal: 'SIGKILL',
		plan(random) {
			// Still running when the worker dies, a few seconds after the start.
			const jobs = items(random, 1, 2, [20, 40]);
			return base({ summary: `${itemsWords(jobs)}`, items: jobs, retries: [{ of: 'latest', loadWorkflow: false }] });
		},
	},
	{
		id: 'retry-on-fail',
		title: 'Retry On Fail after a Job Timeout',
		where: 'main',
		plan(random) {
			const timeoutSeconds = pick(random, [2, 3]);
			const maxTries = int(random, 2, 5);
			const waitBetweenTries = pick(random, [0, 1000, 2000, 5000]);
			// Some jobs end within the tries, some outlast them all.
			const window = maxTries * timeoutSeconds + ((maxTries - 1) * waitBetweenTries) / 1000;
			const jobs = Array.from({ length: int(random, 1, 2) }, () => ({ seconds: seconds(random, timeoutSeconds + 1, window + 4) }));
			return base({
				summary: `${itemsWords(jobs)}, Job Timeout ${timeoutSeconds} s, ${maxTries} tries ${waitBetweenTries / 1000} s apart`,
				items: jobs,
				options: { timeoutSeconds },
				settings: { retryOnFail: true, maxTries, waitBetweenTries },
			});
		},
	},
	{
		id: 'retry-original',
		title: "executions list's Retry, original workflow (after a Job Timeout)",
		where: 'main',
		plan(random) {
			const { jobs, timeoutSeconds } = timedOut(random);
			return base({
				summary: `${itemsWords(jobs)}, Job Timeout ${timeoutSeconds} s, Retry until done`,
				items: jobs,
				options: { timeoutSeconds },
				retries: Array.from({ length: 6 }, () => ({ of: 'latest' as const, loadWorkflow: false })),
			});
		},
	},
	{
		id: 'retry-current',
		title: "executions list's Retry, current workflow (after a Job Timeout)",
		where: 'main',
		plan(random, index) {
			const { jobs, timeoutSeconds } = timedOut(random);
			const edit = index % 2 === 0 ? 'raise-timeout' : 'move-node';
			return base({
				summary: `${itemsWords(jobs)}, Job Timeout ${timeoutSeconds} s, ${edit === 'raise-timeout' ? 'timeout raised to 120 s' : 'a node moved'} and saved, Retry until done`,
				items: jobs,
				options: { timeoutSeconds },
				retries: Array.from({ length: 6 }, (_v, i) => ({ of: 'latest' as const, loadWorkflow: true, ...(i === 0 ? { edit } : {}) })),
			});
		},
	},
	{
		id: 'retry-failed-job',
		title: "a failed job retried (executions list's Retry)",
		where: 'main',
		plan(random) {
			const failures = int(random, 1, 3);
			// Item 0's first jobs fail; a second item, when there is one, completes the first time.
			const jobs = items(random, 1, 2, [3, 6]);
			jobs[0].directives = `[sim:failfirst=${failures}]`;
			const steps: RetryStep[] = [];
			const count = int(random, 1, 4);
			for (let i = 0; i < count; i++) {
				steps.push({ of: i > 0 && random() < 0.3 ? 'again' : 'latest', loadWorkflow: random() < 0.5 });
			}
			const words = steps.map((s) => `${s.of === 'again' ? 'again' : 'latest'}/${s.loadWorkflow ? 'current' : 'original'}`).join(', ');
			return base({ summary: `${itemsWords(jobs)}, item 0 fails ${failures}×, Retries: ${words}`, items: jobs, retries: steps });
		},
	},
];

// -------------------------------------------------------------------------------------------------

/** A 32-bit FNV-1a hash, to give each class and trial a seed of its own. */
function hash(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h;
}

/** The plan of trial `index` of a class: a function of the seed, the class id and the index only. */
export function planTrial(seed: number, cls: FaultClass, index: number): TrialPlan {
	return cls.plan(seededRandom(hash(`${seed}:${cls.id}:${index}`)), index);
}
