/**
 * The job ledger: what a run leaves in the node context, and how the next run of the same
 * request (a retry) is pointed at it.
 */
import type { IDataObject } from 'n8n-workflow';

import { requestDigest } from '../../core/keys/idempotency';
import { JobLedger, recordInLedger, resumeFromLedger } from '../../core/jobs/ledger';
import type { JobPlan } from '../../core/jobs/plan';
import { JobTask } from '../../core/jobs/task';
import { nodeContextStore } from '../../nodes/Perceptis/n8n/ledgerStore';

/** The core's ledger in n8n's node context, as the node keeps it. */
const ledgerIn = (context: IDataObject) => new JobLedger(nodeContextStore(context));

import { FakeApi, FakeClock, keepInMemory, type KeptFile } from '../core/fakes';

function plan(itemIndex: number, prompt: string, key = `key-${itemIndex}`): JobPlan {
	const body = { prompt, output_type: 'deck' };
	return {
		itemIndex,
		start: { body, idempotencyKey: key, keySetByUser: false, slot: `0:${itemIndex}`, request: requestDigest(body) },
		mode: 'wait',
		downloadFiles: true,
		timeoutMs: 60_000,
		binaryPropertyName: 'data',
		itemPerFile: false,
	};
}

function taskWith(p: JobPlan, fields: { jobId?: string; status?: string; failedJobIds?: string[] }): JobTask<KeptFile> {
	const task = new JobTask(p, new FakeApi(new FakeClock()), Date.now, keepInMemory);
	task.jobId = fields.jobId;
	if (fields.status) task.snapshot = { jobId: fields.jobId ?? '', status: fields.status, downloads: [], raw: {} };
	task.failedJobIds.push(...(fields.failedJobIds ?? []));
	return task;
}

describe('JobLedger', () => {
	it('lives in the node context, so n8n saves it with the execution', () => {
		const context: IDataObject = {};
		recordInLedger([taskWith(plan(0, 'a'), { jobId: 'job-1', status: 'processing' })], ledgerIn(context));
		expect(JSON.parse(JSON.stringify(context))).toEqual({
			perceptisJobs: { '0:0': { request: requestDigest({ prompt: 'a', output_type: 'deck' }), key: 'key-0', jobId: 'job-1', status: 'processing' } },
		});
	});

	it('keeps where the checking of a job stood, and hands it to the retry of the same request', () => {
		const context: IDataObject = {};
		// A job this run checked twice, the last time at 9 s.
		const poll = { startedAt: 1_000, checksMade: 2, lastContactAt: 9_000, lastAnswerAt: 9_050, deadline: 60_000, hintMs: null };
		const task = taskWith({ ...plan(0, 'a'), jobId: 'job-1', poll }, { jobId: 'job-1', status: 'processing' });
		recordInLedger([task], ledgerIn(context));
		const retry = [plan(0, 'a')];
		resumeFromLedger(retry, ledgerIn(JSON.parse(JSON.stringify(context)) as IDataObject));
		expect(retry[0]).toMatchObject({ jobId: 'job-1', poll: { lastContactAt: 9_000, checksMade: 2, startedAt: 1_000 } });
	});

	it('points a retry of the same request at its key and job', () => {
		const context: IDataObject = {};
		recordInLedger(
			[taskWith(plan(0, 'a'), { jobId: 'job-1', status: 'processing', failedJobIds: ['job-0'] }), taskWith(plan(1, 'b'), {})],
			ledgerIn(context),
		);
		const retry = [plan(0, 'a', 'key-of-the-retry'), plan(1, 'b', 'key-of-the-retry-1')];
		resumeFromLedger(retry, ledgerIn(JSON.parse(JSON.stringify(context)) as IDataObject));
		expect(retry[0]).toMatchObject({ jobId: 'job-1', start: { idempotencyKey: 'key-0', failedJobIds: ['job-0'] } });
		// Its start was lost in transit: the same key again, so a job it created is the one returned.
		expect(retry[1].jobId).toBeUndefined();
		expect(retry[1].start!.idempotencyKey).toBe('key-1');
	});

	it('a changed request (another prompt in the same place) is a new request', () => {
		const context: IDataObject = {};
		recordInLedger([taskWith(plan(0, 'a'), { jobId: 'job-1' })], ledgerIn(context));
		const retry = [plan(0, 'a, edited', 'fresh-key')];
		resumeFromLedger(retry, ledgerIn(context));
		expect(retry[0].jobId).toBeUndefined();
		expect(retry[0].start!.idempotencyKey).toBe('fresh-key');
	});

	it('starts empty in a context without one, and keeps what else the context holds', () => {
		const context: IDataObject = { somethingElse: 1 };
		const retry = [plan(0, 'a')];
		resumeFromLedger(retry, ledgerIn(context));
		expect(retry[0].jobId).toBeUndefined();
		expect(context).toEqual({ somethingElse: 1, perceptisJobs: {} });
	});
});
