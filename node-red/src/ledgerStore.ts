/**
 * The job ledger (core/jobs/ledger.ts) in the node's context, one entry per message id: a
 * message sent again (a Catch → retry loop, the same msg._msgid) finds the job its first pass
 * started and picks it up, and starts a new one only if that job failed (the API would otherwise
 * hand back the failed job for the same Idempotency-Key). The context keeps the last entries only.
 */
import { JobLedger, type LedgerEntry } from '../../core/jobs/ledger';
import type { ContextStore } from './red';

const LEDGER_KEY = 'perceptisLedger';
/** A message sent again comes back soon; older entries are let go, oldest first. */
const ENTRIES_KEPT = 500;

export function contextLedger(context: ContextStore): JobLedger {
	const entries = () => (context.get(LEDGER_KEY) as Record<string, LedgerEntry> | undefined) ?? {};
	return new JobLedger({
		get: (slot) => entries()[slot],
		set: (slot, entry) => {
			const next = { ...entries() };
			// Written last, kept longest.
			delete next[slot];
			next[slot] = entry;
			const slots = Object.keys(next);
			for (const old of slots.slice(0, Math.max(0, slots.length - ENTRIES_KEPT))) delete next[old];
			context.set(LEDGER_KEY, next);
		},
	});
}
