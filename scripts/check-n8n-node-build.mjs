#!/usr/bin/env node
/**
 * Does `n8n-node build` (n8n's node CLI, @n8n/node-cli) give the same dist/ as `npm run build`
 * (tsc + gulp, the build this package ships)?
 *
 * Both builds run side by side on two copies of the repository as a clone has it (the files git
 * tracks plus new files it does not ignore; dist/, test output and other ignored files stay out),
 * each copy with a link to this node_modules. Then the two dist/ trees are compared: the file list
 * first (what only one build made), then the bytes of the files both made.
 *
 * What `n8n-node build` does (node_modules/@n8n/node-cli/dist/commands/build.js): delete dist/, run
 * `tsc` with tsconfig.json, then copy every `**\/*.{png,svg}` and `**\/__schema__/**\/*.json` of the
 * folder (dist/ and node_modules/ excepted) into dist/, keeping the path.
 *
 * Exit code: 0 the same, 1 different (printed), 2 could not run (a build failed, no git).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { listFiles } from './list-files.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A reason the check could not run (exit code 2), as opposed to a difference it found. */
class CannotRun extends Error {}

/** The repository's files as a clone has them, plus new files git does not ignore. */
function repositoryFiles() {
	const result = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
		cwd: root,
		encoding: 'utf8',
	});
	if (result.status !== 0) throw new CannotRun(`git ls-files failed: ${result.stderr || result.error?.message}`);
	return result.stdout
		.split('\0')
		.filter(Boolean)
		.filter((file) => fs.existsSync(path.join(root, file))); // deleted but not yet committed
}

function copyRepository(files, target) {
	for (const file of files) {
		const to = path.join(target, file);
		fs.mkdirSync(path.dirname(to), { recursive: true });
		fs.copyFileSync(path.join(root, file), to);
	}
	fs.symlinkSync(path.join(root, 'node_modules'), path.join(target, 'node_modules'), 'dir');
}

function run(label, command, args, cwd) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('error', (error) => reject(new CannotRun(`${label}: ${error.message}`)));
		child.on('close', (code) => {
			if (code === 0) resolve();
			else reject(new CannotRun(`${label} failed (exit code ${code}):\n${output.replace(/\u001b\[[0-9;]*m/g, '')}`));
		});
	});
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-node-build-'));
try {
	const started = Date.now();
	const files = repositoryFiles();
	const gulpDir = path.join(work, 'npm-run-build');
	const n8nDir = path.join(work, 'n8n-node-build');
	copyRepository(files, gulpDir);
	copyRepository(files, n8nDir);

	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const n8nNode = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'n8n-node.cmd' : 'n8n-node');
	await Promise.all([
		run('npm run build', npm, ['run', 'build', '--silent'], gulpDir),
		run('n8n-node build', n8nNode, ['build'], n8nDir),
	]);

	const gulpFiles = listFiles(path.join(gulpDir, 'dist'));
	const n8nFiles = listFiles(path.join(n8nDir, 'dist'));
	if (gulpFiles.length === 0) throw new CannotRun('npm run build made no dist/ files');
	if (n8nFiles.length === 0) throw new CannotRun('n8n-node build made no dist/ files');
	const onlyGulp = gulpFiles.filter((file) => !n8nFiles.includes(file));
	const onlyN8n = n8nFiles.filter((file) => !gulpFiles.includes(file));
	const differentBytes = gulpFiles
		.filter((file) => n8nFiles.includes(file))
		.filter((file) => {
			const a = fs.readFileSync(path.join(gulpDir, 'dist', file));
			const b = fs.readFileSync(path.join(n8nDir, 'dist', file));
			return !a.equals(b);
		});

	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	const same = onlyGulp.length + onlyN8n.length + differentBytes.length === 0;
	console.log(
		`check-n8n-node-build: npm run build and n8n-node build, ${files.length} repository files, ${seconds} s: ` +
			(same
				? `the same dist/ (${gulpFiles.length} files, byte for byte)`
				: `dist/ DIFFERS (${gulpFiles.length} files from npm run build, ${n8nFiles.length} from n8n-node build)`),
	);
	for (const file of onlyGulp) console.log(`- only from npm run build: dist/${file}`);
	for (const file of onlyN8n) console.log(`- only from n8n-node build: dist/${file}`);
	for (const file of differentBytes) console.log(`- different bytes: dist/${file}`);
	process.exitCode = same ? 0 : 1;
} catch (error) {
	if (!(error instanceof CannotRun)) throw error;
	console.error(`check-n8n-node-build: ${error.message}`);
	process.exitCode = 2;
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
