import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';

/**
 * Subscription documents as parsed, validated and printed once: a flood of clients sends the same few
 * documents (every buyer in a waiting room the same `waitingRoomUpdated`), and each WebSocket subscription
 * would otherwise parse, validate against the supergraph and print its document again. Keyed by the exact
 * source text, bounded (least recently used first out); long sources are not kept; a validation is kept per
 * document and schema, so a new supergraph validates again.
 */
export class DocumentCache {
  private readonly documents = new Map<string, DocumentNode>();
  private readonly validations = new WeakMap<
    DocumentNode,
    { schema: GraphQLSchema; errors: readonly GraphQLError[] }
  >();
  private readonly printed = new WeakMap<DocumentNode, string>();

  constructor(
    private readonly maxEntries = 500,
    private readonly maxSourceLength = 4_096,
  ) {}

  /** `parse(source)`, or the document parsed from the same text before. A parse error is not kept. */
  parse(source: string, parse: (source: string) => DocumentNode): DocumentNode {
    const known = this.documents.get(source);
    if (known) {
      this.documents.delete(source);
      this.documents.set(source, known);
      return known;
    }
    const document = parse(source);
    if (source.length <= this.maxSourceLength) {
      this.documents.set(source, document);
      if (this.documents.size > this.maxEntries) this.documents.delete(this.documents.keys().next().value!);
    }
    return document;
  }

  /** `validate(schema, document)`, once per document and schema. */
  validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[],
  ): readonly GraphQLError[] {
    const known = this.validations.get(document);
    if (known && known.schema === schema) return known.errors;
    const errors = validate(schema, document);
    this.validations.set(document, { schema, errors });
    return errors;
  }

  /** `print(document)`, once per document. */
  print(document: DocumentNode, print: (document: DocumentNode) => string): string {
    let text = this.printed.get(document);
    if (text === undefined) {
      text = print(document);
      this.printed.set(document, text);
    }
    return text;
  }
}
