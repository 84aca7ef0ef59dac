/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: runs in Node under jest, never inside n8n */
/**
 * The fault table's column definitions (test/faults/verdict.ts), on hand-made executions: what
 * counts as completed, as a clear error, as a job beyond one per item, as a lost job id, as a key seen.
 */
import type { Execution, SimulatorRequest } from '../e2e/harness';
import { judge, type SimJob, type TrialFacts } from '../faults/verdict';

const KEY = 'sk-live-per-sim-business-FAKE-0001';
const prompts = ['deck A [sim:seconds=3]', 'deck B [sim:seconds=3]'];
let clock = 0;
const job = (id: string, item: number, status = 'completed'): SimJob => ({ id, prompt: prompts[item], status, createdAt: ++clock, idempotencyKey: `k-${id}` });

function execution(id: number, run: Record<string, unknown>, status = 'success'): Execution {
	return {
		id,
		finished: status === 'success',
		mode: 'webhook',
		status,
		workflowId: 'w',
		startedAt: '',
		stoppedAt: 'x',
		data: { resultData: { runData: { Perceptis: [run] } } },
	} as Execution;
}

const done = (id: number, ...jobIds: string[]) =>
	execution(id, { data: { main: [jobIds.map((jobId) => ({ json: { jobId, status: 'completed' }, binary: { data: { fileName: 'a.pptx' } } }))] } });

function failed(id: number, context: Record<string, unknown>, message: string, description = 'Resume with Wait for Completion and the job id.') {
	return execution(id, { error: { message, description, context } }, 'error');
}

const facts = (partial: Partial<TrialFacts>): TrialFacts => ({
	prompts,
	executions: [],
	retried: [],
	jobs: [],
	requests: [],
	keys: [KEY],
	keysInLog: 0,
	...partial,
});

describe('fault table verdicts', () => {
	it('completed: every item completed, naming its newest job, with its file', () => {
		const v = judge(facts({ jobs: [job('j1', 0), job('j2', 1)], executions: [done(1, 'j1', 'j2')] }));
		expect(v).toMatchObject({ outcome: 'completed', jobs: 2, beyondOnePerItem: 0, lostJobIds: [], keySightings: [] });
	});

	it('a clear error names the failing job, says what to do and lists every item', () => {
		const context = {
			failureKind: 'deadline_exceeded',
			itemIndex: 1,
			jobId: 'j2',
			jobs: [
				{ itemIndex: 0, jobId: 'j1', status: 'completed' },
				{ itemIndex: 1, jobId: 'j2', status: 'processing', error: 'deadline_exceeded' },
			],
		};
		const jobs = [job('j1', 0), job('j2', 1, 'processing')];
		expect(judge(facts({ jobs, executions: [failed(1, context, 'Perceptis job j2 did not finish')] }))).toMatchObject({
			outcome: 'failed-clear',
			failureKind: 'deadline_exceeded',
			lostJobIds: [],
		});
		// Without the id in the words, without advice, or with an item missing from context.jobs: unclear.
		expect(judge(facts({ jobs, executions: [failed(1, context, 'The job did not finish')] })).outcome).toBe('failed-unclear');
		expect(judge(facts({ jobs, executions: [failed(1, context, 'Perceptis job j2 did not finish', 'Retry.')] })).outcome).toBe('failed-unclear');
		const partial = { ...context, jobs: context.jobs.slice(1) };
		expect(judge(facts({ jobs, executions: [failed(1, partial, 'Perceptis job j2 did not finish')] })).detail).toMatch(/no entry for item 0/);
	});

	it("a job no execution names but n8n's log does (n8n kept nothing of the run) is not lost, and counted apart", () => {
		const gone = execution(1, {}, 'error');
		const v = judge(facts({ jobs: [job('j1', 0), job('j2', 1)], executions: [gone], jobIdsInLog: new Set(['j1']) }));
		expect(v).toMatchObject({ lostJobIds: ['j2'], onlyInLogJobIds: ['j1'] });
	});

	it('a job the node never heard of is lost, and makes the failure unclear', () => {
		const context = { failureKind: 'cancelled', itemIndex: 0, jobs: [{ itemIndex: 0, jobId: null }, { itemIndex: 1, jobId: 'j2' }] };
		const v = judge(facts({ jobs: [job('j1', 0), job('j2', 1)], executions: [failed(1, context, 'The Perceptis request was cancelled')] }));
		expect(v).toMatchObject({ outcome: 'failed-unclear', lostJobIds: ['j1'] });
		expect(v.detail).toMatch(/context.jobId/);
	});

	it('a second job for an item is beyond one per item, unless a Retry replaced a failed one', () => {
		const crashed = execution(1, {}, 'crashed');
		const twice = judge(facts({ jobs: [job('j1', 0), job('j2', 1), job('j3', 0)], executions: [crashed, done(2, 'j3', 'j2')], retried: ['1'] }));
		expect(twice).toMatchObject({ outcome: 'completed', beyondOnePerItem: 1, replacements: 0, lostJobIds: ['j1'] });

		const failedJob = failed(1, { failureKind: 'job_failed', itemIndex: 0, jobId: 'j1', jobs: [{ itemIndex: 0, jobId: 'j1', status: 'failed', error: 'generation_failed' }, { itemIndex: 1, jobId: 'j2' }] }, 'Perceptis job j1 failed');
		const retriedTwice = facts({
			jobs: [job('j1', 0, 'failed'), job('j2', 1), job('j3', 0)],
			executions: [failedJob, done(2, 'j3', 'j2'), done(3, 'j3', 'j2')],
			retried: ['1', '1'],
		});
		expect(judge(retriedTwice)).toMatchObject({ replacements: 1, beyondOnePerItem: 0, lostJobIds: [] });
		// The same execution retried twice allows one new job, not two.
		expect(judge({ ...retriedTwice, jobs: [...retriedTwice.jobs, job('j4', 0)] })).toMatchObject({ replacements: 1, beyondOnePerItem: 1 });
	});

	it('the key in execution data, a storage request with Authorization, or the log is seen', () => {
		const leaky = done(1, 'j1', 'j2');
		(leaky.data!.resultData.runData.Perceptis[0].data!.main[0]![0].json as Record<string, unknown>).note = `Bearer ${KEY}`;
		const storage = { server: 'storage', method: 'GET', path: '/files/x.pptx?expires=1', headers: { authorization: 'Bearer <redacted:business>' }, status: 400 } as SimulatorRequest;
		const api = { server: 'api', method: 'GET', path: '/api/v1/status/j1', headers: { authorization: 'Bearer <redacted:business>' }, status: 200 } as SimulatorRequest;
		const v = judge(facts({ jobs: [job('j1', 0), job('j2', 1)], executions: [leaky], requests: [api, storage], keysInLog: 1 }));
		expect(v.keySightings).toEqual(["execution 1's data holds a key", 'storage host got Authorization on GET /files/x.pptx', "a key in n8n's log"]);
	});
});
