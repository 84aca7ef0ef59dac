/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code: runs in Node under jest, never inside n8n */
/**
 * CPU time and memory of a process group (n8n's main process and its task runners), read from
 * /proc (Linux). CPU is utime+stime of every process seen in the group, counted per pid from the
 * moment it was first seen, so a runner that exits mid-run does not take its CPU time with it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
	if (ticksPerSecond === undefined) {
		try {
			ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
		} catch {
			ticksPerSecond = 100;
		}
	}
	return ticksPerSecond;
}

interface Stat {
	pgrp: number;
	/** utime + stime, seconds. */
	cpuSeconds: number;
}

function readStat(pid: number): Stat | undefined {
	let text: string;
	try {
		text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return undefined;
	}
	// The command name is in parentheses and may contain spaces: fields start after the last ')'.
	const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
	// fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
	const pgrp = Number(fields[2]);
	const ticks = Number(fields[11]) + Number(fields[12]);
	return { pgrp, cpuSeconds: ticks / clockTicks() };
}

/** Resident memory of one process in bytes (VmRSS), or 0 if it is gone. */
function readRssBytes(pid: number): number {
	try {
		const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

/** Pids whose process group is `pgid`. */
export function groupPids(pgid: number): number[] {
	const pids: number[] = [];
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		const stat = readStat(Number(name));
		if (stat && stat.pgrp === pgid) pids.push(Number(name));
	}
	return pids;
}

/** Summed VmRSS of the group now, bytes. */
export function groupRssBytes(pgid: number): number {
	return groupPids(pgid).reduce((sum, pid) => sum + readRssBytes(pid), 0);
}

export interface GroupUsage {
	/** CPU seconds the group used in the window (all processes, user + system). */
	cpuSeconds: number;
	/** Length of the window, seconds. */
	wallSeconds: number;
	/** Group RSS when the window opened, bytes. */
	startRssBytes: number;
	/** Highest summed RSS seen, bytes. */
	peakRssBytes: number;
	/** Highest RSS of the main process (pid = pgid) alone, bytes. */
	peakMainRssBytes: number;
	samples: number;
	/** How many processes the group had at most. */
	maxProcesses: number;
}

/**
 * Samples the group every `intervalMs` from now until stop(): CPU seconds used, RSS peak.
 * The member list is refreshed every `rescanMs` (scanning /proc costs more than reading a few files).
 */
export function sampleGroup(pgid: number, intervalMs = 150, rescanMs = 1_000) {
	const startedAt = Date.now();
	const firstCpu = new Map<number, number>();
	const lastCpu = new Map<number, number>();
	let pids = groupPids(pgid);
	let lastScan = Date.now();
	let peakRss = 0;
	let peakMainRss = 0;
	let samples = 0;
	let maxProcesses = pids.length;
	const baselineCpu = (pid: number, seconds: number, atStart: boolean) => {
		// A process that appears during the window counts from zero; one already running from now.
		if (!firstCpu.has(pid)) firstCpu.set(pid, atStart ? seconds : 0);
	};
	const sample = (atStart = false) => {
		if (Date.now() - lastScan >= rescanMs) {
			pids = groupPids(pgid);
			lastScan = Date.now();
		}
		let rss = 0;
		let alive = 0;
		for (const pid of pids) {
			const stat = readStat(pid);
			if (!stat || stat.pgrp !== pgid) continue;
			alive += 1;
			baselineCpu(pid, stat.cpuSeconds, atStart);
			lastCpu.set(pid, stat.cpuSeconds);
			const bytes = readRssBytes(pid);
			rss += bytes;
			if (pid === pgid) peakMainRss = Math.max(peakMainRss, bytes);
		}
		peakRss = Math.max(peakRss, rss);
		maxProcesses = Math.max(maxProcesses, alive);
		samples += 1;
		return rss;
	};
	const startRss = sample(true);
	const timer = setInterval(() => sample(), intervalMs);
	return {
		/** Stops sampling and returns the window's figures. */
		stop(): GroupUsage {
			clearInterval(timer);
			pids = groupPids(pgid);
			sample();
			let cpu = 0;
			for (const [pid, last] of lastCpu) cpu += last - (firstCpu.get(pid) ?? 0);
			return {
				cpuSeconds: cpu,
				wallSeconds: (Date.now() - startedAt) / 1000,
				startRssBytes: startRss,
				peakRssBytes: peakRss,
				peakMainRssBytes: peakMainRss,
				samples,
				maxProcesses,
			};
		},
	};
}
