/**
 * Builders for AI workflows: n8n's AI Agent with the OpenAI Chat Model, the Chat Trigger, the MCP
 * Server Trigger, and the Perceptis node as a tool (`n8n-nodes-perceptis.perceptisTool`, the variant
 * n8n makes of a node with `usableAsTool: true`). Sub-nodes hang on `ai_*` connections.
 */
import { randomUUID } from 'crypto';

import type { CredentialRef, WorkflowDefinition, WorkflowNode } from './client';
import { majorOf } from './install';
import { PERCEPTIS_CREDENTIAL_TYPE, type PerceptisParameters } from './workflows';

export const PERCEPTIS_TOOL_NODE_TYPE = 'n8n-nodes-perceptis.perceptisTool';
export const OPENAI_CREDENTIAL_TYPE = 'openAiApi';
export const AGENT_NODE_TYPE = '@n8n/n8n-nodes-langchain.agent';
export const OPENAI_CHAT_MODEL_NODE_TYPE = '@n8n/n8n-nodes-langchain.lmChatOpenAi';
export const CHAT_TRIGGER_NODE_TYPE = '@n8n/n8n-nodes-langchain.chatTrigger';
export const MCP_TRIGGER_NODE_TYPE = '@n8n/n8n-nodes-langchain.mcpTrigger';

/** The AI Agent version a user gets when adding the node: 3.1 on n8n 2.x; 1.123 has 3 (and 2.2) at most. */
export function defaultAgentVersion(n8nVersion: string): number {
	return majorOf(n8nVersion) >= 2 ? 3.1 : 3;
}

let y = 0;
function position(): [number, number] {
	y += 200;
	return [400 + (y % 1000), 200 + Math.floor(y / 1000) * 200];
}

/**
 * The Chat Trigger, public, in "Embedded Chat" mode: `POST /webhook/<webhookId>/chat` with
 * `{action: 'sendMessage', sessionId, chatInput}` answers with the last node's output (`{output}`).
 */
export function chatTrigger(name = 'When chat message received', webhookId = randomUUID()): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type: CHAT_TRIGGER_NODE_TYPE,
		typeVersion: 1.3,
		position: position(),
		webhookId,
		parameters: { public: true, mode: 'webhook', options: { responseMode: 'lastNode' } },
	};
}

/** The AI Agent (tools agent) reading the chat message; `options.systemMessage` etc. as in the editor. */
export function aiAgent(options: { typeVersion: number; systemMessage?: string; maxIterations?: number; name?: string; text?: string }): WorkflowNode {
	const agentOptions: Record<string, unknown> = {};
	if (options.systemMessage !== undefined) agentOptions.systemMessage = options.systemMessage;
	if (options.maxIterations !== undefined) agentOptions.maxIterations = options.maxIterations;
	return {
		id: randomUUID(),
		name: options.name ?? 'AI Agent',
		type: AGENT_NODE_TYPE,
		typeVersion: options.typeVersion,
		position: position(),
		parameters: { promptType: 'auto', text: options.text ?? '={{ $json.chatInput }}', options: agentOptions },
	};
}

/**
 * The OpenAI Chat Model (1.3) on the Chat Completions API ("Use Responses API" off): what any
 * OpenAI-compatible endpoint serves, the fake model included.
 */
export function openAiChatModel(credential: CredentialRef, model: string, name = 'OpenAI Chat Model'): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type: OPENAI_CHAT_MODEL_NODE_TYPE,
		typeVersion: 1.3,
		position: position(),
		parameters: { model: { __rl: true, mode: 'id', value: model }, responsesApiEnabled: false, options: {} },
		credentials: { [OPENAI_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
	};
}

/** The Perceptis node as an agent's tool. */
export function perceptisTool(credential: CredentialRef, name: string, parameters: PerceptisParameters & { toolDescription?: string }): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type: PERCEPTIS_TOOL_NODE_TYPE,
		typeVersion: 1,
		position: position(),
		parameters: { options: {}, ...parameters },
		credentials: { [PERCEPTIS_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
	};
}

/** The MCP Server Trigger (2: streamable HTTP at `/mcp/<path>`), no authentication. */
export function mcpTrigger(path: string, name = 'MCP Server Trigger'): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type: MCP_TRIGGER_NODE_TYPE,
		typeVersion: 2,
		position: position(),
		webhookId: randomUUID(),
		parameters: { path, authentication: 'none' },
	};
}

type Link = { node: string; type: string; index: number };

/** Adds `from → to` on the connection type (`main`, `ai_languageModel`, `ai_tool`, …). */
export function connect(connections: Record<string, Record<string, Link[][]>>, from: string, to: string, type = 'main'): void {
	const outputs = (connections[from] ??= {});
	const first = ((outputs[type] ??= [[]])[0] ??= []);
	first.push({ node: to, type, index: 0 });
}

/** Chat Trigger → AI Agent, with the model and the tools hanging on the agent. */
export function agentWorkflow(name: string, parts: { trigger: WorkflowNode; agent: WorkflowNode; model: WorkflowNode; tools: WorkflowNode[] }): WorkflowDefinition {
	const connections: Record<string, Record<string, Link[][]>> = {};
	connect(connections, parts.trigger.name, parts.agent.name);
	connect(connections, parts.model.name, parts.agent.name, 'ai_languageModel');
	for (const tool of parts.tools) connect(connections, tool.name, parts.agent.name, 'ai_tool');
	return { name, nodes: [parts.trigger, parts.agent, parts.model, ...parts.tools], connections, settings: { executionOrder: 'v1' } };
}

/** An MCP Server Trigger exposing the tools. */
export function mcpWorkflow(name: string, trigger: WorkflowNode, tools: WorkflowNode[]): WorkflowDefinition {
	const connections: Record<string, Record<string, Link[][]>> = {};
	for (const tool of tools) connect(connections, tool.name, trigger.name, 'ai_tool');
	return { name, nodes: [trigger, ...tools], connections, settings: { executionOrder: 'v1' } };
}
