/**
 * One item's journey through the API, one request per step: start the job (optional), check its
 * status (once, or until it is final), then fetch its files. The runner calls `step()` when the
 * task is due; a step makes at most one request and says when the task wants to go again, so
 * many jobs share one loop instead of each sleeping on its own.
 */
import type { DownloadedFile, FileSink, JobPlan } from './plan';
import { fileNamesFor } from '../files/names';
import { contentProblem, mimeTypeFor } from '../files/types';
import type { JsonObject } from '../json';
import { keyAfterFailedJob } from '../keys/idempotency';
import { clampedToNow, earliestCheckAt, hintedUntil, nextCheckAt, startedPoll, type PollState } from '../pacing/pollState';
import { nextDueAt, tailDelayMs, transientBackoffMs } from '../pacing/schedule';
import { TIMING } from '../pacing/timing';
import { readJobId, readSnapshot, statusOutcome, type JobSnapshot } from '../wire/answers';
import type { PerceptisClient } from '../wire/client';
import { failureFromAnswer, failureFromNetwork, hintFromAnswer, type Failure } from '../wire/failures';
import { isNetworkFailure, isSuccess, isTransientStatus, networkCodeOf, type FileAnswer } from '../wire/http';
import { FILE_HEAD_BYTES } from '../wire/stream';

export type TaskPhase = 'start' | 'poll' | 'download' | 'done';

const STORAGE_LINK_GONE = new Set([401, 403, 404, 410]);

export class JobTask<Stored = unknown> {
	phase: TaskPhase;
	jobId?: string;
	snapshot?: JobSnapshot;
	failure?: Failure;
	readonly files: DownloadedFile<Stored>[] = [];
	/** Jobs of this request that failed and were replaced by a new one, oldest first. */
	readonly failedJobIds: string[];

	/** When the task wants its next step (ms since epoch). */
	dueAt = 0;
	/** The end of the whole run: no wait, retry or `Retry-After` pause may outlast it. */
	private runDeadline = Number.POSITIVE_INFINITY;
	/** When the links in `snapshot.downloads` were handed out. */
	linksFetchedAt?: number;
	/** Where the checking of the job stands (pacing/pollState.ts): started, checks made, last contact, hint, deadline. */
	private poll: PollState = {
		startedAt: 0,
		checksMade: 0,
		lastContactAt: Number.NEGATIVE_INFINITY,
		lastAnswerAt: 0,
		deadline: null,
		hintMs: null,
	};
	/** One of the last running jobs of its batch: checked at a share of its age (see hurry). */
	private inTail = false;
	/** Checks answered in this run (the poll state counts those of earlier runs too). */
	private checksThisRun = 0;
	/** Transient failures in a row of the current step (reset by any readable answer). */
	private failures = 0;
	/** 2xx answers in a row that were not a job (reset by any other answer). */
	private unreadableInARow = 0;
	private attemptsOfStart = 0;
	private fileNames: string[] = [];
	/** The stale-link refresh is allowed once per file. */
	private refreshedForFile = -1;
	private linksStale = false;
	/** The job was started by an earlier run (a retry): a failure at its first check means "start anew". */
	private pickedUp: boolean;

	constructor(
		readonly plan: JobPlan,
		private readonly transport: PerceptisClient,
		private readonly now: () => number,
		private readonly keepFile: FileSink<Stored>,
		/** Told the moment this task's job exists (the job ledger keeps it at once). */
		private readonly onJobStarted?: (task: JobTask<Stored>) => void,
	) {
		this.jobId = plan.jobId;
		this.pickedUp = Boolean(plan.start && plan.jobId);
		this.failedJobIds = [...(plan.start?.failedJobIds ?? [])];
		this.phase = plan.start && !plan.jobId ? 'start' : 'poll';
		if (plan.poll && plan.jobId) this.poll = { ...plan.poll };
		if (plan.mode === 'download' && plan.reuse && plan.jobId) {
			// The links came with the incoming item: download first, ask again only if they fail.
			this.snapshot = { jobId: plan.jobId, status: 'completed', downloads: plan.reuse.downloads, raw: plan.reuse.raw };
			this.linksFetchedAt = plan.reuse.fetchedAtMs;
			this.poll.lastContactAt = Math.max(this.poll.lastContactAt, plan.reuse.fetchedAtMs);
			this.phase = 'download';
			this.fileNames = fileNamesFor(plan.reuse.downloads, plan.jobId);
		}
	}

	get finished(): boolean {
		return this.phase === 'done';
	}

	/** Whether the next step is a status request (a check, or a refresh of stale links). */
	get asksStatusNext(): boolean {
		return this.phase === 'poll' || (this.phase === 'download' && this.linksStale);
	}

	/** The end of the wait for this job (ms since epoch); Infinity before it is known. */
	get deadline(): number {
		return this.poll.deadline ?? Number.POSITIVE_INFINITY;
	}

	/** Where the checking of the job stands, as data a host may keep and hand back (a copy). */
	get pollState(): PollState {
		return { ...this.poll };
	}

	get attempts(): number {
		return Math.max(this.attemptsOfStart, this.failures);
	}

	/** Called when the runner admits the task: the clock for its deadline starts now. */
	admit(runDeadline = Number.POSITIVE_INFINITY): void {
		const now = this.now();
		this.dueAt = now;
		this.runDeadline = runDeadline;
		// A job first seen now is watched from now; one with an earlier contact keeps its history,
		// but no time after now (another machine's clock may run ahead: that is no reason to wait).
		if (this.plan.poll) this.poll = clampedToNow(this.poll, now);
		else this.poll.startedAt = now;
		if (this.phase !== 'poll') return;
		this.poll.deadline = Math.min(this.plan.deadlineAt ?? now + this.plan.timeoutMs, runDeadline);
		if (this.plan.poll) this.dueAt = Math.max(now, earliestCheckAt(this.poll));
	}

	/** Whether the job was started by an earlier run of the same request and picked up here. */
	get wasPickedUp(): boolean {
		return this.pickedUp;
	}

	/** Whether the task is waiting for its job to finish (the phase a batch's tail is about). */
	get waitingForJob(): boolean {
		return this.plan.mode === 'wait' && this.phase === 'poll' && this.jobId !== undefined;
	}

	/**
	 * The runner's word that this job is one of the last running ones of its batch: from now on
	 * it is checked after a share of its age at most, starting with the check already planned.
	 */
	hurry(now: number): void {
		if (!this.waitingForJob) return;
		this.inTail = true;
		const sooner = nextDueAt(now, tailDelayMs(now - this.poll.startedAt), this.deadline, this.poll.lastContactAt);
		this.dueAt = Math.min(this.dueAt, Math.max(sooner, hintedUntil(this.poll)));
	}

	/**
	 * Ends the task from outside (Stop, the run's deadline). `force` also overrides a finished
	 * task's outcome: after Stop, not even a file that arrived is reported as a success.
	 */
	abandon(failure: Failure, force = false): void {
		if (this.finished && !force) return;
		this.failure = failure;
		this.phase = 'done';
	}

	async step(): Promise<void> {
		if (this.phase === 'start') await this.startJob();
		else if (this.phase === 'poll') await this.checkStatus();
		else if (this.phase === 'download') {
			if (this.linksStale) await this.refreshLinks();
			else await this.downloadNextFile();
		}
	}

	private fail(failure: Failure): void {
		this.failure = failure;
		this.phase = 'done';
	}

	/** A transient failure: retry after a backoff, unless this step has had its share. */
	private onTransient(failure: Failure): void {
		if (!failure.transient) return this.fail(failure);
		// A few 2xx answers in a row that are not a job: the Base URL points at something else.
		this.unreadableInARow = failure.kind === 'unreadable_answer' ? this.unreadableInARow + 1 : 0;
		if (this.unreadableInARow >= TIMING.unreadableAnswersMax) return this.fail({ ...failure, transient: false });
		const now = this.now();
		// A Retry-After past the end of the run: waiting for it would only end in the run's timeout.
		if (failure.retryAfterMs !== undefined && now + failure.retryAfterMs >= this.runDeadline) return this.fail(failure);
		this.failures += 1;
		const outOfTries =
			this.phase === 'start'
				? this.attemptsOfStart >= TIMING.generateMaxAttempts
				: this.plan.mode === 'wait' && this.phase === 'poll'
					? now >= this.deadline
					: this.failures >= TIMING.oneShotMaxAttempts;
		if (outOfTries) return this.fail(failure);
		const delay = transientBackoffMs(this.failures, failure.retryAfterMs);
		// A wait is bounded by the job's deadline; a start or a download by the run's only.
		const limit = this.phase === 'poll' ? this.deadline : this.runDeadline;
		this.dueAt = nextDueAt(now, delay, limit, this.poll.lastContactAt);
	}

	private async startJob(): Promise<void> {
		const start = this.plan.start!;
		this.attemptsOfStart += 1;
		// The same Idempotency-Key on every attempt: a retry of a POST lost in transit gets the
		// job that POST created, not a second, paid one.
		const answer = await this.transport.generate(start.body, start.idempotencyKey);
		if (isNetworkFailure(answer)) return this.onTransient(failureFromNetwork(answer));
		const now = this.now();
		const jobId = isSuccess(answer.statusCode) ? readJobId(answer.body) : undefined;
		if (!jobId) return this.onTransient(failureFromAnswer(answer, 'generate', now));

		this.jobId = jobId;
		this.failures = 0;
		this.unreadableInARow = 0;
		this.releaseReferenceImages();
		this.snapshot = readSnapshot(answer.body, jobId) ?? {
			jobId,
			status: 'pending',
			downloads: [],
			raw: answer.body as JsonObject,
		};
		// The start is the first contact with the job: its first check is planned from it.
		this.poll = startedPoll(now, null, hintFromAnswer(answer, now));
		this.onJobStarted?.(this);
		if (this.plan.mode === 'start-only') {
			this.phase = 'done';
			return;
		}
		this.phase = 'poll';
		this.poll.deadline = Math.min(now + this.plan.timeoutMs, this.runDeadline);
		this.dueAt = nextCheckAt(this.poll);
	}

	/**
	 * The job an earlier run started has failed: start a new one, with a key derived from the
	 * failed job, so that every retry of this same failure gets that one new job.
	 */
	private startAfterFailedJob(now: number): void {
		const start = this.plan.start!;
		this.failedJobIds.push(this.jobId!);
		start.idempotencyKey = keyAfterFailedJob(start.idempotencyKey, this.jobId!);
		this.jobId = undefined;
		this.snapshot = undefined;
		this.pickedUp = false;
		this.poll.checksMade = 0;
		this.checksThisRun = 0;
		this.phase = 'start';
		this.dueAt = now;
	}

	/**
	 * Reference images (base64, up to megabytes each) are needed until the job exists: a retry of
	 * the start must send the same body. Then only the job id matters.
	 */
	private releaseReferenceImages(): void {
		const start = this.plan.start!;
		if (start.body.reference_images === undefined) return;
		const rest = { ...start.body };
		delete rest.reference_images;
		start.body = rest;
	}

	/**
	 * A status request is a contact from its send until its answer (or failure): the server counts
	 * from its arrival, which may be anywhere in between, so the one-second floor runs from the end.
	 * A request that took longer on its way than the next one would otherwise make them arrive
	 * under a second apart (a CI run saw 991 ms between sends 1050 ms apart).
	 */
	private async askStatus(jobId: string): ReturnType<PerceptisClient['status']> {
		this.poll.lastContactAt = this.now();
		try {
			return await this.transport.status(jobId);
		} finally {
			this.poll.lastContactAt = this.now();
		}
	}

	private async checkStatus(): Promise<void> {
		const jobId = this.jobId!;
		const answer = await this.askStatus(jobId);
		if (isNetworkFailure(answer)) return this.onTransient(failureFromNetwork(answer));
		const now = this.now();
		const snapshot = isSuccess(answer.statusCode) ? readSnapshot(answer.body, jobId) : undefined;
		if (!snapshot) return this.onTransient(failureFromAnswer(answer, 'status', now));

		this.takeSnapshot(snapshot, now);
		this.poll.checksMade += 1;
		this.poll.lastAnswerAt = now;
		this.poll.hintMs = hintFromAnswer(answer, now) ?? null;
		this.checksThisRun += 1;
		this.actOnStatus(snapshot, now);
	}

	/** What one readable status answer means for this task, by its plan's mode. */
	private actOnStatus(snapshot: JobSnapshot, now: number): void {
		const outcome = statusOutcome(snapshot.status);
		if (this.pickedUp && this.checksThisRun === 1) {
			// A retry found the job of its first run: a failed one is what the retry is for.
			if (outcome === 'failed') return this.startAfterFailedJob(now);
			this.releaseReferenceImages();
			if (this.plan.mode === 'start-only') {
				this.phase = 'done';
				return;
			}
		}
		if (this.plan.mode === 'check-once') {
			this.phase = 'done';
			return;
		}
		if (this.plan.mode === 'download') {
			if (outcome !== 'completed') return this.fail({ kind: 'job_not_completed', transient: false });
			return this.beginDownloads(now);
		}
		// modes 'wait' and 'route'
		if (outcome === 'failed') {
			return this.fail({
				kind: 'job_failed',
				transient: false,
				apiCode: snapshot.error?.code,
				apiMessage: snapshot.error?.message,
			});
		}
		if (outcome === 'ended') return this.fail({ kind: 'job_ended', transient: false });
		if (outcome === 'completed') {
			if (this.plan.downloadFiles) return this.beginDownloads(now);
			this.phase = 'done';
			return;
		}
		if (now >= this.deadline) {
			if (this.plan.returnStillRunning) {
				this.phase = 'done';
				return;
			}
			return this.fail({ kind: 'deadline_exceeded', transient: false });
		}
		// Still running: a loop outside the node plans the next check from the poll state.
		if (this.plan.mode === 'route') {
			this.phase = 'done';
			return;
		}
		// A server hint knows best; otherwise one of a batch's last jobs is checked sooner.
		this.dueAt = nextCheckAt(this.poll, this.inTail);
	}

	/** A readable answer about the job: it resets the failure counts and may carry fresh links. */
	private takeSnapshot(snapshot: JobSnapshot, now: number): void {
		this.snapshot = snapshot;
		this.failures = 0;
		this.unreadableInARow = 0;
		if (snapshot.downloads.length) this.linksFetchedAt = now;
	}

	/** Files were asked for: a completed job without any is an error here, not an empty success. */
	private beginDownloads(now: number): void {
		const { downloads, jobId } = this.snapshot!;
		if (downloads.length === 0) return this.fail({ kind: 'no_files', transient: false });
		this.fileNames = fileNamesFor(downloads, jobId);
		this.phase = 'download';
		this.dueAt = now;
	}

	/** Fetches the next file. A link the storage no longer honours gets one status refresh. */
	private async downloadNextFile(): Promise<void> {
		const index = this.files.length;
		const entry = this.snapshot!.downloads[index];
		const url = typeof entry.url === 'string' ? entry.url : '';
		if (!/^https?:\/\//i.test(url)) {
			return this.fail({ kind: 'download_failed', transient: false, apiMessage: 'the download entry has no http(s) URL' });
		}
		const answer = await this.transport.downloadFile(url);
		if (isNetworkFailure(answer)) return this.onDownloadCutOff(failureFromNetwork(answer));
		const fileName = this.fileNames[index];
		if (isSuccess(answer.statusCode)) {
			const problem = contentProblem(answer.head.subarray(0, FILE_HEAD_BYTES), answer.headers, fileName);
			if (problem === undefined) return await this.keep(index, entry, fileName, answer);
			answer.discard();
			const now = this.now();
			// A sign-in page or an error document where the file should be: an expired or
			// blocked link, most likely; fresh links get one try, then it is an error.
			if (this.refreshedForFile === index) {
				return this.fail({ kind: 'not_a_file', transient: false, httpCode: answer.statusCode, answerShape: problem });
			}
			return this.askForFreshLinks(index, now);
		}
		const now = this.now();
		if (STORAGE_LINK_GONE.has(answer.statusCode) && this.refreshedForFile !== index) {
			return this.askForFreshLinks(index, now);
		}
		const transient = isTransientStatus(answer.statusCode);
		this.onTransient({ kind: 'download_failed', transient, httpCode: answer.statusCode });
	}

	/** Streams a checked file into the sink; a download cut off half-way is a download failure. */
	private async keep(index: number, entry: JsonObject, fileName: string, answer: FileAnswer): Promise<void> {
		const mimeType = mimeTypeFor(fileName, answer.headers);
		let stored: Stored;
		try {
			stored = await this.keepFile(answer.content, fileName, mimeType);
		} catch (error) {
			return this.onDownloadCutOff(failureFromNetwork({ networkCode: networkCodeOf(error), url: '' }));
		}
		this.files.push({ index, entry, fileName, mimeType, stored });
		this.failures = 0;
		if (this.files.length >= this.snapshot!.downloads.length) this.phase = 'done';
		this.dueAt = this.now();
	}

	/** A download that broke off: Stop ends the task, anything else is retried. */
	private onDownloadCutOff(failure: Failure): void {
		if (failure.kind === 'cancelled') return this.fail(failure);
		this.onTransient({ ...failure, kind: 'download_failed' });
	}

	/** Pre-signed links are short-lived; a status check hands out fresh ones (once per file). */
	private askForFreshLinks(index: number, now: number): void {
		this.refreshedForFile = index;
		this.linksStale = true;
		this.dueAt = Math.max(now, this.poll.lastContactAt + TIMING.minContactGapMs);
	}

	private async refreshLinks(): Promise<void> {
		const answer = await this.askStatus(this.jobId!);
		if (isNetworkFailure(answer)) return this.onTransient(failureFromNetwork(answer));
		const snapshot = isSuccess(answer.statusCode) ? readSnapshot(answer.body, this.jobId) : undefined;
		const now = this.now();
		if (!snapshot) return this.onTransient(failureFromAnswer(answer, 'status', now));
		this.linksStale = false;
		const previous = this.snapshot!.downloads;
		this.takeSnapshot({ ...snapshot, downloads: snapshot.downloads.length ? snapshot.downloads : previous }, now);
		this.dueAt = now;
	}
}
