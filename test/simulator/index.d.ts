/**
 * Types for the Perceptis simulator (plain CommonJS in index.js, so the CLI runs without a build).
 * See README.md in this folder for what each switch plays.
 */

/** Names of the fixed fake keys; also what `keyPlan` reports. */
export type KeyName = 'business' | 'business2' | 'enterprise' | 'starter' | 'trial' | 'free' | 'revoked';
export type OutputType = 'single_slide' | 'deck';
/** The documented statuses; `[sim:status=WORD]` and `[sim:running=WORD]` report any other word as typed. */
export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed';
/** Names of the three servers, as `server` in recorded requests and faults. */
export type ServerName = 'api' | 'storage' | 'foreign';

/** The switches for every undocumented part of the API; defaults in DEFAULT_VARIANTS. */
export interface Variants {
	/** Real job duration = durationsMs[output_type] * timeScale. Default 1. */
	timeScale: number;
	/** Default { single_slide: 300000, deck: 600000 }. */
	durationsMs: Record<OutputType, number>;
	/** Default 202. */
	generateSuccessStatus: 200 | 201 | 202;
	/** Name of the id field in the generate answer. Default 'job_id'. */
	jobIdField: 'job_id' | 'jobId' | 'id';
	/** 'needs-encoding' ids contain `/`, space, `+`, `?`, `#` and `%41`. Default 'plain'. */
	jobIdStyle: 'plain' | 'needs-encoding';
	/** Retry-After on 429s and on status hints. Default 'seconds'. */
	retryAfterFormat: 'seconds' | 'http-date';
	/**
	 * A number: every 2xx generate/status answer carries this Retry-After. 'remaining': answers about a
	 * running job carry the whole seconds it still needs (rounded up, at least 1; a `[sim:never]` job
	 * past its duration says 1), answers about an ended job none. Default null.
	 */
	statusRetryAfterSeconds: number | 'remaining' | null;
	/** 'object' {"error":{"code","message"}}, 'string' {"error":"message"}, 'none' empty body. Default 'object'. */
	errorBodyForm: 'object' | 'string' | 'none';
	/** Shape of `error` in a failed status. Default 'object'. */
	failedErrorForm: 'object' | 'string';
	/** Adds file_name, variant_index (0-based), expires_at, size_bytes to each download. Default false. */
	extraDownloadFields: boolean;
	/** Per key, counted separately for generate and status. Default null (no limit). */
	rateLimit: { max: number; windowMs: number } | null;
	/** Lifetime of a signed download link in real ms. Default 60000. */
	linkTtlMs: number;
	/** Default 409. */
	idempotencyConflictStatus: number;
	/**
	 * Extension of `file_name` (with extraDownloadFields) and of storage's Content-Disposition filename;
	 * 1–8 lowercase letters or digits. The bytes stay a real .pptx. Default 'pptx'.
	 */
	fileNameExtension: string;
	/**
	 * null: each job's own small .pptx. A number (1 … 2^31-1): every file of every job is one shared
	 * .pptx padded to that many bytes (an uncompressed `ppt/media/padding.bin` of random bytes, declared
	 * in [Content_Types].xml), built once per size and sent from memory; a real file already that big is
	 * left as is. For memory benchmarks. Default null.
	 */
	fileSizeBytes: number | null;
}

/** A partial set of variants; durationsMs is merged per output type. */
export type VariantsPatch = Partial<Omit<Variants, 'durationsMs'>> & { durationsMs?: Partial<Record<OutputType, number>> };

export interface SimulatorOptions extends VariantsPatch {
	/** Default '127.0.0.1'. */
	host?: string;
	/** API port; default 0 (any free port). */
	port?: number;
	/** Storage server port; default 0 (any free port). */
	storagePort?: number;
	/**
	 * Address of the foreign server; default '127.0.0.2' (another loopback host). If it cannot be
	 * bound, the foreign server listens on `host` instead (another origin, not another hostname).
	 */
	foreignHost?: string;
	/** Foreign server port; default 0 (any free port). */
	foreignPort?: number;
	/** Receives one line per request (keys redacted) and simulator errors. */
	log?: (line: string) => void;
}

export interface RecordedRequest {
	/** Date.now() when the request arrived. */
	at: number;
	server: ServerName;
	method: string;
	/** Raw request target, query included ('foreign': keys redacted). */
	path: string;
	/**
	 * Lower-cased names, values as received: NOT redacted in-process for 'api' and 'storage'.
	 * 'foreign' entries are stored redacted: authorization reads e.g. 'Bearer <redacted:business>'.
	 */
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON if it parsed, else the raw text, else undefined ('foreign': keys redacted). */
	body: unknown;
	/** Status sent; 'reset' when the socket was dropped; null while still being answered. */
	status: number | 'reset' | null;
	/** Date.now() when the client closed the connection before the answer was complete, if it did. */
	clientClosedAt?: number;
	/** Which simulator key was in the Authorization header, or null. */
	keyPlan: KeyName | null;
}

export interface JobSnapshot {
	id: string;
	keyPlan: KeyName;
	outputType: OutputType;
	prompt: string;
	/** The generate request body as parsed. */
	body: unknown;
	/** What a status poll reports now (directive words included, exactly as typed). */
	status: JobStatus | (string & {});
	/** Date.now() of creation; the job ends at createdAt + its duration (`[sim:seconds=N]` or durationsMs, times timeScale). */
	createdAt: number;
	/** Date.now() value at which the job ended (`completed`, `failed` or a `[sim:status=…]` word); null while running. */
	completedAt: number | null;
	idempotencyKey: string | null;
	creditsCharged: number;
	/** Date.now() of each status request the owner made for this job. */
	pollTimes: number[];
	/** Resolved template, or null for automatic choice. */
	templateName: string | null;
	variantCount: number;
	slideCount: number;
}

/**
 * How closely one job was checked. Contacts: its start (the POST /api/v1/generate that created it,
 * at `createdAt`), each idempotent POST that replays it, and each GET /api/v1/status/{id} for it with
 * its owner's key, on arrival and whatever the answer (429 from `rateLimit` or a fault, 5xx, dropped
 * socket included: the client did ask). Requests with another or an invalid key contact no job. All
 * gaps are real wall-clock ms (Date.now() differences), never scaled by `timeScale`.
 */
export interface JobCheckGaps {
	id: string;
	keyPlan: KeyName;
	/** Date.now() of the start: the first contact. */
	createdAt: number;
	/** Every contact, the start included: 1 + replays + statusChecks. */
	contacts: number;
	/** Idempotent generate requests that replayed this job. */
	replays: number;
	/** Status requests for this job, 429-answered ones included. */
	statusChecks: number;
	/** Date.now() of the first / last status check; null if never checked. */
	firstCheckAt: number | null;
	lastCheckAt: number | null;
	/** First status check minus the start (the API asks for 2–5 s); null if never checked. */
	firstCheckGapMs: number | null;
	/** Smallest gap between two consecutive status checks (the API asks for ≥ 1 s); null if fewer than two. */
	minCheckGapMs: number | null;
	/** Smallest gap between two consecutive contacts of any kind, the start included; null if the start is the only one. */
	minContactGapMs: number | null;
}

/** checkGaps(): every job (creation order) and the extremes over all of them (null: nothing to measure). */
export interface CheckGaps {
	jobs: JobCheckGaps[];
	/** Status checks of all jobs. */
	statusChecks: number;
	/** Smallest minCheckGapMs of any job. */
	minCheckGapMs: number | null;
	/** Smallest and largest firstCheckGapMs of any checked job. */
	minFirstCheckGapMs: number | null;
	maxFirstCheckGapMs: number | null;
	/** Smallest minContactGapMs of any job. */
	minContactGapMs: number | null;
}

/**
 * 'http500' JSON 500; 'html502' nginx HTML 502; 'reset' socket dropped unhandled; 'reset-after' handled,
 * then dropped; 'slow' answers after delayMs; 'malformed-json' truncated 200 JSON; 'rate-limit' 429;
 * 'redirect' 3xx with Location (see redirectTo); 'html200' 200 HTML sign-in page; 'json-without-status'
 * 200 JSON {job_id, message} without `status`; 'not-a-file' 200 application/octet-stream of text bytes;
 * 'malformed-json-after' handled, then the real answer cut off mid-value; 'link-expired' 403 XML
 * "Request has expired" (storage's answer for an expired link); 'gone' 410 XML.
 */
export type FaultKind =
	| 'http500'
	| 'html502'
	| 'reset'
	| 'reset-after'
	| 'slow'
	| 'malformed-json'
	| 'rate-limit'
	| 'redirect'
	| 'html200'
	| 'json-without-status'
	| 'not-a-file'
	| 'malformed-json-after'
	| 'link-expired'
	| 'gone';

export type RedirectStatus = 301 | 302 | 303 | 307 | 308;
/**
 * 'foreign': `${foreignOrigin}${url}`; 'same': the answering server's origin, the same URL with
 * `redirected=1` added to the query; 'storage': `${storageOrigin}${url}`.
 */
export type RedirectTarget = 'foreign' | 'same' | 'storage';

export interface Fault {
	/** Matches any method when omitted. */
	method?: string;
	/** Prefix of the raw request target; matches any when omitted. */
	path?: string;
	/** Default 'api'. */
	server?: ServerName;
	kind: FaultKind;
	/** How many matching requests it applies to. Default 1. */
	times?: number;
	/** Wait before acting (any kind); 'slow' defaults to 1000. */
	delayMs?: number;
	/** For 'rate-limit'. Default 1. */
	retryAfterSeconds?: number;
	/** For 'redirect' only (an error on other kinds). Default 307. */
	redirectStatus?: RedirectStatus;
	/** For 'redirect' only (an error on other kinds). Default 'foreign'. */
	redirectTo?: RedirectTarget;
}

export interface PendingFault {
	server: ServerName;
	method: string | null;
	path: string | null;
	kind: FaultKind;
	remaining: number;
	delayMs: number;
	retryAfterSeconds: number;
	/** null unless kind is 'redirect'. */
	redirectStatus: RedirectStatus | null;
	/** null unless kind is 'redirect'. */
	redirectTo: RedirectTarget | null;
}

export interface Simulator {
	/** API origin, e.g. http://127.0.0.1:41234 (also serves /__sim/ admin endpoints). */
	readonly origin: string;
	/** Origin of the second server, which serves the signed download links. */
	readonly storageOrigin: string;
	/**
	 * Origin of the third server, another host that must never receive the API key (e.g.
	 * http://127.0.0.2:41236). It answers every request 200 {"job_id":"foreign-job","status":"processing"}.
	 */
	readonly foreignOrigin: string;
	readonly keys: Readonly<Record<KeyName, string>>;
	/** Every API, storage and foreign request in arrival order (live array, emptied by reset()). */
	readonly requests: RecordedRequest[];
	/** Copy of the current variants. */
	readonly variants: Variants;
	jobs(): JobSnapshot[];
	creditsCharged(): number;
	/** How closely each job was checked (real ms; O(1) memory per job). Emptied by reset(). */
	checkGaps(): CheckGaps;
	/** Applies a partial set of variants; throws on unknown names or bad values. Returns the result. */
	configure(patch: VariantsPatch): Variants;
	injectFault(fault: Fault): PendingFault;
	pendingFaults(): PendingFault[];
	/** Clears requests, jobs, idempotency keys, faults and rate-limit counters; variants back to the start options. */
	reset(): void;
	/** Closes all three servers and destroys open sockets. */
	close(): Promise<void>;
}

export declare function startSimulator(options?: SimulatorOptions): Promise<Simulator>;
export declare const KEYS: Readonly<Record<KeyName, string>>;
export declare const DEFAULT_VARIANTS: Readonly<Variants>;
export declare const TEMPLATES: readonly string[];
export declare const FAULT_KINDS: readonly FaultKind[];
