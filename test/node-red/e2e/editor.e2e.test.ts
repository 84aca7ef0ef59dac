/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- test code: runs in Node under jest, never inside n8n */
/**
 * The package as a person meets it in the Node-RED editor (NODE_RED_E2E_VERSION, default 5.0.7;
 * 4.1.15 too), in a real headless Chromium, against a real Node-RED that installed the packed
 * package from the local verdaccio through its palette manager (perceptisStack.ts), with the
 * Perceptis simulator as the API:
 *
 * - sign in through the login dialog; the palette lists `perceptis` (category AI), its tooltip is the
 *   help's first paragraph;
 * - drag it onto the workspace, open it, add a new Perceptis server from its Server field: the config
 *   node is never deployed, so the Test button must send what was typed. A Starter key shows the plan
 *   message (HTTP 403, Business and Enterprise), a revoked key the 401 message, a Business key
 *   success; the key never comes back (answer, page), no job is started;
 * - the Help tab shows the node's help: Inputs, Outputs, Details, References.
 *
 * Screenshots go to a temporary folder (printed); UPDATE_SCREENSHOTS=1 on 5.x also refreshes
 * .github/screenshots/node-red/, which node-red/README.md shows (a dot folder: `n8n-node build` copies
 * every other .png of the repository into the n8n package's dist/).
 *
 * Needs: scripts/node-red/install.sh <version>, scripts/registry/install.sh, node-red/node_modules
 * (npm ci in node-red/) and Debian's chromium.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Page, Response } from 'playwright-core';

import { assertChromiumInstalled, launchBrowser, Screenshots, settle, type BrowserSession } from '../../e2e/browser';
import { REPO_ROOT } from '../../e2e/harness/install';
import { selectedNodeRedVersion } from './harness';
import {
	BAD_LOG,
	expectNoKey,
	generateRequests,
	MODULE,
	PACKAGE_DIR,
	report,
	simJobs,
	startPerceptisNodeRed,
	type PerceptisNodeRed,
} from './perceptisStack';

const version = selectedNodeRedVersion();
const major = Number(version.split('.')[0]);

/** The id the core's key check asks about (core/wire/keyCheck.ts): a job that cannot exist. */
const KEY_CHECK_PATH = 'perceptis-key-check-no-such-job';
/** The first paragraph of the node's help: also the palette's tooltip. */
const HELP_FIRST_WORDS = 'Makes PowerPoint slides and decks from a prompt with Perceptis';

/** Selectors that hold on 5.0.7 and 4.1.15. */
const sel = {
	loginUser: '#node-dialog-login-username',
	loginPassword: '#node-dialog-login-password',
	loginSubmit: '#node-dialog-login-submit',
	paletteFilter: '#red-ui-palette-search input',
	paletteNode: '.red-ui-palette-node[data-palette-type="perceptis"]',
	popover: '.red-ui-popover',
	workspace: '#red-ui-workspace-chart',
	flowNode: '#red-ui-workspace-chart g.red-ui-flow-node-group',
	tray: '.red-ui-tray',
	trayTitle: '.red-ui-tray-titlebar',
	serverSelect: '#node-input-server',
	// Both lines draw a pencil and a "+" beside a config node field (editor.js prepareConfigNodeSelect).
	addServer: '#node-input-btn-server-add',
	configBaseUrl: '#node-config-input-baseUrl',
	configApiKey: '#node-config-input-apiKey',
	testButton: '#node-config-perceptis-test',
	testResult: '#node-config-perceptis-test-result',
	configCancel: '#node-config-dialog-cancel',
	nodeCancel: '#node-dialog-cancel',
	// 5.x: a row of icon buttons under the sidebars; 4.x: tabs above the sidebar, shown as icon
	// buttons when the sidebar is too narrow for their names.
	helpTab: 'button[data-tab-id="help"], #red-ui-tab-help > a, a.red-ui-tab-link-button[href="#help"]',
	help: '.red-ui-sidebar-help-stack .red-ui-help',
} as const;

/** The pid file of the e2e lock (test/e2e/harness/lock.ts), written when the lock is taken. */
const LOCK_PID = path.join(os.tmpdir(), 'perceptis-n8n-e2e.lock', 'pid');

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * The message properties the help of node-red/src/perceptis.html lists (`: name (type) : description`
 * under ### Inputs and ### Outputs), each description as the reader should see it: inline code
 * without its backticks.
 */
function helpProperties(): Record<'Inputs' | 'Outputs', Array<{ name: string; type: string; description: string }>> {
	const html = fs.readFileSync(path.join(PACKAGE_DIR, 'src', 'perceptis.html'), 'utf8');
	const markdown = /<script type="text\/markdown" data-help-name="perceptis">([\s\S]*?)<\/script>/.exec(html)?.[1];
	if (!markdown) throw new Error('node-red/src/perceptis.html has no help for perceptis');
	const sections: ReturnType<typeof helpProperties> = { Inputs: [], Outputs: [] };
	let current = '';
	for (const line of markdown.split('\n')) {
		const header = /^### (.+)$/.exec(line);
		if (header) current = header[1].trim();
		const property = /^: (.+?) \((.+?)\) : (.+)$/.exec(line);
		if (property && (current === 'Inputs' || current === 'Outputs')) {
			sections[current].push({ name: property[1], type: property[2], description: property[3].replace(/`/g, '') });
		}
	}
	return sections;
}

interface KeyTestAnswer {
	ok: boolean;
	message: string;
	description?: string;
	code?: string;
	httpCode?: number;
}

describe(`node-red-contrib-perceptis in the Node-RED ${version} editor (Chromium)`, () => {
	let stack: PerceptisNodeRed | undefined;
	let browser: BrowserSession | undefined;
	let page: Page;
	const shots = new Screenshots();
	const timings: string[] = [];
	/** Every Test answer's body as the browser got it, for the key check at the end. */
	const answers: string[] = [];
	let failedStep: string | undefined;

	/** Runs one step; on failure a screenshot is taken and named in the error. */
	async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
		const started = Date.now();
		try {
			const result = await action();
			timings.push(`${name}: ${Date.now() - started} ms`);
			return result;
		} catch (error) {
			failedStep = name;
			const file = page ? await shots.take(page, `FAILED-${name}`).catch(() => '(no screenshot)') : '(no page)';
			(error as Error).message = `[${name}] ${(error as Error).message}\nScreenshot: ${file}`;
			throw error;
		}
	}

	/** The config node's dialog (the tray on top): the one with the Test button. */
	const configTray = () => page.locator(sel.tray).filter({ has: page.locator(sel.testButton) });

	/**
	 * Types a key and the simulator's origin into the config dialog, presses Test, and returns what
	 * the admin route answered, what the browser sent, and what the dialog then shows.
	 */
	async function pressTest(apiKey: string): Promise<{ answer: KeyTestAnswer; sent: Record<string, unknown>; shown: string; outcome: string }> {
		const tray = configTray();
		await tray.locator(sel.configBaseUrl).fill(stack!.sim.origin);
		await tray.locator(sel.configApiKey).fill(apiKey);
		const tested = page.waitForResponse((r: Response) => r.url().endsWith('/perceptis/test-key') && r.request().method() === 'POST');
		await tray.locator(sel.testButton).click();
		const response = await tested;
		const body = await response.text();
		answers.push(body);
		expect(response.status()).toBe(200);
		// The dialog's handler adds perceptis-ok or perceptis-failed once the answer is in (the click removed both).
		const result = tray.locator(`${sel.testResult}.perceptis-ok, ${sel.testResult}.perceptis-failed`);
		await result.waitFor({ state: 'visible' });
		const className = (await result.getAttribute('class')) ?? '';
		return {
			answer: JSON.parse(body) as KeyTestAnswer,
			sent: response.request().postDataJSON() as Record<string, unknown>,
			shown: (await result.innerText()).trim(),
			outcome: className.includes('perceptis-ok') ? 'ok' : 'failed',
		};
	}

	/** The dialog shows the message, then the remedy, as sentences (no "API.. Only"). */
	function expectOneSentenceAfterAnother(shown: string, answer: KeyTestAnswer): void {
		expect(answer.description).toBeTruthy();
		expect(shown.startsWith(answer.message)).toBe(true);
		expect(shown.endsWith(answer.description!)).toBe(true);
		expect(shown).not.toMatch(/\.\.|\.\s*\./);
	}

	/** The simulator's answers to the key check, in order: [plan of the key, HTTP status]. */
	async function keyChecks(): Promise<Array<[string | null | undefined, number]>> {
		const requests = await stack!.sim.requests();
		return requests.filter((r) => r.server === 'api' && r.path.includes(KEY_CHECK_PATH)).map((r) => [r.keyPlan, r.status]);
	}

	/** Fails when one of the simulator's keys is in the page: its text, or its HTML (attributes included). */
	async function expectNoKeyInPage(where: string): Promise<void> {
		expectNoKey(stack!.sim, {
			[`the page text (${where})`]: await page.locator('body').innerText(),
			[`the page HTML (${where})`]: await page.content(),
		});
	}

	beforeAll(async () => {
		// Before the lock and the build: a missing browser should fail in a second, naming the apt command.
		assertChromiumInstalled();
		let mark = Date.now();
		const lap = (what: string) => {
			timings.push(`${what}: ${Math.round(Date.now() - mark)} ms`);
			mark = Date.now();
		};
		stack = await startPerceptisNodeRed();
		// startPerceptisNodeRed() waits for the e2e lock first: when it got it, its pid file says.
		const locked = fs.statSync(LOCK_PID, { throwIfNoEntry: false })?.mtimeMs;
		if (locked && locked > mark) {
			timings.push(`waiting for the e2e lock: ${Math.round(locked - mark)} ms`);
			mark = locked;
		}
		lap(`build, pack, publish + simulator + Node-RED start + palette install (build ${stack.built.buildMs} ms, install ${stack.installMs} ms, Node-RED start ${stack.nodeRed.startMs} ms)`);
		browser = await launchBrowser();
		page = browser.page;
		lap('Chromium start');
		// Mostly the wait for the e2e lock while other e2e files run (the work itself takes about 30 s).
	}, 45 * 60_000);

	afterAll(async () => {
		let docs: string[] = [];
		// Only from a walk-through that went all the way without a failed step.
		if (major >= 5 && process.env.UPDATE_SCREENSHOTS === '1' && !failedStep && shots.taken.has('help')) {
			// publish() makes .github/screenshots/ only; the Node-RED shots have a folder of their own there.
			fs.mkdirSync(path.join(REPO_ROOT, '.github', 'screenshots', 'node-red'), { recursive: true });
			docs = shots.publish({
				'node-edit': 'node-red/node-edit.png',
				'config-success': 'node-red/config-test-success.png',
				'config-plan-error': 'node-red/config-test-plan-error.png',
				help: 'node-red/help.png',
			});
		}
		report(
			[
				`Node-RED ${version} editor walk-through`,
				...timings.map((t) => `  ${t}`),
				`screenshots: ${shots.taken.size ? shots.dir : '(none taken)'}`,
				docs.length ? `updated: ${docs.join(', ')}` : '.github/screenshots/node-red untouched (UPDATE_SCREENSHOTS=1 refreshes them on 5.x)',
				browser?.blockedRequests.length ? `blocked non-local requests: ${[...new Set(browser.blockedRequests)].join(', ')}` : 'no non-local requests',
				browser?.pageErrors.length ? `page errors: ${browser.pageErrors.join(' | ')}` : 'no page errors',
			].join('\n'),
		);
		await browser?.close();
		await stack?.dispose();
	});

	test('signed in through the login dialog, the palette lists the installed perceptis node under AI, with its help as tooltip', async () => {
		await step('palette', async () => {
			const { nodeRed, installed, built } = stack!;
			expect(installed).toMatchObject({ name: MODULE, version: built.tarball.version });
			await page.goto(nodeRed.baseUrl);
			// adminAuth is on: the editor asks for the login before it loads the nodes.
			await page.locator(sel.loginUser).fill(nodeRed.adminAuth!.username);
			await page.locator(sel.loginPassword).fill(nodeRed.adminAuth!.password);
			await page.locator(sel.loginSubmit).click();
			const paletteNode = page.locator(sel.paletteNode);
			await paletteNode.waitFor({ state: 'visible', timeout: 60_000 });

			// Typed key by key: the filter listens to keyup.
			await page.locator(sel.paletteFilter).pressSequentially('perceptis');
			// The filter leaves only matching nodes; the config node is never in the palette.
			const shown = page.locator('.red-ui-palette-node:visible');
			await page.locator(`.red-ui-palette-node[data-palette-type="inject"]`).waitFor({ state: 'hidden' });
			const types = await Promise.all((await shown.all()).map(async (node) => await node.getAttribute('data-palette-type')));
			expect(types).toEqual(['perceptis']);
			expect((await paletteNode.innerText()).trim()).toBe('perceptis');
			const category = page.locator('.red-ui-palette-category').filter({ has: paletteNode });
			expect((await category.locator('.red-ui-palette-header').innerText()).trim()).toMatch(/^ai$/i);

			// Hovering shows the help's first paragraph (the palette's tooltip).
			await paletteNode.hover();
			const tooltip = page.locator(sel.popover).filter({ hasText: HELP_FIRST_WORDS });
			await tooltip.waitFor({ state: 'visible' });
			expect(await tooltip.innerText()).toContain('perceptis');
			await page.mouse.move(700, 600);
			await tooltip.waitFor({ state: 'hidden' });
		});
	});

	test('dragged onto the workspace and opened, the node offers to add a Perceptis server', async () => {
		await step('node-edit', async () => {
			await page.locator(sel.paletteNode).dragTo(page.locator(sel.workspace), { targetPosition: { x: 320, y: 220 } });
			const onCanvas = page.locator(sel.flowNode);
			await onCanvas.first().waitFor({ state: 'visible' });
			expect(await onCanvas.count()).toBe(1);
			// Its label says the operation (label(): name, else "perceptis <operation>").
			// SVG: its lines are <text> elements (no innerText).
			expect((await onCanvas.locator('.red-ui-flow-node-label-text').allTextContents()).join(' ').trim()).toBe('perceptis generate');
			await onCanvas.locator('rect.red-ui-flow-node').dblclick();
			const tray = page.locator(sel.tray).filter({ has: page.locator(sel.serverSelect) });
			await tray.waitFor({ state: 'visible' });
			expect((await tray.locator(sel.trayTitle).innerText()).trim()).toBe('Edit perceptis node');
			// No server exists yet: the field offers to add one.
			expect((await tray.locator(`${sel.serverSelect} option:checked`).innerText()).trim()).toBe('Add new perceptis-config...');
			await tray.getByText('Prompt', { exact: true }).waitFor({ state: 'visible' });
			await shots.take(page, 'node-edit');
		});
	});

	test('Test in a server dialog never deployed: a Starter key shows the plan message (HTTP 403, Business and Enterprise)', async () => {
		await step('config-plan-error', async () => {
			await page.locator(sel.addServer).click();
			const tray = configTray();
			await tray.waitFor({ state: 'visible' });
			// The title bar is a breadcrumb: "Edit perceptis node › Add new perceptis-config config node".
			expect((await tray.locator(sel.trayTitle).innerText()).trim()).toMatch(/Add new perceptis-config config node$/);
			const { sim, client } = stack!;
			// Never deployed: the runtime has no such node, hence no stored key to fall back on.
			expect((await client.getFlows()).filter((n) => n.type === 'perceptis-config')).toEqual([]);

			const { answer, sent, shown, outcome } = await pressTest(sim.keys.starter);
			// What was typed is what was tested: the new node's id, which the runtime does not know.
			expect(sent).toMatchObject({ baseUrl: sim.origin, apiKey: sim.keys.starter, apiKeyEnv: '' });
			expect(typeof sent.id).toBe('string');
			expect(answer).toMatchObject({ ok: false, code: 'forbidden', httpCode: 403 });
			expect(outcome).toBe('failed');
			expect(shown).toContain("Your Perceptis organisation's plan does not include API access (HTTP 403)");
			expect(shown).toMatch(/Business/);
			expect(shown).toMatch(/Enterprise/);
			expectOneSentenceAfterAnother(shown, answer);
			expect(await keyChecks()).toEqual([['starter', 403]]);
			await expectNoKeyInPage('after the Starter test');
			await shots.take(page, 'config-plan-error');
		});
	});

	test('a revoked key shows the invalid-or-revoked message (HTTP 401)', async () => {
		await step('config-revoked', async () => {
			const { sim } = stack!;
			const { answer, shown, outcome } = await pressTest(sim.keys.revoked);
			expect(answer).toMatchObject({ ok: false, code: 'unauthorized', httpCode: 401 });
			expect(outcome).toBe('failed');
			expect(shown).toContain('The Perceptis API key is invalid or revoked (HTTP 401)');
			expect(shown).not.toMatch(/Enterprise/);
			expectOneSentenceAfterAnother(shown, answer);
			expect(await keyChecks()).toEqual([['starter', 403], ['revoked', 401]]);
			await expectNoKeyInPage('after the revoked test');
		});
	});

	test('a Business key shows success; no job was started, no key came back', async () => {
		await step('config-success', async () => {
			const { sim, nodeRed, client } = stack!;
			const { answer, shown, outcome } = await pressTest(sim.keys.business);
			expect(answer).toEqual({ ok: true, message: expect.stringContaining('The key works') });
			expect(outcome).toBe('ok');
			expect(shown).toBe(`The key works: Perceptis at ${sim.origin} accepted it, and its plan includes API access. The test asked about a job that does not exist, so it spent no credits.`);
			await shots.take(page, 'config-success');

			// The key check's answer, a 404 for the job that cannot exist, is the success; nothing else was asked.
			expect(await keyChecks()).toEqual([['starter', 403], ['revoked', 401], ['business', 404]]);
			expect(await simJobs(sim)).toEqual([]);
			expect(await generateRequests(sim)).toEqual([]);
			// The key went to the admin route (typed in the dialog) and never came back, nor into the log.
			expect(answers).toHaveLength(3);
			expectNoKey(sim, Object.fromEntries(answers.map((body, index) => [`Test answer ${index + 1}`, body])));
			expectNoKey(sim, { 'the Node-RED log': nodeRed.readLog() });
			await expectNoKeyInPage('after the Business test');
			// Still nothing deployed: the dialog tested what it held.
			expect((await client.getFlows()).filter((n) => n.type === 'perceptis-config')).toEqual([]);
		});
	});

	test("the Help tab shows the node's help: Inputs, Outputs, Details", async () => {
		await step('help', async () => {
			// Leave both dialogs (the node stays on the workspace, unsaved server and all).
			await configTray().locator(sel.configCancel).click();
			await configTray().waitFor({ state: 'detached' });
			await page.locator(sel.nodeCancel).click();
			await page.locator(sel.tray).first().waitFor({ state: 'detached' });

			await page.locator(sel.helpTab).filter({ visible: true }).first().click();
			await page.locator(sel.flowNode).locator('rect.red-ui-flow-node').click();
			// The outer of two nested .red-ui-help: the title (the node type), then the help itself.
			const help = page.locator(sel.help).filter({ hasText: HELP_FIRST_WORDS }).first();
			await help.waitFor({ state: 'visible' });
			expect((await help.innerText()).trim()).toMatch(new RegExp(`^perceptis\\s+${HELP_FIRST_WORDS}`));
			const sections = (await help.locator('h3').allInnerTexts()).map((t) => t.trim());
			expect(sections).toEqual(['Inputs', 'Outputs', 'Details', 'References']);
			// Inputs and Outputs are Node-RED's message-property lists, each property with its whole
			// description as written in the help (Node-RED's markup cuts a description at a colon).
			const written = helpProperties();
			expect(written.Outputs.map((property) => property.name)).toEqual(['payload', 'filename', 'parts', 'perceptis']);
			const everyProperty = [...written.Inputs, ...written.Outputs];
			expect((await help.locator('dd').allTextContents()).map(squash)).toEqual(everyProperty.map((property) => squash(property.description)));
			const lists = help.locator('dl.message-properties');
			expect(await lists.count()).toBe(2);
			for (const [index, section] of (['Inputs', 'Outputs'] as const).entries()) {
				const list = lists.nth(index);
				const shown = { names: await list.locator('dt').allTextContents(), descriptions: await list.locator('dd').allTextContents() };
				expect({ section, names: shown.names, descriptions: shown.descriptions.map(squash) }).toEqual({
					section,
					// <dt>name<span class="property-type">type</span></dt>
					names: written[section].map((property) => `${property.name}${property.type}`),
					descriptions: written[section].map((property) => squash(property.description)),
				});
			}
			expect(await help.innerText()).toContain('Deploys and restarts lose no job.');
			// Hide the topics list above the help, and on 5.x the Debug panel under it, so the
			// screenshot shows more of the help (4.x shows one sidebar tab at a time).
			await page.locator('#red-ui-sidebar-help-show-toc').click();
			const debugPanel = page.locator('button[data-tab-id="debug"].selected');
			if (major >= 5 && (await debugPanel.count()) > 0) await debugPanel.click();
			await page.mouse.move(700, 600);
			await page.locator(`${sel.popover}:visible`).first().waitFor({ state: 'hidden' });
			await settle(page);
			await shots.take(page, 'help');
		});
	});

	test('the editor reached nothing but 127.0.0.1 (Node-RED\'s own palette catalogue aside), and Node-RED logged no crash', () => {
		// Node-RED's palette manager (4.x and 5.x) asks catalogue.nodered.org for its list at load; the browser
		// aborts it (test/e2e/browser.ts). Anything else would be ours.
		expect(browser!.blockedRequests.filter((request) => !request.startsWith('GET https://catalogue.nodered.org/'))).toEqual([]);
		expect(stack!.nodeRed.readLog()).not.toMatch(BAD_LOG);
		expect(stack!.nodeRed.isRunning()).toBe(true);
	});
});

