'use strict';
/**
 * Fixed-window rate limiter per (API key, bucket); the API counts generate and status separately.
 * The real numbers are not published; tests set `rateLimit: {max, windowMs}`.
 */

class RateLimiter {
	constructor() {
		this.windows = new Map();
	}

	/** { allowed: true } | { allowed: false, retryAfterSeconds } (remaining window, at least 1 s). */
	hit(bucket, limit, now = Date.now()) {
		if (!limit) return { allowed: true };
		let window = this.windows.get(bucket);
		if (!window || now >= window.start + limit.windowMs) {
			window = { start: now, count: 0 };
			this.windows.set(bucket, window);
		}
		if (window.count < limit.max) {
			window.count += 1;
			return { allowed: true };
		}
		const remainingMs = window.start + limit.windowMs - now;
		return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) };
	}

	clear() {
		this.windows.clear();
	}
}

module.exports = { RateLimiter };
