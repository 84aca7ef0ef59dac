/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * `node-red-dev validate`, the Flow Library's scorecard, on the packed package — offline.
 *
 * node-red-dev 0.1.6 (a pinned devDependency of node-red/) is run as its CLI on the unpacked
 * `npm pack` tarball. Read in its source (src/libs/check*.js), it goes on the network for five of
 * its checks:
 *   - P08 (similar names) and N01 (unique node types): https://catalogue.nodered.org/catalogue.json;
 *   - P06 (node-red.version) and P07 (engines.node): https://registry.npmjs.org/node-red, for the
 *     versions behind the `latest`/`*maintenance*` tags and the latest one's engines.node;
 *   - D02 (no known-bad package in the dependency tree): npm-remote-ls walks the tree through the
 *     registry; D03 (dependencies at their latest version): npm-check asks the registry for each.
 * Those two use the npm registry named by rc('npm') (the environment variable `npm_registry`),
 * the first four axios 0.21, which takes `https_proxy` and then sends the whole URL to that proxy
 * in plain HTTP. A failed request is not advisory: the CLI stops at P08 and reports nothing after it.
 *
 * So this test runs it against one server on 127.0.0.1 that is both: a "proxy" that answers the
 * catalogue and node-red's registry document, and a registry that answers each package of
 * node-red/package-lock.json with the versions locked there (`latest` is the newest of them). And a
 * guard, loaded into the CLI's process with --require, refuses any connection or DNS lookup that
 * is not loopback, so nothing reaches the internet even if a request escaped the server.
 *
 * What the answers mean here:
 *   - P06/P07 are judged against node-red's registry answer as read on 2026-12-06: dist-tags
 *     `{latest: '5.0.7'}` (no maintenance tag), engines.node of 5.0.7 `>=22.9`. Update it when
 *     Node-RED moves (`npm view node-red dist-tags engines --json`).
 *   - D02 walks the dependency tree that package-lock.json locks; D03's "latest" is the newest
 *     version locked there: it checks that package.json's ranges admit it without a major bump.
 *   - P08 and N01 compare with the public catalogue, which is out of reach: the server hands out
 *     an empty one (without any answer the CLI stops), so their results say nothing and are not
 *     asserted.
 *   - P05 in node-red-dev 0.1.6 reports a pass even without the keyword (it only warns): the
 *     warning's absence is asserted too.
 * The last test runs the same CLI on a copy that breaks every rule, and sees each check fail.
 */
import { execFile } from 'child_process';
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

const REPO = path.resolve(__dirname, '../..');
const SOURCE = path.join(REPO, 'node-red');
const CLI = path.join(path.dirname(require.resolve('node-red-dev/package.json', { paths: [SOURCE] })), 'bin', 'run');

/** node-red's registry document, as far as node-red-dev reads it (see above: 2026-12-06). */
const NODE_RED_ON_NPM = { name: 'node-red', 'dist-tags': { latest: '5.0.7' }, versions: { '5.0.7': { name: 'node-red', version: '5.0.7', engines: { node: '>=22.9' } } } };
const CATALOGUE = 'https://catalogue.nodered.org/catalogue.json';
const NODE_RED_DOCUMENT = 'https://registry.npmjs.org/node-red';

/** The checks that need nothing from outside, or only what the server answers truly. */
const OFFLINE_CHECKS = ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'N02', 'D01', 'D02', 'D03'];

/** Loaded into the CLI's process: TCP to loopback only, no DNS lookup of any other name. */
const GUARD = `
const net = require('net');
const dns = require('dns');
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
function refused(what) {
	process.stderr.write('OFFLINE-GUARD refused ' + what + '\\n');
	return Object.assign(new Error('offline: ' + what + ' refused'), { code: 'ECONNREFUSED' });
}
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
	const first = Array.isArray(args[0]) ? args[0][0] : args[0];
	const options = typeof first === 'object' && first !== null ? first
		: /^\\d+$/.test(String(first)) ? { port: first, host: typeof args[1] === 'string' ? args[1] : undefined }
		: { path: first };
	if (options.path === undefined && !LOOPBACK.has(options.host === undefined ? 'localhost' : options.host)) {
		const error = refused(options.host + ':' + options.port);
		process.nextTick(() => this.destroy(error));
		return this;
	}
	return connect.apply(this, args);
};
const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
	if (LOOPBACK.has(hostname)) return lookup.call(this, hostname, ...rest);
	const callback = rest[rest.length - 1];
	process.nextTick(() => callback(refused('dns ' + hostname)));
	return {};
};
const promised = dns.promises.lookup;
dns.promises.lookup = (hostname, ...rest) => (LOOPBACK.has(hostname) ? promised(hostname, ...rest) : Promise.reject(refused('dns ' + hostname)));
`;

interface Packument {
	name: string;
	'dist-tags': { latest: string };
	versions: Record<string, { name: string; version: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
}
interface Check {
	test: boolean;
	[detail: string]: unknown;
}
interface Validation {
	scorecard: Record<string, Check>;
	stdout: string;
	stderr: string;
	/** What the server was asked for during this run. */
	asked: string[];
}

/** Release versions (x.y.z) sort above their prereleases; enough for the versions of a lock file. */
function newer(a: string, b: string): number {
	const parse = (v: string) => {
		const [core, pre] = v.split(/-(.*)/);
		return [...core.split('.').map(Number), pre === undefined ? 1 : 0];
	};
	const [x, y] = [parse(a), parse(b)];
	for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
	return a.localeCompare(b);
}

/** One registry document per package of node-red/package-lock.json, with the versions locked there. */
function packumentsFromLock(): Map<string, Packument> {
	const lock = JSON.parse(fs.readFileSync(path.join(SOURCE, 'package-lock.json'), 'utf8')) as {
		packages: Record<string, { name?: string; version?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
	};
	const found = new Map<string, Packument>();
	for (const [where, entry] of Object.entries(lock.packages)) {
		if (!where.includes('node_modules/') || !entry.version) continue;
		const name = entry.name ?? where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
		const packument = found.get(name) ?? { name, 'dist-tags': { latest: entry.version }, versions: {} };
		packument.versions[entry.version] = { name, version: entry.version, dependencies: entry.dependencies, optionalDependencies: entry.optionalDependencies };
		packument['dist-tags'].latest = Object.keys(packument.versions).sort(newer).pop()!;
		found.set(name, packument);
	}
	return found;
}

let WORK = '';
let PACKED = '';
let server: http.Server;
let port = 0;
let asked: string[] = [];
const packuments = packumentsFromLock();

/** The scorecard of `node-red-dev validate --path <dir>`, with every request going to the server. */
async function validate(dir: string): Promise<Validation> {
	asked = [];
	const output = path.join(WORK, `scorecard-${path.basename(dir)}.json`);
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (!/^(npm_config_.*|npm_registry|https?_proxy|no_proxy|all_proxy|node_options)$/i.test(name)) env[name] = value;
	}
	Object.assign(env, { https_proxy: `http://127.0.0.1:${port}`, no_proxy: '127.0.0.1,localhost', npm_registry: `http://127.0.0.1:${port}/` });
	const { stdout, stderr } = await run(process.execPath, ['--require', path.join(WORK, 'guard.js'), CLI, 'validate', '--path', dir, '--output', output], {
		cwd: dir,
		env,
		timeout: 90_000,
	});
	return { scorecard: JSON.parse(fs.readFileSync(output, 'utf8')), stdout, stderr, asked };
}

beforeAll(async () => {
	WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-node-red-validate-'));
	fs.writeFileSync(path.join(WORK, 'guard.js'), GUARD);

	// Build and pack a copy (node-red/, core/ and the build script side by side, as in the
	// repository), so that no node-red/dist/ is left behind for the linters; then unpack the tarball.
	const copy = path.join(WORK, 'repo');
	const generated = /^(node_modules|dist)([/\\]|$)/;
	fs.cpSync(SOURCE, path.join(copy, 'node-red'), { recursive: true, filter: (from) => !generated.test(path.relative(SOURCE, from)) });
	fs.cpSync(path.join(REPO, 'core'), path.join(copy, 'core'), { recursive: true });
	fs.cpSync(path.join(REPO, 'scripts', 'node-red'), path.join(copy, 'scripts', 'node-red'), { recursive: true });
	fs.symlinkSync(path.join(SOURCE, 'node_modules'), path.join(copy, 'node-red', 'node_modules'), 'dir');
	await run('npm', ['run', 'build'], { cwd: path.join(copy, 'node-red') });
	const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', WORK], { cwd: path.join(copy, 'node-red') });
	const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
	fs.mkdirSync(path.join(WORK, 'packed'));
	await run('tar', ['-xzf', path.join(WORK, filename), '-C', path.join(WORK, 'packed'), '--strip-components=1']);
	PACKED = path.join(WORK, 'packed');

	server = http.createServer((req, res) => {
		const url = req.url ?? '';
		asked.push(url);
		const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
		if (req.method !== 'GET') return answer(405, { error: 'GET only' });
		if (url === CATALOGUE) return answer(200, { modules: [] });
		if (url === NODE_RED_DOCUMENT) return answer(200, NODE_RED_ON_NPM);
		const packument = url.startsWith('/') ? packuments.get(decodeURIComponent(url.slice(1))) : undefined;
		return packument ? answer(200, packument) : answer(404, { error: 'not found' });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	port = (server.address() as { port: number }).port;
}, 240_000);

afterAll(async () => {
	if (server) await new Promise((resolve) => server.close(resolve));
	if (WORK) fs.rmSync(WORK, { recursive: true, force: true });
});

describe('node-red-dev validate on the packed package, offline', () => {
	let result: Validation;
	beforeAll(async () => {
		result = await validate(PACKED);
		// The scorecard as the CLI printed it, for the reader of the test log.
		// eslint-disable-next-line no-console -- the scorecard is part of what the test reports
		console.log(`node-red-dev validate, offline:\n${result.stdout}\n${result.stderr}`);
	}, 120_000);

	it('validates node-red-contrib-perceptis as packed', () => {
		expect(result.scorecard.package).toEqual({ name: 'node-red-contrib-perceptis', version: expect.any(String) });
		expect(result.stdout).toContain('Complete');
	});

	it('asks only the server, and only for the catalogue, node-red and packages of the lock file', () => {
		expect(result.stderr).not.toContain('OFFLINE-GUARD');
		expect(result.asked).toEqual(expect.arrayContaining([CATALOGUE, NODE_RED_DOCUMENT, '/axios']));
		const unexpected = result.asked.filter((url) => url !== CATALOGUE && url !== NODE_RED_DOCUMENT && !packuments.has(decodeURIComponent(url.slice(1))));
		expect(unexpected).toEqual([]);
	});

	it.each(OFFLINE_CHECKS)('%s passes', (check) => {
		expect([check, result.scorecard[check]?.test]).toEqual([check, true]);
	});

	it('warns about nothing but the advice to use a scoped name (node-red-contrib-… is still accepted, P04)', () => {
		const warnings = result.stderr.split('\n').filter((line) => line.includes('Warning:'));
		expect(warnings).toEqual([expect.stringContaining('P04 New Packages should use a scoped name')]);
	});

	it('reads the details it should: Node-RED 5.0.7 accepted, the engines range, one dependency, examples for the perceptis node', () => {
		expect(result.scorecard).toMatchObject({
			P01: { license: 'MIT' },
			P06: { versions: ['5.0.7'] },
			P07: { version: '>=18.5' },
			N02: { nodes: ['perceptis'] },
			D01: { total: 1 },
		});
	});
});

describe('the offline run', () => {
	it('fails every check on a package that breaks every rule (the passes above are not vacuous)', async () => {
		const broken = path.join(WORK, 'broken');
		fs.cpSync(PACKED, broken, { recursive: true });
		const manifest = JSON.parse(fs.readFileSync(path.join(broken, 'package.json'), 'utf8'));
		for (const key of ['license', 'repository', 'bugs']) delete manifest[key];
		Object.assign(manifest, {
			name: 'node-red-perceptis',
			keywords: ['perceptis'],
			'node-red': { ...manifest['node-red'], version: '<1.0.0' },
			engines: { node: '>=23' },
			// agent-base below 6 is on node-red-dev's list of incompatible packages (D02 walks the first
			// dependency only); the others are not in the lock (D01 counts them, D03 finds no version).
			dependencies: { 'agent-base': '^5.1.0', one: '^1.0.0', two: '^1.0.0', three: '^1.0.0', four: '^1.0.0', five: '^1.0.0', six: '^1.0.0' },
		});
		fs.writeFileSync(path.join(broken, 'package.json'), JSON.stringify(manifest));
		for (const example of fs.readdirSync(path.join(broken, 'examples'))) {
			fs.writeFileSync(path.join(broken, 'examples', example), JSON.stringify([{ id: 'a', type: 'inject' }]));
		}
		const agentBase = packuments.get('agent-base')!;
		packuments.set('agent-base', { ...agentBase, versions: { ...agentBase.versions, '5.1.1': { name: 'agent-base', version: '5.1.1' } } });
		try {
			const { scorecard, stderr } = await validate(broken);
			expect(stderr).not.toContain('OFFLINE-GUARD');
			const results = Object.fromEntries(OFFLINE_CHECKS.map((check) => [check, scorecard[check]?.test]));
			// P05: node-red-dev 0.1.6 warns but still records a pass.
			expect(results).toEqual({ P01: false, P03: false, P04: false, P05: true, P06: false, P07: false, N02: false, D01: false, D02: false, D03: false });
			expect(stderr).toContain('P05 Package.json keywords MUST contain node-red');
			expect(scorecard.D02).toMatchObject({ packages: ['agent-base@5.1.1'] });
		} finally {
			packuments.set('agent-base', agentBase);
		}
	}, 120_000);

	it('cannot reach the internet: the guard refuses a connection to the public registry', async () => {
		const script = "require('https').get('https://registry.npmjs.org/node-red', () => process.exit(3)).on('error', (e) => { console.log(e.code); process.exit(0); });";
		const { stdout, stderr } = await run(process.execPath, ['--require', path.join(WORK, 'guard.js'), '-e', script], { timeout: 30_000 });
		expect(stdout.trim()).toBe('ECONNREFUSED');
		expect(stderr).toMatch(/OFFLINE-GUARD refused (dns )?registry\.npmjs\.org/);
	});
});
