/**
 * Which documents the language client sends to the server. Our files by name, in both JSON languages
 * (`json`, and `jsonc` for users who associate the patterns with it), on disk (diff views and other
 * virtual documents are left to the JSON extension). Files recognised by `$schema` only are added through
 * `orch.languageServer.additionalFilePatterns`: sending every JSON file would make the server a second
 * formatter (and folding, symbols ... provider) for package.json and friends. No `vscode` import.
 */
export interface DocumentFilter {
  language: string;
  scheme: string;
  pattern: string;
}

export const FILE_PATTERNS = ['**/*.orch.json', '**/*.activity.json', '**/orch.hosts.json'];
const LANGUAGES = ['json', 'jsonc'];

export function documentSelector(additionalPatterns: readonly unknown[] = []): DocumentFilter[] {
  const patterns = [...FILE_PATTERNS];
  for (const p of additionalPatterns) if (typeof p === 'string' && p.trim() && !patterns.includes(p.trim())) patterns.push(p.trim());
  const out: DocumentFilter[] = [];
  for (const language of LANGUAGES) for (const pattern of patterns) out.push({ language, scheme: 'file', pattern });
  return out;
}
