/**
 * What an n8n process remembers of AI tool calls (core/keys/toolCalls.ts): one memory per
 * process, since the node's module is loaded once and serves every execution.
 */
import { ToolCallMemory } from '../../../core/keys/toolCalls';

/** The prefix of every key the n8n node derives: `n8n-…`, `n8n-tool-…`. */
export const HOST_TAG = 'n8n';

export const toolCalls = new ToolCallMemory();
