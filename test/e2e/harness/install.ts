/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Where the pinned n8n installs live (made by scripts/n8n/install.sh) and which node binary runs them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root (test/e2e/harness → ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The n8n version the e2e suite targets unless N8N_E2E_VERSION says otherwise. */
export const DEFAULT_N8N_VERSION = '2.41.1';

export function selectedN8nVersion(): string {
	return process.env.N8N_E2E_VERSION?.trim() || DEFAULT_N8N_VERSION;
}

export function n8nCacheRoot(): string {
	return process.env.PERCEPTIS_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-perceptis');
}

export interface N8nInstall {
	version: string;
	/** The install folder (holds node_modules/n8n). */
	dir: string;
	/** The node binary that runs this n8n (Node 24 for 2.x, the system node for 1.x). */
	node: string;
	/** n8n's bin script, run as `node <n8n> start`. */
	n8n: string;
	/** Seconds the install took (null when an install made by hand was adopted). */
	installSeconds: number | null;
}

/**
 * The completed install of `version`, or an error that says how to make it. Never installs by itself:
 * a test that silently spent five minutes installing would look hung.
 */
export function findN8nInstall(version = selectedN8nVersion()): N8nInstall {
	const dir = path.join(n8nCacheRoot(), `n8n-${version}`);
	const marker = path.join(dir, '.install-complete');
	if (!fs.existsSync(marker)) {
		throw new Error(
			`n8n ${version} is not installed (no ${marker}).\n` +
				`Run: scripts/n8n/install.sh ${version}   (first run takes ~5 minutes)`,
		);
	}
	const info = JSON.parse(fs.readFileSync(marker, 'utf8')) as N8nInstall;
	for (const file of [info.node, info.n8n]) {
		if (!fs.existsSync(file)) {
			throw new Error(
				`n8n ${version} install in ${dir} is broken (${file} is missing).\n` +
					`Remove ${marker} and run: scripts/n8n/install.sh ${version}`,
			);
		}
	}
	return { ...info, dir };
}

/** n8n major version (1 or 2). */
export function majorOf(version: string): number {
	return Number(version.split('.')[0]);
}
