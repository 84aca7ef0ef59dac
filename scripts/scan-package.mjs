#!/usr/bin/env node
/**
 * Offline run of n8n's community-package gate (`npx @n8n/scan-community-package <name>`).
 *
 * The real gate downloads the published tarball and the source commit named by its npm provenance,
 * then lints both with `analyzePackage()`. This script does the same on this checkout without any
 * network: it packs the package (`npm pack`, as it would be published), unpacks it with tar, and runs
 * `analyzePackage()` from @n8n/scan-community-package (scanner/scanner.mjs) on
 *   1. the unpacked tarball, with the scanner's default patterns (every .js, .ts and .json: stricter
 *      than the gate's tarball leg, which is `**\/*.js` + package.json; this is what catches a
 *      shipped `*.d.ts` under credentials/), and
 *   2. the source files, with the patterns the gate uses on the provenance source.
 * analyzePackage() only builds an ESLint instance and globs the given folder (the downloads live in
 * analyzePackageByName(), which is not called here). It ignores eslint-disable comments, like the gate.
 *
 * Plus checks of our own on the tarball: no test files, no `*.d.ts` under dist/credentials, no
 * runtime `dependencies`, every file registered in `n8n.nodes`/`n8n.credentials` present (and the
 * codex beside each node).
 *
 * Exit code: 0 clean, 1 problems found, 2 could not run (no dist/, npm pack or tar failed).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { listFiles } from './list-files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A reason the scan could not run at all (exit code 2), as opposed to problems it found. */
class CannotRun extends Error {}

function run(command, args, cwd) {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
	if (result.status !== 0) {
		throw new CannotRun(
			`${command} ${args.join(' ')} failed:\n${result.stderr || result.error?.message || ''}`,
		);
	}
	return result.stdout;
}

if (!fs.existsSync(path.join(root, 'dist'))) {
	console.error('scan-package: dist/ does not exist. Run `npm run build` first, then run this again.');
	process.exit(2);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-scan-'));
// The scanner makes a temp folder when it is imported and never removes it: keep it inside ours.
process.env.TMPDIR = work;
try {
	// --- pack and unpack exactly what `npm publish` would upload ---
	const packJson = run(
		'npm',
		['pack', '--json', '--pack-destination', work, '--no-update-notifier', '--loglevel=error'],
		root,
	);
	const { filename, name, version } = JSON.parse(packJson)[0];
	const packageDir = path.join(work, 'package');
	fs.mkdirSync(packageDir);
	run('tar', ['-xzf', path.join(work, filename), '-C', packageDir, '--strip-components=1'], work);
	const files = listFiles(packageDir);
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));

	// --- our own checks ---
	const problems = [];
	const isTestFile = (file) =>
		/(^|\/)(test|tests|__tests__|__mocks__)\//.test(file) || /\.(test|spec)\.[cm]?[jt]s$/.test(file);
	for (const file of files.filter(isTestFile)) problems.push(`test file in the tarball: ${file}`);
	for (const file of files.filter((f) => /^dist\/credentials\/.*\.d\.ts(\.map)?$/.test(f))) {
		problems.push(`credential declaration in the tarball (n8n's scanner rejects it): ${file}`);
	}
	const dependencies = Object.keys(pkg.dependencies ?? {});
	if (dependencies.length > 0) {
		problems.push(`package.json has runtime dependencies: ${dependencies.join(', ')}`);
	}
	for (const registered of [...(pkg.n8n?.credentials ?? []), ...(pkg.n8n?.nodes ?? [])]) {
		const file = path.posix.normalize(registered);
		if (!files.includes(file)) problems.push(`registered in package.json "n8n" but not packed: ${file}`);
	}
	for (const node of pkg.n8n?.nodes ?? []) {
		const codex = `${path.posix.normalize(node)}on`; // n8n reads `X.node.js` + "on" = `X.node.json`
		if (!files.includes(codex)) problems.push(`codex missing beside the node: ${codex}`);
	}

	// --- the scanner's ESLint pass ---
	const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(
		'@n8n/scan-community-package/scanner/scanner.mjs'
	);
	const legs = [
		['packed tarball', await analyzePackage(packageDir)],
		['source files', await analyzePackage(root, SOURCE_FILE_PATTERNS)],
	];
	let lintErrors = 0;
	const lintReport = [];
	for (const [label, result] of legs) {
		if (result.passed) continue;
		// `details` is ESLint's "stylish" report: a file name, then one line per problem.
		const details = (result.details ?? '').replace(/\u001b\[[0-9;]*m/g, ''); // drop colours
		lintErrors += Number(/\((\d+) errors?,/.exec(details)?.[1] ?? 1);
		lintReport.push(`- scanner, ${label}: ${result.message}`);
		for (const line of details.split('\n')) {
			if (line.trim() === '' || line.startsWith('\u2716') || line.includes('potentially fixable')) continue; // skip totals
			lintReport.push(`  ${line.replace(packageDir, '<tarball>').replace(root, '.')}`);
		}
	}

	const verdict =
		problems.length + lintErrors === 0
			? 'PASSED'
			: `FAILED (${lintErrors} scanner error(s), ${problems.length} packaging problem(s))`;
	console.log(`scan-package: ${name}@${version}, ${files.length} files packed: ${verdict}`);
	for (const problem of problems) console.log(`- ${problem}`);
	for (const line of lintReport) console.log(line);
	process.exitCode = problems.length + lintReport.length > 0 ? 1 : 0;
} catch (error) {
	if (!(error instanceof CannotRun)) throw error;
	console.error(`scan-package: ${error.message}`);
	process.exitCode = 2;
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
