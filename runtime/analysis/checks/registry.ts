/**
 * Every semantic rule, by document kind (syntax and schema problems come first, from syntax.ts and
 * schema.ts). Order does not matter: analyzeDocument sorts the diagnostics by offset.
 */
import type { ActivityDefinitionCheck, HostsCheck, OrchestrationCheck } from '../check';
import { cycles } from './cycles';
import { dependsOn } from './dependsOn';
import { duplicateHosts } from './duplicateHosts';
import { duplicateIds } from './duplicateIds';
import { duplicateTargets } from './duplicateTargets';
import { duplicateTypes } from './duplicateTypes';
import { forEachItems } from './forEachItems';
import { hosts } from './hosts';
import { inactive } from './inactive';
import { inputProperties } from './inputProperties';
import { inputTargets } from './inputTargets';
import { malformedSources } from './malformedSources';
import { outputProperties } from './outputProperties';
import { outputSources } from './outputSources';
import { pools } from './pools';
import { requiredInputs } from './requiredInputs';
import { shadowedInputs } from './shadowedInputs';
import { unknownTypes } from './unknownTypes';
import { upstreamReads } from './upstreamReads';

export const orchestrationChecks: OrchestrationCheck[] = [
  duplicateIds,      // ORCH201
  dependsOn,         // ORCH202, ORCH203, ORCH204
  cycles,            // ORCH205
  unknownTypes,      // ORCH301
  upstreamReads,     // ORCH401
  inputProperties,   // ORCH402
  duplicateTargets,  // ORCH403
  inputTargets,      // ORCH404
  requiredInputs,    // ORCH405
  outputProperties,  // ORCH406
  shadowedInputs,    // ORCH407
  forEachItems,      // ORCH408
  outputSources,     // ORCH409
  malformedSources,  // ORCH410
  pools,             // ORCH501, ORCH502
  hosts,             // ORCH503
  inactive,          // ORCH601
];

export const activityDefinitionChecks: ActivityDefinitionCheck[] = [
  duplicateTypes,    // ORCH302
];

export const hostsChecks: HostsCheck[] = [
  duplicateHosts,    // ORCH504
];
