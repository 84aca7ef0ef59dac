/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-hardcoded-secrets -- test code: runs in Node under jest, never inside n8n */
/**
 * A private npm registry on 127.0.0.1 (verdaccio, installed outside the repository by scripts/registry/install.sh) for installing the package the way
 * a user's n8n installs it: `npm pack` the built package, `npm publish` the tarball here, point
 * n8n's N8N_COMMUNITY_PACKAGES_REGISTRY at it. No uplinks: nothing is proxied to the internet, a
 * name that was not published here is a 404. Every npm call of the harness runs with a userconfig
 * and a cache in the registry's temp folder, so the user's ~/.npmrc and ~/.npm stay untouched.
 */
import { execFile, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

import { n8nCacheRoot, REPO_ROOT } from './install';
import { stopProcessGroup, trackProcess } from './n8n';
import { freePorts } from './ports';

const run = promisify(execFile);

/** Pinned with scripts/registry/install.sh (which keeps the npm override verdaccio needs out of package.json). */
export const VERDACCIO_VERSION = process.env.PERCEPTIS_VERDACCIO_VERSION || '6.8.0';
export const VERDACCIO_BIN = path.join(n8nCacheRoot(), `verdaccio-${VERDACCIO_VERSION}`, 'node_modules', 'verdaccio', 'bin', 'verdaccio');

/**
 * What npm sends as a credential. npm refuses to publish without one (ENEEDAUTH); verdaccio treats a
 * token it did not issue as anonymous, and this registry lets anyone publish.
 */
const ANONYMOUS_TOKEN = 'perceptis-e2e-local-registry-not-a-secret';

export interface PackedTarball {
	/** Absolute path of the .tgz. */
	file: string;
	name: string;
	version: string;
	/** Paths inside the tarball, without the leading `package/`, sorted. */
	files: string[];
	/** The package.json inside the tarball. */
	manifest: Record<string, unknown> & { name: string; version: string };
	integrity: string;
}

export interface NpmRegistry {
	/** `http://127.0.0.1:<port>` (no trailing slash: n8n strips it anyway). */
	url: string;
	port: number;
	dir: string;
	logPath: string;
	/** The npm userconfig (registry + the anonymous token) every npm call of the harness uses. */
	userconfig: string;
	/** Environment for an npm child: the userconfig and a cache in the registry's folder. */
	npmEnv: NodeJS.ProcessEnv;
	/** Milliseconds from spawn to the first answer of /-/ping. */
	startMs: number;
	/** `npm publish <tarball>` to this registry; returns npm's output. */
	publish(tarball: string): Promise<string>;
	/** The versions this registry has of `name` (its packument), [] when it has none. */
	versions(name: string): Promise<string[]>;
	/** The registry's `latest` dist-tag of `name`. */
	latest(name: string): Promise<string | undefined>;
	stop(): Promise<void>;
	/** stop(), then removes the folder (storage, config, log, npm cache). */
	dispose(): Promise<void>;
}

function verdaccioConfig(storage: string, htpasswd: string): string {
	// YAML. `uplinks` empty and no `proxy:` under the packages: nothing is fetched from elsewhere.
	return [
		`storage: ${JSON.stringify(storage)}`,
		'auth:',
		'  htpasswd:',
		`    file: ${JSON.stringify(htpasswd)}`,
		'    max_users: -1',
		'uplinks: {}',
		'packages:',
		"  '**':",
		'    access: $all',
		'    publish: $all',
		'    unpublish: $all',
		'web:',
		'  enable: false',
		'publish:',
		'  allow_offline: true',
		'log: { type: stdout, format: pretty, level: warn }',
		'',
	].join('\n');
}

/** Starts verdaccio on 127.0.0.1:<free port> in a new temp folder. */
export async function startRegistry(options: { readyTimeoutMs?: number } = {}): Promise<NpmRegistry> {
	if (!fs.existsSync(VERDACCIO_BIN)) {
		throw new Error(`verdaccio is not installed (${VERDACCIO_BIN} is missing): run \`bash scripts/registry/install.sh\` (npm run test:all does).`);
	}
	const started = Date.now();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-registry-'));
	const storage = path.join(dir, 'storage');
	fs.mkdirSync(storage);
	const configPath = path.join(dir, 'config.yaml');
	fs.writeFileSync(configPath, verdaccioConfig(storage, path.join(dir, 'htpasswd')));
	const [port] = await freePorts(1);
	const url = `http://127.0.0.1:${port}`;
	const userconfig = path.join(dir, 'npmrc');
	fs.writeFileSync(userconfig, `registry=${url}/\n//127.0.0.1:${port}/:_authToken=${ANONYMOUS_TOKEN}\n`);
	const npmEnv: NodeJS.ProcessEnv = { ...process.env };
	for (const key of Object.keys(npmEnv)) if (/^npm_/i.test(key)) delete npmEnv[key];
	Object.assign(npmEnv, {
		npm_config_userconfig: userconfig,
		npm_config_cache: path.join(dir, 'npm-cache'),
		npm_config_update_notifier: 'false',
		npm_config_audit: 'false',
		npm_config_fund: 'false',
	});

	const logPath = path.join(dir, 'verdaccio.log');
	const out = fs.openSync(logPath, 'a');
	const child: ChildProcess = spawn(process.execPath, [VERDACCIO_BIN, '--config', configPath, '--listen', `127.0.0.1:${port}`], {
		cwd: dir,
		detached: true,
		stdio: ['ignore', out, out],
		env: { ...process.env, NODE_ENV: 'production' },
	});
	fs.closeSync(out);
	trackProcess(child);

	const stop = async () => await stopProcessGroup(child, 5_000);
	const dispose = async () => {
		await stop();
		fs.rmSync(dir, { recursive: true, force: true });
	};
	const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null) {
			const log = fs.readFileSync(logPath, 'utf8');
			await dispose();
			throw new Error(`verdaccio exited before it was ready:\n${log.slice(-2000)}`);
		}
		const ok = await fetch(`${url}/-/ping`)
			.then((r) => r.ok)
			.catch(() => false);
		if (ok) break;
		if (Date.now() > deadline) {
			const log = fs.readFileSync(logPath, 'utf8');
			await dispose();
			throw new Error(`verdaccio was not ready on ${url} in time:\n${log.slice(-2000)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	const startMs = Date.now() - started;

	const packument = async (name: string) => {
		const response = await fetch(`${url}/${name.replace('/', '%2f')}`);
		if (response.status === 404) return undefined;
		if (!response.ok) throw new Error(`GET ${url}/${name} → ${response.status}`);
		return (await response.json()) as { versions?: Record<string, unknown>; 'dist-tags'?: Record<string, string> };
	};
	return {
		url,
		port,
		dir,
		logPath,
		userconfig,
		npmEnv,
		startMs,
		async publish(tarball) {
			const { stdout, stderr } = await run('npm', ['publish', tarball, '--registry', `${url}/`, '--tag', 'latest'], {
				cwd: dir,
				env: npmEnv,
			});
			return `${stdout}${stderr}`;
		},
		async versions(name) {
			return Object.keys((await packument(name))?.versions ?? {});
		},
		async latest(name) {
			return (await packument(name))?.['dist-tags']?.latest;
		},
		stop,
		dispose,
	};
}

/** Reads a tarball made by `npm pack`: its file list (files only, no folder entries) and its package.json. */
export async function readTarball(file: string): Promise<Omit<PackedTarball, 'integrity'>> {
	const { stdout } = await run('tar', ['-tzf', file], { maxBuffer: 16 * 1024 * 1024 });
	const files = stdout
		.split('\n')
		.filter((entry) => entry && !entry.endsWith('/'))
		.map((entry) => entry.replace(/^package\//, ''))
		.sort();
	const { stdout: manifestText } = await run('tar', ['-xzOf', file, 'package/package.json']);
	const manifest = JSON.parse(manifestText) as PackedTarball['manifest'];
	return { file, name: manifest.name, version: manifest.version, files, manifest };
}

/**
 * `npm pack` of the repository (the built dist/, as `npm publish` would send it) into `destination`.
 * Needs `npm run build` first; never touches the repository's files.
 */
export async function packPackage(destination: string, env: NodeJS.ProcessEnv = process.env): Promise<PackedTarball> {
	const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: REPO_ROOT,
		env,
		maxBuffer: 16 * 1024 * 1024,
	});
	const [packed] = JSON.parse(stdout) as Array<{ filename: string; integrity: string }>;
	const file = path.join(destination, packed.filename);
	return { ...(await readTarball(file)), integrity: packed.integrity };
}

/**
 * The same tarball with another version in its package.json (a patch bump, say): unpacked in a temp
 * folder, the version changed, packed again as `<name>-<version>.tgz` in `destination`. The
 * repository's package.json is not touched.
 */
export async function retagTarball(tarball: string, version: string, destination: string): Promise<PackedTarball> {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-retag-'));
	try {
		await run('tar', ['-xzf', tarball, '-C', work]);
		const manifestPath = path.join(work, 'package', 'package.json');
		const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as PackedTarball['manifest'];
		manifest.version = version;
		fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
		const file = path.join(destination, `${manifest.name}-${version}.tgz`);
		await run('tar', ['-czf', file, '-C', work, 'package']);
		return { ...(await readTarball(file)), integrity: '' };
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

/** `1.2.3` → `1.2.4`. */
export function patchBump(version: string): string {
	const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
	if (!match) throw new Error(`not a plain x.y.z version: ${version}`);
	return `${match[1]}.${match[2]}.${Number(match[3]) + 1}`;
}
