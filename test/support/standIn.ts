/**
 * A stand-in for something a `beforeAll` makes (a simulator, an n8n, a credential): it exists at
 * once, so a test file can write `const { sim } = use…()` at the top, and forwards every property,
 * method and key to the real thing once it is there.
 */
export function standIn<T extends object>(current: () => T | undefined, what: string): T {
	const real = (): T => {
		const value = current();
		if (value === undefined) throw new Error(`${what} is used before beforeAll made it`);
		return value;
	};
	return new Proxy({} as T, {
		get(_target, property) {
			const target = real();
			const value = Reflect.get(target, property, target) as unknown;
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
		has: (_target, property) => Reflect.has(real(), property),
		ownKeys: () => Reflect.ownKeys(real()),
		getOwnPropertyDescriptor: (_target, property) => {
			const descriptor = Reflect.getOwnPropertyDescriptor(real(), property);
			// A proxy may report a property only as configurable when its own target lacks it.
			return descriptor && { ...descriptor, configurable: true };
		},
	});
}
