/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * The layout's two rules, checked on the product's sources (docs/architecture.md):
 * - `core/` imports no host — not n8n, not Node-RED, not an HTTP client, not even their types —
 *   and nothing outside `core/`; of Node's own modules only `crypto` (hashing keys);
 * - no import circle anywhere in the product, and no host reaching into another.
 * Each rule is also shown failing on a made-up tree, so a check that cannot fail would be seen.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

import { boundaryViolations, crossings, cyclesAmong, sourceFiles, specifiersOf } from '../support/importGraph';

const ROOT = path.resolve(__dirname, '../..');
const CORE = path.join(ROOT, 'core');
const CORE_PACKAGES = ['crypto'];
/** The product: what the n8n package and the Node-RED package ship, built from these folders. */
const PRODUCT_DIRS = ['core', 'nodes', 'credentials', 'node-red/src'].map((dir) => path.join(ROOT, dir));

const shown = (edges: Array<{ from: string; specifier: string }>) =>
	edges.map((edge) => `${path.relative(ROOT, edge.from)} imports '${edge.specifier}'`);

describe('the core imports no host', () => {
	it('has sources to check', () => {
		expect(sourceFiles(CORE).length).toBeGreaterThan(10);
	});

	it('imports only core files and crypto', () => {
		expect(shown(boundaryViolations(CORE, CORE_PACKAGES))).toEqual([]);
	});

	it('is reached into by no host but from outside: the n8n package and the Node-RED package meet only in core/', () => {
		const n8n = [path.join(ROOT, 'nodes'), path.join(ROOT, 'credentials')];
		const nodeRed = [path.join(ROOT, 'node-red')];
		expect(shown([...n8n.flatMap((dir) => crossings(dir, nodeRed)), ...crossings(path.join(ROOT, 'node-red'), n8n)])).toEqual([]);
	});
});

describe('no import circle in the product', () => {
	it('finds none', () => {
		const files = PRODUCT_DIRS.flatMap(sourceFiles);
		expect(files.length).toBeGreaterThan(20);
		expect(cyclesAmong(files).map((cycle) => cycle.map((file) => path.relative(ROOT, file)).join(' → '))).toEqual([]);
	});
});

describe('the checks fail when a rule is broken (a made-up tree)', () => {
	let tree: string;
	const write = (file: string, text: string) => {
		fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
		fs.writeFileSync(path.join(tree, file), text);
	};

	beforeAll(() => {
		tree = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-boundary-'));
		write('core/wire/a.ts', "import type { IDataObject } from 'n8n-workflow';\nimport { b } from './b';\nexport const a = b;\n");
		write('core/wire/b.ts', "import { a } from './a';\nimport { c } from '../../nodes/c';\nexport const b = 1;\n");
		write('core/ok.ts', "import { createHash } from 'crypto';\nimport { b } from './wire/b';\nexport const ok = b;\n");
		write('core/axios.ts', "import axios from 'axios';\nconst red = require('@node-red/util');\nexport default axios;\n");
		write('nodes/c.ts', "export const c = 1;\n");
	});

	afterAll(() => fs.rmSync(tree, { recursive: true, force: true }));

	it('names a host package, a type-only host import, a require and a file outside the core', () => {
		const violations = shown(boundaryViolations(path.join(tree, 'core'), CORE_PACKAGES)).map((line) => line.replace(/^.*core/, 'core'));
		expect(violations.sort()).toEqual(
			[
				"core/axios.ts imports '@node-red/util'",
				"core/axios.ts imports 'axios'",
				"core/wire/a.ts imports 'n8n-workflow'",
				"core/wire/b.ts imports '../../nodes/c'",
			].sort(),
		);
	});

	it('finds the circle a → b → a', () => {
		const cycles = cyclesAmong(sourceFiles(tree)).map((cycle) => cycle.map((file) => path.basename(file)));
		expect(cycles).toHaveLength(1);
		expect(cycles[0][0]).toBe(cycles[0][cycles[0].length - 1]);
		expect([...new Set(cycles[0])].sort()).toEqual(['a.ts', 'b.ts']);
	});

	it('reads specifiers of every form, and none from comments', () => {
		expect(
			specifiersOf(
				"import a from 'x';\nimport type { T } from \"y\";\nexport * from './z';\nexport { q } from './q';\n// import 'nope';\n/* require('nope2') */\nconst m = require('m');\nvoid import('d');\nimport './side';\n",
			).sort(),
		).toEqual(['./q', './side', './z', 'd', 'm', 'x', 'y']);
	});
});
