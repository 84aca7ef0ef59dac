import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as checkStatus from './actions/checkStatus.operation';
import * as download from './actions/download.operation';
import * as generate from './actions/generate.operation';
import * as getStatus from './actions/getStatus.operation';
import { router } from './actions/router';
import * as waitForCompletion from './actions/waitForCompletion.operation';

/**
 * The node's main outputs for its parameters: Check Status routes to Completed and Still Running
 * (checkStatus.operation.ts, OUTPUT_NAMES), every other operation has one. n8n evaluates this in
 * the editor and the engine from its source text, so it is self-contained: no outer names.
 */
export function outputsFor(parameters: { operation?: string }) {
	return parameters.operation === 'checkStatus'
		? [
				{ type: 'main', displayName: 'Completed' },
				{ type: 'main', displayName: 'Still Running' },
			]
		: [{ type: 'main' }];
}

export class Perceptis implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Perceptis',
		name: 'perceptis',
		icon: { light: 'file:perceptis.svg', dark: 'file:perceptis.dark.svg' },
		group: ['transform'],
		version: 1,
		// In words on the canvas: "Generate deck", "Get Status", … (not the raw operation value).
		subtitle:
			'={{ $parameter["operation"] === "generate" ? "Generate " + ($parameter["outputType"] === "deck" ? "deck" : "slide") : { getStatus: "Get Status", checkStatus: "Check Status", waitForCompletion: "Wait for Completion", download: "Download" }[$parameter["operation"]] }}',
		description: 'Generate PowerPoint slides and decks from a prompt with Perceptis',
		defaults: { name: 'Perceptis' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// An expression, so the outputs follow the operation (two for Check Status), as n8n's own nodes do it.
		outputs: `={{(${outputsFor})($parameter)}}`,
		credentials: [{ name: 'perceptisApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Check Status',
						value: 'checkStatus',
						description:
							"Check a job once and route it: Completed, or Still Running with when to look again — for a loop through n8n's Wait node that frees the worker between checks",
						action: 'Check a job and route it by status',
					},
					{
						name: 'Download',
						value: 'download',
						description: 'Download the .pptx files of a completed job',
						action: 'Download the files of a job',
					},
					{
						name: 'Generate',
						value: 'generate',
						description: 'Start a slide or deck job and, by default, wait for its files',
						action: 'Generate a slide or deck',
					},
					{
						name: 'Get Status',
						value: 'getStatus',
						description: 'Check the status of a job once',
						action: 'Get the status of a job',
					},
					{
						name: 'Wait for Completion',
						value: 'waitForCompletion',
						description: 'Wait until a job started earlier completes, then download its files',
						action: 'Wait for a job to complete',
					},
				],
				default: 'generate',
			},
			...generate.description,
			...getStatus.description,
			...checkStatus.description,
			...waitForCompletion.description,
			...download.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
