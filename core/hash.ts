/** The one digest behind every derived key: stable across processes, machines and releases. */
import { createHash } from 'crypto';

export function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}
