/**
 * The config node `perceptis-config` ("Perceptis server"): name, Base URL, the API key as an
 * encrypted credential (or the name of an environment variable holding it), and the admin
 * endpoint behind its Test button. Its editor is perceptis-config.html beside this file.
 */
import { registerKeyTest } from './keyTest';
import type { Node, NodeDef, NodeRedApi } from './red';
import { serverOf, type PerceptisConfigNode } from './server';

export = function register(RED: NodeRedApi): void {
	RED.nodes.registerType(
		'perceptis-config',
		function PerceptisConfig(this: Node, def: NodeDef) {
			RED.nodes.createNode(this, def);
			const node = this as PerceptisConfigNode;
			node.perceptis = serverOf(RED, node, def);
			// Said once at deploy, in the log; each perceptis node using it shows it in its status.
			const problem = node.perceptis.problem;
			if (problem) node.warn(problem.message);
		},
		{ credentials: { apiKey: { type: 'password' } } },
	);
	registerKeyTest(RED);
};
