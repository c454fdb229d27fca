/**
 * JsonNode objects over a tape, made on demand: with its siblings when its parent's `children` is
 * first read, or on its own (with its ancestors) when the model asks for it by entry (JsonTree.node).
 * Either way it is the same object on every later read, so a tree walked from the root and a node
 * reached through the model are one and the same. Values come
 * from the document's plain value (one JSON.parse), so a leaf costs no string of its own; only keys
 * are sliced from the text.
 *
 * Analysis of a valid definition makes almost no nodes; the editor features make the ones they touch.
 */
import type { JsonNode, JsonNodeType } from './node';
import { ARRAY, kindCode, OBJECT, PROPERTY, STRING, TapeBuilder, type JsonTape } from './tape';

const PAGE_BITS = 10;
const PAGE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE - 1;

export class JsonTree {
  readonly root: JsonNode;
  /**
   * Nodes made so far, by entry, in pages of PAGE entries made with their first node: a few nodes of
   * a large document cost a few small arrays, not one the size of the document.
   */
  private readonly pages: (JsonNode | undefined)[][] = [];

  /**
   * `existing`: the nodes of each entry, when the tape was made from a tree of nodes (tapeOfNodes):
   * that tree's own nodes are then the ones handed out.
   */
  constructor(readonly tape: JsonTape, readonly value: unknown, existing?: JsonNode[]) {
    if (existing) {
      for (let i = 0; i < existing.length; i++) this.put(i, existing[i]);
      this.root = existing[0];
    } else {
      this.root = this.make(0, undefined, value);
    }
  }

  /**
   * The node of entry `i`, made (with its ancestors) if it was not yet. Its siblings are left for when
   * its parent's `children` is read: a diagnostic on one activity of 10,000 makes a handful of nodes,
   * not the other 9,999 activities' (and a keystroke's analysis is run on a new tree every time).
   */
  node(i: number): JsonNode {
    if (i === 0) return this.root;
    const made = this.madeNode(i);
    if (made) return made;
    if (i < 0 || i >= this.tape.count) throw new RangeError(`no entry ${i} in a tree of ${this.tape.count}`);
    const parent = this.node(this.tape.parent[i]) as TreeNode;
    return this.make(i, parent, this.childValue(parent, i));
  }

  /** The node of entry `i` if it was already made (never makes one). */
  madeNode(i: number): JsonNode | undefined {
    return i === 0 ? this.root : this.pages[i >> PAGE_BITS]?.[i & PAGE_MASK];
  }

  private put(i: number, node: JsonNode): void {
    const page = (this.pages[i >> PAGE_BITS] ??= new Array<JsonNode | undefined>(PAGE).fill(undefined));
    page[i & PAGE_MASK] = node;
  }

  /**
   * Makes the children of `node`; called once per node by its `children` getter. Children made before
   * on their own (see `node`) are taken as they are.
   */
  makeChildren(node: TreeNode): JsonNode[] {
    const tape = this.tape;
    const c = node.index;
    const end = tape.skip[c];
    const kind = tape.kind[c];
    const children: JsonNode[] = [];
    if (kind === ARRAY) {
      const items = Array.isArray(node.value) ? node.value : undefined;
      let ordinal = 0;
      for (let k = c + 1; k < end; k = tape.skip[k], ordinal++) {
        children.push(this.madeNode(k) ?? this.make(k, node, items ? items[ordinal] : tape.plainValue(k)));
      }
    } else if (kind === OBJECT) {
      for (let k = c + 1; k < end; k = tape.skip[k]) children.push(this.madeNode(k) ?? this.make(k, node, undefined));
    } else if (kind === PROPERTY) {
      const k = c + 1;
      if (k < end) {
        const key = tape.kind[k] === STRING ? tape.stringValue(k) : tape.leafValue(k);
        children.push(this.madeNode(k) ?? this.make(k, node, key));
        const v = tape.skip[k];
        if (v < end) children.push(this.madeNode(v) ?? this.make(v, node, this.propertyValueOf(node, key, v)));
      }
    }
    return children;
  }

  /** The value of child entry `k` of `parent`, as makeChildren gives it. */
  private childValue(parent: TreeNode, k: number): unknown {
    const tape = this.tape;
    const c = parent.index;
    const kind = tape.kind[c];
    if (kind === ARRAY) {
      if (!Array.isArray(parent.value)) return tape.plainValue(k);
      let ordinal = 0;
      for (let j = c + 1; j < k; j = tape.skip[j]) ordinal++;
      return parent.value[ordinal];
    }
    if (kind !== PROPERTY) return undefined;
    const key = tape.kind[c + 1] === STRING ? tape.stringValue(c + 1) : tape.leafValue(c + 1);
    return k === c + 1 ? key : this.propertyValueOf(parent, key, k);
  }

  /** The value of property `property`'s value entry `v`, whose key is `key`. */
  private propertyValueOf(property: TreeNode, key: unknown, v: number): unknown {
    // The object's plain value holds the last of repeated keys: a shadowed one builds its own.
    const object = property.parent?.value;
    const own = this.tape.shadowed?.has(property.index) || typeof key !== 'string' || typeof object !== 'object' || object === null;
    return own ? this.tape.plainValue(v) : (object as Record<string, unknown>)[key];
  }

  private make(i: number, parent: TreeNode | undefined, value: unknown): TreeNode {
    const tape = this.tape;
    const kind = tape.kind[i];
    const start = tape.start[i];
    const node = new TreeNode(this, i, tape.type(i), start, tape.end[i] - start, parent, value, kind === PROPERTY ? tape.aux[i] : undefined);
    if (i !== 0) this.put(i, node);
    return node;
  }
}

/** A JsonNode of a JsonTree: plain fields, except `children`, made on first read. */
export class TreeNode implements JsonNode {
  private made: JsonNode[] | undefined = undefined;

  constructor(
    readonly tree: JsonTree,
    /** The node's entry in the tape. */
    readonly index: number,
    public type: JsonNodeType,
    public offset: number,
    public length: number,
    public parent: JsonNode | undefined,
    public value: unknown,
    public colonOffset: number | undefined,
  ) {}

  get children(): JsonNode[] | undefined {
    if (this.made === undefined && this.tree.tape.kind[this.index] <= PROPERTY) this.made = this.tree.makeChildren(this);
    return this.made;
  }
}

/** The tree a node belongs to, when it is a tree node. */
export function treeOf(node: JsonNode | undefined): JsonTree | undefined {
  return node instanceof TreeNode ? node.tree : undefined;
}

/**
 * A tape of any JsonNode tree (jsonc-parser's, or one built by hand): the recovering parser's trees go
 * through here, so that everything downstream reads one representation.
 */
export function tapeOfNodes(text: string, root: JsonNode, shadowed?: (property: JsonNode) => boolean): { tape: JsonTape; order: JsonNode[] } {
  const builder = new TapeBuilder(text, 64);
  const order: JsonNode[] = [];
  const leafValues: unknown[] = [];
  const marks = new Set<number>();
  // Iterative, so that a deep tree cannot overflow the stack.
  const stack: { node: JsonNode; parent: number; entry: number; next: number }[] = [];
  const open = (node: JsonNode, parent: number) => {
    const i = builder.add(kindCode(node.type), node.offset, parent);
    builder.end[i] = node.offset + node.length;
    builder.aux[i] = node.type === 'property' ? node.colonOffset ?? -1 : 0;
    order.push(node);
    if (node.type === 'object' || node.type === 'array' || node.type === 'property') {
      if (node.type === 'property' && shadowed?.(node)) marks.add(i);
      stack.push({ node, parent, entry: i, next: 0 });
    } else {
      leafValues[i] = node.value;
      builder.skip[i] = i + 1;
    }
  };
  open(root, -1);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const children = top.node.children ?? [];
    if (top.next < children.length) {
      open(children[top.next++], top.entry);
      continue;
    }
    builder.skip[top.entry] = builder.count;
    stack.pop();
  }
  leafValues.length = builder.count;
  return { tape: builder.finish(marks.size ? marks : undefined, leafValues), order };
}
