/**
 * What the job runner is asked to do for one item, and what it hands back: the plan (built by
 * a host's operation from the item's parameters), the start of a job, and the files it kept.
 */
import type { FileContent } from '../wire/http';
import type { JsonObject } from '../json';
import type { ReusableLinks } from '../files/links';
import type { PollState } from '../pacing/pollState';

/** What to do for one input item; built by the operation from the item's parameters. */
export interface JobPlan {
	itemIndex: number;
	/**
	 * Start a job with this body first (generate); otherwise `jobId` names an existing job. With
	 * both, an earlier run of this request started `jobId` (the job ledger): it is checked first,
	 * picked up while running or completed, and replaced by a new job only if it failed.
	 */
	start?: JobStart;
	jobId?: string;
	/**
	 * `start-only`: return as soon as the job exists. `check-once`: one status check.
	 * `wait`: check until completed or failed. `download`: one check, then the files.
	 * `route`: one check, for a loop that waits outside the node (n8n's Wait node): a completed
	 * job (its files too, when asked) or a still-running one is an answer; a failed or ended job
	 * is an error, and so is one still running past `deadlineAt`.
	 */
	mode: 'start-only' | 'check-once' | 'wait' | 'download' | 'route';
	/**
	 * The end of the wait for the job, when it was set before this run (ms since epoch): a loop's
	 * passes share one deadline, counted from the job's start. Otherwise the timeout counts from
	 * when the runner admits the task.
	 */
	deadlineAt?: number;
	/** In `wait` mode: fetch the files once the job completed. */
	downloadFiles: boolean;
	timeoutMs: number;
	/** Where the files go on the output item: `data`, `data_1`, … */
	binaryPropertyName: string;
	/** Output one item per downloaded file instead of one item with all files. */
	itemPerFile: boolean;
	/** In `download` mode: links handed out moments ago for this job, used before asking again. */
	reuse?: ReusableLinks;
	/**
	 * In `wait` mode: at the job's deadline, end with the job as it is (still running) instead of
	 * an error — an AI agent's tool call returns the job id to come back for.
	 */
	returnStillRunning?: boolean;
	/** How long the wait may be when an AI agent calls the node as a tool (see toolMode.ts). */
	toolWaitMs?: number;
	/**
	 * What an earlier contact with `jobId` left (the job ledger, or the incoming item: a Generate
	 * that did not wait, a parked loop's last check): the first request waits for the API's floor
	 * from it (pacing/pollState.ts), and the schedule goes on from its checks.
	 */
	poll?: PollState;
}

export interface JobStart {
	body: JsonObject;
	idempotencyKey: string;
	/** The key came from the Idempotency Key option (made one per item before the run). */
	keySetByUser: boolean;
	/** Where the job ledger keeps this request: the node's run index and the item index. */
	slot: string;
	/** requestDigest(body), taken before reference images are released. */
	request: string;
	/** Earlier jobs of this request that failed and were replaced (from the ledger). */
	failedJobIds?: string[];
}

export interface DownloadedFile<Stored = unknown> {
	index: number;
	entry: JsonObject;
	fileName: string;
	mimeType: string;
	/** What the file sink kept (n8n binary data in the node; the bytes in unit tests). */
	stored: Stored;
}

/**
 * Keeps a downloaded file as soon as it has arrived (n8n's binary data store, a Node-RED
 * message's Buffer), so a run holds no more of a file than the host must: `content` is the download stream, or the bytes of a small file.
 */
export type FileSink<Stored = unknown> = (content: FileContent, fileName: string, mimeType: string) => Promise<Stored>;
