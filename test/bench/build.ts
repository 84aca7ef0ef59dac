/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code: runs in Node under jest, never inside n8n */
/**
 * Loading the node into the benchmark's n8n. By default the harness copies dist/ (run
 * `npm run build` first). With BENCH_BUILD=1 the working tree's sources are compiled into the
 * benchmark's own n8n user folder instead, leaving dist/ alone (another build or test may be using it).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { builtDist, PACKAGE_NAME, REPO_ROOT } from '../e2e/harness';

/** Compiles nodes/ and credentials/ with the project's tsconfig into `userFolder`'s community package folder. */
export function buildInto(userFolder: string): string {
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	const dist = path.join(target, 'dist');
	fs.mkdirSync(target, { recursive: true });
	execFileSync(
		process.execPath,
		[require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', dist, '--declaration', 'false', '--sourceMap', 'false'],
		{ cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	// What gulp's build:assets copies: icons and the codex, beside the compiled files.
	const copyAssets = (dir: string, pattern: RegExp) => {
		for (const file of fs.readdirSync(path.join(REPO_ROOT, dir), { recursive: true }) as string[]) {
			if (!pattern.test(file)) continue;
			const to = path.join(dist, dir, file);
			fs.mkdirSync(path.dirname(to), { recursive: true });
			fs.copyFileSync(path.join(REPO_ROOT, dir, file), to);
		}
	};
	copyAssets('nodes', /\.(svg|png)$|\.node\.json$/);
	copyAssets('credentials', /\.svg$/);
	fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(target, 'package.json'));
	return target;
}

/** A warning when dist/ is missing or older than the node's sources (the run would measure old code). */
export function distStaleness(): string | undefined {
	const distFile = path.join(builtDist(), 'nodes', 'Perceptis', 'Perceptis.node.js');
	if (!fs.existsSync(distFile)) return 'dist/ is missing: run `npm run build` first (or set BENCH_BUILD=1).';
	const built = fs.statSync(distFile).mtimeMs;
	const newer: string[] = [];
	for (const dir of ['nodes', 'credentials']) {
		for (const file of fs.readdirSync(path.join(REPO_ROOT, dir), { recursive: true }) as string[]) {
			const full = path.join(REPO_ROOT, dir, file);
			if (/\.(ts|json)$/.test(file) && fs.statSync(full).mtimeMs > built) newer.push(path.join(dir, file));
		}
	}
	return newer.length
		? `dist/ is older than ${newer.slice(0, 3).join(', ')}${newer.length > 3 ? `, … (${newer.length} files)` : ''}: ` +
				'these runs measured the last `npm run build`, not the working tree (BENCH_BUILD=1 compiles it).'
		: undefined;
}
