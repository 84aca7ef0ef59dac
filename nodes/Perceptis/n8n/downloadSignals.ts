/**
 * One abort signal per download, all ended with the run's. axios listens to a request's signal
 * for as long as its file streams; given the run's own signal, twelve files arriving at once are
 * twelve listeners on it, and Node up to 20 (the Node of n8n 1.x) logs "Possible EventTarget
 * memory leak detected" at the 11th. n8n's rules forbid `events.setMaxListeners` in a community
 * node, so the run's signal keeps one listener instead, which ends every download still streaming.
 */
export class DownloadSignals {
	private readonly streaming = new Set<AbortController>();

	constructor(private readonly runSignal: AbortSignal | undefined) {
		runSignal?.addEventListener('abort', () => this.streaming.forEach((download) => download.abort()), { once: true });
	}

	/** A signal for one download; `release` once its body has been read, dropped or refused. */
	open(): { signal: AbortSignal | undefined; release: () => void } {
		if (!this.runSignal) return { signal: undefined, release: () => undefined };
		const download = new AbortController();
		if (this.runSignal.aborted) download.abort();
		this.streaming.add(download);
		return { signal: download.signal, release: () => this.streaming.delete(download) };
	}
}
