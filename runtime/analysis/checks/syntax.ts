import type { ParseProblem } from '../../json/parse';
import type { Code } from '../codes';
import { diagnostic, type Diagnostic } from '../diagnostic';

const CODE_OF: Record<ParseProblem['kind'], Code> = {
  syntax: 'ORCH001',
  comment: 'ORCH002',
  'trailing-comma': 'ORCH003',
  'duplicate-key': 'ORCH004',
};

export function syntaxDiagnostics(problems: readonly ParseProblem[]): Diagnostic[] {
  return problems.map((p) => diagnostic(CODE_OF[p.kind], p, p.message));
}
