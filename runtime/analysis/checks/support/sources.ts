/**
 * What a source names, shared by the input, forEach and output checks: malformed spellings, the
 * definition's run-input properties and the activity types' schemas.
 */
import { propertyValue, type JsonNode } from '../../../json/node';
import { firstSegment, type OrchestrationModel, type SourceRef } from '../../../model/located';
import { schemaProperties } from '../../../model/types';
import { Suggester } from './suggest';

/**
 * Why a source cannot be read (empty, or with an empty segment), or undefined when it is well formed.
 * One pass over the characters: every source check asks, for every source of the file.
 */
export function malformedReason(source: SourceRef): string | undefined {
  const value = source.value;
  const length = value.length;
  // The usual source, settled without a loop: it starts with a name, ends with one, has no `..`.
  if (length > 0) {
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(length - 1);
    if (first > 32 && first !== 46 && last !== 46 && !value.includes('..')) return undefined;
  }
  let blank = true;
  let emptySegment = false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === 46 /* . */ && i > 0 && value.charCodeAt(i - 1) === 46) emptySegment = true;
    if (blank && c !== 32 && c !== 9 && c !== 10 && c !== 13) blank = false;
  }
  if (blank) return 'is empty';
  if (value.charCodeAt(0) === 46) return 'starts with a dot';
  if (value.charCodeAt(length - 1) === 46) return 'ends with a dot';
  if (emptySegment) return 'has an empty segment (`..`)';
  return undefined;
}

/**
 * The run input as the definition describes it: the `schema` properties (and its `required` names)
 * and the `input` defaults. `checked` is false when the schema lists no properties: an empty schema
 * checks nothing.
 */
export class RunInput {
  readonly checked: boolean;
  readonly names: Set<string>;
  /** The `properties` node of the (unwrapped) schema, for related locations. */
  readonly propertiesNode: JsonNode | undefined;

  constructor(model: OrchestrationModel) {
    const props = schemaProperties(model.schema);
    // A schema forbidding other properties says something even when it lists none.
    const closed = typeof model.schema === 'object' && model.schema.additionalProperties === false;
    this.checked = closed || (props !== undefined && props.names.size > 0);
    this.names = new Set([...(props?.names ?? []), ...(props?.required ?? []), ...Object.keys(model.inputDefaults)]);
    this.propertiesNode = propertyValue(unwrapSchemaNode(model.schemaNode), 'properties');
  }

  has(name: string): boolean {
    return this.names.has(name);
  }
}

/** The node of the schema itself: the value of `openAPIV3Schema` when that is the wrapper's only key. */
export function unwrapSchemaNode(node: JsonNode | undefined): JsonNode | undefined {
  if (node?.type !== 'object') return undefined;
  const children = node.children ?? [];
  if (children.length === 1 && children[0].children?.[0]?.value === 'openAPIV3Schema') {
    return unwrapSchemaNode(children[0].children[1]) ?? children[0].children[1];
  }
  return node;
}

/** A source that reads a run-input property the definition does not know (see PropertyReads). */
export interface PropertyProblem {
  property: string;
  suggestion?: string;
  /** Whether the suggestion is an activity id (the source was probably meant to read its output). */
  suggestsActivity: boolean;
  /** error when the schema lists properties; warning for a likely misspelt activity id otherwise. */
  severity: 'error' | 'warning';
}

/**
 * Judges sources whose first segment is not an activity id, i.e. reads of the run input. With a
 * schema that lists properties, an unknown property is an error. With an empty schema nothing is
 * known about the input, but a name within a typo of an activity id is almost certainly one: that is
 * a warning, so `activty1.resource` does not silently read an input property `activty1`.
 */
export class PropertyReads {
  readonly input: RunInput;
  private readonly names: Suggester;
  private readonly ids: Suggester;

  constructor(private readonly model: OrchestrationModel) {
    this.input = new RunInput(model);
    this.names = new Suggester(() => [...this.input.names, ...model.byId.keys()]);
    this.ids = new Suggester(() => model.byId.keys());
  }

  problem(source: SourceRef): PropertyProblem | undefined {
    if (source.activityId !== undefined || malformedReason(source)) return undefined;
    const property = firstSegment(source.value);
    if (this.input.has(property)) return undefined;
    if (this.input.checked) {
      const suggestion = this.names.suggest(property);
      return { property, suggestion, suggestsActivity: suggestion !== undefined && !this.input.has(suggestion) && this.model.byId.has(suggestion), severity: 'error' };
    }
    const suggestion = this.ids.suggest(property);
    return suggestion === undefined ? undefined : { property, suggestion, suggestsActivity: true, severity: 'warning' };
  }

  /** The advice sentence for a problem, shared by ORCH402, ORCH408 and ORCH409. */
  advice(problem: PropertyProblem): string {
    const { property, suggestion } = problem;
    if (problem.severity === 'warning') {
      return `'${property}' is not an activity of this definition, so this reads the run-input property '${property}'. Did you mean activity '${suggestion}'? If '${property}' is meant as an input property, declare it in \`schema\``;
    }
    const hint = suggestion === undefined ? '' : problem.suggestsActivity ? ` Did you mean activity '${suggestion}'?` : ` Did you mean '${suggestion}'?`;
    return `'${property}' is neither an activity of this definition nor a property of its \`schema\`, and \`input\` gives it no default.${hint} Declare it in schema.properties, give it a default in \`input\`, or fix the name`;
  }

  data(problem: PropertyProblem): Record<string, unknown> {
    return problem.suggestion === undefined ? { property: problem.property } : { property: problem.property, suggestion: problem.suggestion };
  }
}
