/**
 * What a perceptis node gets from its config node (perceptis-config): the origin, checked by the
 * core's rules (core/origin.ts, the same the n8n credential runs), and the key — typed into the
 * config node (an encrypted credential, never in the flow file) or, when that is empty, read from
 * the environment variable the config node names (Node-RED's env: the process, or global env
 * settings). A config node that cannot work says why, in words the node shows at deploy.
 */
import { BaseUrlError, normalizeBaseUrl } from '../../core/origin';
import type { Node, NodeDef, NodeRedApi } from './red';

export interface ServerProblem {
	code: string;
	message: string;
	/** A few words for the node's status (else the code's). */
	status?: string;
}

export interface PerceptisServer {
	/** The origin, or undefined when `problem` says why there is none. */
	origin?: string;
	problem?: ServerProblem;
	apiKey(): string | undefined;
}

/** A perceptis-config node as the perceptis nodes find it (RED.nodes.getNode). */
export interface PerceptisConfigNode extends Node {
	perceptis: PerceptisServer;
}

/** The origin of a config node's Base URL, or what to type instead. */
export function originOf(baseUrl: unknown): { origin: string } | { problem: ServerProblem } {
	try {
		return { origin: normalizeBaseUrl(baseUrl) };
	} catch (error) {
		const refused = error instanceof BaseUrlError ? error : new BaseUrlError(String(error), 'Type the origin only, for example https://app.perceptis.ai');
		return { problem: { code: 'invalid_base_url', message: `${refused.message}. ${refused.remedy} in the Base URL field of the Perceptis server node.` } };
	}
}

/** The key: the credential, else the named environment variable. */
export function keyOf(RED: NodeRedApi, node: Node | null, typed: string | undefined, envName: unknown): string | undefined {
	const key = typed?.trim();
	if (key) return key;
	const name = typeof envName === 'string' ? envName.trim() : '';
	const value = name ? RED.util.getSetting(node, name) : undefined;
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function serverOf(RED: NodeRedApi, node: Node, def: NodeDef): PerceptisServer {
	const checked = originOf(def.baseUrl);
	const apiKey = () => keyOf(RED, node, node.credentials?.apiKey, def.apiKeyEnv);
	const envName = typeof def.apiKeyEnv === 'string' && def.apiKeyEnv.trim() ? def.apiKeyEnv.trim() : undefined;
	const noKey: ServerProblem = {
		code: 'no_api_key',
		message: `The Perceptis server node has no API key: type it in its API Key field${
			envName ? `, or set the environment variable ${envName}` : ', or name an environment variable that holds it'
		}. Create a key in Perceptis under Developer Settings (it is shown only once).`,
	};
	if ('problem' in checked) return { problem: checked.problem, apiKey };
	return {
		origin: checked.origin,
		apiKey,
		get problem() {
			return apiKey() ? undefined : noKey;
		},
	};
}
