'use strict';
/**
 * Pre-signed download links, like object storage: `?expires=<ms epoch>&signature=<hmac>` over the
 * object path and expiry, with a secret that only this simulator instance knows.
 */
const crypto = require('crypto');

function createSigner(secret = crypto.randomBytes(32)) {
	const mac = (objectPath, expires) => crypto.createHmac('sha256', secret).update(`${objectPath}\n${expires}`).digest('hex');
	const lastByPath = new Map();
	return {
		/**
		 * Query string for a link valid for ttlMs. Two signings of one object within the same
		 * millisecond would give the same link; bumping the expiry by 1 ms keeps every link fresh.
		 */
		sign(objectPath, ttlMs, now = Date.now()) {
			let expires = now + ttlMs;
			const last = lastByPath.get(objectPath);
			if (last && last.ttlMs === ttlMs && expires <= last.expires) expires = last.expires + 1;
			lastByPath.set(objectPath, { ttlMs, expires });
			return { expires, query: `expires=${expires}&signature=${mac(objectPath, expires)}` };
		},
		/** 'ok' | 'missing' | 'bad-signature' | 'expired' */
		verify(objectPath, expiresText, signature, now = Date.now()) {
			if (!expiresText || !signature) return 'missing';
			if (!/^\d+$/.test(expiresText) || !/^[0-9a-f]{64}$/.test(signature)) return 'bad-signature';
			const expected = Buffer.from(mac(objectPath, expiresText), 'hex');
			if (!crypto.timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'bad-signature';
			return now > Number(expiresText) ? 'expired' : 'ok';
		},
		/** Forgets freshness bookkeeping (links already handed out stay valid until they expire). */
		clear() {
			lastByPath.clear();
		},
	};
}

module.exports = { createSigner };
