/**
 * How many `abort` listeners each AbortSignal held at most while `work` ran. Node up to 20 prints
 * "Possible EventTarget memory leak detected" when a signal gets its 11th listener (unless its
 * limit was raised): the tests that run many requests at once count them with this.
 */
export async function widestAbortListeners(work: () => Promise<unknown>): Promise<Map<AbortSignal, number>> {
	const live = new Map<AbortSignal, number>();
	const widest = new Map<AbortSignal, number>();
	const add = jest.spyOn(AbortSignal.prototype, 'addEventListener');
	const remove = jest.spyOn(AbortSignal.prototype, 'removeEventListener');
	add.mockImplementation(function (this: AbortSignal, ...args: Parameters<AbortSignal['addEventListener']>) {
		if (args[0] === 'abort') {
			live.set(this, (live.get(this) ?? 0) + 1);
			widest.set(this, Math.max(widest.get(this) ?? 0, live.get(this)!));
		}
		return EventTarget.prototype.addEventListener.apply(this, args);
	});
	remove.mockImplementation(function (this: AbortSignal, ...args: Parameters<AbortSignal['removeEventListener']>) {
		if (args[0] === 'abort') live.set(this, Math.max(0, (live.get(this) ?? 0) - 1));
		return EventTarget.prototype.removeEventListener.apply(this, args);
	});
	try {
		await work();
	} finally {
		add.mockRestore();
		remove.mockRestore();
	}
	return widest;
}
