/**
 * "New Orchestration...": pick a template and a name; writes `<name>.orch.json` and the activity types it
 * uses in `<name>.activity.json` beside it (in the folder of the active definition, or the workspace
 * root), then opens the definition. Never overwrites a file.
 */
import * as vscode from 'vscode';
import { NAME_PATTERN, renderTemplate, TEMPLATES } from '../templates/templates';

async function targetFolder(explicit?: vscode.Uri): Promise<vscode.Uri | undefined> {
  if (explicit) {
    try {
      const stat = await vscode.workspace.fs.stat(explicit);
      return stat.type & vscode.FileType.Directory ? explicit : vscode.Uri.joinPath(explicit, '..');
    } catch { /* fall through to the defaults */ }
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && vscode.workspace.getWorkspaceFolder(active)) return vscode.Uri.joinPath(active, '..');
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0]?.uri;
  return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder for the new orchestration' }))?.uri;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try { await vscode.workspace.fs.stat(uri); return true; } catch { return false; }
}

/** Programmatic use: (folderUri, templateId, name) skips the prompts. Returns the new definition's URI. */
export async function newOrchestrationCommand(folderArg?: unknown, templateArg?: unknown, nameArg?: unknown): Promise<vscode.Uri | undefined> {
  const folder = await targetFolder(folderArg instanceof vscode.Uri ? folderArg : undefined);
  if (!folder) {
    void vscode.window.showWarningMessage('Open a folder first: a new orchestration is created in the workspace.');
    return undefined;
  }
  let template = TEMPLATES.find((t) => t.id === templateArg);
  if (!template) {
    const picked = await vscode.window.showQuickPick(TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, template: t })), {
      title: 'New Orchestration', placeHolder: 'Start from a template',
    });
    if (!picked) return undefined;
    template = picked.template;
  }
  const taken = async (name: string) => (await exists(vscode.Uri.joinPath(folder, `${name}.orch.json`))) || (await exists(vscode.Uri.joinPath(folder, `${name}.activity.json`)));
  let name = typeof nameArg === 'string' ? nameArg : undefined;
  if (name === undefined) {
    name = await vscode.window.showInputBox({
      title: `New Orchestration (${template.label})`,
      prompt: `Name: the file is <name>.orch.json in ${vscode.workspace.asRelativePath(folder) || folder.fsPath}; its activity types are <name>.*`,
      value: template.id === 'empty' ? 'my-orchestration' : template.id,
      ignoreFocusOut: true,
      validateInput: async (text) => {
        if (!NAME_PATTERN.test(text)) return 'Start with a letter; then letters, digits, _ . -';
        if (await taken(text)) return `${text}.orch.json or ${text}.activity.json already exists here`;
        return undefined;
      },
    });
    if (name === undefined) return undefined;
  }
  if (!NAME_PATTERN.test(name)) throw new Error(`'${name}' is not a valid name (start with a letter; then letters, digits, _ . -)`);
  if (await taken(name)) throw new Error(`${name}.orch.json or ${name}.activity.json already exists in ${folder.fsPath}`);
  const text = renderTemplate(template, name);
  const definitionUri = vscode.Uri.joinPath(folder, `${name}.orch.json`);
  const encoder = new TextEncoder();
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, `${name}.activity.json`), encoder.encode(text.types));
  await vscode.workspace.fs.writeFile(definitionUri, encoder.encode(text.definition));
  await vscode.window.showTextDocument(definitionUri, { preview: false });
  return definitionUri;
}
