/**
 * Benchmark, not a test: prints the figures behind the polling design.
 *   - the schedule: when each status check of one job happens (first check, growth, cap);
 *   - a batch of decks against the simulator: wall time when the node waits on all of them
 *     together, against one job at a time (Max Jobs in Flight = 1), and the requests it made.
 * Run with `npm run bench`. Nothing here asserts a speed.
 */
import { nextPollDelayMs } from '../../nodes/Perceptis/helpers/schedule';
import { DEFAULT_TIMEOUT_SECONDS, TIMING } from '../../nodes/Perceptis/helpers/timing';
import { startSimulator } from '../simulator';
import { runPerceptis } from '../integration/runNode';

const DECKS = 8;
/** Each deck takes 10 simulated minutes; at this scale that is 3 s of real time. */
const TIME_SCALE = 0.005;

function schedule(): string {
	let at = 0;
	const checks: string[] = [];
	for (let polls = 0; polls < 12; polls++) {
		at += nextPollDelayMs(polls);
		checks.push(`${(at / 1000).toFixed(1)}s`);
	}
	return checks.join(', ');
}

it(`prints the schedule and the wall time of ${DECKS} decks`, async () => {
	const sim = await startSimulator({ timeScale: TIME_SCALE, statusRetryAfterSeconds: 1 });
	const lines = [
		`status checks of one running job at: ${schedule()} …`,
		`first check ${TIMING.firstPollDelayMs} ms, growth x${TIMING.pollGrowthFactor}, cap ${TIMING.maxPollIntervalMs} ms, floor ${TIMING.minRequestGapMs} ms, default timeout ${DEFAULT_TIMEOUT_SECONDS} s`,
	];
	const items = Array.from({ length: DECKS }, () => ({ json: {} }));
	for (const maxJobsInFlight of [DECKS, 1]) {
		sim.reset();
		const { elapsedMs, error } = await runPerceptis(
			sim,
			(i) => ({ operation: 'generate', outputType: 'deck', prompt: `deck ${i}`, options: { maxJobsInFlight } }),
			{ items, executionId: `bench-${maxJobsInFlight}` },
		);
		if (error) throw error;
		const polls = sim.requests.filter((r) => r.path.startsWith('/api/v1/status/')).length;
		lines.push(
			`${DECKS} decks of 3 s each, Max Jobs in Flight ${maxJobsInFlight}: ${(elapsedMs / 1000).toFixed(1)} s wall, ${polls} status checks, ${sim.jobs().length} jobs, ${sim.creditsCharged()} credits`,
		);
	}
	await sim.close();
	process.stdout.write(`\n${lines.join('\n')}\n\n`);
}, 120_000);
