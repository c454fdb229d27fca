/**
 * Templates for "New Orchestration": each makes a definition and the activity types it uses (in a
 * `<name>.activity.json` beside it), so the new file validates and runs at once. Types are prefixed
 * with the definition's name, so two new files never declare the same type. Pure: no `vscode`.
 */
import type { ActivityDefinition, OrchestrationDefinition } from '../../runtime/model/types';

export interface TemplateFiles {
  definition: OrchestrationDefinition;
  types: ActivityDefinition[];
}

export interface Template {
  id: string;
  label: string;
  detail: string;
  make(name: string): TemplateFiles;
}

const sh = (script: string): Record<string, unknown> => ({ command: 'sh', args: ['-c', script] });

const step = (name: string, what: string, description: string): ActivityDefinition => ({
  type: `${name}.${what}`,
  provider: 'shell',
  description,
  outputSchema: { type: 'object', properties: { result: { type: 'string' } } },
  config: sh(`echo "${what}: $ORCH_ACTIVITY_ID"; echo "result=${what}-ok" >> "$ORCH_OUTPUTS_FILE"`),
});

export const TEMPLATES: readonly Template[] = [
  {
    id: 'empty',
    label: 'Empty',
    detail: 'A definition with one activity, to start from scratch',
    make: (name) => ({
      definition: { type: name, description: 'Describe what this orchestration does.', activities: [{ id: 'first', type: `${name}.noop` }] },
      types: [{ type: `${name}.noop`, provider: 'noop', description: 'Completes at once; replace with a real provider (shell, http, node, ssh).' }],
    }),
  },
  {
    id: 'pipeline',
    label: 'Pipeline',
    detail: 'build → test and lint in parallel → deploy, with a retry on deploy',
    make: (name) => ({
      definition: {
        type: name,
        description: 'Builds, checks in parallel, then deploys.',
        activities: [
          { id: 'build', type: `${name}.build` },
          { id: 'test', type: `${name}.test`, dependsOn: ['build'], inputs: [{ source: 'build.result', target: 'artifact' }] },
          { id: 'lint', type: `${name}.lint`, dependsOn: ['build'] },
          { id: 'deploy', type: `${name}.deploy`, dependsOn: ['test', 'lint'], retry: { maxAttempts: 3, backoff: 'exponential', delayMs: 1000 }, timeoutMs: 600000 },
        ],
      },
      types: [
        step(name, 'build', 'Builds the artifact.'),
        { ...step(name, 'test', 'Runs the tests against the artifact.'), inputSchema: { type: 'object', properties: { artifact: { type: 'string' } } } },
        step(name, 'lint', 'Checks the sources.'),
        step(name, 'deploy', 'Deploys the artifact.'),
      ],
    }),
  },
  {
    id: 'fan-out',
    label: 'Fan-out',
    detail: 'One activity per item of an input list (forEach), then a summary',
    make: (name) => ({
      definition: {
        type: name,
        description: 'Processes every region of the input in parallel, then summarises.',
        schema: { type: 'object', properties: { regions: { type: 'array', items: { type: 'string' } } }, required: ['regions'] },
        input: { regions: ['eu-west', 'us-east'] },
        activities: [
          { id: 'process', type: `${name}.process`, forEach: { items: 'regions', as: 'region', concurrency: 4 } },
          { id: 'summary', type: `${name}.summary`, dependsOn: ['process'] },
        ],
      },
      types: [
        {
          type: `${name}.process`, provider: 'shell', description: 'Processes one region.',
          inputSchema: { type: 'object', properties: { region: { type: 'string' } }, required: ['region'] },
          config: sh('echo "processing $ORCH_INPUT_REGION"; echo "result=$ORCH_INPUT_REGION-done" >> "$ORCH_OUTPUTS_FILE"'),
        },
        step(name, 'summary', 'Summarises the results.'),
      ],
    }),
  },
  {
    id: 'approval',
    label: 'Approval gate',
    detail: 'Waits for a person to approve (complete it from the Runs view), then releases',
    make: (name) => ({
      definition: {
        type: name,
        description: 'Builds, waits for an approval, then releases.',
        activities: [
          { id: 'build', type: `${name}.build` },
          { id: 'approve', type: `${name}.approval`, dependsOn: ['build'] },
          { id: 'release', type: `${name}.release`, dependsOn: ['approve'], inputs: [{ source: 'approve.approvedBy', target: 'approver' }] },
        ],
      },
      types: [
        step(name, 'build', 'Builds the release.'),
        {
          type: `${name}.approval`, provider: 'shell',
          description: 'Exits 77 (Wait): the activity waits until someone completes it with { "approvedBy": "..." }.',
          outputSchema: { type: 'object', properties: { approvedBy: { type: 'string' } }, required: ['approvedBy'] },
          config: sh('echo "waiting for an approval"; echo "message=approve from the Runs view" >> "$ORCH_OUTPUTS_FILE"; exit 77'),
        },
        { ...step(name, 'release', 'Releases what was approved.'), inputSchema: { type: 'object', properties: { approver: { type: 'string' } } } },
      ],
    }),
  },
  {
    id: 'deploy-dispose',
    label: 'Deploy and dispose',
    detail: 'Provisions resources with deploy activities; "Dispose" tears them down in reverse order',
    make: (name) => ({
      definition: {
        type: name,
        description: 'Creates a network and a service on it; disposing removes the service, then the network.',
        activities: [
          { id: 'network', type: `${name}.network`, discriminator: 'deploy' },
          { id: 'service', type: `${name}.service`, discriminator: 'deploy', dependsOn: ['network'], inputs: [{ source: 'network.result', target: 'network' }] },
        ],
      },
      types: [
        {
          type: `${name}.network`, provider: 'shell', description: 'Creates (deploy) or removes (dispose) the network.',
          outputSchema: { type: 'object', properties: { result: { type: 'string' } } },
          config: sh('echo "network net-1 ready"; echo "result=net-1" >> "$ORCH_OUTPUTS_FILE"'),
        },
        {
          type: `${name}.service`, provider: 'shell', description: 'Starts (deploy) or stops (dispose) the service.',
          inputSchema: { type: 'object', properties: { network: { type: 'string' } } },
          config: sh('echo "service on $ORCH_INPUT_NETWORK"'),
        },
      ],
    }),
  },
];

export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** The two files' text, as the editor would format them. */
export function renderTemplate(template: Template, name: string): { definition: string; types: string } {
  const files = template.make(name);
  return {
    definition: `${JSON.stringify(files.definition, null, 2)}\n`,
    types: `${JSON.stringify(files.types, null, 2)}\n`,
  };
}
