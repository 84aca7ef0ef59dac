/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * Proves the Node-RED harness on NODE_RED_E2E_VERSION (default 5.0.7; 4.1.15 too) before any suite
 * builds on it: a real Node-RED on 127.0.0.1 with adminAuth and persisted context; a flow deployed
 * through the Admin API answers over HTTP; a node package written here is published to the project's
 * verdaccio and installed by Node-RED's palette manager (POST /nodes) and runs in a flow; a restart
 * on the same userDir keeps the module, the flows and the context; a clean stop is quick.
 *
 * Needs: scripts/node-red/install.sh <version> and scripts/registry/install.sh.
 */
import axios from 'axios';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { acquireE2eLock } from '../../e2e/harness/lock';
import { isLoopback, listeningAddresses } from '../../e2e/harness/net';
import { startRegistry, type NpmRegistry } from '../../e2e/harness/registry';
import {
	NodeRedClient,
	packFolder,
	selectedNodeRedVersion,
	startNodeRed,
	writeProbePackage,
	type FlowNode,
	type NodeRedInstance,
	type ProbePackage,
} from './harness';

const version = selectedNodeRedVersion();
const TAB = 'harness-tab';

/** http in (POST /echo) → change (marks the payload, keeps it in global context) → http response; GET /last-echo reads it back. */
function echoFlows(): FlowNode[] {
	return [
		{ id: TAB, type: 'tab', label: 'harness', disabled: false, info: '' },
		{ id: 'echo-in', type: 'http in', z: TAB, name: 'echo', url: '/echo', method: 'post', upload: false, swaggerDoc: '', wires: [['echo-change']] },
		{
			id: 'echo-change',
			type: 'change',
			z: TAB,
			name: 'mark',
			rules: [
				{ t: 'set', p: 'payload.via', pt: 'msg', to: 'change', tot: 'str' },
				{ t: 'set', p: 'lastEcho', pt: 'global', to: 'payload', tot: 'msg' },
			],
			wires: [['echo-out']],
		},
		{ id: 'echo-out', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
		{ id: 'last-in', type: 'http in', z: TAB, name: 'last', url: '/last-echo', method: 'get', upload: false, swaggerDoc: '', wires: [['last-change']] },
		{
			id: 'last-change',
			type: 'change',
			z: TAB,
			name: 'read',
			rules: [{ t: 'set', p: 'payload', pt: 'msg', to: 'lastEcho', tot: 'global' }],
			wires: [['last-out']],
		},
		{ id: 'last-out', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
	];
}

/** http in (POST /probe) → the installed probe node → http response. */
function probeFlow(probe: ProbePackage): FlowNode[] {
	return [
		{ id: 'probe-in', type: 'http in', z: TAB, name: 'probe', url: '/probe', method: 'post', upload: false, swaggerDoc: '', wires: [['probe-node']] },
		{ id: 'probe-node', type: probe.type, z: TAB, name: 'harness', wires: [['probe-out']] },
		{ id: 'probe-out', type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
	];
}

/** An http-in route; a string goes as text/plain (axios would send it form-encoded). */
async function post(nodeRed: NodeRedInstance, route: string, body: unknown) {
	const headers = typeof body === 'string' ? { 'Content-Type': 'text/plain' } : {};
	return await axios.post(`${nodeRed.baseUrl}${route}`, body, { headers, validateStatus: () => true, proxy: false });
}

describe(`Node-RED ${version} harness`, () => {
	const timings: Record<string, number> = {};
	let release: () => void = () => undefined;
	let registry: NpmRegistry | undefined;
	let nodeRed: NodeRedInstance | undefined;
	let client: NodeRedClient;
	let probe: ProbePackage;
	let work: string;

	beforeAll(async () => {
		// Shares the e2e lock with the n8n suites: two cores do not run two servers under test well.
		release = await acquireE2eLock();
		work = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-node-red-e2e-'));
		registry = await startRegistry();
		probe = writeProbePackage(path.join(work, 'probe'));
		const tarball = await packFolder(probe.dir, work, registry.npmEnv);
		await registry.publish(tarball);
	});

	afterAll(async () => {
		await nodeRed?.dispose();
		await registry?.dispose();
		if (work) fs.rmSync(work, { recursive: true, force: true });
		release();
		// eslint-disable-next-line no-console -- the durations are the report of this suite
		console.log(`Node-RED ${version} harness timings (ms): ${JSON.stringify(timings)}`);
	});

	it('starts on 127.0.0.1 with adminAuth and refuses the Admin API without a token', async () => {
		nodeRed = await startNodeRed({ version, adminAuth: true, contextStorage: 'localfilesystem', npmRegistry: registry!.url });
		timings.firstStart = nodeRed.startMs;
		expect(nodeRed.readLog()).toContain(`Node-RED version: v${version}`);
		expect(nodeRed.readLog()).toContain(`Node.js  version: ${nodeRed.install.nodeVersion}`);
		const addresses = listeningAddresses(nodeRed.pid);
		expect(addresses.length).toBeGreaterThan(0);
		expect(addresses.filter((address) => !isLoopback(address))).toEqual([]);

		const anonymous = new NodeRedClient(nodeRed.baseUrl);
		expect((await anonymous.request('/flows')).status).toBe(401);
		client = await NodeRedClient.connect(nodeRed);
		expect(await client.getFlows()).toEqual([]);
	});

	it('deploys http in → change → http response through the Admin API and answers', async () => {
		const { rev } = await client.deployFlows(echoFlows());
		expect(rev).toEqual(expect.any(String));
		const response = await post(nodeRed!, '/echo', { hello: 'world' });
		expect(response.status).toBe(200);
		expect(response.data).toEqual({ hello: 'world', via: 'change' });
	});

	it('installs a package from the local registry with POST /nodes, lists its type and runs it', async () => {
		const began = Date.now();
		const installed = await client.installModule(probe.name, probe.version);
		timings.installModule = Date.now() - began;
		expect(installed).toMatchObject({ name: probe.name, version: probe.version });
		expect(installed.nodes.map((set) => set.types).reduce((all, types) => all.concat(types), [])).toContain(probe.type);

		const sets = await client.listNodes();
		expect(sets.find((set) => set.module === probe.name)).toMatchObject({ types: [probe.type], enabled: true });
		// From the registry, not from anywhere else: Node-RED's own package.json in the userDir says so.
		const lock = JSON.parse(fs.readFileSync(path.join(nodeRed!.userDir, 'package-lock.json'), 'utf8')) as {
			packages: Record<string, { resolved?: string }>;
		};
		expect(lock.packages[`node_modules/${probe.name}`].resolved).toContain(registry!.url);

		expect(await client.examples(probe.name)).toEqual([{ fn: probe.example }]);
		const example = await client.exampleFlow(probe.name, probe.example);
		expect(example.map((node) => node.type)).toContain(probe.type);

		await client.deployFlows([...echoFlows(), ...probeFlow(probe)]);
		const response = await post(nodeRed!, '/probe', { n: 1 });
		expect(response.status).toBe(200);
		expect(response.data).toEqual({ probed: { n: 1 }, by: 'harness' });
	});

	it('stops quickly and restarts on the same userDir with the module, the flows and the context', async () => {
		expect((await post(nodeRed!, '/echo', { keep: 'me' })).status).toBe(200);
		const first = nodeRed!;
		const { ms, forced } = await first.stop();
		timings.stop = ms;
		expect(forced).toBe(false);
		expect(ms).toBeLessThan(15_000);
		expect(first.isRunning()).toBe(false);

		nodeRed = await startNodeRed({ version, userDir: first.userDir, adminAuth: true, contextStorage: 'localfilesystem', npmRegistry: registry!.url });
		timings.restart = nodeRed.startMs;
		expect(nodeRed.readLog()).not.toContain('Creating new flow file');
		client = await NodeRedClient.connect(nodeRed);
		expect(await client.nodeTypes()).toContain(probe.type);
		const ids = (await client.getFlows()).map((node) => node.id).sort();
		expect(ids).toEqual([...echoFlows(), ...probeFlow(probe)].map((node) => node.id).sort());

		// localfilesystem context is flushed on a clean stop.
		const last = await axios.get(`${nodeRed.baseUrl}/last-echo`, { proxy: false });
		expect(last.data).toEqual({ keep: 'me', via: 'change' });
		expect((await post(nodeRed, '/probe', 'again')).data).toEqual({ probed: 'again', by: 'harness' });

		const second = await nodeRed.stop();
		timings.secondStop = second.ms;
		expect(second.ms).toBeLessThan(15_000);
	});
});
