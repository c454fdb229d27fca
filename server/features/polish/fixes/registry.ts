/** Which quick fixes answer which diagnostic code. */
import type { Code } from '../../../../runtime/analysis/codes';
import { unknownType } from './definitionFixes';
import { cycle, missingUpstream, redundantDependency, unknownDependency } from './dependencyFixes';
import { duplicateId, suggestionFix, unknownTarget } from './replaceFixes';
import { requiredInputs } from './requiredInputs';
import type { FixProvider } from './types';

export const quickFixes: Partial<Record<Code, FixProvider>> = {
  ORCH201: duplicateId,
  ORCH202: unknownDependency,
  ORCH203: redundantDependency,
  ORCH204: redundantDependency,
  ORCH205: cycle,
  ORCH301: unknownType,
  ORCH401: missingUpstream,
  ORCH402: suggestionFix((s) => `Change to '${s}'`),
  ORCH404: unknownTarget,
  ORCH405: requiredInputs,
  ORCH406: suggestionFix((s) => `Change to output '${s}'`),
  ORCH408: (input, diagnostic) => [...missingUpstream(input, diagnostic), ...suggestionFix((s) => `Change to '${s}'`)(input, diagnostic)],
  ORCH409: suggestionFix((s) => `Change to '${s}'`),
  ORCH501: suggestionFix((s) => `Change to pool '${s}'`),
  ORCH503: suggestionFix((s) => `Change to host '${s}'`),
};
