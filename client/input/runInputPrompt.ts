/**
 * "Run with Input...": quick inputs built from the definition's `schema` when it is simple (one per
 * property, validated as typed), otherwise an input JSON file. The last input per definition is the
 * starting point of every prompt. Secret references (`${secret:NAME}`) may be typed as values.
 */
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { parseJsonc } from '../../runtime/json/parse';
import { LineIndex } from '../../runtime/text/lineIndex';
import { fieldText, parseFieldText, simpleFields, type InputField } from './schemaFields';

export interface InputPromptOptions {
  definitionName: string;
  schema: unknown;
  defaults: Record<string, unknown>;
  last: Record<string, unknown> | undefined;
}

/** The input, or undefined when the user cancelled. */
export async function promptRunInput(options: InputPromptOptions): Promise<Record<string, unknown> | undefined> {
  const fields = simpleFields(options.schema);
  if (fields) return promptFields(fields, options);
  return promptInputFile(options);
}

async function promptFields(fields: InputField[], options: InputPromptOptions): Promise<Record<string, unknown> | undefined> {
  const input: Record<string, unknown> = {};
  const total = fields.length;
  for (const [i, field] of fields.entries()) {
    const title = `Run ${options.definitionName} with input (${i + 1}/${total})`;
    const start = options.last?.[field.name] ?? options.defaults[field.name] ?? field.defaultValue;
    const hint = [field.description, field.required ? 'required' : 'optional: leave empty to omit'].filter(Boolean).join(' · ');
    if (field.kind === 'boolean' || field.kind === 'enum') {
      const values = field.kind === 'boolean' ? [true, false] : field.enumValues ?? [];
      const items: (vscode.QuickPickItem & { value?: unknown; omit?: boolean })[] = values.map((value) => ({
        label: fieldText(value),
        description: value === start ? (options.last && field.name in options.last ? 'last used' : 'default') : undefined,
        value,
      }));
      if (!field.required) items.push({ label: '(leave out)', description: 'omit this property', omit: true });
      const startIndex = items.findIndex((item) => !item.omit && item.value === start);
      if (startIndex > 0) items.unshift(...items.splice(startIndex, 1));
      const picked = await vscode.window.showQuickPick(items, { title, placeHolder: `${field.name}: ${hint}`, ignoreFocusOut: true });
      if (!picked) return undefined;
      if (!picked.omit) input[field.name] = picked.value;
      continue;
    }
    const text = await vscode.window.showInputBox({
      title,
      prompt: `${field.name} (${field.kind}${field.format ? `, ${field.format}` : ''}): ${hint}`,
      value: fieldText(start),
      ignoreFocusOut: true,
      validateInput: (value) => parseFieldText(field, value).error,
    });
    if (text === undefined) return undefined;
    const parsed = parseFieldText(field, text);
    if (parsed.value !== undefined) input[field.name] = parsed.value;
  }
  return input;
}

async function promptInputFile(options: InputPromptOptions): Promise<Record<string, unknown> | undefined> {
  type Choice = vscode.QuickPickItem & { action: 'last' | 'defaults' | 'file' };
  const choices: Choice[] = [{ label: '$(file) Choose an input JSON file...', action: 'file' }];
  if (options.last) choices.unshift({ label: '$(history) Last input', description: summarize(options.last), action: 'last' });
  choices.push({ label: '$(symbol-constant) Defaults only', description: summarize(options.defaults) || 'the definition\'s `input`', action: 'defaults' });
  const picked = await vscode.window.showQuickPick(choices, {
    title: `Run ${options.definitionName} with input`,
    placeHolder: 'The input schema is not a flat list of values: pick an input JSON file',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.action === 'last') return options.last;
  if (picked.action === 'defaults') return {};
  const files = await vscode.window.showOpenDialog({
    title: `Input for ${options.definitionName}`,
    canSelectMany: false,
    filters: { JSON: ['json', 'jsonc'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  if (!files?.length) return undefined;
  return readInputFile(files[0].fsPath);
}

/** Reads a run input file: a JSON object (comments allowed). Throws a message naming the file and the position. */
export async function readInputFile(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  const parsed = parseJsonc(text);
  const problem = parsed.problems.find((p) => p.kind === 'syntax');
  if (problem) {
    const at = new LineIndex(text).positionAt(problem.offset);
    throw new Error(`${path}:${at.line + 1}:${at.character + 1}: the input file is not valid JSON (${problem.message})`);
  }
  const value = parsed.root?.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path}: the input must be a JSON object`);
  return value as Record<string, unknown>;
}

function summarize(value: Record<string, unknown>): string {
  const text = JSON.stringify(value);
  return text === '{}' ? '' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
