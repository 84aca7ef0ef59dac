/**
 * The build step tsc cannot do, run by `npm run build` right after `tsc`: copy the icons into
 * dist/, keeping the folder structure, because n8n resolves `file:` icons relative to the compiled
 * `.js` file. Only nodes/ and credentials/ are read, so nothing from test/ can reach dist/.
 *
 * tsc itself emits the codex (`*.node.json`, in tsconfig's `include`) and no declaration files
 * (`declaration: false`: n8n's package scanner rejects `*.d.ts` under dist/credentials). That is
 * what makes `n8n-node build` (n8n's CLI: tsc, then every `.png`/`.svg` into dist/) give the same
 * dist/ as this build; `node scripts/check-n8n-node-build.mjs` compares the two.
 */
const { src, dest } = require('gulp');

function copyIcons() {
	// gulp 5 decodes files as UTF-8 text unless told otherwise; `encoding: false` copies bytes as-is
	// (PNGs would be corrupted otherwise).
	return src(['nodes/**/*.{svg,png}', 'credentials/**/*.{svg,png}'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports['build:assets'] = copyIcons;
