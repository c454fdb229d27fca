/**
 * Folding ranges computed from the tree (objects and arrays) and from the comments. Iterative: a
 * document nested thousands deep must not overflow the stack.
 */
import { createScanner } from 'jsonc-parser';
import type { FoldingRange } from 'vscode-languageserver';
import type { ParsedDocument } from '../../../runtime/analysis/document';
import { propertyValue, type JsonNode } from '../../../runtime/json/node';
import { linesOf } from '../../lines';

export interface FoldingOptions {
  rangeLimit?: number;
  lineFoldingOnly: boolean;
  collapsedText: boolean;
  kinds: { comment: string; region: string };
}

interface Candidate {
  range: FoldingRange;
  depth: number;
}

// jsonc-parser's SyntaxKind is a const enum, which isolated modules cannot read.
const LINE_COMMENT = 12;
const BLOCK_COMMENT = 13;
const EOF = 17;

const REGION_START = /^\/\/\s*#?region\b/;
const REGION_END = /^\/\/\s*#?endregion\b/;

/** Comment spans: from the parse when it succeeded (it recorded them), else by scanning the text. */
function commentSpans(doc: ParsedDocument): { offset: number; length: number }[] {
  const problems = doc.parse.problems;
  if (!problems.some((p) => p.kind === 'syntax')) return problems.filter((p) => p.kind === 'comment');
  const spans: { offset: number; length: number }[] = [];
  const scanner = createScanner(doc.text, false);
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (token === LINE_COMMENT || token === BLOCK_COMMENT) spans.push({ offset: scanner.getTokenOffset(), length: scanner.getTokenLength() });
  }
  return spans;
}

function activitySummary(node: JsonNode): string | undefined {
  const id = propertyValue(node, 'id')?.value;
  const type = propertyValue(node, 'type')?.value;
  if (typeof id !== 'string') return undefined;
  return typeof type === 'string' ? `{ ${id}: ${type} }` : `{ ${id} }`;
}

export function foldingRanges(doc: ParsedDocument, options: FoldingOptions): FoldingRange[] {
  const lines = linesOf(doc);
  const text = doc.text;
  const candidates: Candidate[] = [];
  const lineOf = (offset: number) => lines.positionAt(offset).line;
  const root = doc.parse.root;
  const activities = doc.kind === 'orchestration' ? propertyValue(root, 'activities') : undefined;
  const usedStart = new Set<number>();
  if (root) {
    const stack: { node: JsonNode; depth: number }[] = [{ node: root, depth: 0 }];
    while (stack.length) {
      const { node, depth } = stack.pop()!;
      const children = node.children;
      if (node.type === 'object' || node.type === 'array') {
        const start = lines.positionAt(node.offset);
        const close = node.offset + node.length - 1;
        let endLine = lineOf(close);
        // Keep the closing bracket visible when it opens its line.
        const closeOpensLine = /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', close - 1) + 1, close));
        if (closeOpensLine) endLine--;
        // Several containers opening on one line (`[{`): the outermost folds.
        if (endLine > start.line && !usedStart.has(start.line)) {
          usedStart.add(start.line);
          const range: FoldingRange = { startLine: start.line, endLine };
          if (!options.lineFoldingOnly) {
            range.startCharacter = start.character + 1;
            if (closeOpensLine) range.endCharacter = lines.positionAt(close).character;
          }
          if (options.collapsedText && node.parent === activities && activities) {
            const summary = activitySummary(node);
            if (summary) range.collapsedText = summary;
          }
          candidates.push({ range, depth });
        }
      }
      if (children) {
        const next = node.type === 'property' ? depth : depth + 1;
        for (let i = children.length - 1; i >= 0; i--) {
          const child = children[i];
          if (child.type === 'object' || child.type === 'array' || child.type === 'property') stack.push({ node: child, depth: next });
        }
      }
    }
  }
  addCommentRanges(doc, options, candidates);
  let chosen = candidates;
  if (options.rangeLimit !== undefined && candidates.length > options.rangeLimit) {
    // Over the client's limit: the outer folds matter most (activities before their inputs).
    chosen = [...candidates].sort((a, b) => a.depth - b.depth || a.range.startLine - b.range.startLine).slice(0, Math.max(0, options.rangeLimit));
  }
  return chosen.map((c) => c.range).sort((a, b) => a.startLine - b.startLine);
}

function addCommentRanges(doc: ParsedDocument, options: FoldingOptions, out: Candidate[]): void {
  const lines = linesOf(doc);
  const text = doc.text;
  const regions: number[] = [];
  let runStart = -1;
  let runEnd = -1;
  const flushRun = () => {
    if (runStart !== -1 && runEnd > runStart) out.push({ range: { startLine: runStart, endLine: runEnd, kind: options.kinds.comment }, depth: 0 });
    runStart = runEnd = -1;
  };
  for (const span of commentSpans(doc)) {
    const comment = text.slice(span.offset, span.offset + span.length);
    const startLine = lines.positionAt(span.offset).line;
    if (comment.startsWith('//')) {
      if (REGION_START.test(comment)) { flushRun(); regions.push(startLine); continue; }
      if (REGION_END.test(comment)) {
        flushRun();
        const open = regions.pop();
        if (open !== undefined && startLine > open) out.push({ range: { startLine: open, endLine: startLine, kind: options.kinds.region }, depth: 0 });
        continue;
      }
      // Consecutive line comments, each alone on its line, fold together.
      const alone = /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', span.offset - 1) + 1, span.offset));
      if (alone && runEnd === startLine - 1) { runEnd = startLine; continue; }
      flushRun();
      if (alone) runStart = runEnd = startLine;
      continue;
    }
    flushRun();
    const endLine = lines.positionAt(span.offset + span.length).line;
    if (endLine > startLine) out.push({ range: { startLine, endLine, kind: options.kinds.comment }, depth: 0 });
  }
  flushRun();
}
