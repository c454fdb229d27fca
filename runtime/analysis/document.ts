import { parseJsonc, type ParseResult } from '../json/parse';
import { documentKind, extractModel, type DocumentKind, type DocumentModel } from '../model/located';
import { LineIndex } from '../text/lineIndex';

/** One parsed file: its text, tree, kind and model. Immutable: an edit makes a new one. */
export class ParsedDocument {
  readonly kind: DocumentKind | undefined;
  readonly parse: ParseResult;
  readonly model: DocumentModel | undefined;
  private lines: LineIndex | undefined;

  constructor(readonly uri: string, readonly text: string, readonly version = 0) {
    this.parse = parseJsonc(text);
    this.kind = documentKind(uri, this.parse.root);
    this.model = this.kind ? extractModel(this.kind, this.parse.root) : undefined;
  }

  /** Built on first use: most documents in a workspace scan are never shown with positions. */
  get lineIndex(): LineIndex {
    return (this.lines ??= new LineIndex(this.text));
  }
}
