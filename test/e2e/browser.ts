/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs in Node under jest, never inside n8n */
/**
 * Debian's headless Chromium driven by playwright-core (which ships no browser of its own), kept on
 * loopback, plus a screenshot folder for the editor tests.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { OWNER, REPO_ROOT } from './harness';

/** `PERCEPTIS_E2E_CHROMIUM` points at another Chromium build; the default is Debian's package. */
export const CHROMIUM_PATH = process.env.PERCEPTIS_E2E_CHROMIUM || '/usr/bin/chromium';

/** The flags that work on this machine kind (shared/n8n-e2e.md) and keep the browser off the network. */
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
	// Any name other than the loopback address resolves to nothing, whoever asks (page, service
	// worker, the browser itself).
	'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

export interface BrowserSession {
	context: BrowserContext;
	page: Page;
	/** Requests to any host but 127.0.0.1 / localhost that were aborted (e.g. "GET https://…"). */
	blockedRequests: string[];
	/** Uncaught errors of the page (reported, not failed on: they are n8n's). */
	pageErrors: string[];
	close(): Promise<void>;
}

/** Throws a message that names the install command: the tests never install anything themselves. */
export function assertChromiumInstalled(): void {
	if (!fs.existsSync(CHROMIUM_PATH)) {
		throw new Error(
			`Chromium is not installed (${CHROMIUM_PATH} is missing).\n` +
				'Run: apt-get update && apt-get install -y chromium   (or set PERCEPTIS_E2E_CHROMIUM to a Chromium binary)',
		);
	}
}

/** A fresh profile (temporary user-data dir, removed on close) with one page of the given size. */
export async function launchBrowser(
	options: { viewport?: { width: number; height: number }; timeoutMs?: number } = {},
): Promise<BrowserSession> {
	assertChromiumInstalled();
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM_PATH,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: options.viewport ?? { width: 1440, height: 900 },
		deviceScaleFactor: 1,
		locale: 'en-US',
		timezoneId: 'UTC',
	});
	// The n8n editor is slow to render on two cores: be generous rather than flaky.
	context.setDefaultTimeout(options.timeoutMs ?? 30_000);
	context.setDefaultNavigationTimeout(options.timeoutMs ?? 60_000);

	// Only 127.0.0.1 may be contacted. The editor does reach out (seen: 2.41 and 1.123 ask
	// registry.npmjs.org about the community package in the node details panel; 1.123 fetches
	// api.n8n.io/api/banners); those requests are aborted and listed for the test's summary.
	const blockedRequests: string[] = [];
	await context.route('**/*', async (route) => {
		const url = new URL(route.request().url());
		const local = ['127.0.0.1', 'localhost'].includes(url.hostname) || ['data:', 'blob:'].includes(url.protocol);
		if (local) await route.continue();
		else {
			blockedRequests.push(`${route.request().method()} ${url.origin}${url.pathname}`);
			await route.abort('blockedbyclient');
		}
	});

	// A run that ends without afterAll (an interrupted jest) still removes the profile.
	const removeProfile = () => fs.rmSync(userDataDir, { recursive: true, force: true });
	process.once('exit', removeProfile);

	const page = context.pages()[0] ?? (await context.newPage());
	const pageErrors: string[] = [];
	page.on('pageerror', (error) => pageErrors.push(error.message));

	return {
		context,
		page,
		blockedRequests,
		pageErrors,
		async close() {
			await context.close().catch(() => undefined);
			removeProfile();
			process.off('exit', removeProfile);
		},
	};
}

/** The parts of the browser's window that settle() uses. */
interface BrowserGlobals {
	requestAnimationFrame(callback: () => void): number;
	document: {
		getAnimations(): Array<{
			playState: string;
			finished: Promise<unknown>;
			effect: { getTiming(): { iterations?: number } } | null;
		}>;
	};
}

/** n8n's sign-in form, the same on 2.41 and 1.123. */
export const SIGN_IN = {
	email: 'input[name="emailOrLdapLoginId"]',
	password: 'input[name="password"]',
	submit: '[data-test-id="form-submit-button"]',
};

/** Signs the owner in through the form, as a person would; resolves once the form is left. */
export async function signInThroughForm(page: Page, baseUrl: string, owner = OWNER): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.locator(SIGN_IN.email).fill(owner.email);
	await page.locator(SIGN_IN.password).fill(owner.password);
	await page.locator(SIGN_IN.submit).click();
	// 2.41 lands on /home/workflows (or /assistant), 1.123 on /home/workflows: only "not the form" is common.
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 60_000 });
}

/**
 * Waits until no finite CSS animation or transition runs for a few frames. n8n slides panels in and
 * fades dialogs and dropdowns; an element is "visible" to playwright long before it has arrived, and
 * a screenshot taken then shows it half-transparent or half off-screen. Vue starts a transition a
 * frame after inserting the element, hence several quiet frames rather than one check.
 */
export async function settle(page: Page, timeoutMs = 5_000): Promise<void> {
	await page.evaluate(async (timeout) => {
		// Runs in the page; the package's tsconfig has no DOM typings, so the two browser APIs used are typed here.
		const browserWindow = globalThis as unknown as BrowserGlobals;
		const frame = async () =>
			await new Promise<void>((resolve) => browserWindow.requestAnimationFrame(() => resolve()));
		const deadline = Date.now() + timeout;
		let quietFrames = 0;
		while (quietFrames < 3 && Date.now() < deadline) {
			await frame();
			const running = browserWindow.document
				.getAnimations()
				.filter((a) => a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity);
			if (running.length === 0) quietFrames++;
			else {
				quietFrames = 0;
				await Promise.race([
					Promise.all(running.map(async (a) => await a.finished.catch(() => undefined))),
					new Promise((resolve) => setTimeout(resolve, 500)),
				]);
			}
		}
	}, timeoutMs);
}

/**
 * Screenshots of one run go to a temporary folder. `publish()` copies chosen ones into
 * .github/screenshots/ — only when UPDATE_SCREENSHOTS=1, so a plain test run never touches the repository.
 * (A dot folder: `n8n-node build` copies every .png outside dot folders into dist/.)
 */
export class Screenshots {
	readonly taken = new Map<string, string>();
	private counter = 0;
	private folder?: string;

	/** The run's folder, made on first use (a run that fails before its first screenshot leaves nothing behind). */
	get dir(): string {
		this.folder ??= fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-editor-shots-'));
		return this.folder;
	}

	/** Waits until the page's animations are over (see settle()), then takes a full-window screenshot. */
	async take(page: Page, name: string): Promise<string> {
		const file = path.join(this.dir, `${String(++this.counter).padStart(2, '0')}-${name}.png`);
		await settle(page);
		// Anything still moving is shown in its end state.
		await page.screenshot({ path: file, animations: 'disabled' });
		this.taken.set(name, file);
		return file;
	}

	/** Copies `{shotName: 'docs file name'}`; returns the files written (none unless UPDATE_SCREENSHOTS=1). */
	publish(selection: Record<string, string>): string[] {
		if (process.env.UPDATE_SCREENSHOTS !== '1') return [];
		const target = path.join(REPO_ROOT, '.github', 'screenshots');
		fs.mkdirSync(target, { recursive: true });
		const written: string[] = [];
		for (const [shot, fileName] of Object.entries(selection)) {
			const source = this.taken.get(shot);
			if (!source) continue;
			const destination = path.join(target, fileName);
			fs.copyFileSync(source, destination);
			written.push(path.relative(REPO_ROOT, destination));
		}
		return written;
	}
}
