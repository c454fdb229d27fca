/**
 * A JSON syntax tree with offsets. Structurally compatible with jsonc-parser's `Node`, so that its
 * helpers (findNodeAtOffset, getNodePath, format) work on our trees too. Containers also carry their
 * plain JavaScript `value` (the very objects of the document's plain value, which ajv and the runtime
 * read). parseJsonc's nodes are made on demand from a compact tape (see ./tree.ts): `children` is a
 * getter, every other field a plain one, and nodes are never changed after they are made.
 */
export type JsonNodeType = 'object' | 'array' | 'property' | 'string' | 'number' | 'boolean' | 'null';

export interface JsonNode {
  type: JsonNodeType;
  offset: number;
  length: number;
  parent?: JsonNode;
  children?: JsonNode[];
  /** Leaf: the literal; object/array: the plain value; property: undefined. */
  value?: unknown;
  /** Property nodes: offset of the ':' (-1 when missing). */
  colonOffset?: number;
}

/** A half-open range of offsets into the document text: [offset, offset + length). */
export interface Span {
  offset: number;
  length: number;
}

export function spanOf(node: JsonNode): Span {
  return { offset: node.offset, length: node.length };
}

/** The value node of property `key` of an object node. */
export function propertyValue(object: JsonNode | undefined, key: string): JsonNode | undefined {
  if (!object || object.type !== 'object' || !object.children) return undefined;
  // Last wins, as in JSON.parse.
  for (let i = object.children.length - 1; i >= 0; i--) {
    const prop = object.children[i];
    const keyNode = prop.children?.[0];
    if (keyNode && keyNode.value === key) return prop.children?.[1];
  }
  return undefined;
}

/** The property node (key and value) of `key` in an object node. */
export function propertyNode(object: JsonNode | undefined, key: string): JsonNode | undefined {
  const value = propertyValue(object, key);
  return value?.parent;
}

/** The key node of the property whose value is `valueNode`, if it is a property value. */
export function keyOf(valueNode: JsonNode): JsonNode | undefined {
  const parent = valueNode.parent;
  if (parent?.type === 'property' && parent.children?.[1] === valueNode) return parent.children[0];
  return undefined;
}

/** Follows a path of keys and indices from `root`. */
export function nodeAtPath(root: JsonNode | undefined, path: readonly (string | number)[]): JsonNode | undefined {
  let node = root;
  for (const segment of path) {
    if (!node) return undefined;
    if (typeof segment === 'number') {
      if (node.type !== 'array' || !node.children) return undefined;
      node = node.children[segment];
    } else {
      node = propertyValue(node, segment);
    }
  }
  return node;
}

/** The path of keys and indices from the root to `node`. */
export function pathOf(node: JsonNode): (string | number)[] {
  const path: (string | number)[] = [];
  let current: JsonNode | undefined = node;
  while (current?.parent) {
    const parent: JsonNode = current.parent;
    if (parent.type === 'property') {
      path.push(parent.children![0].value as string);
      current = parent.parent;
    } else {
      path.push(parent.children!.indexOf(current));
      current = parent;
    }
  }
  return path.reverse();
}

/** The innermost node containing `offset` (end inclusive, so a cursor after a token still finds it). */
export function nodeAtOffset(root: JsonNode | undefined, offset: number): JsonNode | undefined {
  if (!root || offset < root.offset || offset > root.offset + root.length) return undefined;
  let node = root;
  for (;;) {
    const children = node.children;
    if (!children || children.length === 0) return node;
    // Children are sorted by offset: binary search keeps this logarithmic on 10,000-item arrays.
    let lo = 0;
    let hi = children.length - 1;
    let found: JsonNode | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const child = children[mid];
      if (offset < child.offset) hi = mid - 1;
      else if (offset > child.offset + child.length) lo = mid + 1;
      else { found = child; break; }
    }
    if (!found) return node;
    node = found;
  }
}
