/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs in Node under jest, never inside n8n */
/**
 * The package installed the way users install it: n8n downloads the published tarball from a
 * registry and installs it itself. The packed tarball (`npm pack` of the built package) is published
 * to a verdaccio on 127.0.0.1; n8n is started without the package and with
 * N8N_COMMUNITY_PACKAGES_REGISTRY pointing there; the package goes in through n8n's
 * community-packages endpoint (what Settings → Community Nodes calls), runs a deck against the
 * simulator, is offered and updated to a patch bump of the same tarball, is uninstalled, and is
 * installed once more through the Settings page in Chromium.
 *
 * A registry other than registry.npmjs.org is an Enterprise-licensed feature of n8n
 * (feat:communityNodes:customRegistry; without it the install answers "feature not licensed"). n8n
 * runs here in its own end-to-end test mode (E2E_TESTS=true), whose /rest/e2e/feature endpoint
 * switches that one license feature on, as n8n's own test suites do.
 *
 * Needs: scripts/n8n/install.sh <version>, `npm run build` (the tarball is what `npm pack` makes of
 * dist/), and Debian's chromium for the Settings page. N8N_E2E_VERSION picks n8n (default 2.41.1).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { assertChromiumInstalled, launchBrowser, signInThroughForm, type BrowserSession } from './browser';
import {
	acquireE2eLock,
	chain,
	FAST_SIMULATOR,
	N8nClient,
	PACKAGE_NAME,
	packPackage,
	patchBump,
	perceptis,
	PERCEPTIS_CREDENTIAL_TYPE,
	PERCEPTIS_NODE_TYPE,
	pptxResponse,
	REPO_ROOT,
	respondBinary,
	retagTarball,
	selectedN8nVersion,
	startN8n,
	startRegistry,
	startSimulator,
	uniquePath,
	webhookTrigger,
	type CredentialRef,
	type N8nInstance,
	type NpmRegistry,
	type PackedTarball,
	type SimulatorProcess,
	type WorkflowDefinition,
} from './harness';

const version = selectedN8nVersion();

/** What GET /rest/community-packages lists (and POST/PATCH return) per package. */
interface InstalledPackage {
	packageName: string;
	installedVersion: string;
	updateAvailable?: string;
	failedLoading?: boolean;
	installedNodes: Array<{ name: string; type: string; latestVersion: number | string }>;
}

/** POST /rest/node-types answers with the node's own description, whose name has no package prefix. */
const NODE_DESCRIPTION_NAME = 'perceptis';

const sel = {
	packageNameInput: 'input[data-test-id="package-name-input"], [data-test-id="package-name-input"] input',
	agreementCheckbox: '[data-test-id="user-agreement-checkbox"]',
	installButton: '[data-test-id="install-community-package-button"]',
	packageCard: '[data-test-id="community-package-card"]',
} as const;

describe(`n8n ${version} installs ${PACKAGE_NAME} from a registry on 127.0.0.1`, () => {
	let release: () => void = () => undefined;
	let registry: NpmRegistry | undefined;
	let n8n: N8nInstance | undefined;
	let sim: SimulatorProcess | undefined;
	let client: N8nClient;
	let tarball: PackedTarball;
	let bumped: PackedTarball;
	let tarballDir: string | undefined;
	let userFolder: string | undefined;
	let credential: CredentialRef;
	let deckPath: string;
	let deckWorkflowId: string;
	const suiteStarted = Date.now();
	const durations: string[] = [];
	let lockWaitMs = 0;
	const observed: string[] = [];

	async function timed<T>(what: string, action: () => Promise<T>): Promise<T> {
		const started = Date.now();
		try {
			return await action();
		} finally {
			durations.push(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
		}
	}

	const listPackages = async () => await client.rest<InstalledPackage[]>('GET', '/community-packages');

	/** Runs the deck workflow through its webhook; returns the slide count of the .pptx it answers with. */
	async function runDeck(): Promise<number> {
		const response = await client.runWebhook(
			deckPath,
			{ prompt: 'Installed from the registry [sim:slides=3]' },
			{ responseType: 'arraybuffer' },
		);
		return pptxResponse(response).slides;
	}

	/** The node's description as n8n serves it to the editor, or the HTTP status when n8n has no such type. */
	async function nodeTypeDescription(): Promise<{ status: number; name?: string; version?: unknown }> {
		const response = await client.restRaw('POST', '/node-types', { nodeInfos: [{ name: PERCEPTIS_NODE_TYPE, version: 1 }] });
		const first = (response.data as { data?: Array<{ name?: string; version?: unknown } | null> })?.data?.[0];
		return { status: response.status, name: first?.name, version: first?.version };
	}

	/** Saves a workflow and activates it the way the editor does (REST, session cookie). */
	async function deployViaRest(workflow: WorkflowDefinition): Promise<string> {
		const created = await client.rest<{ id: string; versionId: string }>('POST', '/workflows', { ...workflow, active: false });
		const activated = await activate(String(created.id));
		if (activated.status !== 200) throw new Error(`activation failed: ${activated.status} ${JSON.stringify(activated.data)}`);
		return String(created.id);
	}

	async function activate(workflowId: string) {
		const { versionId } = await client.rest<{ versionId: string }>('GET', `/workflows/${workflowId}`);
		return await client.restRaw('POST', `/workflows/${workflowId}/activate`, { versionId });
	}

	const installedDir = () => path.join(n8n!.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);

	beforeAll(async () => {
		assertChromiumInstalled();
		tarballDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-tarballs-'));
		registry = await timed('registry start (verdaccio)', async () => await startRegistry());
		tarball = await timed('npm pack', async () => await packPackage(tarballDir!, registry!.npmEnv));
		bumped = await retagTarball(tarball.file, patchBump(tarball.version), tarballDir);
		const published = await timed('npm publish', async () => await registry!.publish(tarball.file));
		expect(published).toContain(`${PACKAGE_NAME}@${tarball.version}`);

		const lockStarted = Date.now();
		release = await acquireE2eLock();
		lockWaitMs = Date.now() - lockStarted;
		durations.push(`waiting for the e2e lock: ${(lockWaitMs / 1000).toFixed(1)} s`);
		await timed('simulator + n8n start (no package) + owner', async () => {
			sim = await startSimulator(FAST_SIMULATOR);
			// n8n runs `npm pack` and `npm install` with --registry, but its update check (`npm outdated`
			// in ~/.n8n/nodes) without: npm's config must name the registry. 1.123 runs that npm with an
			// environment of PATH and NODE_PATH only, so the setting lives where npm reads it whatever the
			// environment: the project config of ~/.n8n/nodes, as an operator would set it up.
			userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'perceptis-n8n-install-'));
			fs.mkdirSync(path.join(userFolder, '.n8n', 'nodes'), { recursive: true });
			fs.writeFileSync(
				path.join(userFolder, '.n8n', 'nodes', '.npmrc'),
				`registry=${registry!.url}/\ncache=${path.join(registry!.dir, 'n8n-npm-cache')}\nupdate-notifier=false\n`,
			);
			n8n = await startN8n({
				version,
				userFolder,
				loadPackage: false,
				env: {
					E2E_TESTS: 'true',
					N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
					N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
					N8N_COMMUNITY_PACKAGES_REGISTRY: registry!.url,
					// The npm processes that inherit n8n's environment (all on 2.x, `npm pack` on 1.123) read neither the
					// user's ~/.npmrc nor ~/.npm.
					npm_config_userconfig: registry!.userconfig,
					npm_config_cache: path.join(registry!.dir, 'n8n-npm-cache'),
					npm_config_update_notifier: 'false',
				},
			});
			// Signed in, no public API key: n8n's end-to-end test mode turns the public API off on 1.123.
			// Workflows go through REST, as the editor saves and activates them.
			client = new N8nClient(n8n.baseUrl);
			await client.signIn();
		});
		const feature = await client.http.patch('/rest/e2e/feature', { feature: 'feat:communityNodes:customRegistry', enabled: true });
		expect(feature.status).toBe(200);
	});

	afterAll(async () => {
		// eslint-disable-next-line no-console
		console.log(
			[
				`registry install on n8n ${version}: ${((Date.now() - suiteStarted - lockWaitMs) / 1000).toFixed(1)} s ` +
					`(${((Date.now() - suiteStarted) / 1000).toFixed(1)} s with the wait for the e2e lock)`,
				...durations.map((d) => `  ${d}`),
				...observed.map((o) => `  n8n: ${o}`),
			].join('\n'),
		);
		await n8n?.stop();
		await sim?.stop();
		release();
		await registry?.dispose();
		if (tarballDir) fs.rmSync(tarballDir, { recursive: true, force: true });
		if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
	});

	test('the tarball holds the built package only: dist/, package.json, README, LICENSE and the `main` stub', () => {
		const manifest = tarball.manifest;
		expect(manifest.name).toBe(PACKAGE_NAME);
		const repoManifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
		expect(manifest.version).toBe(repoManifest.version);
		const declared = manifest.files as string[];
		expect(declared).toContain('dist');
		// npm adds package.json, README, LICENSE and the `main` file to what `files` names; nothing else.
		const outside = tarball.files.filter((f) => !f.startsWith('dist/') && !declared.includes(f));
		expect(outside.sort()).toEqual(['LICENSE', 'README.md', 'index.js', 'package.json']);
		expect(declared.filter((entry) => entry !== 'dist' && !/^[A-Z]+\.md$/.test(entry))).toEqual([]);
		// No tests, no TypeScript sources (declarations only), no fixtures, no dotfiles.
		expect(tarball.files.filter((f) => /(^|\/)(test|tests|__tests__|fixtures)\//.test(f) || /\.test\.|\.spec\./.test(f))).toEqual([]);
		expect(tarball.files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
		expect(tarball.files.filter((f) => f.split('/').some((part) => part.startsWith('.')))).toEqual([]);
		expect(tarball.files.filter((f) => /\.(js|json|svg|map|ts)$/.test(f) || ['LICENSE', 'README.md'].includes(f))).toEqual(tarball.files);
		// Everything the "n8n" section names is in it.
		const n8nSection = manifest.n8n as { n8nNodesApiVersion: number; strict?: boolean; nodes: string[]; credentials: string[] };
		expect(n8nSection.n8nNodesApiVersion).toBe(1);
		for (const file of [...n8nSection.nodes, ...n8nSection.credentials]) expect(tarball.files).toContain(file);
		expect(manifest.keywords).toContain('n8n-community-node-package');
		// No runtime dependencies: n8n's verification refuses packages with any.
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(manifest.bundleDependencies ?? manifest.bundledDependencies ?? []).toEqual([]);
		expect(manifest.optionalDependencies ?? {}).toEqual({});
		expect(Object.keys((manifest.peerDependencies as Record<string, string>) ?? {})).toEqual(['n8n-workflow']);
		expect(manifest.scripts && Object.keys(manifest.scripts as object).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);
		// The patch bump is the same files under a new version.
		expect(bumped.files).toEqual(tarball.files);
		expect(bumped.version).toBe(patchBump(tarball.version));
	});

	test('POST /rest/community-packages installs the published tarball and the node runs a deck', async () => {
		expect(await listPackages()).toEqual([]);
		expect((await nodeTypeDescription()).name).toBeUndefined();

		const installed = await timed(`install ${tarball.version} (POST /rest/community-packages)`, async () =>
			await client.rest<InstalledPackage>('POST', '/community-packages', { name: PACKAGE_NAME }),
		);
		expect(installed).toMatchObject({ packageName: PACKAGE_NAME, installedVersion: tarball.version });
		expect(installed.installedNodes.map((node) => node.type)).toEqual([PERCEPTIS_NODE_TYPE]);
		observed.push(`install: ${installed.installedVersion}, nodes ${installed.installedNodes.map((n) => `${n.name} (${n.type} v${n.latestVersion})`).join(', ')}`);

		// What n8n put on disk: the tarball's files, the package.json without its dev/peer dependencies,
		// and no node_modules (nothing to install).
		const onDisk = JSON.parse(fs.readFileSync(path.join(installedDir(), 'package.json'), 'utf8')) as Record<string, unknown>;
		expect(onDisk).toMatchObject({ name: PACKAGE_NAME, version: tarball.version });
		expect(onDisk.devDependencies).toBeUndefined();
		expect(onDisk.peerDependencies).toBeUndefined();
		expect(fs.existsSync(path.join(installedDir(), 'node_modules'))).toBe(false);
		expect(fs.existsSync(path.join(installedDir(), 'dist', 'nodes', 'Perceptis', 'Perceptis.node.js'))).toBe(true);
		const nodesManifest = JSON.parse(fs.readFileSync(path.join(n8n!.userFolder, '.n8n', 'nodes', 'package.json'), 'utf8')) as {
			dependencies: Record<string, string>;
		};
		expect(nodesManifest.dependencies).toEqual({ [PACKAGE_NAME]: tarball.version });

		expect(await nodeTypeDescription()).toMatchObject({ status: 200, name: NODE_DESCRIPTION_NAME });
		const [listed] = await listPackages();
		expect(listed).toMatchObject({ packageName: PACKAGE_NAME, installedVersion: tarball.version });
		expect(listed.updateAvailable).toBeUndefined();
		expect(listed.failedLoading).toBeFalsy();

		// The credential type arrived with the package.
		credential = await client.createCredential({
			name: 'Perceptis business',
			type: PERCEPTIS_CREDENTIAL_TYPE,
			data: { apiKey: sim!.keys.business, baseUrl: sim!.origin },
		});
		deckPath = uniquePath('installed-deck');
		deckWorkflowId = await deployViaRest(
			chain('installed from the registry: webhook → perceptis → respond', [
				webhookTrigger(deckPath),
				perceptis(credential, { operation: 'generate', outputType: 'deck', prompt: '={{ $json.body.prompt }}' }),
				respondBinary('data'),
			]),
		);
		expect(await timed('deck run (installed node)', runDeck)).toBe(3);
	});

	test('a patch bump published to the registry is offered (updateAvailable) and PATCH installs it; the node still runs', async () => {
		const published = await registry!.publish(bumped.file);
		expect(published).toContain(`${PACKAGE_NAME}@${bumped.version}`);
		expect(await registry!.latest(PACKAGE_NAME)).toBe(bumped.version);

		const [offered] = await timed('update check (GET /rest/community-packages, npm outdated)', listPackages);
		expect(offered).toMatchObject({ packageName: PACKAGE_NAME, installedVersion: tarball.version, updateAvailable: bumped.version });
		observed.push(`update offered: ${offered.installedVersion} → ${offered.updateAvailable}`);

		const updated = await timed(`update to ${bumped.version} (PATCH /rest/community-packages)`, async () =>
			await client.rest<InstalledPackage>('PATCH', '/community-packages', { name: PACKAGE_NAME }),
		);
		expect(updated).toMatchObject({ packageName: PACKAGE_NAME, installedVersion: bumped.version });
		expect(updated.installedNodes.map((node) => node.type)).toEqual([PERCEPTIS_NODE_TYPE]);
		observed.push(`update: now ${updated.installedVersion}`);

		const onDisk = JSON.parse(fs.readFileSync(path.join(installedDir(), 'package.json'), 'utf8')) as { version: string };
		expect(onDisk.version).toBe(bumped.version);
		const [listed] = await listPackages();
		expect(listed).toMatchObject({ installedVersion: bumped.version });
		expect(listed.updateAvailable).toBeUndefined();

		// The active workflow keeps working on the new code.
		expect(await timed('deck run (updated node)', runDeck)).toBe(3);
	});

	test('DELETE /rest/community-packages removes the package: the node type is gone and a workflow with it does not run', async () => {
		await timed('uninstall (DELETE /rest/community-packages)', async () => {
			await client.rest('DELETE', `/community-packages?name=${PACKAGE_NAME}`);
		});
		expect(await listPackages()).toEqual([]);
		expect(fs.existsSync(installedDir())).toBe(false);
		const description = await nodeTypeDescription();
		expect(description.name).toBeUndefined();

		// The workflow made while it was installed cannot be activated again: n8n no longer knows the node.
		await client.rest('POST', `/workflows/${deckWorkflowId}/deactivate`, {});
		const activation = await activate(deckWorkflowId);
		expect(activation.status).toBeGreaterThanOrEqual(400);
		observed.push(
			`uninstall: node type gone (POST /rest/node-types → ${description.status}), activation of the deck workflow → ${activation.status} ${JSON.stringify(activation.data).slice(0, 160)}`,
		);
	});

	test('Settings → Community nodes → Install (Chromium): the name, the risk checkbox, Install', async () => {
		let browser: BrowserSession | undefined;
		try {
			await timed('Settings page install (Chromium, incl. browser start)', async () => {
				browser = await launchBrowser();
				const { page } = browser;
				await signInThroughForm(page, n8n!.baseUrl);

				await page.goto(`${n8n!.baseUrl}/settings/community-nodes`);
				// With no package installed the page shows an empty state whose button opens the install dialog.
				await page.getByRole('button', { name: /install/i }).first().click();
				await page.locator(sel.packageNameInput).fill(PACKAGE_NAME);
				await page.locator(sel.agreementCheckbox).click();
				const installedResponse = page.waitForResponse(
					(r) => r.url().endsWith('/rest/community-packages') && r.request().method() === 'POST',
					{ timeout: 120_000 },
				);
				await page.locator(sel.installButton).click();
				const response = await installedResponse;
				expect(response.status()).toBe(200);
				await page.locator(sel.packageCard).filter({ hasText: PACKAGE_NAME }).waitFor({ state: 'visible', timeout: 60_000 });
			});
			// The browser only reaches 127.0.0.1; what the page asked elsewhere was aborted (seen on 2.41: the
			// install dialog searches api.npms.io as the name is typed).
			const blocked = [...new Set(browser!.blockedRequests)];
			observed.push(`Settings page: non-local requests blocked: ${blocked.length ? blocked.join(', ') : 'none'}`);
		} finally {
			await browser?.close();
		}
		const [listed] = await listPackages();
		// The registry's latest: the patch bump.
		expect(listed).toMatchObject({ packageName: PACKAGE_NAME, installedVersion: bumped.version });
		observed.push(`Settings page install: ${listed.installedVersion}`);
		expect(await nodeTypeDescription()).toMatchObject({ status: 200, name: NODE_DESCRIPTION_NAME });
		// The workflow saved before the uninstall works again once the package is back.
		expect((await activate(deckWorkflowId)).status).toBe(200);
		expect(await timed('deck run (installed from the Settings page)', runDeck)).toBe(3);
	});
});
