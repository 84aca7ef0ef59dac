/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/** The importable workflows of examples/, read and made deployable through the public API. */
import * as fs from 'fs';
import * as path from 'path';

import type { CredentialRef, WorkflowDefinition, WorkflowNode } from './client';
import { REPO_ROOT } from './install';
import { PERCEPTIS_CREDENTIAL_TYPE } from './workflows';

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

export interface ExampleFile extends WorkflowDefinition {
	id: string;
	nodes: WorkflowNode[];
	[key: string]: unknown;
}

export function readExample(file: string): ExampleFile {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as ExampleFile;
}

/** The example as the public API accepts it, every Perceptis credential reference set to `credential`. */
export function deployable(example: ExampleFile, credential: CredentialRef): WorkflowDefinition {
	const nodes = example.nodes.map((node) =>
		node.credentials?.[PERCEPTIS_CREDENTIAL_TYPE]
			? { ...node, credentials: { ...node.credentials, [PERCEPTIS_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } } }
			: node,
	);
	return { name: example.name, nodes, connections: example.connections, settings: example.settings };
}

export function nodeNamed(workflow: { nodes: WorkflowNode[] }, name: string): WorkflowNode {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`no node "${name}" in ${workflow.nodes.map((n) => n.name).join(', ')}`);
	return node;
}
