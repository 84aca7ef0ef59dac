/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Test doubles for the job runner: a fake clock (no real sleeping) and a fake Perceptis transport
 * that plays a small in-memory API whose jobs finish after a scripted duration of fake time.
 * Any answer can be overridden per request with a handler; every request is logged with its
 * fake time. Nothing here touches the network.
 */
import type { FileSink } from '../../core/jobs/plan';
import type { JsonObject } from '../../core/json';
import type { RunClock } from '../../core/ports';
import type { PerceptisClient } from '../../core/wire/client';
import type { FileAnswer, HttpAnswer, NetworkFailure } from '../../core/wire/http';

export const T0 = 1_700_000_000_000;

export class FakeClock implements RunClock {
	t: number;
	readonly sleeps: Array<{ at: number; ms: number }> = [];
	/** The clock reports cancellation from this fake time on. */
	cancelAt?: number;
	private nowCalls = 0;

	constructor(start = T0) {
		this.t = start;
	}

	now = (): number => {
		// A guard against a runner loop that never sleeps nor asks anything: fail instead of hanging.
		if (++this.nowCalls > 2_000_000) throw new Error('FakeClock: now() called too often (endless loop?)');
		return this.t;
	};

	/**
	 * Fake time moves only once every step in flight had its chance to finish (fake requests end
	 * within the event loop's current turn): a step that ends wakes the sleeper at the same time.
	 */
	async sleep(ms: number, wake?: Promise<unknown>): Promise<void> {
		if (this.sleeps.length > 100_000) throw new Error('FakeClock: too many sleeps (endless loop?)');
		let woken = false;
		void wake?.then(
			() => (woken = true),
			() => (woken = true),
		);
		await new Promise((resolve) => setImmediate(resolve));
		if (woken) return;
		this.sleeps.push({ at: this.t, ms });
		this.t += Math.max(0, ms);
	}

	cancelled(): boolean {
		return this.cancelAt !== undefined && this.t >= this.cancelAt;
	}
}

/**
 * Fake time for several runs at once (each with its own runner loop, as Node-RED's messages):
 * time moves to the earliest wake-up only once every run that has not ended is asleep.
 */
export class SharedFakeClock {
	t = T0;
	private active = 0;
	private sleepers: Array<{ until: number; wake: () => void }> = [];

	now = (): number => this.t;

	/** The clock of one run; call `done()` when the run has ended. */
	forRun(): RunClock & { done(): void } {
		this.active += 1;
		return {
			now: this.now,
			cancelled: () => false,
			sleep: async (ms, wake) =>
				await new Promise<void>((resolve) => {
					const sleeper = {
						until: this.t + Math.max(0, ms),
						wake: () => {
							this.sleepers = this.sleepers.filter((other) => other !== sleeper);
							resolve();
						},
					};
					this.sleepers.push(sleeper);
					void wake?.then(sleeper.wake, sleeper.wake);
					this.moveWhenAllAsleep();
				}),
			done: () => {
				this.active -= 1;
				this.moveWhenAllAsleep();
			},
		};
	}

	private moveWhenAllAsleep(): void {
		setImmediate(() => {
			if (this.sleepers.length === 0 || this.sleepers.length < this.active) return;
			if (this.t > T0 + 24 * 3_600_000) throw new Error('SharedFakeClock: a day went by (endless loop?)');
			this.t = Math.max(this.t, Math.min(...this.sleepers.map((sleeper) => sleeper.until)));
			for (const sleeper of this.sleepers.filter((other) => other.until <= this.t)) sleeper.wake();
		});
	}
}

export interface LoggedRequest {
	type: 'generate' | 'status' | 'download';
	at: number;
	jobId?: string;
	idempotencyKey?: string;
	body?: JsonObject;
	url?: string;
}

export interface FakeJob {
	id: string;
	createdAt: number;
	/** Fake ms from creation until the job is final. */
	durationMs: number;
	final: 'completed' | 'failed';
	fileCount: number;
	error?: unknown;
}

type Scripted<T> = T | NetworkFailure | undefined;

/** A request that got no HTTP answer (what the transport returns for a reset, timeout, …). */
export function networkFailure(networkCode: string, url = 'https://app.perceptis.ai/api/v1/status/x'): NetworkFailure {
	return { networkCode, url };
}

export function answer(
	statusCode: number,
	body: unknown,
	headers: JsonObject = {},
	url = 'https://app.perceptis.ai/api/v1/status/x',
): HttpAnswer {
	return { url, statusCode, headers, body };
}

/** The bytes every .pptx starts with (a ZIP local file header). */
export const ZIP_HEAD = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** A storage answer; a 2xx one carries a file that starts like a .pptx, unless `raw` says otherwise. */
export function fileAnswer(statusCode: number, text = '', headers: JsonObject = {}, raw = false): FileAnswer {
	const ok = statusCode >= 200 && statusCode < 300;
	const data = ok && !raw ? Buffer.concat([ZIP_HEAD, Buffer.from(text)]) : Buffer.from(text);
	return { statusCode, headers, head: data.subarray(0, 512), content: data, discard: () => undefined };
}

/** A file sink that keeps the bytes in the binary data's `data` (base64), as n8n's memory mode does. */
/** What the in-memory file sink keeps of a file. */
export interface KeptFile {
	data: string;
	fileName: string;
	mimeType: string;
}

export const keepInMemory: FileSink<KeptFile> = async (content, fileName, mimeType) => ({
	data: Buffer.isBuffer(content) ? content.toString('base64') : '',
	fileName,
	mimeType,
});

/** The bytes a file sink kept. */
export const bytesOf = (file: { stored: { data: string } }): Buffer => Buffer.from(file.stored.data, 'base64');

export class FakeApi implements PerceptisClient {
	readonly origin = 'https://app.perceptis.ai';
	readonly requests: LoggedRequest[] = [];
	readonly jobs = new Map<string, FakeJob>();
	/** Durations of the next jobs created, in order; then `defaultDurationMs`. */
	durations: number[] = [];
	defaultDurationMs = 60_000;
	defaultFileCount = 1;
	defaultFinal: 'completed' | 'failed' = 'completed';
	/** Fake time each request takes. */
	latencyMs = 0;
	/** Per-request overrides: return an answer, a NetworkFailure, or undefined for the default. */
	onGenerate?: (n: number, body: JsonObject, key: string) => Scripted<HttpAnswer>;
	onStatus?: (jobId: string, n: number) => Scripted<HttpAnswer>;
	onDownload?: (url: string, n: number) => Scripted<FileAnswer>;
	/** Called on every request, before it is answered (for invariants such as in-flight counts). */
	observe?: (request: LoggedRequest) => void;

	private statusCounts = new Map<string, number>();

	constructor(private readonly clock: { t: number }) {}

	addJob(id: string, durationMs: number, extra: Partial<FakeJob> = {}): FakeJob {
		const job: FakeJob = {
			id,
			createdAt: this.clock.t,
			durationMs,
			final: this.defaultFinal,
			fileCount: this.defaultFileCount,
			...extra,
		};
		this.jobs.set(id, job);
		return job;
	}

	of(type: LoggedRequest['type'], jobId?: string): LoggedRequest[] {
		return this.requests.filter((r) => r.type === type && (jobId === undefined || r.jobId === jobId));
	}

	private log(request: LoggedRequest): void {
		if (this.requests.length > 50_000) throw new Error('FakeApi: too many requests (endless loop?)');
		this.requests.push(request);
		this.observe?.(request);
	}

	private settle<T>(scripted: Scripted<T>): T | NetworkFailure | undefined {
		this.clock.t += this.latencyMs;
		return scripted;
	}

	async generate(body: JsonObject, idempotencyKey: string): Promise<HttpAnswer | NetworkFailure> {
		const n = this.of('generate').length;
		this.log({ type: 'generate', at: this.clock.t, idempotencyKey, body });
		const scripted = this.settle(this.onGenerate?.(n, body, idempotencyKey));
		if (scripted) return scripted;
		const id = `job-${this.jobs.size + 1}`;
		this.addJob(id, this.durations.shift() ?? this.defaultDurationMs);
		return answer(202, { job_id: id, status: 'pending' });
	}

	/** The answer the in-memory API would give now for a job (fresh links on every call). */
	defaultStatus(jobId: string, n: number): HttpAnswer {
		const job = this.jobs.get(jobId);
		if (!job) return answer(404, { error: { code: 'not_found', message: 'Job not found' } });
		const elapsed = this.clock.t - job.createdAt;
		if (elapsed < job.durationMs) {
			return answer(200, { job_id: jobId, status: elapsed < 1_000 ? 'pending' : 'processing' });
		}
		if (job.final === 'failed') {
			return answer(200, {
				job_id: jobId,
				status: 'failed',
				error: job.error ?? { code: 'generation_failed', message: 'The generation failed' },
			});
		}
		const downloads = Array.from({ length: job.fileCount }, (_v, i) => ({
			url: `https://storage.example.com/${jobId}/${i}.pptx?sig=s${n}`,
			slide_count: 1,
		}));
		return answer(200, { job_id: jobId, status: 'completed', downloads });
	}

	async status(jobId: string): Promise<HttpAnswer | NetworkFailure> {
		const n = this.statusCounts.get(jobId) ?? 0;
		this.statusCounts.set(jobId, n + 1);
		this.log({ type: 'status', at: this.clock.t, jobId });
		const scripted = this.settle(this.onStatus?.(jobId, n));
		return scripted ?? this.defaultStatus(jobId, n);
	}

	async downloadFile(url: string): Promise<FileAnswer | NetworkFailure> {
		const n = this.of('download').length;
		const jobId = /storage\.example\.com\/([^/]+)\//.exec(url)?.[1];
		this.log({ type: 'download', at: this.clock.t, url, jobId });
		const scripted = this.settle(this.onDownload?.(url, n));
		return scripted ?? fileAnswer(200, `PPTX ${url.split('?')[0]}`);
	}
}

/** Gaps between consecutive times. */
export function gaps(times: number[]): number[] {
	return times.slice(1).map((t, i) => t - times[i]);
}
