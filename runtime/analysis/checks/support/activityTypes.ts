/**
 * The ActivityDefinitions behind an orchestration's activities, looked up once per type per check
 * run. The first declaration wins (a second one is ORCH302 in its own file).
 */
import type { WorkspaceIndex, TypeDeclaration } from '../../../index/workspaceIndex';
import { propertyValue, type JsonNode } from '../../../json/node';
import { schemaProperties } from '../../../model/types';
import { unwrapSchemaNode } from './sources';

export interface SchemaFacts {
  /** Listed properties plus required names. */
  names: Set<string>;
  /** Whether the schema lists properties (or forbids all others): only then are names checked. */
  listed: boolean;
  closed: boolean;
  required: string[];
  /** The unwrapped schema node in the declaring file. */
  node: JsonNode | undefined;
  /** The schema's `properties` node (or the schema node when it has none). */
  propertiesNode: JsonNode | undefined;
  requiredNode: JsonNode | undefined;
}

export interface TypeFacts {
  declaration: TypeDeclaration;
  /** Undefined when the inputSchema lists no properties (nothing to check). */
  input: SchemaFacts | undefined;
  output: SchemaFacts | undefined;
}

export class ActivityTypes {
  private readonly cache = new Map<string, TypeFacts | undefined>();

  constructor(private readonly index: WorkspaceIndex | undefined) {}

  of(type: string | undefined): TypeFacts | undefined {
    if (type === undefined || !this.index) return undefined;
    if (this.cache.has(type)) return this.cache.get(type);
    const declaration = this.index.declarationsOf(type)[0];
    let facts: TypeFacts | undefined;
    if (declaration) {
      const definition = declaration.definition;
      facts = {
        declaration,
        input: schemaFacts(definition.inputSchema, propertyValue(definition.node, 'inputSchema')),
        output: schemaFacts(definition.outputSchema, propertyValue(definition.node, 'outputSchema')),
      };
    }
    this.cache.set(type, facts);
    return facts;
  }
}

function schemaFacts(schema: Parameters<typeof schemaProperties>[0], node: JsonNode | undefined): SchemaFacts | undefined {
  // A schema forbidding other properties says something even when it lists none.
  const closed = typeof schema === 'object' && schema !== null && schema.additionalProperties === false;
  const props = schemaProperties(schema) ?? (closed ? { names: new Set<string>(), closed, required: [] } : undefined);
  if (!props) return undefined;
  const schemaNode = unwrapSchemaNode(node) ?? node;
  return {
    names: new Set([...props.names, ...props.required]),
    listed: props.names.size > 0 || closed,
    closed,
    required: props.required,
    node: schemaNode,
    propertiesNode: propertyValue(schemaNode, 'properties') ?? schemaNode,
    requiredNode: propertyValue(schemaNode, 'required') ?? schemaNode,
  };
}

/** Whether a schema's property list says something about names (an error/warning check applies). */
export function listsProperties(facts: SchemaFacts | undefined): facts is SchemaFacts {
  return facts !== undefined && facts.listed;
}
