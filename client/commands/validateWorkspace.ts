/**
 * "Validate Workspace": checks every definition file as saved (the same analysis as the language server
 * and `orch validate`), prints each problem as `path:line:col` in the output channel (clickable), and
 * sums them up. The Problems panel keeps showing what the language server publishes.
 */
import * as vscode from 'vscode';
import { analyzeDocument } from '../../runtime/analysis/validate';
import type { WorkspaceDefinitions } from '../definitions/workspaceDefinitions';

export interface ValidationReport {
  files: number;
  errors: number;
  warnings: number;
  /** Problems per file path (only files that have some). */
  problems: Record<string, { line: number; character: number; severity: string; code: string; message: string }[]>;
}

export async function validateWorkspaceCommand(definitions: WorkspaceDefinitions, output: vscode.LogOutputChannel, quiet = false): Promise<ValidationReport> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Validating orchestrations' }, async () => {
    await definitions.ready();
    // Saved editors may not have reached the watcher yet.
    await Promise.all(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file' && definitions.get(d.uri.fsPath)).map((d) => definitions.refresh(d.uri)));
    const report: ValidationReport = { files: 0, errors: 0, warnings: 0, problems: {} };
    const docs = definitions.documents().sort((a, b) => a.uri.localeCompare(b.uri));
    const lines: string[] = [];
    for (const doc of docs) {
      report.files++;
      const { diagnostics } = analyzeDocument(doc, definitions.index);
      for (const d of diagnostics) {
        if (d.severity === 'error') report.errors++;
        else if (d.severity === 'warning') report.warnings++;
        else continue;
        const at = doc.lineIndex.positionAt(d.offset);
        (report.problems[doc.uri] ??= []).push({ line: at.line + 1, character: at.character + 1, severity: d.severity, code: d.code, message: d.message });
        lines.push(`${doc.uri}:${at.line + 1}:${at.character + 1}: ${d.severity} ${d.code}: ${d.message}`);
      }
    }
    const withProblems = Object.keys(report.problems).length;
    const summary = `Validated ${report.files} definition file${report.files === 1 ? '' : 's'}: ${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}${withProblems ? ` in ${withProblems} file${withProblems === 1 ? '' : 's'}` : ''}.`;
    output.info(summary);
    for (const line of lines) output.info(line);
    if (!quiet) {
      const actions = report.errors || report.warnings ? ['Show Problems', 'Show Report'] : [];
      const show = report.errors ? vscode.window.showErrorMessage : report.warnings ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void show(summary, ...actions).then((choice) => {
        if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
        if (choice === 'Show Report') output.show(true);
      });
    }
    return report;
  });
}
