/**
 * Build steps that tsc cannot do, run by `npm run build` right after `tsc`:
 * - copy the icons and the codex (`*.node.json`) into dist/, keeping the folder structure, because
 *   n8n resolves `file:` icons and the codex relative to the compiled `.js` file;
 * - delete the declaration files tsc emits for credentials (tsconfig has `declaration: true`):
 *   n8n's package scanner rejects `*.d.ts` under dist/credentials.
 * Only nodes/ and credentials/ are read, so nothing from test/ can reach dist/.
 */
const fs = require('node:fs');
const path = require('node:path');
const { src, dest, series } = require('gulp');

const DIST = path.join(__dirname, 'dist');

function copyAssets() {
	// gulp 5 decodes files as UTF-8 text unless told otherwise; `encoding: false` copies bytes as-is
	// (PNGs would be corrupted otherwise).
	return src(
		['nodes/**/*.{svg,png}', 'nodes/**/*.node.json', 'credentials/**/*.svg'],
		{ base: '.', encoding: false },
	).pipe(dest(DIST));
}

async function removeCredentialDeclarations() {
	const dir = path.join(DIST, 'credentials');
	if (!fs.existsSync(dir)) return;
	for (const file of fs.readdirSync(dir, { recursive: true })) {
		if (/\.d\.ts(\.map)?$/.test(file)) fs.rmSync(path.join(dir, file));
	}
}

exports['build:assets'] = series(copyAssets, removeCredentialDeclarations);
