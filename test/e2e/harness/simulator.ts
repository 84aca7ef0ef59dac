/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code: runs in Node under jest, never inside n8n */
/**
 * Runs the Perceptis simulator (test/simulator/cli.js) in a child process, bound to 127.0.0.1, and
 * talks to its admin endpoints. n8n reaches it like the real API.
 */
import axios, { type AxiosInstance } from 'axios';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { REPO_ROOT } from './install';
import { freePorts } from './ports';
import { stopProcessGroup } from './n8n';
import type { CheckGaps as SimulatorCheckGaps } from '../../simulator';

export type PlanKey = 'business' | 'business2' | 'enterprise' | 'starter' | 'trial' | 'free' | 'revoked';

export interface SimulatorRequest {
	server: string;
	method: string;
	path: string;
	headers: Record<string, string>;
	body?: unknown;
	status: number;
	keyPlan?: string | null;
	/** When the client hung up before the answer was complete, if it did. */
	clientClosedAt?: number;
	[key: string]: unknown;
}

/** How closely each job was checked (GET /__sim/check-gaps; test/simulator/README.md): the simulator's own types. */
export type { CheckGaps as SimulatorCheckGaps, JobCheckGaps as SimulatorJobCheckGaps } from '../../simulator';

export interface SimulatorOptions {
	/** Multiplies the simulated job durations (default 0.02: jobs finish in a second or two). */
	timeScale?: number;
	/** Applied with POST /__sim/config after start (default {statusRetryAfterSeconds: 1}). */
	config?: Record<string, unknown>;
	/** Where the simulator's output goes (default a temp file beside nothing: kept in memory). */
	logPath?: string;
}

export interface SimulatorProcess {
	origin: string;
	storageOrigin: string;
	/** Another host (127.0.0.2) that must never receive the API key; it records every request. */
	foreignOrigin: string;
	keys: Record<PlanKey, string>;
	admin: AxiosInstance;
	requests(): Promise<SimulatorRequest[]>;
	jobs(): Promise<unknown[]>;
	/** How closely each job was checked, and the minima over all jobs (real ms). */
	checkGaps(): Promise<SimulatorCheckGaps>;
	reset(): Promise<void>;
	configure(config: Record<string, unknown>): Promise<void>;
	injectFault(fault: Record<string, unknown>): Promise<void>;
	output(): string;
	stop(): Promise<void>;
}

export const SIMULATOR_CLI = path.join(REPO_ROOT, 'test', 'simulator', 'cli.js');

export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorProcess> {
	if (!fs.existsSync(SIMULATOR_CLI)) {
		throw new Error(`The Perceptis simulator is missing (${SIMULATOR_CLI}).`);
	}
	const [port, storagePort] = await freePorts(2);
	const child: ChildProcess = spawn(
		process.execPath,
		[SIMULATOR_CLI, '--port', String(port), '--storage-port', String(storagePort), '--time-scale', String(options.timeScale ?? 0.02)],
		{ cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let output = '';
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const info = await new Promise<{ origin: string; storageOrigin: string; foreignOrigin: string; keys: Record<PlanKey, string> }>((resolve, reject) => {
		let buffer = '';
		const timer = setTimeout(() => reject(new Error(`the simulator printed no JSON line in 20 s:\n${buffer}${output}`)), 20_000);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`the simulator exited (code ${code}):\n${buffer}${output}`));
		});
		child.stdout?.on('data', (chunk: Buffer) => {
			buffer += chunk.toString();
			output += chunk.toString();
			const line = buffer.split('\n').find((l) => l.trim().startsWith('{'));
			if (line && buffer.includes('\n')) {
				clearTimeout(timer);
				try {
					resolve(JSON.parse(line));
				} catch {
					reject(new Error(`the simulator's first line is not JSON: ${line}`));
				}
			}
		});
	});
	if (options.logPath) {
		const write = (chunk: Buffer) => fs.appendFileSync(options.logPath as string, chunk);
		child.stdout?.on('data', write);
		child.stderr?.on('data', write);
	}
	const admin = axios.create({ baseURL: info.origin, proxy: false, timeout: 30_000 });
	const sim: SimulatorProcess = {
		...info,
		admin,
		async requests() {
			const { data } = await admin.get('/__sim/requests');
			return (Array.isArray(data) ? data : data.requests) as SimulatorRequest[];
		},
		async jobs() {
			const { data } = await admin.get('/__sim/jobs');
			return (Array.isArray(data) ? data : data.jobs) as unknown[];
		},
		async checkGaps() {
			const { data } = await admin.get('/__sim/check-gaps');
			return data as SimulatorCheckGaps;
		},
		async reset() {
			await admin.post('/__sim/reset', {});
		},
		async configure(config) {
			await admin.post('/__sim/config', config);
		},
		async injectFault(fault) {
			await admin.post('/__sim/faults', fault);
		},
		output: () => output,
		async stop() {
			await stopProcessGroup(child, 5_000);
		},
	};
	await sim.configure(options.config ?? { statusRetryAfterSeconds: 1 });
	return sim;
}
