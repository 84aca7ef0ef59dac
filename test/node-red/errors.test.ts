/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Errors the Node-RED way: Catch nodes get every error with the input message, err.code and
 * msg.perceptis.error set, the words from the core's tables; bad input and bad settings are
 * refused before any request; a property missing from the flow takes its default; no key shows
 * anywhere.
 */
import { PLAN_HINT } from '../../core/errors/table';
import { CONFIG_ID, expectNoKey, helper, loadFlow, NODES, perceptisFlow, record, statusCalls, statusTexts, useFastSimulator, type Msg } from './flows';

const sim = useFastSimulator();

afterEach(async () => await helper.unload());

/** The one message a Catch node got, after the error it was given for. */
async function caughtOne(flow: Awaited<ReturnType<typeof loadFlow>>): Promise<Msg> {
	const [msg] = await flow.caught.next(1);
	expect(flow.out.messages).toHaveLength(0);
	expectNoKey(sim, flow.caught.messages, flow.out.messages, flow.statuses.messages);
	return msg;
}

describe('errors from Perceptis reach Catch nodes', () => {
	it("a plan without API access (403): the message names Business and Enterprise, msg.perceptis.error has the facts", async () => {
		const flow = await loadFlow(sim, {}, 'starter');
		flow.send({ payload: 'A deck', topic: 'mine' });
		const msg = await caughtOne(flow);
		expect(msg.topic).toBe('mine');
		expect(msg.error.message).toContain("Your Perceptis organisation's plan does not include API access (HTTP 403)");
		expect(msg.error.message).toContain(PLAN_HINT);
		expect(msg.error.code).toBe('forbidden');
		expect(msg.error.source).toMatchObject({ id: 'p', type: 'perceptis' });
		expect(msg.perceptis.status).toBe('not_started');
		expect(msg.perceptis.jobId).toBeUndefined();
		expect(msg.perceptis.error).toMatchObject({ code: 'forbidden', kind: 'plan_not_eligible', httpCode: 403, httpStatus: 403 });
		expect(msg.perceptis.error.description).toBe(PLAN_HINT);
		expect(sim.jobs()).toHaveLength(0);
		expect(statusTexts(flow.statuses)).toContain('error: forbidden');
	});

	it('a revoked key (401) says where to put a new one', async () => {
		const flow = await loadFlow(sim, {}, 'revoked');
		flow.send({ payload: 'A deck' });
		const msg = await caughtOne(flow);
		expect(msg.perceptis.error).toMatchObject({ kind: 'unauthorized', httpCode: 401 });
		expect(msg.error.message).toContain("the Perceptis server (perceptis-config) node's API Key field");
	});

	it('a failed job: the job id on the message, and the API\'s own words', async () => {
		const flow = await loadFlow(sim);
		flow.send({ payload: 'A deck [sim:fail]' });
		const msg = await caughtOne(flow);
		const jobId = sim.jobs()[0].id;
		expect(msg.perceptis.jobId).toBe(jobId);
		expect(msg.perceptis.status).toBe('failed');
		expect(msg.perceptis.error).toMatchObject({ code: 'generation_failed', kind: 'job_failed', jobId });
		expect(msg.error.message).toContain('The generation failed (simulated by [sim:fail])');
		expect(msg.error.message).toContain(`Job ID: ${jobId}.`);
	});

	it('a job past its timeout: the error says how to resume it, and the job keeps its id', async () => {
		const flow = await loadFlow(sim, { perceptis: { timeoutSeconds: 1 } });
		flow.send({ payload: 'A deck [sim:never]' });
		const msg = await caughtOne(flow);
		expect(msg.perceptis.error.code).toBe('deadline_exceeded');
		expect(msg.error.message).toContain('did not finish within 1 s');
		expect(msg.error.message).toContain(`Resume with a perceptis node set to Wait and Job ID ${sim.jobs()[0].id}`);
	});
});

describe('bad input names the field and sends nothing', () => {
	const cases: Array<[string, Msg, Record<string, unknown>, string, RegExp]> = [
		['no prompt (an Inject timestamp)', { payload: 1_700_000_000_000 }, {}, 'empty_prompt', /The prompt is empty/],
		['variants on a deck', { payload: { prompt: 'A deck', variantCount: 2 } }, {}, 'variants_on_deck', /Variants \(2\) applies to single slides only/],
		['an unknown output type', { payload: { prompt: 'x', outputType: 'slides' } }, {}, 'unknown_output_type', /Output "slides" is not supported/],
		['a flag that is not true or false', { payload: { prompt: 'x', wait: 'yes' } }, {}, 'not_a_flag', /msg\.payload\.wait must be true or false, not "yes"/],
		['a timeout of no seconds', { payload: { prompt: 'x', timeoutSeconds: -5 } }, {}, 'bad_timeout', /timeout must be a number of seconds above 0, not -5/],
		['reference images that are not images', { payload: { prompt: 'x', outputType: 'single_slide', referenceImages: [{ data: 'aGk=', mimeType: 'text/plain' }] } }, {}, 'reference_not_an_image', /referenceImages\[0\]" is "text\/plain", not an image/],
		['reference images on a deck', { payload: { prompt: 'x', referenceImages: [{ data: 'aGk=', mimeType: 'image/png' }] } }, {}, 'references_on_deck', /Reference images apply to single slides only/],
		['no job id for Status', { payload: { not: 'an id' } }, { operation: 'status' }, 'no_job_id', /carries no Perceptis job id/],
		['a Prompt field whose JSON does not read', { payload: 'x' }, { prompt: '{"prompt": ', promptType: 'json' }, 'unreadable_field', /The Prompt field could not be read/],
		['a template name that is not a text', { payload: { prompt: 'x', templateName: { name: 'Minimal' } } }, {}, 'not_a_text', /The Template must be a text, not \{"name":"Minimal"\}/],
	];

	it.each(cases)('%s', async (_name, msg, perceptis, code, words) => {
		const flow = await loadFlow(sim, { perceptis });
		flow.send(msg);
		const caught = await caughtOne(flow);
		expect(caught.error.code).toBe(code);
		expect(caught.perceptis.error).toMatchObject({ code, kind: 'invalid_input' });
		expect(caught.error.message).toMatch(words);
		expect(caught.perceptis.status).toBe('not_started');
		expect(sim.requests).toHaveLength(0);
	});
});

describe('the key shows nowhere', () => {
	it('not in results, errors, statuses, the log or the node context', async () => {
		const flow = await loadFlow(sim, { perceptis: { wait: false } }, 'business');
		flow.send({ payload: 'A deck' });
		flow.send({ payload: '' });
		await flow.out.next(1);
		await flow.caught.next(1);
		const context = helper.getNode('p')!.context();
		expectNoKey(sim, flow.out.messages, flow.caught.messages, flow.statuses.messages, statusCalls(), context.get('perceptisInFlight'), context.get('perceptisLedger'));
		await helper.unload();
		const revoked = await loadFlow(sim, {}, 'revoked');
		revoked.send({ payload: 'A deck' });
		await revoked.caught.next(1);
		expectNoKey(sim, revoked.caught.messages, statusCalls());
		// The check can fail: the config node does hold the key.
		expect(() => expectNoKey(sim, helper.getNode(CONFIG_ID))).toThrow(/leaked/);
	});
});

describe('settings: defaults in the runtime, bad values refused at deploy', () => {
	it('a perceptis node with nothing but its server makes a deck and waits for it', async () => {
		const flow = perceptisFlow(sim).map((node) => (node.id === 'p' ? { id: 'p', z: 'tab', type: 'perceptis', server: CONFIG_ID, wires: [['out']] } : node));
		const config = flow.find((node) => node.id === CONFIG_ID)!;
		delete config.name;
		await helper.load(NODES, flow, { [CONFIG_ID]: { apiKey: sim.keys.business } });
		const loaded = record();
		loaded.send({ payload: 'Defaults only' });
		const [msg] = await loaded.out.next(1);
		expect(Buffer.isBuffer(msg.payload)).toBe(true);
		expect(sim.jobs()[0].outputType).toBe('deck');
	});

	it.each([
		[{ operation: 'make' }, 'operation', 'invalid operation'],
		[{ timeoutSeconds: 'soon' }, 'timeoutSeconds', 'invalid timeoutSeconds'],
		[{ outputType: 'slides' }, 'outputType', 'invalid outputType'],
		[{ variantCount: 0 }, 'variantCount', 'invalid variantCount'],
		[{ wait: 'yes' }, 'wait', 'invalid wait'],
		[{ promptType: 'cookie' }, 'promptType', 'invalid promptType'],
	])('%j is refused at deploy, in the status and the log, and every message gets the error', async (properties, property, status) => {
		const flow = await loadFlow(sim, { perceptis: properties });
		expect(statusCalls()).toEqual([status]);
		const logged = helper.log().args.map(([entry]) => entry as { level: number; id?: string; msg?: unknown }).filter((entry) => entry.id === 'p' && entry.level === 20);
		expect(String(logged[0]?.msg)).toContain(`The perceptis node's property "${property}"`);
		flow.send({ payload: 'A deck' });
		const caught = await caughtOne(flow);
		expect(caught.error.code).toBe('invalid_setting');
		expect(caught.error.message).toContain(`property "${property}"`);
		expect(sim.requests).toHaveLength(0);
	});

	it.each([
		[{ server: '' }, undefined, 'no server'],
		[{}, { baseUrl: 'https://app.perceptis.ai/v2/' }, 'invalid base url'],
		[{}, { baseUrl: 'http://perceptis.example' }, 'invalid base url'],
	])('a node without a usable server (%j, %j) says so at deploy', async (perceptis, config, status) => {
		const flow = await loadFlow(sim, { perceptis, config });
		expect(statusCalls()).toEqual([status]);
		flow.send({ payload: 'A deck' });
		const caught = await caughtOne(flow);
		expect(caught.error.message).toMatch(/Perceptis server|Base URL/);
		expect(sim.requests).toHaveLength(0);
	});

	it('a server without a key says so; with the key in a named environment variable it works, and the flow holds no key', async () => {
		let flow = await loadFlow(sim, { config: { apiKeyEnv: 'PERCEPTIS_NODE_RED_TEST_KEY' } }, null);
		expect(statusCalls()).toEqual(['no api key']);
		await helper.unload();

		process.env.PERCEPTIS_NODE_RED_TEST_KEY = sim.keys.enterprise;
		try {
			flow = await loadFlow(sim, { config: { apiKeyEnv: 'PERCEPTIS_NODE_RED_TEST_KEY' } }, null);
			flow.send({ payload: 'A deck' });
			const [msg] = await flow.out.next(1);
			expect(Buffer.isBuffer(msg.payload)).toBe(true);
			expect(sim.jobs()[0].keyPlan).toBe('enterprise');
			expectNoKey(sim, flow.out.messages, flow.statuses.messages);
		} finally {
			delete process.env.PERCEPTIS_NODE_RED_TEST_KEY;
		}
	});
});
