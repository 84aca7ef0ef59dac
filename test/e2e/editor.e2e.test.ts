/* eslint-disable @n8n/community-nodes/require-node-api-error -- test code: runs in Node under jest, never inside n8n */
/**
 * The package as a person meets it in the n8n editor, in a real (headless) Chromium: sign in, find
 * "Perceptis" in the node panel, add it, see its operations, connect a credential from the node and
 * read what the credential test says for a Business key and (2.x) for a Starter key.
 *
 * Needs: scripts/n8n/install.sh <version>, `npm run build`, and Debian's chromium
 * (apt-get update && apt-get install -y chromium). N8N_E2E_VERSION picks n8n (default 2.41.1).
 * Screenshots go to a temporary folder (printed); UPDATE_SCREENSHOTS=1 also refreshes .github/screenshots/.
 */
import type { Locator, Page, Response } from 'playwright-core';

import { assertChromiumInstalled, launchBrowser, Screenshots, SIGN_IN, signInThroughForm, type BrowserSession } from './browser';
import {
	acquireE2eLock,
	majorOf,
	N8nClient,
	selectedN8nVersion,
	startN8n,
	startSimulator,
	type N8nInstance,
	type SimulatorProcess,
} from './harness';

const version = selectedN8nVersion();
const major = majorOf(version);

const OPERATIONS = ['Check Status', 'Download', 'Generate', 'Get Status', 'Wait for Completion'];
/** The node creator lists each operation by its `action` text. */
const ACTIONS = [
	'Check a job and route it by status',
	'Download the files of a job',
	'Generate a slide or deck',
	'Get the status of a job',
	'Wait for a job to complete',
];
const PLAN_MESSAGE = 'plan does not include API access (HTTP 403)';
const PLAN_HINT_START = 'Only paid Business and Enterprise plans';

/** Selectors that hold on 2.41 and 1.123 (data-test-id where n8n has one). */
const sel = {
	canvas: '[data-test-id="canvas"]',
	openNodeCreator: '[data-test-id="node-creator-plus-button"]',
	nodeCreator: '[data-test-id="node-creator"]',
	// 2.41 and 1.123 put the id on the <input> itself; older editors on a wrapper around it.
	nodeCreatorSearch: 'input[data-test-id="node-creator-search-bar"], [data-test-id="node-creator-search-bar"] input',
	nodeCreatorItem: '[data-test-id="node-creator-item-name"]',
	canvasNode: '[data-test-id="canvas-node"]',
	ndv: '[data-test-id="ndv"]',
	operationSelect: '[data-test-id="parameter-input-operation"]',
	optionItem: '[data-test-id="parameter-input-item"]',
	// 2.x shows a "Connect to Perceptis" button while the node has no credential; 1.x a select.
	credentialEmptyState: '[data-test-id="node-credentials-empty-state"]',
	credentialSelect: '[data-test-id="node-credentials-select"]',
	credentialSelectNew: '[data-test-id="node-credentials-select-item-new"]',
	credentialEditButton: '[data-test-id="credential-edit-button"]',
	credentialModal: '[data-test-id="editCredential-modal"]',
	apiKeyInput: '[data-test-id="parameter-input-apiKey"] input',
	baseUrlInput: '[data-test-id="parameter-input-baseUrl"] input',
	credentialSave: '[data-test-id="credential-save-button"]',
	credentialTestSuccess: '[data-test-id="credentials-config-container-test-success"]',
	credentialConfig: '[data-test-id="node-credentials-config-container"]',
	modalClose: 'button[aria-label="Close this dialog"]',
	// Element Plus notifications ("Credential successfully created…"); no data-test-id on either version.
	toastClose: '.el-notification .el-notification__closeBtn',
} as const;

describe(`the Perceptis node in the n8n ${version} editor (Chromium)`, () => {
	let release: () => void = () => undefined;
	let n8n: N8nInstance | undefined;
	let sim: SimulatorProcess | undefined;
	let browser: BrowserSession | undefined;
	let page: Page;
	const shots = new Screenshots();
	const timings: string[] = [];

	/** Runs one step of the walk-through; on failure a screenshot is taken and named in the error. */
	async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
		const started = Date.now();
		try {
			const result = await action();
			timings.push(`${name}: ${Date.now() - started} ms`);
			return result;
		} catch (error) {
			const file = await shots.take(page, `FAILED-${name}`).catch(() => '(no screenshot)');
			(error as Error).message = `[${name}] ${(error as Error).message}\nScreenshot: ${file}`;
			throw error;
		}
	}

	/** The first of the locators that becomes visible (for elements that differ between versions). */
	async function firstVisible(locators: Locator[], timeout = 30_000): Promise<Locator> {
		const deadline = Date.now() + timeout;
		for (;;) {
			for (const locator of locators) if (await locator.isVisible()) return locator;
			if (Date.now() > deadline) throw new Error(`none of ${locators.map(String).join(', ')} became visible`);
			await page.waitForTimeout(200);
		}
	}

	/**
	 * Closes the toasts: every save stacks a "Credential successfully created" toast in the corner, which
	 * beside the plan error would make the screenshot say two things at once.
	 */
	async function dismissToasts(): Promise<void> {
		const close = page.locator(`${sel.toastClose}:visible`);
		const deadline = Date.now() + 15_000;
		while ((await close.count()) > 0 && Date.now() < deadline) {
			// A toast may also close by itself (timer) while it is being clicked: a short try, then look again.
			await close
				.first()
				.click({ timeout: 2_000 })
				.catch(() => undefined);
		}
		await page.locator('.el-notification:visible').first().waitFor({ state: 'hidden' });
	}

	/** Opens the credential dialog for a new credential from the node's Credential field. */
	async function newCredentialFromNode(): Promise<Locator> {
		const emptyState = page.locator(sel.credentialEmptyState);
		const select = page.locator(sel.credentialSelect);
		const trigger = await firstVisible([emptyState, select]);
		await trigger.click();
		if (trigger === select) await page.locator(sel.credentialSelectNew).click();
		const modal = page.locator(sel.credentialModal);
		await modal.waitFor({ state: 'visible' });
		return modal;
	}

	/** Types a key and the simulator's origin, presses Save (n8n saves, then tests) and returns the test's answer. */
	async function saveCredential(modal: Locator, apiKey: string): Promise<{ status: string; message: string }> {
		await modal.locator(sel.apiKeyInput).fill(apiKey);
		await modal.locator(sel.baseUrlInput).fill(sim!.origin);
		const tested = page.waitForResponse(
			(r: Response) => r.url().includes('/rest/credentials/test') && r.request().method() === 'POST',
			{ timeout: 60_000 },
		);
		await modal.locator(sel.credentialSave).click();
		const body = (await (await tested).json()) as { data: { status: string; message: string } };
		return body.data;
	}

	beforeAll(async () => {
		// Before the lock and n8n: a missing browser should fail in a second, naming the apt command.
		assertChromiumInstalled();
		let mark = Date.now();
		const lap = (what: string) => {
			timings.push(`${what}: ${Date.now() - mark} ms`);
			mark = Date.now();
		};
		release = await acquireE2eLock();
		lap('waiting for the e2e lock');
		sim = await startSimulator({});
		n8n = await startN8n({ version });
		// The owner is set up through REST (first run of the instance); the browser signs in through the form.
		await N8nClient.ready(n8n.baseUrl);
		lap('simulator + n8n start + owner');
		browser = await launchBrowser();
		page = browser.page;
		lap('Chromium start');
	});

	afterAll(async () => {
		const docs = shots.publish(
			// docs/ shows today's editor (2.x, which also has the plan error); a 1.x run leaves it alone.
			major >= 2
				? {
						'node-panel-search': 'node-panel-search.png',
						'node-operations': 'node-operations.png',
						'credential-success': 'credential-success.png',
						'credential-plan-error': 'credential-plan-error.png',
					}
				: {},
		);
		// eslint-disable-next-line no-console
		console.log(
			[
				`n8n ${version} editor walk-through`,
				...timings.map((t) => `  ${t}`),
				`screenshots: ${shots.taken.size ? shots.dir : '(none taken)'}`,
				docs.length ? `updated: ${docs.join(', ')}` : '.github/screenshots untouched (UPDATE_SCREENSHOTS=1 refreshes them on 2.x)',
				browser?.blockedRequests.length ? `blocked non-local requests: ${[...new Set(browser.blockedRequests)].join(', ')}` : 'no non-local requests',
				browser?.pageErrors.length ? `page errors: ${browser.pageErrors.join(' | ')}` : 'no page errors',
			].join('\n'),
		);
		await browser?.close();
		await n8n?.stop();
		await sim?.stop();
		release();
	});

	test('the owner signs in through the form', async () => {
		await step('sign-in', async () => {
			await signInThroughForm(page, n8n!.baseUrl);
			expect(await page.locator(SIGN_IN.password).count()).toBe(0);
		});
	});

	test('the node panel finds "Perceptis" and lists its four actions', async () => {
		await step('node-panel', async () => {
			await page.goto(`${n8n!.baseUrl}/workflow/new`);
			await page.locator(sel.canvas).waitFor({ state: 'visible', timeout: 60_000 });
			// On an empty workflow this opens the trigger list; its search still finds action nodes.
			await page.locator(sel.openNodeCreator).click();
			await page.locator(sel.nodeCreatorSearch).fill('Perceptis');
			const found = page.locator(sel.nodeCreatorItem, { hasText: /^Perceptis$/ });
			await found.waitFor({ state: 'visible' });
			await shots.take(page, 'node-panel-search');

			// A community node opens a details panel (triggers to pair it with, its actions) instead of
			// landing on the canvas straight away.
			await found.click();
			// The details panel slides over the search results; until they are hidden, 2.41 has the
			// description twice (under the result, and in the panel). 1.123 shows it only in the panel.
			await found.waitFor({ state: 'hidden' });
			await page
				.locator(sel.nodeCreator)
				.getByText('Generate PowerPoint slides and decks from a prompt with Perceptis')
				.filter({ visible: true })
				.waitFor({ state: 'visible' });
			const actions = page.locator(sel.nodeCreator).locator(sel.nodeCreatorItem);
			await actions.filter({ hasText: ACTIONS[0] }).waitFor({ state: 'visible' });
			const listed = (await actions.allInnerTexts()).map((t) => t.trim());
			expect(listed).toEqual(expect.arrayContaining(ACTIONS));
			await shots.take(page, 'node-details-actions');
		});
	});

	test('added to the canvas, its Operation field offers the five operations', async () => {
		await step('node-operations', async () => {
			await page.locator(sel.nodeCreatorItem, { hasText: 'Generate a slide or deck' }).click();
			// The node opens in the node view (NDV); n8n also adds a manual trigger before it.
			await page.locator(sel.ndv).waitFor({ state: 'visible' });
			const onCanvas = page.locator(sel.canvasNode).filter({ hasText: 'Perceptis' });
			await onCanvas.waitFor({ state: 'attached' });
			expect(await onCanvas.count()).toBe(1);
			// Its subtitle says the operation in words (and the output type), not the raw value.
			await onCanvas.getByText('Generate slide').waitFor({ state: 'attached' });
			await page.locator(sel.operationSelect).click();
			const options = page.locator(`${sel.optionItem}:visible`);
			await options.filter({ hasText: 'Wait for Completion' }).waitFor({ state: 'visible' });
			// Each option shows its name and then its description; n8n appends "Custom API Call" itself.
			const names = (await options.allInnerTexts()).map((t) => t.split('\n')[0].trim());
			expect(names.slice(0, OPERATIONS.length)).toEqual(OPERATIONS);
			await shots.take(page, 'node-operations');
			// Escape closes the dropdown only (the NDV stays open).
			await page.keyboard.press('Escape');
			await options.filter({ hasText: 'Wait for Completion' }).waitFor({ state: 'hidden' });
			expect(await page.locator(sel.ndv).isVisible()).toBe(true);
		});
	});

	test('Check Status gives the node two outputs on the canvas, Completed and Still Running', async () => {
		await step('check-status-outputs', async () => {
			await page.locator(sel.operationSelect).click();
			await page.locator(`${sel.optionItem}:visible`).filter({ hasText: 'Check Status' }).first().click();
			const onCanvas = page.locator(sel.canvasNode).filter({ hasText: 'Perceptis' });
			await onCanvas.getByText('Check Status').first().waitFor({ state: 'attached' });
			// The outputs follow the operation (an expression on the node's description): their labels
			// are drawn beside the node's output handles on the canvas (behind the open node view).
			await page.getByText('Still Running', { exact: true }).first().waitFor({ state: 'attached' });
			await page.getByText('Completed', { exact: true }).first().waitFor({ state: 'attached' });
			await shots.take(page, 'check-status-outputs');
			// Back to Generate for the tests below (the credential is connected from the node).
			await page.locator(sel.operationSelect).click();
			await page.locator(`${sel.optionItem}:visible`).filter({ hasText: 'Generate' }).first().click();
			await onCanvas.getByText('Generate slide').waitFor({ state: 'attached' });
		});
	});

	test('a credential with a Business key, created from the node, tests successfully', async () => {
		await step('credential-business', async () => {
			const modal = await newCredentialFromNode();
			await expect(modal.innerText()).resolves.toContain('Perceptis API');
			const result = await saveCredential(modal, sim!.keys.business);
			expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });

			if (major >= 2) {
				// 2.x closes a dialog opened from the node as soon as the new credential tests OK; the
				// result is shown when it is opened again (pencil next to the credential).
				await modal.waitFor({ state: 'hidden' });
				await page.locator(sel.credentialEditButton).click();
				await modal.waitFor({ state: 'visible' });
			}
			// "Connection successful!" is the server's message; the dialog words it like this.
			const banner = modal.locator(sel.credentialTestSuccess);
			await banner.waitFor({ state: 'visible' });
			expect(await banner.innerText()).toContain('Connection tested successfully');
			await dismissToasts();
			await shots.take(page, 'credential-success');

			// The test reached the Perceptis simulator with the Business key (a 404 for a made-up job is a pass).
			const probes = (await sim!.requests()).filter((r) => r.path.includes('n8n-credential-test'));
			expect(probes.map((r) => [r.keyPlan, r.status])).toContainEqual(['business', 404]);

			await modal.locator(sel.modalClose).first().click();
			await modal.waitFor({ state: 'hidden' });
		});
	});

	// 1.x's credential test cannot read status codes (it ignores every HTTP error); there the Test
	// tells a Starter key by Perceptis' error code in the body (README, Compatibility). This pins
	// it, so a change in either n8n line shows up here.
	if (major < 2) {
		test("n8n 1.x: the Test button tells a Starter key by Perceptis' error code", async () => {
			await step('credential-starter-1x', async () => {
				const modal = await newCredentialFromNode();
				const result = await saveCredential(modal, sim!.keys.starter);
				expect(result.status).toBe('Error');
				expect(result.message).toContain(PLAN_MESSAGE);
				const probes = (await sim!.requests()).filter((r) => r.path.includes('n8n-credential-test'));
				expect(probes.map((r) => [r.keyPlan, r.status])).toContainEqual(['starter', 403]);
				await modal.locator(sel.modalClose).first().click();
				await modal.waitFor({ state: 'hidden' });
			});
		});
		return;
	}

	test('a Starter key shows the plan message in the dialog', async () => {
		await step('credential-starter', async () => {
			const modal = await newCredentialFromNode();
			const result = await saveCredential(modal, sim!.keys.starter);
			expect(result.status).toBe('Error');
			expect(result.message).toContain(PLAN_MESSAGE);

			// A failed test keeps the dialog open with "Couldn’t connect with these settings"; the
			// server's message sits behind "More details".
			const config = modal.locator(sel.credentialConfig);
			await config.getByText('More details').click();
			await config.getByText(PLAN_MESSAGE).first().waitFor({ state: 'visible' });
			const text = await config.innerText();
			expect(text).toMatch(/Couldn.t connect with these settings/);
			expect(text).toContain(PLAN_HINT_START);
			await dismissToasts();
			await shots.take(page, 'credential-plan-error');

			const probes = (await sim!.requests()).filter((r) => r.path.includes('n8n-credential-test'));
			expect(probes.map((r) => [r.keyPlan, r.status])).toContainEqual(['starter', 403]);
		});
	});
});
