/**
 * The job as every host's output shows it (core/jobs/jobJson.ts): the same fields as the n8n
 * node's output item, and one file's fields for an output that carries one file each.
 */
import { fileJson, jobJson } from '../../../core/jobs/jobJson';
import type { JobPlan } from '../../../core/jobs/plan';
import { runJobTasks } from '../../../core/jobs/runner';
import { JobTask } from '../../../core/jobs/task';
import { FakeApi, FakeClock, keepInMemory } from '../fakes';

it('names the job jobId and status, keeps the API\'s other fields, marks the links and the key', async () => {
	const clock = new FakeClock();
	const api = new FakeApi(clock);
	api.addJob('job-7', 0, { fileCount: 2 });
	const plan: JobPlan = { itemIndex: 0, jobId: 'job-7', mode: 'download', downloadFiles: true, timeoutMs: 60_000, binaryPropertyName: 'data', itemPerFile: true };
	const task = new JobTask(plan, api, clock.now, keepInMemory);
	await runJobTasks([task], clock, { maxInFlight: 1, stopOnFirstFailure: true });
	const job = jobJson(task);
	expect(job).toMatchObject({ jobId: 'job-7', status: 'completed', downloadLinks: { shortLived: true } });
	expect(job).not.toHaveProperty('job_id');
	expect(job.downloads).toHaveLength(2);
	const second = fileJson(job, task.files[1], 2);
	expect(second).toMatchObject({ jobId: 'job-7', fileIndex: 1, fileCount: 2, fileName: task.files[1].fileName, download: (job.downloads as unknown[])[1] });
	expect(second).not.toHaveProperty('downloads');
});
