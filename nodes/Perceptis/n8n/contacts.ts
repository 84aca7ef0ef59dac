/**
 * The last contact with each job (core/pacing/contacts.ts) on n8n: one memory per n8n process,
 * which every execution of the node shares (the module is loaded once), and a copy in the node
 * context, which n8n keeps with the execution. So a second item, a concurrent execution, Retry On
 * Fail and the executions list's Retry in this process find the job's last contact in memory,
 * and a list Retry on another queue-mode worker finds it in the execution's data.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { isObject } from '../../../core/json';
import { JobContacts } from '../../../core/pacing/contacts';

const CONTACTS_FIELD = 'perceptisContacts';
/** The node context keeps the contacts of its most recent jobs only. */
const KEPT_IN_CONTEXT = 200;

export const processContacts = new JobContacts();

function nodeContext(ctx: IExecuteFunctions): IDataObject | undefined {
	return ctx.getContext?.('node') as IDataObject | undefined;
}

/** The contacts a run plans from: this process's, with what the execution kept (a retried run's). */
export function contactsForRun(ctx: IExecuteFunctions): JobContacts {
	const saved = nodeContext(ctx)?.[CONTACTS_FIELD];
	if (isObject(saved)) processContacts.absorb(saved);
	return processContacts;
}

/** Keeps the last contact with each of the run's jobs in the execution's data, for a retry elsewhere. */
export function keepContacts(ctx: IExecuteFunctions, jobIds: string[]): void {
	const context = nodeContext(ctx);
	if (!context || jobIds.length === 0) return;
	const earlier = isObject(context[CONTACTS_FIELD]) ? (context[CONTACTS_FIELD] as Record<string, number>) : {};
	const merged = Object.entries({ ...earlier, ...processContacts.of(jobIds) })
		.sort(([, a], [, b]) => b - a)
		.slice(0, KEPT_IN_CONTEXT);
	context[CONTACTS_FIELD] = Object.fromEntries(merged);
}
