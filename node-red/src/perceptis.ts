/* eslint-disable @n8n/community-nodes/no-restricted-globals -- Node-RED runtime, not part of the n8n package */

/**
 * The node `perceptis`: Generate (by default a deck, waiting for its files), Status, Wait and
 * Download, on the Perceptis server its `server` property names. Its editor is perceptis.html
 * beside this file. This file only wires Node-RED's life cycle to the node's runs (worker.ts):
 *
 * - settings are read at deploy, defaults filled in; a property that cannot work is refused
 *   then, in the status and the log, and every message gets that error;
 * - `input`: `work(msg, send).then(() => done(), done)`, so no error is ever an unhandled
 *   rejection (an async handler that throws stops Node-RED) and every error reaches Catch nodes
 *   with its message;
 * - `close`: the runs end their waits and are kept for the next instance, which takes them
 *   once the deploy has started every node (so its results have somewhere to go).
 */
import { contextLedger } from './ledgerStore';
import { InFlightStore } from './handoverStore';
import type { Node, NodeDef, NodeRedApi } from './red';
import type { Evaluate } from './request';
import type { PerceptisConfigNode } from './server';
import { readSettings } from './settings';
import { refusedStatus } from './status';
import { NodeRuns } from './worker';

/** If no "flows:started" comes (it always does in Node-RED 4 and 5), the kept runs are taken anyway. */
const RESUME_FALLBACK_MS = 10_000;

/** One instance of the node, from its deploy to its close. */
function start(RED: NodeRedApi, node: Node, def: NodeDef): void {
	const read = readSettings(def);
	const settings = 'problem' in read ? { code: 'invalid_setting', message: read.problem.message, status: `invalid ${read.problem.property}` } : read.settings;
	const server = () => {
		const config = typeof def.server === 'string' ? (RED.nodes.getNode(def.server) as PerceptisConfigNode | null) : null;
		return config?.perceptis;
	};
	const evaluate: Evaluate = async (field, msg) =>
		await new Promise((resolve, reject) =>
			RED.util.evaluateNodeProperty(field.value, field.type, node, msg, (error, value) => (error ? reject(error) : resolve(value))),
		);
	const runs = new NodeRuns({
		node,
		settings,
		server,
		evaluate,
		tools: { clone: (msg) => RED.util.cloneMessage(msg), newId: () => RED.util.generateId(), newToken: () => RED.util.generateId() },
		store: new InFlightStore(node.id, node.context()),
		ledger: contextLedger(node.context()),
	});

	// Refused at deploy: said in the status and the log, and to every message.
	const problem = runs.problem();
	if (problem) {
		node.status(refusedStatus(problem.status ?? problem.code.replace(/_/g, ' ')));
		node.error(problem.message);
	}

	node.on('input', (msg, send, done) => {
		runs.input(msg, send).then(() => done(), done);
	});

	// The kept runs are taken once every node of the deploy runs: their results need the wires.
	const cancelResume = whenFlowsStarted(RED, () => runs.resumeParked());
	node.on('close', (removed, done) => {
		cancelResume();
		runs.close(removed).then(done, done);
	});
}

/** Calls `then` once, when the deploy under way has started every node; the returned function cancels it. */
function whenFlowsStarted(RED: NodeRedApi, then: () => void): () => void {
	const started = () => {
		cancel();
		then();
	};
	const fallback = setTimeout(started, RESUME_FALLBACK_MS);
	const cancel = () => {
		clearTimeout(fallback);
		RED.events.removeListener('flows:started', started);
	};
	RED.events.once('flows:started', started);
	return cancel;
}

export = function register(RED: NodeRedApi): void {
	RED.nodes.registerType('perceptis', function Perceptis(this: Node, def: NodeDef) {
		RED.nodes.createNode(this, def);
		start(RED, this, def);
	});
};
