/**
 * The perceptis node's properties as a flow file holds them: their defaults, and the check made
 * at deploy. The defaults live here, in the runtime, and not only in the editor: a flow written
 * by hand or by a tool, or saved by an older version of this package, may lack a property, and
 * it then takes its default. A value that cannot work is refused at deploy, naming the property
 * (the node's status and log say so), not at the first message.
 *
 * The editor's defaults (perceptis.html) are the same; test/node-red/package.test.ts holds the
 * two together.
 */
import { describeInputProblem } from '../../core/errors/inputTable';
import { TIMING } from '../../core/pacing/timing';
import { generateBody, isOutputType, type OutputType } from '../../core/request/generateBody';
import type { NodeDef } from './red';
import { NODE_RED_INPUT_WORDS } from './words';

export const OPERATIONS = ['generate', 'status', 'wait', 'download'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Where a typed field may read its value from (Node-RED's typed inputs). */
export const VALUE_TYPES = ['str', 'msg', 'flow', 'global', 'env', 'json', 'jsonata'] as const;

export const DEFAULTS = {
	operation: 'generate',
	prompt: 'payload',
	promptType: 'msg',
	outputType: 'deck',
	templateName: '',
	templateNameType: 'str',
	variantCount: '',
	webSearch: false,
	knowledgeBase: false,
	wait: true,
	timeoutSeconds: TIMING.defaultTimeoutSeconds,
	idempotencyKey: '',
	idempotencyKeyType: 'str',
	jobId: '',
	jobIdType: 'str',
} as const;

/** A typed field: a value and where it comes from (`msg` + `payload` is msg.payload). */
export interface Typed {
	value: string;
	type: string;
}

export interface NodeSettings {
	operation: Operation;
	prompt: Typed;
	outputType: OutputType;
	templateName: Typed;
	/** Unset: the API's default (one). */
	variantCount?: number;
	webSearch: boolean;
	knowledgeBase: boolean;
	wait: boolean;
	timeoutSeconds: number;
	idempotencyKey: Typed;
	/** Empty: msg.perceptis.jobId, else msg.payload. */
	jobId: Typed;
}

export interface SettingProblem {
	property: string;
	message: string;
}

type Property = keyof typeof DEFAULTS;

class Refused extends Error {
	constructor(readonly problem: SettingProblem) {
		super(problem.message);
	}
}

function refuse(property: string, value: unknown, why: string): never {
	const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
	throw new Refused({
		property,
		message: `The perceptis node's property "${property}" is ${shown}: ${why}. Open the node, correct it and deploy again.`,
	});
}

/** A property as the flow has it, or its default when the flow has none ('' counts as none for numbers). */
function raw(def: NodeDef, property: Property): unknown {
	const value = def[property];
	const missing = value === undefined || value === null || (value === '' && typeof DEFAULTS[property] === 'number');
	return missing ? DEFAULTS[property] : value;
}

/** A number, also as the text the editor saves it as. */
function numberOf(value: unknown): number | undefined {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
	return undefined;
}

function flag(def: NodeDef, property: Property): boolean {
	const value = raw(def, property);
	if (typeof value !== 'boolean') refuse(property, value, 'it must be true or false');
	return value;
}

function typed(def: NodeDef, property: Property, typeProperty: Property): Typed {
	const value = raw(def, property);
	const type = raw(def, typeProperty);
	if (typeof type !== 'string' || !(VALUE_TYPES as readonly string[]).includes(type)) {
		refuse(typeProperty, type, `it must be one of ${VALUE_TYPES.join(', ')}`);
	}
	if (typeof value !== 'string' && typeof value !== 'number') refuse(property, value, 'it must be a text');
	return { value: String(value), type };
}

function operationOf(def: NodeDef): Operation {
	const value = raw(def, 'operation');
	if (!(OPERATIONS as readonly unknown[]).includes(value)) refuse('operation', value, `it must be one of ${OPERATIONS.join(', ')}`);
	return value as Operation;
}

function outputTypeOf(def: NodeDef): OutputType {
	const value = raw(def, 'outputType');
	if (!isOutputType(value)) refuse('outputType', value, 'it must be "deck" or "single_slide"');
	return value;
}

/** Variants are checked by the core's own rule (a whole number of at least 1). */
function variantCountOf(def: NodeDef): number | undefined {
	const value = raw(def, 'variantCount');
	if (value === '') return undefined;
	const count = numberOf(value) ?? value;
	const built = generateBody({ outputType: 'single_slide', prompt: 'deploy check', variantCount: count });
	if ('problem' in built) refuse('variantCount', value, describeInputProblem(built.problem, 0, NODE_RED_INPUT_WORDS).message);
	return count as number;
}

function timeoutOf(def: NodeDef): number {
	const value = raw(def, 'timeoutSeconds');
	const seconds = numberOf(value);
	if (seconds === undefined || !(seconds > 0)) {
		refuse('timeoutSeconds', value, `it must be a number of seconds above 0 (the default is ${DEFAULTS.timeoutSeconds})`);
	}
	return seconds;
}

/** The node's settings, defaults filled in, or the first property that cannot work. */
export function readSettings(def: NodeDef): { settings: NodeSettings } | { problem: SettingProblem } {
	try {
		return {
			settings: {
				operation: operationOf(def),
				prompt: typed(def, 'prompt', 'promptType'),
				outputType: outputTypeOf(def),
				templateName: typed(def, 'templateName', 'templateNameType'),
				variantCount: variantCountOf(def),
				webSearch: flag(def, 'webSearch'),
				knowledgeBase: flag(def, 'knowledgeBase'),
				wait: flag(def, 'wait'),
				timeoutSeconds: timeoutOf(def),
				idempotencyKey: typed(def, 'idempotencyKey', 'idempotencyKeyType'),
				jobId: typed(def, 'jobId', 'jobIdType'),
			},
		};
	} catch (error) {
		return refusalOf(error);
	}
}

/** A refused property; anything else is a bug, not a refusal, and goes on up. */
function refusalOf(error: unknown): { problem: SettingProblem } {
	if (error instanceof Refused) return { problem: error.problem };
	throw error;
}
