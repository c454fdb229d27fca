/**
 * File paths <-> document URIs, spelled exactly as VS Code spells them (vscode-uri's `URI.file(p).toString()`),
 * so that a file read from disk at start-up and the same file opened in the editor share one key in the
 * workspace index. Node's pathToFileURL encodes differently (it keeps `@`, `+`, `!` ...), hence this module.
 */
import { fileURLToPath } from 'node:url';

const KEEP = /[A-Za-z0-9\-._~]/;

function encodeSegment(segment: string): string {
  let out = '';
  for (const ch of segment) {
    out += KEEP.test(ch) ? ch : encodeURIComponent(ch).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  }
  return out;
}

/** The URI of a file path (absolute). */
export function fileUri(path: string): string {
  let p = path.replace(/\\/g, '/');
  // A Windows drive: vscode-uri lower-cases the letter and encodes the colon.
  const drive = /^([A-Za-z]):(\/|$)/.exec(p);
  let prefix = '';
  if (drive) {
    prefix = '/' + drive[1].toLowerCase() + '%3A';
    p = p.slice(2);
  } else if (p.startsWith('//')) {
    // UNC path: //server/share/x -> file://server/share/x
    const rest = p.slice(2);
    const slash = rest.indexOf('/');
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    const tail = slash === -1 ? '/' : rest.slice(slash);
    return 'file://' + authority.toLowerCase() + tail.split('/').map(encodeSegment).join('/');
  }
  if (!p.startsWith('/') && !drive) p = '/' + p;
  return 'file://' + prefix + p.split('/').map(encodeSegment).join('/');
}

/** The file path of a `file:` URI; undefined for other schemes (untitled, vscode-notebook-cell, ...). */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** Enough for every open document and the files a feature touches; a workspace scan just starts afresh. */
const CANONICAL_CACHE_SIZE = 4096;
const canonicalSpellings = new Map<string, string>();

/**
 * The canonical spelling of a URI: `file:` URIs are re-encoded the way VS Code does; others are kept.
 * Clients other than VS Code may send `file:///a@b/x.orch.json` for what VS Code sends as `file:///a%40b/...`.
 */
export function canonicalUri(uri: string): string {
  let canonical = canonicalSpellings.get(uri);
  if (canonical === undefined) {
    const path = uriToPath(uri);
    canonical = path === undefined ? uri : fileUri(path);
    // Every lookup of the document store goes through here, several times per keystroke, and a round
    // trip through fileURLToPath costs more than the lookup itself: remember the spellings seen lately.
    if (canonicalSpellings.size >= CANONICAL_CACHE_SIZE) canonicalSpellings.clear();
    canonicalSpellings.set(uri, canonical);
  }
  return canonical;
}

/** The last path segment of a URI, decoded (for messages and file-name based document kinds). */
export function baseName(uri: string): string {
  const path = uri.replace(/[?#].*$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
