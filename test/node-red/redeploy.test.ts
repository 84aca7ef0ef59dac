/**
 * A deploy while a job is in flight (a full deploy restarts every node, and is the editor's
 * default): the old instance lets go at once, nothing is lost or doubled, and the new instance
 * sends the result with msg.perceptis.resumed = true. A node deleted meanwhile says which jobs
 * it leaves running.
 */
import { CONFIG_ID, generateRequests, helper, loadFlow, NODES, perceptisFlow, record, sleep, useFastSimulator } from './flows';
import type { Simulator } from '../simulator';

const sim = useFastSimulator();

afterEach(async () => await helper.unload());

const credentials = (s: Simulator) => ({ [CONFIG_ID]: { apiKey: s.keys.business } });

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
		await sleep(20);
	}
}

/**
 * A full deploy of the same flow, timed. The node's close lets go after at most its 500 ms grace;
 * a close that waited for its jobs (each minutes long here) would take Node-RED's 15 s close
 * timeout. The bound sits between the two, wide enough for a busy 2-core CI machine, where a whole
 * deploy (stop, context, start) once took over a second; the e2e suite prints the real stop time.
 */
const DEPLOY_BOUND_MS = 5_000;

async function redeploy(flow = perceptisFlow(sim)): Promise<number> {
	const started = Date.now();
	await helper.setFlows(flow, 'full', credentials(sim));
	return Date.now() - started;
}

const statusChecks = () => sim.requests.filter((request) => request.server === 'api' && request.method === 'GET');

describe('a full deploy while a job waits', () => {
	it('closes without waiting for its job, keeps the job, and the new instance sends its file once, resumed', async () => {
		const flow = await loadFlow(sim);
		flow.send({ payload: 'A long deck [sim:seconds=3000]', topic: 'kept across the deploy', _msgid: 'in-flight' });
		await until(() => statusChecks().length >= 1);
		const lastCheckBefore = statusChecks()[statusChecks().length - 1].at;

		const ms = await redeploy();
		expect(ms).toBeLessThan(DEPLOY_BOUND_MS);
		const after = record();
		const [msg] = await after.out.next(1, 20_000);

		expect(msg.perceptis.resumed).toBe(true);
		expect(msg._msgid).toBe('in-flight');
		expect(msg.topic).toBe('kept across the deploy');
		expect(Buffer.isBuffer(msg.payload)).toBe(true);
		expect(sim.jobs()).toHaveLength(1);
		expect(generateRequests(sim)).toHaveLength(1);
		expect(msg.perceptis.jobId).toBe(sim.jobs()[0].id);
		// The new instance's first check came a second or more after the old one's last.
		const firstCheckAfter = statusChecks().find((request) => request.at > lastCheckBefore)!;
		expect(firstCheckAfter.at - lastCheckBefore).toBeGreaterThanOrEqual(1_000);
		expect(sim.checkGaps().minCheckGapMs).toBeGreaterThanOrEqual(1_000);
		// Nothing came out of the old instance, and the kept run was taken by the new one.
		expect(flow.out.messages).toHaveLength(0);
		expect(after.out.messages).toHaveLength(1);
		expect(after.caught.messages).toHaveLength(0);
		expect(helper.getNode('p')!.context().get('perceptisInFlight')).toEqual({});
	});

	it('a deploy while the start is still on its way sends it again with the same key: one job', async () => {
		await sim.injectFault({ kind: 'slow', method: 'POST', path: '/api/v1/generate', delayMs: 1_500 });
		await loadFlow(sim);
		helper.getNode('p')!.receive({ payload: 'A deck started during a deploy', _msgid: 'starting' });
		await until(() => sim.requests.some((request) => request.method === 'POST'));
		expect(await redeploy()).toBeLessThan(DEPLOY_BOUND_MS);
		const after = record();
		const [msg] = await after.out.next(1, 20_000);
		expect(msg.perceptis.resumed).toBe(true);
		expect(sim.jobs()).toHaveLength(1);
		const keys = new Set(generateRequests(sim).map((request) => request.headers['idempotency-key']));
		expect(keys.size).toBe(1);
	});

	it('twenty messages in flight through two deploys: twenty files, twenty jobs', async () => {
		await loadFlow(sim);
		for (let index = 0; index < 20; index++) helper.getNode('p')!.receive({ payload: `Deck ${index} [sim:seconds=3000]`, index });
		await until(() => sim.jobs().length === 20, 30_000);
		expect(await redeploy()).toBeLessThan(DEPLOY_BOUND_MS);
		await sleep(300);
		expect(await redeploy()).toBeLessThan(DEPLOY_BOUND_MS);
		const after = record();
		const messages = await after.out.next(20, 25_000);
		expect(new Set(messages.map((msg) => msg.index)).size).toBe(20);
		expect(messages.every((msg) => msg.perceptis.resumed === true)).toBe(true);
		expect(sim.jobs()).toHaveLength(20);
		// A start whose answer was still on its way at the deploy is sent again by the next instance
		// with the same key (the test above): on a busy machine one of the twenty may be. Twenty keys.
		const keys = generateRequests(sim).map((request) => request.headers['idempotency-key']);
		expect(keys.length).toBeGreaterThanOrEqual(20);
		expect(new Set(keys).size).toBe(20);
	});

	it('a node deleted while its job runs logs the job id as a warning', async () => {
		const flow = await loadFlow(sim);
		flow.send({ payload: 'A deck nobody will get [sim:seconds=3000]' });
		await until(() => sim.jobs().length === 1);
		const without = perceptisFlow(sim).filter((node) => node.id !== 'p' && node.id !== 'completer' && node.id !== 'watcher');
		expect(await redeploy(without)).toBeLessThan(DEPLOY_BOUND_MS);
		const warnings = helper
			.log()
			.args.map(([entry]) => entry as { level: number; id?: string; msg?: unknown })
			.filter((entry) => entry.id === 'p' && entry.level === 30);
		expect(warnings).toHaveLength(1);
		expect(String(warnings[0].msg)).toContain(`deleted or disabled with 1 job(s) in flight`);
		expect(String(warnings[0].msg)).toContain(sim.jobs()[0].id);
	});
});

describe('a node that starts with runs kept in its context', () => {
	it('finishes each one, marked resumed (what a restart with a persistent context store does)', async () => {
		await helper.load(NODES, perceptisFlow(sim), credentials(sim));
		const first = record();
		first.send({ payload: 'A deck [sim:seconds=2000]', _msgid: 'kept' });
		await until(() => sim.jobs().length === 1);
		const kept = helper.getNode('p')!.context().get('perceptisInFlight');
		expect(Object.keys(kept as object)).toHaveLength(1);
		await redeploy();
		const [msg] = await record().out.next(1, 20_000);
		expect(msg._msgid).toBe('kept');
		expect(msg.perceptis.resumed).toBe(true);
	});
});
