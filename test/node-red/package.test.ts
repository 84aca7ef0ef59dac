/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- test code: runs in Node under jest, never inside n8n */
/**
 * The package as the palette and the Flow Library see it, built by its own build script: each
 * node's .js with a same-basename .html (a literal registerType, help in Node-RED's sections,
 * labels in locales/en-US), the icon, the core compiled into dist/ with plain relative requires,
 * the editor's defaults the same as the runtime's, examples that use every node, and a tarball
 * with nothing else in it.
 *
 * It builds a copy of the package (node-red/, core/ and its build script in scripts/node-red/, side by side as in the repository) in a
 * temporary folder, so that a test run leaves no node-red/dist/ behind for the linters to walk.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import { isBuiltin } from 'module';
import os from 'os';
import path from 'path';
import vm from 'vm';

import { DEFAULTS, readSettings } from '../../node-red/src/settings';

const REPO = path.resolve(__dirname, '../..');
const SOURCE = path.join(REPO, 'node-red');
/** The copy that is built (made in beforeAll). */
let WORK = '';
let PACKAGE = '';
let DIST = '';
const manifest = JSON.parse(fs.readFileSync(path.join(SOURCE, 'package.json'), 'utf8'));
const nodeFiles = Object.entries(manifest['node-red'].nodes as Record<string, string>);

interface Definition {
	category: string;
	defaults: Record<string, { value: unknown; type?: string }>;
	credentials?: Record<string, { type: string }>;
	icon?: string;
}

/** The definitions each .html registers, read the way the editor runs them (its helpers stubbed). */
function registered(html: string): Record<string, Definition> {
	const found: Record<string, Definition> = {};
	const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((match) => match[1]);
	for (const script of scripts) {
		vm.runInNewContext(script, { RED: { nodes: { registerType: (type: string, definition: Definition) => (found[type] = definition) } } });
	}
	return found;
}

beforeAll(() => {
	WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-node-red-build-'));
	PACKAGE = path.join(WORK, 'node-red');
	DIST = path.join(PACKAGE, 'dist');
	const generated = /^(node_modules|dist)([/\\]|$)/;
	fs.cpSync(SOURCE, PACKAGE, { recursive: true, filter: (from) => !generated.test(path.relative(SOURCE, from)) });
	fs.cpSync(path.join(REPO, 'core'), path.join(WORK, 'core'), { recursive: true });
	fs.cpSync(path.join(REPO, 'scripts', 'node-red'), path.join(WORK, 'scripts', 'node-red'), { recursive: true });
	fs.symlinkSync(path.join(SOURCE, 'node_modules'), path.join(PACKAGE, 'node_modules'), 'dir');
	execFileSync('npm', ['run', 'build'], { cwd: PACKAGE, stdio: 'pipe' });
}, 120_000);

afterAll(() => WORK && fs.rmSync(WORK, { recursive: true, force: true }));

describe('the build', () => {
	it.each(nodeFiles)('%s: a CommonJS .js that registers the type, and its .html beside it', (type, file) => {
		const js = path.join(PACKAGE, file);
		const html = js.replace(/\.js$/, '.html');
		expect(fs.existsSync(js)).toBe(true);
		expect(fs.existsSync(html)).toBe(true);
		const source = fs.readFileSync(html, 'utf8');
		// The Flow Library reads a literal, inline registerType.
		expect(source).toContain(`RED.nodes.registerType('${type}', {`);
		expect(Object.keys(registered(source))).toEqual([type]);
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- what Node-RED does with the file
		const register = require(js);
		expect(typeof register).toBe('function');
		const types: string[] = [];
		register({ nodes: { registerType: (t: string) => types.push(t) }, httpAdmin: { post: () => undefined }, auth: { needsPermission: () => () => undefined } });
		expect(types).toEqual([type]);
	});

	it('puts help in Node-RED\'s sections, and every label the editor asks for in locales/en-US', () => {
		for (const [type, file] of nodeFiles) {
			const html = fs.readFileSync(path.join(PACKAGE, file.replace(/\.js$/, '.html')), 'utf8');
			const help = new RegExp(`<script type="text/markdown" data-help-name="${type}">\\n([\\s\\S]*?)</script>`).exec(html)?.[1];
			expect(help).toBeDefined();
			expect(help!.split('\n')[0].length).toBeGreaterThan(20);
			const sections = [...help!.matchAll(/^### (.+)$/gm)].map((match) => match[1]);
			expect(sections).toEqual(type === 'perceptis' ? ['Inputs', 'Outputs', 'Details', 'References'] : ['Details', 'References']);
			const catalog = JSON.parse(fs.readFileSync(path.join(path.dirname(path.join(PACKAGE, file)), 'locales', 'en-US', `${path.basename(file, '.js')}.json`), 'utf8'));
			const keys = [...html.matchAll(/data-i18n="(?:\[[a-z]+\])?([^"]+)"/g), ...html.matchAll(/node\._\('([^']+)'\)/g)].map((match) => match[1]);
			expect(keys.length).toBeGreaterThan(3);
			for (const key of keys) expect([key, key.split('.').reduce((at: unknown, part) => (at as Record<string, unknown> | undefined)?.[part], catalog)]).toEqual([key, expect.any(String)]);
		}
	});

	it('ships its own icon, an SVG', () => {
		const html = fs.readFileSync(path.join(DIST, 'node-red/src/perceptis.html'), 'utf8');
		const icon = registered(html).perceptis.icon!;
		const svg = fs.readFileSync(path.join(DIST, 'node-red/src/icons', icon), 'utf8');
		expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 40 60"/);
	});

	it('compiles the core into dist/ with plain relative requires that all resolve, and no other package than axios', () => {
		const files: string[] = [];
		const walk = (dir: string) => {
			for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
				const full = path.join(dir, entry.name);
				if (entry.isDirectory()) walk(full);
				else if (entry.name.endsWith('.js')) files.push(full);
			}
		};
		walk(DIST);
		expect(files.some((file) => file.startsWith(path.join(DIST, 'core')))).toBe(true);
		const packages = new Set<string>();
		for (const file of files) {
			for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
				if (specifier.startsWith('.')) {
					const target = path.resolve(path.dirname(file), specifier);
					expect([specifier, fs.existsSync(`${target}.js`) && `${target}.js`.startsWith(DIST)]).toEqual([specifier, true]);
				} else packages.add(specifier);
			}
		}
		// Node's own modules are no dependency; axios is the only package the node needs.
		expect([...packages].filter((name) => !isBuiltin(name))).toEqual(['axios']);
		expect([...packages].filter((name) => isBuiltin(name)).sort()).toEqual(['crypto', 'events']);
	});
});

describe('the editor and the runtime agree', () => {
	it('on every default', () => {
		const html = fs.readFileSync(path.join(SOURCE, 'src/perceptis.html'), 'utf8');
		const { defaults } = registered(html).perceptis;
		const editor = Object.fromEntries(Object.entries(defaults).map(([name, spec]) => [name, spec.value]));
		expect(editor).toEqual({ name: '', server: '', ...DEFAULTS });
		expect(defaults.server.type).toBe('perceptis-config');
		const config = registered(fs.readFileSync(path.join(SOURCE, 'src/perceptis-config.html'), 'utf8'))['perceptis-config'];
		expect(config.category).toBe('config');
		expect(config.credentials).toEqual({ apiKey: { type: 'password' } });
		expect(config.defaults.baseUrl.value).toBe('https://app.perceptis.ai');
	});
});

describe('the examples', () => {
	const examples = fs.readdirSync(path.join(SOURCE, 'examples')).filter((name) => name.endsWith('.json'));
	const flows = examples.map((name) => JSON.parse(fs.readFileSync(path.join(SOURCE, 'examples', name), 'utf8')) as Array<Record<string, unknown>>);

	it('use every node of the package, and every operation', () => {
		const used = new Set(flows.flat().map((node) => node.type));
		for (const [type] of nodeFiles) expect(used).toContain(type);
		const operations = new Set(flows.flat().filter((node) => node.type === 'perceptis').map((node) => node.operation));
		expect([...operations].sort()).toEqual(['download', 'generate', 'status', 'wait']);
	});

	it('hold settings the runtime accepts, a server each node finds, and no key', () => {
		for (const flow of flows) {
			const ids = new Set(flow.map((node) => node.id));
			for (const node of flow.filter((candidate) => candidate.type === 'perceptis')) {
				expect(readSettings(node as never)).toHaveProperty('settings');
				expect(ids).toContain(node.server);
			}
			expect(JSON.stringify(flow)).not.toMatch(/sk-|apiKey"/);
		}
	});
});

describe('the package', () => {
	it('has what the palette and the Flow Library ask for', () => {
		expect(manifest).toMatchObject({
			name: 'node-red-contrib-perceptis',
			license: 'MIT',
			'node-red': { version: '>=4.0.0' },
			repository: { directory: 'node-red' },
			dependencies: { axios: expect.any(String) },
		});
		expect(manifest.keywords).toContain('node-red');
		expect(manifest.engines.node).toMatch(/^>=\d/);
		expect(manifest.bugs.url).toMatch(/^https:/);
		expect(manifest.homepage).toMatch(/^https:/);
		expect(Object.keys(manifest.dependencies)).toEqual(['axios']);
	});

	it('packs dist/, the examples, the README and the licence, and nothing else', () => {
		const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PACKAGE, encoding: 'utf8' }));
		const files = (packed.files as Array<{ path: string }>).map((file) => file.path);
		expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/node-red/src/perceptis.js', 'dist/node-red/src/perceptis.html', 'dist/core/wire/client.js']));
		expect(files.filter((file) => !/^(dist\/|examples\/[^/]+\.json$|package\.json$|README\.md$|LICENSE$)/.test(file))).toEqual([]);
		expect(files.filter((file) => file.endsWith('.ts'))).toEqual([]);
	});
});
