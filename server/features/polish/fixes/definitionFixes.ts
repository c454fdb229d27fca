/** ORCH301: an activity type no ActivityDefinition declares: use the close one, or create it. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { propertyValue } from '../../../../runtime/json/node';
import { fileUri, uriToPath } from '../../../uris';
import { activitySkeleton, definitionFileName, usageOf } from '../activitySkeleton';
import { nodeAtSpan } from '../treeLookup';
import { suggestionFix } from './replaceFixes';
import { dataString, type FixProvider, type PlannedFix } from './types';

const useSuggestion = suggestionFix((s) => `Change the type to '${s}'`);

export const unknownType: FixProvider = (input, diagnostic) => {
  const fixes: PlannedFix[] = useSuggestion(input, diagnostic);
  const node = nodeAtSpan(input.doc.parse.root, diagnostic.offset, diagnostic.length);
  const type = dataString(diagnostic, 'type') ?? (node?.type === 'string' ? (node.value as string) : undefined);
  const created = type === undefined ? undefined : createDefinition(input, type);
  if (created) fixes.push({ ...created, preferred: fixes.length === 0 });
  return fixes;
};

/** The new file sits beside the orchestration; refused when that name is taken (or the document has no folder). */
function createDefinition({ doc, model, index, layout }: Parameters<FixProvider>[0], type: string): PlannedFix | undefined {
  if (!type.trim()) return undefined;
  const orchestrationPath = uriToPath(doc.uri);
  if (orchestrationPath === undefined) return undefined;
  const fileName = definitionFileName(type);
  const path = join(dirname(orchestrationPath), fileName);
  const uri = fileUri(path);
  if (index?.get(uri) || existsSync(path)) return undefined;
  const schemaRef = propertyValue(model.root, '$schema')?.value;
  const text = activitySkeleton(usageOf(type, doc, model, index), {
    fileName,
    orchestrationSchemaRef: typeof schemaRef === 'string' ? schemaRef : undefined,
    unit: layout.unit,
    eol: layout.eol,
  });
  return { title: `Create ${fileName} defining '${type}'`, edits: [], newFile: { uri, text } };
}
