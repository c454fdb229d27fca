import { reparse, type UnchangedEnds } from '../json/incremental';
import { parseJsonc, type ParseResult } from '../json/parse';
import { documentKind, extractModel, type DocumentKind, type DocumentModel } from '../model/located';
import { LineIndex } from '../text/lineIndex';

/** The version an edit was made to, and how much of its text the edit left alone. */
export interface EditedFrom {
  doc: ParsedDocument;
  unchanged: UnchangedEnds;
}

/** One parsed file: its text, tree, kind and model. Immutable: an edit makes a new one. */
export class ParsedDocument {
  readonly kind: DocumentKind | undefined;
  readonly parse: ParseResult;
  readonly model: DocumentModel | undefined;
  private lines: LineIndex | undefined;

  /**
   * `editedFrom`: the previous version of the same file, when this text is an edit of it: only the
   * part the edit touched is parsed again (the result is the same as parsing the whole text).
   */
  constructor(readonly uri: string, readonly text: string, readonly version = 0, editedFrom?: EditedFrom) {
    const previous = editedFrom?.doc;
    this.parse = (previous && reparse(previous.parse, previous.text, text, editedFrom.unchanged)) || parseJsonc(text);
    this.kind = documentKind(uri, this.parse.root);
    this.model = this.kind ? extractModel(this.kind, this.parse.root) : undefined;
  }

  /** Built on first use: most documents in a workspace scan are never shown with positions. */
  get lineIndex(): LineIndex {
    return (this.lines ??= new LineIndex(this.text));
  }
}
