/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code: runs in Node under jest, never inside n8n */
/**
 * Tables for the terminal and for docs/benchmark.md, and the machine they were measured on.
 */
import { execFileSync } from 'child_process';
import * as os from 'os';

export type Cell = string | number | undefined;

const show = (cell: Cell) => (cell === undefined ? '' : String(cell));

/** A plain-text table with aligned columns (numbers right-aligned). */
export function textTable(headers: string[], rows: Cell[][]): string {
	const cells = [headers, ...rows.map((row) => row.map(show))];
	const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
	const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => row[i] === undefined || /^[-+]?[\d.,]+$|^–$/.test(show(row[i]))));
	const line = (row: string[]) =>
		row.map((cell, i) => (numeric[i] ? (cell ?? '').padStart(widths[i]) : (cell ?? '').padEnd(widths[i]))).join('  ').trimEnd();
	return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The same table in Markdown. */
export function markdownTable(headers: string[], rows: Cell[][]): string {
	const escape = (text: string) => text.replace(/\|/g, '\\|');
	return [
		`| ${headers.map(escape).join(' | ')} |`,
		`|${headers.map(() => '---').join('|')}|`,
		...rows.map((row) => `| ${row.map((cell) => escape(show(cell))).join(' | ')} |`),
	].join('\n');
}

export const fixed = (value: number | undefined, digits = 1): string =>
	value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL');

export const mb = (bytes: number | undefined): string => (bytes === undefined ? '–' : (bytes / 1_000_000).toFixed(0));

function quiet(command: string, args: string[]): string | undefined {
	try {
		return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return undefined;
	}
}

export interface Machine {
	date: string;
	nproc: number;
	memoryGb: string;
	cpuModel: string;
	benchNode: string;
	n8nNode: string;
	n8nVersion: string;
	commit: string;
}

export function machine(n8nNodeBinary: string | undefined, n8nVersion: string, repoRoot: string): Machine {
	const commit = quiet('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']) ?? 'unknown';
	const dirty = quiet('git', ['-C', repoRoot, 'status', '--porcelain', '--untracked-files=no']);
	return {
		date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
		nproc: Number(quiet('nproc', [])) || os.cpus().length,
		memoryGb: (os.totalmem() / 2 ** 30).toFixed(1),
		cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown',
		benchNode: process.version,
		n8nNode: (n8nNodeBinary && quiet(n8nNodeBinary, ['--version'])) ?? 'unknown',
		n8nVersion,
		commit: dirty ? `${commit} with uncommitted changes` : commit,
	};
}

export function machineLines(m: Machine): string[] {
	return [
		`Date: ${m.date}`,
		`Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGb} GiB memory, ${os.type()} ${os.release()}`,
		`n8n ${m.n8nVersion} on Node ${m.n8nNode}; benchmark driver on Node ${m.benchNode}; package at ${m.commit}`,
	];
}
