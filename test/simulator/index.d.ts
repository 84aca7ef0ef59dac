/**
 * Types for the Perceptis simulator (plain CommonJS in index.js, so the CLI runs without a build).
 * See README.md in this folder for what each switch plays.
 */

/** Names of the fixed fake keys; also what `keyPlan` reports. */
export type KeyName = 'business' | 'business2' | 'enterprise' | 'starter' | 'trial' | 'free' | 'revoked';
export type OutputType = 'single_slide' | 'deck';
export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed';

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
	/** When set, every 2xx generate/status answer carries this Retry-After. Default null. */
	statusRetryAfterSeconds: number | null;
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
	/** Receives one line per request (keys redacted) and simulator errors. */
	log?: (line: string) => void;
}

export interface RecordedRequest {
	/** Date.now() when the request arrived. */
	at: number;
	server: 'api' | 'storage';
	method: string;
	/** Raw request target, query included. */
	path: string;
	/** Lower-cased names, values as received (in-process: NOT redacted). */
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON if it parsed, else the raw text, else undefined. */
	body: unknown;
	/** Status sent; 'reset' when the socket was dropped; null while still being answered. */
	status: number | 'reset' | null;
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
	status: JobStatus;
	/** Date.now() of creation. */
	createdAt: number;
	/** Date.now() value at which the job reached `completed` or `failed`; null while running. */
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

export type FaultKind = 'http500' | 'html502' | 'reset' | 'reset-after' | 'slow' | 'malformed-json' | 'rate-limit';

export interface Fault {
	/** Matches any method when omitted. */
	method?: string;
	/** Prefix of the raw request target; matches any when omitted. */
	path?: string;
	/** Default 'api'. */
	server?: 'api' | 'storage';
	kind: FaultKind;
	/** How many matching requests it applies to. Default 1. */
	times?: number;
	/** Wait before acting (any kind); 'slow' defaults to 1000. */
	delayMs?: number;
	/** For 'rate-limit'. Default 1. */
	retryAfterSeconds?: number;
}

export interface PendingFault {
	server: 'api' | 'storage';
	method: string | null;
	path: string | null;
	kind: FaultKind;
	remaining: number;
	delayMs: number;
	retryAfterSeconds: number;
}

export interface Simulator {
	/** API origin, e.g. http://127.0.0.1:41234 (also serves /__sim/ admin endpoints). */
	readonly origin: string;
	/** Origin of the second server, which serves the signed download links. */
	readonly storageOrigin: string;
	readonly keys: Readonly<Record<KeyName, string>>;
	/** Every API and storage request in arrival order (live array, emptied by reset()). */
	readonly requests: RecordedRequest[];
	/** Copy of the current variants. */
	readonly variants: Variants;
	jobs(): JobSnapshot[];
	creditsCharged(): number;
	/** Applies a partial set of variants; throws on unknown names or bad values. Returns the result. */
	configure(patch: VariantsPatch): Variants;
	injectFault(fault: Fault): PendingFault;
	pendingFaults(): PendingFault[];
	/** Clears requests, jobs, idempotency keys, faults and rate-limit counters; variants back to the start options. */
	reset(): void;
	/** Closes both servers and destroys open sockets. */
	close(): Promise<void>;
}

export declare function startSimulator(options?: SimulatorOptions): Promise<Simulator>;
export declare const KEYS: Readonly<Record<KeyName, string>>;
export declare const DEFAULT_VARIANTS: Readonly<Variants>;
export declare const TEMPLATES: readonly string[];
export declare const FAULT_KINDS: readonly FaultKind[];
