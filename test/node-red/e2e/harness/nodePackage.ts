/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * A throwaway Node-RED node package, written at test time, to prove the install path (registry →
 * POST /nodes → GET /nodes → a flow that runs it → a restart) without depending on the real package.
 * It has the shape the Flow Library expects: a `.js` with a same-basename `.html` holding a literal
 * `RED.nodes.registerType`, `node-red.nodes` in package.json, and an `examples/` flow.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);

export interface ProbePackage {
	dir: string;
	name: string;
	version: string;
	/** The node type it registers. */
	type: string;
	/** The example's name under Import › Examples › <name>. */
	example: string;
}

/** Writes the package into `dir` (created). Its node answers `{probed: <payload>, by: <name>}`. */
export function writeProbePackage(
	dir: string,
	{ name = 'node-red-contrib-perceptis-e2e-probe', version = '1.0.0', type = 'perceptis-e2e-probe' } = {},
): ProbePackage {
	fs.mkdirSync(path.join(dir, 'examples'), { recursive: true });
	const manifest = {
		name,
		version,
		description: 'Throwaway node written by the Node-RED e2e harness',
		license: 'MIT',
		keywords: ['node-red'],
		'node-red': { version: '>=4.0.0', nodes: { probe: 'probe.js' } },
		// The palette installs with --engine-strict: the range must hold for the Node that runs it.
		engines: { node: '>=18.5' },
	};
	fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
	fs.writeFileSync(
		path.join(dir, 'probe.js'),
		[
			"'use strict';",
			'module.exports = function (RED) {',
			'\tfunction ProbeNode(config) {',
			'\t\tRED.nodes.createNode(this, config);',
			"\t\tconst by = config.name || 'probe';",
			"\t\tthis.on('input', (msg, send, done) => {",
			'\t\t\tmsg.payload = { probed: msg.payload, by };',
			'\t\t\tsend(msg);',
			'\t\t\tdone();',
			'\t\t});',
			'\t}',
			`\tRED.nodes.registerType(${JSON.stringify(type)}, ProbeNode);`,
			'};',
			'',
		].join('\n'),
	);
	fs.writeFileSync(
		path.join(dir, 'probe.html'),
		[
			'<script type="text/javascript">',
			`RED.nodes.registerType(${JSON.stringify(type)}, {`,
			"\tcategory: 'function',",
			"\tcolor: '#a6bbcf',",
			"\tdefaults: { name: { value: '' } },",
			'\tinputs: 1,',
			'\toutputs: 1,',
			"\ticon: 'function.svg',",
			"\tlabel: function () { return this.name || 'probe'; },",
			'});',
			'</script>',
			`<script type="text/html" data-template-name=${JSON.stringify(type)}>`,
			'\t<div class="form-row"><label for="node-input-name">Name</label><input type="text" id="node-input-name"></div>',
			'</script>',
			`<script type="text/markdown" data-help-name=${JSON.stringify(type)}>`,
			'Wraps `msg.payload` as `{probed, by}`. Written by the e2e harness.',
			'</script>',
			'',
		].join('\n'),
	);
	const example = 'probe-demo';
	const exampleFlow = [
		{ id: 'e2e0000000000001', type: 'inject', name: 'go', props: [{ p: 'payload' }], payload: 'hi', payloadType: 'str', wires: [['e2e0000000000002']] },
		{ id: 'e2e0000000000002', type, name: 'demo', wires: [['e2e0000000000003']] },
		{ id: 'e2e0000000000003', type: 'debug', name: 'out', wires: [] },
	];
	fs.writeFileSync(path.join(dir, 'examples', `${example}.json`), `${JSON.stringify(exampleFlow, null, 2)}\n`);
	return { dir, name, version, type, example };
}

/** `npm pack` of the folder into `destination` (what `npm publish` would upload); returns the .tgz path. */
export async function packFolder(dir: string, destination: string, env: NodeJS.ProcessEnv): Promise<string> {
	const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: dir, env });
	const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
	return path.join(destination, packed.filename);
}
