/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * The product's import graph, read from its sources as text: which file imports which, and the
 * two rules the layout rests on — the core imports no host (and nothing outside itself), and no
 * file reaches itself through its imports. `test/core/boundary.test.ts` holds the product to them
 * and shows, on a made-up tree, that each rule does fail when it is broken.
 */
import fs from 'fs';
import path from 'path';

/** Module specifiers of `import … from`, `export … from`, `import('…')` and `require('…')`, type-only ones too. */
export function specifiersOf(source: string): string[] {
	const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
	const found: string[] = [];
	const patterns = [
		/\b(?:import|export)\s+(?:type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?['"]([^'"]+)['"]/g,
		/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
		/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
	];
	for (const pattern of patterns) for (const match of withoutComments.matchAll(pattern)) found.push(match[1]);
	return found;
}

const SOURCE = /\.(ts|js|cjs|mjs)$/;

/** Every source file under `dir` (declarations and node_modules left out). */
export function sourceFiles(dir: string): string[] {
	if (!fs.existsSync(dir)) return [];
	const files: string[] = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			if (entry.name !== 'node_modules' && entry.name !== 'dist') files.push(...sourceFiles(full));
		} else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(full);
	}
	return files;
}

/** The file a relative specifier names (`./x` → `./x.ts`, `./x/index.ts`, …), or undefined. */
export function resolveRelative(fromFile: string, specifier: string): string | undefined {
	const base = path.resolve(path.dirname(fromFile), specifier);
	const candidates = [base, ...['.ts', '.js', '.cjs', '.mjs'].map((ext) => base + ext), path.join(base, 'index.ts'), path.join(base, 'index.js')];
	return candidates.find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
}

export interface Edge {
	from: string;
	specifier: string;
	/** The file it resolves to; undefined for a package or a built-in module. */
	to?: string;
}

export function edgesOf(files: string[]): Edge[] {
	return files.flatMap((from) =>
		specifiersOf(fs.readFileSync(from, 'utf8')).map((specifier) => ({
			from,
			specifier,
			to: specifier.startsWith('.') ? resolveRelative(from, specifier) : undefined,
		})),
	);
}

/** Imports of files under `coreDir` that leave it: a package other than `allowed`, or a file outside. */
export function boundaryViolations(coreDir: string, allowedPackages: string[]): Edge[] {
	const inside = (file: string) => !path.relative(coreDir, file).startsWith('..');
	return edgesOf(sourceFiles(coreDir)).filter((edge) =>
		edge.specifier.startsWith('.') ? edge.to === undefined || !inside(edge.to) : !allowedPackages.includes(edge.specifier),
	);
}

/** Imports from files under `fromDir` into files under any of `forbiddenDirs` (one host reaching into another). */
export function crossings(fromDir: string, forbiddenDirs: string[]): Edge[] {
	return edgesOf(sourceFiles(fromDir)).filter(
		(edge) => edge.to !== undefined && forbiddenDirs.some((dir) => !path.relative(dir, edge.to!).startsWith('..')),
	);
}

/** Every import circle among `files`, each as the list of files around it (first repeated at the end). */
export function cyclesAmong(files: string[]): string[][] {
	const known = new Set(files);
	const next = new Map<string, string[]>();
	for (const edge of edgesOf(files)) {
		if (edge.to && known.has(edge.to)) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
	}
	const cycles: string[][] = [];
	const state = new Map<string, 'open' | 'done'>();
	const stack: string[] = [];
	const visit = (file: string) => {
		state.set(file, 'open');
		stack.push(file);
		for (const to of next.get(file) ?? []) {
			if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to]);
			else if (!state.has(to)) visit(to);
		}
		stack.pop();
		state.set(file, 'done');
	};
	for (const file of files) if (!state.has(file)) visit(file);
	return cycles;
}
