'use strict';
/**
 * Fixed, obviously fake API keys, one per plan, and everything that looks at a key: who it belongs
 * to, whether that plan may use the API, and how to hide it in anything the simulator prints.
 * Keys are opaque to the package under test; the simulator is the only place allowed to know them.
 */

const KEYS = Object.freeze({
	business: 'sk-live-per-sim-business-FAKE-0001',
	// A second key of the same Business organisation: valid, but it must not see `business`'s jobs.
	business2: 'sk-live-per-sim-business-FAKE-0002',
	enterprise: 'sk-live-per-sim-enterprise-FAKE-0003',
	starter: 'sk-live-per-sim-starter-FAKE-0004',
	trial: 'sk-live-per-sim-trial-FAKE-0005',
	free: 'sk-live-per-sim-free-FAKE-0006',
	revoked: 'sk-live-per-sim-revoked-FAKE-0007',
});

/** Plans that may call the API (documented: paid Business and Enterprise only). */
const ALLOWED = new Set(['business', 'business2', 'enterprise']);
/** Plans whose key is valid but whose organisation is not allowed (documented: 403). */
const FORBIDDEN = new Set(['starter', 'trial', 'free']);

const NAME_BY_KEY = new Map(Object.entries(KEYS).map(([name, key]) => [key, name]));

/** The bearer token of an Authorization header, or null (the scheme is case-insensitive, RFC 9110). */
function bearerToken(header) {
	if (typeof header !== 'string') return null;
	const match = /^Bearer +(\S+) *$/i.exec(header);
	return match ? match[1] : null;
}

/** Name of the simulator key in an Authorization header ('business', …), or null if none/unknown. */
function keyNameOf(header) {
	const token = bearerToken(header);
	return (token && NAME_BY_KEY.get(token)) || null;
}

/**
 * What the API does with a request's Authorization header:
 * { ok: true, keyName } | { ok: false, status: 401|403, code, message }.
 * Messages never echo the key.
 */
function authorize(header) {
	const keyName = keyNameOf(header);
	if (!keyName || keyName === 'revoked') {
		return {
			ok: false,
			status: 401,
			code: 'unauthorized',
			message: header
				? 'The API key is invalid or has been revoked.'
				: 'Missing API key: send "Authorization: Bearer <key>".',
		};
	}
	if (FORBIDDEN.has(keyName)) {
		return {
			ok: false,
			status: 403,
			code: 'forbidden',
			message:
				'API access is only available to paid Business and Enterprise plans. Upgrade your organisation to use the API.',
		};
	}
	if (!ALLOWED.has(keyName)) throw new Error(`key ${keyName} has no plan rule`);
	return { ok: true, keyName };
}

/** Replaces every known key (and anything shaped like a real key) in a string. */
function redactText(text) {
	let out = String(text);
	for (const [key, name] of NAME_BY_KEY) out = out.split(key).join(`<redacted:${name}>`);
	return out.replace(/\bsk-(?:live|test)-[A-Za-z0-9_-]+/g, '<redacted:unknown>');
}

/**
 * The value to show instead of an Authorization header: never the key, but which key it was.
 * Idempotent: the foreign server's log is stored redacted, and the admin endpoint redacts it again.
 */
function redactAuthorization(value) {
	const token = bearerToken(value);
	if (token === null) return '<redacted>';
	if (/^<redacted:[A-Za-z0-9_-]+>$/.test(token)) return `Bearer ${token}`;
	return `Bearer <redacted:${keyNameOf(value) || 'unknown'}>`;
}

/** Deep copy of a JSON-able value with Authorization headers and all keys hidden. */
function redactDeep(value) {
	const copy = JSON.parse(JSON.stringify(value === undefined ? null : value), (name, v) =>
		name === 'authorization' && typeof v === 'string' ? redactAuthorization(v) : v,
	);
	return JSON.parse(redactText(JSON.stringify(copy)));
}

module.exports = { KEYS, ALLOWED, FORBIDDEN, authorize, keyNameOf, redactText, redactAuthorization, redactDeep };
