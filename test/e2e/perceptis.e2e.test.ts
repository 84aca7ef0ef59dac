/**
 * The package in a real n8n (loaded like a user install: n8n-nodes-perceptis.perceptis), against the
 * Perceptis simulator: the credential dialog's Test button, webhook and manual flows, the
 * start-now-wait-later pattern, the errors users see, and the API key appearing nowhere.
 *
 * One n8n and one simulator serve the whole file; the simulator runs with a small time scale and
 * asks for status checks every second, so jobs finish in a few seconds.
 */
import {
	acquireE2eLock,
	chain,
	databaseFiles,
	filesContaining,
	freePort,
	manualTrigger,
	N8nClient,
	nodeError,
	nodeOutput,
	parseExecuteOutput,
	perceptis,
	PERCEPTIS_CREDENTIAL_TYPE,
	PERCEPTIS_NODE_TYPE,
	respondBinary,
	selectedN8nVersion,
	setJson,
	splitOut,
	startN8n,
	startSimulator,
	uniquePath,
	assertPptx,
	webhookTrigger,
	type CredentialRef,
	type Execution,
	type N8nInstance,
	type SimulatorProcess,
	type SimulatorRequest,
	PPTX_MIME,
	pptxResponse,
} from './harness';

const version = selectedN8nVersion();
/** What the editor puts in a password field it loaded from a saved credential (the key is not sent back). */
const CREDENTIAL_BLANK_VALUE = '__n8n_BLANK_VALUE_e5362baf-c777-4d57-a609-6eaf1f9e87f6';

const isGenerate = (r: SimulatorRequest) => r.server === 'api' && r.method === 'POST' && r.path.startsWith('/api/v1/generate');

describe(`n8n-nodes-perceptis in n8n ${version}`, () => {
	let release: () => void = () => undefined;
	let n8n: N8nInstance | undefined;
	let sim: SimulatorProcess | undefined;
	let client: N8nClient;
	const creds: Record<'business' | 'business2' | 'revoked' | 'starter', CredentialRef> = {} as never;
	const started = Date.now();

	async function credential(name: keyof typeof creds, apiKey: string): Promise<CredentialRef> {
		creds[name] = await client.createCredential({
			name: `Perceptis ${name}`,
			type: PERCEPTIS_CREDENTIAL_TYPE,
			data: { apiKey, baseUrl: sim!.origin },
		});
		return creds[name];
	}

	/** Runs a webhook workflow whose last node answers, and returns its (only) execution with data. */
	async function runToExecution(workflowId: string, path: string, body: unknown): Promise<Execution> {
		const before = (await client.getExecutions({ workflowId })).length;
		await client.runWebhook(path, body);
		const executions = await client.waitForExecutions(workflowId, before + 1);
		return executions[executions.length - 1];
	}

	beforeAll(async () => {
		release = await acquireE2eLock();
		sim = await startSimulator({ timeScale: 0.005, config: { statusRetryAfterSeconds: 1 } });
		n8n = await startN8n({ version });
		client = await N8nClient.ready(n8n.baseUrl);
		await credential('business', sim.keys.business);
		await credential('business2', sim.keys.business2);
		await credential('revoked', sim.keys.revoked);
		await credential('starter', sim.keys.starter);
		// eslint-disable-next-line no-console
		console.log(`n8n ${version} ready in ${n8n.startMs} ms at ${n8n.baseUrl}; log ${n8n.logPath}`);
	});

	afterAll(async () => {
		await n8n?.stop();
		await sim?.stop();
		release();
		// eslint-disable-next-line no-console
		console.log(`perceptis e2e on n8n ${version}: ${Math.round((Date.now() - started) / 1000)} s`);
	});

	test('n8n loaded the package like a user install', async () => {
		// What the editor loads to know the node and credential types.
		const headers = { cookie: client.cookie };
		const nodeTypes = await client.http.get<Array<{ name: string }>>('/types/nodes.json', { headers });
		const credentialTypes = await client.http.get<Array<{ name: string }>>('/types/credentials.json', { headers });
		expect([nodeTypes.status, credentialTypes.status]).toEqual([200, 200]);
		expect(nodeTypes.data.map((t) => t.name)).toContain(PERCEPTIS_NODE_TYPE);
		expect(credentialTypes.data.map((t) => t.name)).toContain(PERCEPTIS_CREDENTIAL_TYPE);
		// The credentials created in beforeAll prove the credential type is known.
		expect(creds.business.type).toBe(PERCEPTIS_CREDENTIAL_TYPE);
	});

	describe("the credential dialog's Test button (POST /rest/credentials/test)", () => {
		beforeAll(async () => {
			await sim!.reset();
		});

		test('a valid key: success', async () => {
			const result = await client.testCredential({ ...creds.business, data: { apiKey: sim!.keys.business, baseUrl: sim!.origin } });
			expect(result).toEqual({ status: 'OK', message: expect.stringMatching(/Connection successful/) });
		});

		test('a saved key, reopened (the editor sends the blank placeholder): n8n uses the stored key', async () => {
			const result = await client.testCredential({
				...creds.business,
				data: { apiKey: CREDENTIAL_BLANK_VALUE, baseUrl: sim!.origin },
			});
			expect(result.status).toBe('OK');
		});

		// n8n 1.x treats any `ignoreHttpStatusErrors` setting as "accept every status" and never
		// shows a status rule's message; there the Test reads the documented error codes in the
		// body instead (README, Compatibility). Both versions tell 401 from 403.
		test('a revoked key (401): says the key is invalid or revoked and where to make a new one', async () => {
			const result = await client.testCredential({ ...creds.revoked, data: { apiKey: sim!.keys.revoked, baseUrl: sim!.origin } });
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/invalid or revoked \(HTTP 401\).*Developer Settings/s) });
		});

		test('a Starter-plan key (403): says only paid Business and Enterprise plans may use the API', async () => {
			const result = await client.testCredential({ ...creds.starter, data: { apiKey: sim!.keys.starter, baseUrl: sim!.origin } });
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/HTTP 403.*Only paid Business and Enterprise plans/s) });
		});

		test('an unreachable origin: an error naming the network failure', async () => {
			const closed = `http://127.0.0.1:${await freePort()}`;
			const saved = await client.createCredential({
				name: 'Perceptis unreachable',
				type: PERCEPTIS_CREDENTIAL_TYPE,
				data: { apiKey: sim!.keys.business, baseUrl: closed },
			});
			const result = await client.testCredential({ ...saved, data: { apiKey: sim!.keys.business, baseUrl: closed } });
			expect(result.status).toBe('Error');
			// n8n's declarative credential test reports a refused connection as the bare code on 2.41
			// ("ECONNREFUSED") and as "The service refused the connection - perhaps it is offline" on
			// 1.123.
			expect(result.message).toMatch(/ECONNREFUSED|refused the connection/);
		});

		test('the tests started no job: the simulator saw status checks only', async () => {
			const requests = await sim!.requests();
			expect(requests.filter(isGenerate)).toEqual([]);
			expect(requests.every((r) => r.method === 'GET' && r.path.startsWith('/api/v1/status/'))).toBe(true);
			const answers = new Set(requests.map((r) => `${r.keyPlan} ${r.status}`));
			expect([...answers].sort()).toEqual(['business 404', 'revoked 401', 'starter 403']);
		});
	});

	test('Webhook (prompt in the body) → Generate and wait → Respond to Webhook answers with the .pptx', async () => {
		const path = uniquePath('deck');
		const workflowId = await client.deploy(
			chain('webhook → perceptis → respond with file', [
				webhookTrigger(path),
				perceptis(creds.business, { operation: 'generate', outputType: 'deck', prompt: '={{ $json.body.prompt }}' }),
				respondBinary('data'),
			]),
		);
		const response = await client.runWebhook(
			path,
			{ prompt: 'Quarterly review for the board [sim:slides=3]' },
			{ responseType: 'arraybuffer' },
		);
		expect(pptxResponse(response).slides).toBe(3);

		const [execution] = await client.waitForExecutions(workflowId, 1);
		expect(execution.status).toBe('success');
		const [item] = nodeOutput(execution, 'Perceptis');
		expect(item.json).toMatchObject({ jobId: expect.any(String), status: 'completed' });
		expect(item.binary?.data).toMatchObject({ mimeType: PPTX_MIME, fileName: expect.stringMatching(/\.pptx$/) });
		const generates = (await sim!.requests()).filter(isGenerate);
		expect(generates[generates.length - 1]).toMatchObject({ keyPlan: 'business', status: expect.any(Number) });
	});

	test('a manual flow runs several items (decks, and single slides with variants) in one execution', async () => {
		const jobs = [
			{ outputType: 'deck', prompt: 'Onboarding deck for new engineers [sim:slides=2]', variantCount: 1 },
			{ outputType: 'single_slide', prompt: 'A slide comparing Q3 revenue by region', variantCount: 3 },
			{ outputType: 'deck', prompt: 'Product roadmap 2027 [sim:slides=4]', variantCount: 1 },
			{ outputType: 'single_slide', prompt: 'Title slide for the all-hands', variantCount: 2 },
		];
		const { id } = await client.createWorkflow(
			chain('manual: several slides and decks', [
				manualTrigger(),
				setJson(`={{ ${JSON.stringify({ jobs })} }}`),
				splitOut('jobs'),
				perceptis(creds.business, {
					operation: 'generate',
					outputType: '={{ $json.outputType }}',
					prompt: '={{ $json.prompt }}',
					options: { variantCount: '={{ $json.variantCount }}' },
				}),
			]),
		);
		const before = (await sim!.requests()).filter(isGenerate).length;
		const result = await n8n!.runCli(['execute', `--id=${id}`, '--rawOutput']);
		expect(result.code).toBe(0);
		const run = parseExecuteOutput(result.stdout);
		expect(run.data.resultData.error).toBeUndefined();
		const items = run.data.resultData.runData.Perceptis[0].data.main[0] as Array<{
			json: Record<string, unknown>;
			binary?: Record<string, { fileName?: string; mimeType?: string }>;
			pairedItem?: unknown;
		}>;
		expect(items).toHaveLength(4);
		items.forEach((item, index) => {
			expect(item.json).toMatchObject({ jobId: expect.any(String), status: 'completed' });
			expect(item.pairedItem).toEqual({ item: index });
		});
		const binaryKeys = items.map((item) => Object.keys(item.binary ?? {}).sort());
		expect(binaryKeys).toEqual([['data'], ['data', 'data_1', 'data_2'], ['data'], ['data', 'data_1']]);
		for (const item of items) {
			for (const file of Object.values(item.binary ?? {})) {
				expect(file).toMatchObject({ mimeType: PPTX_MIME, fileName: expect.stringMatching(/\.pptx$/) });
			}
		}
		const generates = (await sim!.requests()).filter(isGenerate).slice(before);
		expect(generates).toHaveLength(4);
		expect(generates.every((r) => r.keyPlan === 'business')).toBe(true);
	});

	test('"On Error: Continue (using error output)" sends a failed job to the error output, with its job id', async () => {
		const start = manualTrigger();
		const data = setJson(`={{ ${JSON.stringify({ prompts: ['A fine deck', 'A doomed deck [sim:fail]'] })} }}`);
		const split = splitOut('prompts');
		const node = perceptis(
			creds.business,
			{ operation: 'generate', outputType: 'deck', prompt: '={{ $json.prompts }}' },
			'Perceptis',
			{ onError: 'continueErrorOutput' },
		);
		const workflow = chain('error output', [start, data, split, node]);
		const { id } = await client.createWorkflow(workflow);
		const result = await n8n!.runCli(['execute', `--id=${id}`, '--rawOutput']);
		expect(result.code).toBe(0);
		const run = parseExecuteOutput(result.stdout);
		const [success, failure] = run.data.resultData.runData.Perceptis[0].data.main as Array<
			Array<{ json: Record<string, unknown> }>
		>;
		expect(success.map((item) => item.json.status)).toEqual(['completed']);
		expect(failure).toHaveLength(1);
		// n8n routes an item to the error output only when its JSON holds nothing but `error`
		// (merged with the input item's JSON), so the job id and status travel inside `error`.
		expect(failure[0].json).toMatchObject({
			prompts: 'A doomed deck [sim:fail]',
			error: {
				code: 'generation_failed',
				kind: 'job_failed',
				message: expect.stringMatching(/^Perceptis job \S+ failed/),
				jobId: expect.any(String),
				status: 'failed',
			},
		});
	});

	test('Generate without waiting → Wait for Completion (same credential) → Download', async () => {
		const path = uniquePath('later');
		const workflowId = await client.deploy(
			chain('start now, wait later, download', [
				webhookTrigger(path),
				perceptis(creds.business, { operation: 'generate', outputType: 'single_slide', prompt: '={{ $json.body.prompt }}', waitForCompletion: false }, 'Start Job'),
				perceptis(creds.business, { operation: 'waitForCompletion', options: { downloadFiles: false } }, 'Wait'),
				perceptis(creds.business, { operation: 'download' }, 'Download'),
				respondBinary('data'),
			]),
		);
		const response = await client.runWebhook(path, { prompt: 'Team photo slide with a quote' }, { responseType: 'arraybuffer' });
		expect(response.status).toBe(200);
		assertPptx(Buffer.from(response.data as ArrayBuffer));

		const [execution] = await client.waitForExecutions(workflowId, 1);
		expect(execution.status).toBe('success');
		const [startedJob] = nodeOutput(execution, 'Start Job');
		const [waited] = nodeOutput(execution, 'Wait');
		const [downloaded] = nodeOutput(execution, 'Download');
		expect(startedJob.json.jobId).toEqual(expect.any(String));
		expect(startedJob.json.status).not.toBe('completed');
		expect(startedJob.binary).toBeUndefined();
		expect(waited.json).toMatchObject({ jobId: startedJob.json.jobId, status: 'completed' });
		expect(waited.binary).toBeUndefined();
		expect(downloaded.json).toMatchObject({ jobId: startedJob.json.jobId });
		expect(downloaded.binary?.data).toMatchObject({ mimeType: PPTX_MIME });
	});

	test('another key (business2) asking for the first key\'s job gets the "same credential" message', async () => {
		const path = uniquePath('otherkey');
		const workflowId = await client.deploy(
			chain('job of another key', [
				webhookTrigger(path, 'Webhook', 'lastNode'),
				perceptis(creds.business, { operation: 'generate', outputType: 'single_slide', prompt: 'A slide', waitForCompletion: false }, 'Start Job'),
				perceptis(creds.business2, { operation: 'waitForCompletion' }, 'Wait With Other Key'),
			]),
		);
		const execution = await runToExecution(workflowId, path, {});
		expect(execution.status).toBe('error');
		const jobId = nodeOutput(execution, 'Start Job')[0].json.jobId as string;
		const error = nodeError(execution, 'Wait With Other Key');
		expect(error?.message).toBe(`Perceptis job "${jobId}" was not found for this API key (HTTP 404)`);
		expect(error?.description).toMatch(/use the same Perceptis credential as the node that started the job/);
	});

	describe('errors as users see them in the execution', () => {
		let businessFlow: { id: string; path: string };

		beforeAll(async () => {
			const path = uniquePath('errors');
			const id = await client.deploy(
				chain('errors: business key', [
					webhookTrigger(path, 'Webhook', 'lastNode'),
					perceptis(creds.business, {
						operation: 'generate',
						outputType: 'single_slide',
						prompt: '={{ $json.body.prompt }}',
						options: { timeoutSeconds: '={{ $json.body.timeoutSeconds }}' as unknown as number },
					}),
				]),
			);
			businessFlow = { id, path };
		});

		async function flowWith(credential: CredentialRef): Promise<Execution> {
			const path = uniquePath('auth');
			const id = await client.deploy(
				chain(`errors: ${credential.name}`, [
					webhookTrigger(path, 'Webhook', 'lastNode'),
					perceptis(credential, { operation: 'generate', outputType: 'deck', prompt: 'A deck' }),
				]),
			);
			return await runToExecution(id, path, {});
		}

		test('401: revoked key', async () => {
			const execution = await flowWith(creds.revoked);
			expect(execution.status).toBe('error');
			const error = nodeError(execution, 'Perceptis');
			expect(error?.message).toMatch(/^The Perceptis API key is invalid or revoked \(HTTP 401\)/);
			expect(error?.description).toMatch(/Developer Settings/);
			expect(execution.data?.resultData.error?.message).toBe(error?.message);
		});

		test('403: Starter plan', async () => {
			const execution = await flowWith(creds.starter);
			expect(execution.status).toBe('error');
			const error = nodeError(execution, 'Perceptis');
			expect(error?.message).toMatch(/plan does not include API access \(HTTP 403\)/);
			expect(error?.description).toMatch(/Only paid Business and Enterprise plans/);
		});

		test('a failed job', async () => {
			const execution = await runToExecution(businessFlow.id, businessFlow.path, { prompt: 'Doomed slide [sim:fail]', timeoutSeconds: 60 });
			expect(execution.status).toBe('error');
			const error = nodeError(execution, 'Perceptis');
			expect(error?.message).toMatch(/^Perceptis job \S+ failed: The generation failed/);
			expect(error?.description).toMatch(/not charged/);
		});

		test('the deadline is reached: the message keeps the job id and says how to resume', async () => {
			const t0 = Date.now();
			const execution = await runToExecution(businessFlow.id, businessFlow.path, { prompt: 'Endless slide [sim:never]', timeoutSeconds: 3 });
			expect(Date.now() - t0).toBeGreaterThanOrEqual(3_000);
			expect(execution.status).toBe('error');
			const error = nodeError(execution, 'Perceptis');
			expect(error?.message).toMatch(/^Perceptis job (\S+) did not finish within 3 s/);
			const jobId = /^Perceptis job (\S+) /.exec(error!.message)![1];
			expect(error?.description).toContain(`"Wait for Completion" operation and Job ID ${jobId}`);
		});
	});

	test('the API keys appear nowhere: execution data, n8n log, database', async () => {
		const keys = Object.entries(sim!.keys).filter(([name]) => ['business', 'business2', 'revoked', 'starter'].includes(name));
		const executions = await client.getExecutions({ includeData: true, limit: 250 });
		expect(executions.length).toBeGreaterThanOrEqual(8);
		const executionText = JSON.stringify(executions);
		// Stop n8n so every write reached the database file.
		await n8n!.stop();
		const log = n8n!.readLog();
		const dbFiles = databaseFiles(n8n!.userFolder);
		expect(dbFiles.length).toBeGreaterThan(0);
		for (const [name, key] of keys) {
			expect({ name, inExecutions: executionText.includes(key) }).toEqual({ name, inExecutions: false });
			expect({ name, inLog: log.includes(key) }).toEqual({ name, inLog: false });
			expect({ name, inDatabase: filesContaining(key, dbFiles) }).toEqual({ name, inDatabase: [] });
		}
		// The check is not vacuous: the log and the data did see the jobs.
		expect(executionText).toContain('completed');
	});
});
