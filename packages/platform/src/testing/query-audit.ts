import type { Connection, Model } from 'mongoose';

/** One query a piece of code sent through mongoose. */
export interface RecordedQuery {
  collection: string;
  method: string;
  filter: Record<string, unknown>;
}

/** Methods whose first argument is a filter that selects documents (inserts and commands are not). */
const FILTERED = new Set([
  'find',
  'findOne',
  'countDocuments',
  'updateOne',
  'updateMany',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'replaceOne',
]);

/**
 * Records every filtered query mongoose sends on `connection` until `stop()` (mongoose's per-connection
 * `debug` hook: nothing is changed on the way). `aggregate` pipelines are recorded by their leading `$match`.
 */
export function recordQueries(connection: Connection): { queries: RecordedQuery[]; stop(): void } {
  const queries: RecordedQuery[] = [];
  connection.set('debug', (collection: string, method: string, ...args: unknown[]) => {
    if (FILTERED.has(method)) {
      queries.push({ collection, method, filter: (args[0] ?? {}) as Record<string, unknown> });
    } else if (method === 'aggregate') {
      const first = (args[0] as Array<Record<string, unknown>> | undefined)?.[0];
      queries.push({ collection, method, filter: (first?.$match ?? {}) as Record<string, unknown> });
    }
  });
  return { queries, stop: () => connection.set('debug', false) };
}

/** The shape of a filter: its keys with operator names, values dropped (`{status: 'HELD', at: {$lte}}`). */
export function filterShape(filter: Record<string, unknown>): string {
  const shape = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(shape);
    if (v && typeof v === 'object' && !(v instanceof Date) && Object.keys(v).some((k) => k.startsWith('$'))) {
      return Object.fromEntries(Object.keys(v).map((k) => [k, shape((v as Record<string, unknown>)[k])]));
    }
    return 1;
  };
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(filter)
        .sort()
        .map((k) => [k, shape(filter[k])]),
    ),
  );
}

/** Top-level fields a filter compares by plain equality (a value, or `{$eq: value}`). */
function equalityFields(filter: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(filter)) {
    if (k.startsWith('$')) continue;
    const isOperatorDoc =
      v !== null &&
      typeof v === 'object' &&
      !(v instanceof Date) &&
      !Array.isArray(v) &&
      Object.keys(v).some((key) => key.startsWith('$'));
    if (!isOperatorDoc || Object.keys(v as object).every((key) => key === '$eq')) out.add(k);
  }
  return out;
}

/**
 * The declared index (of `model`'s schema, `_id` included) whose leading key the filter fixes by equality,
 * or null: the static half of "every repeated query shape has an index".
 */
export function declaredIndexFor(model: Model<unknown>, filter: Record<string, unknown>): string | null {
  const eq = equalityFields(filter);
  if (eq.has('_id')) return '_id_';
  for (const [keys] of model.schema.indexes()) {
    const lead = Object.keys(keys)[0];
    if (lead !== undefined && eq.has(lead)) return JSON.stringify(keys);
  }
  return null;
}

/** Walks an explain document for plan node names (MongoDB `stage`s, PostgreSQL `Node Type`s under FerretDB). */
function planNodes(explain: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if ((k === 'stage' || k === 'Node Type') && typeof child === 'string') out.push(child);
        else walk(child);
      }
    }
  };
  walk(explain);
  return out;
}

/**
 * Asks the server how it would answer `filter` on `collection` and whether that reads through an index:
 * MongoDB's plan has an IXSCAN (or the `_id` fast path) and no COLLSCAN; FerretDB's (a PostgreSQL plan) has
 * an index or bitmap-index scan and no sequential scan. The collection should hold enough documents that
 * a planner would not rather read it whole.
 */
export async function explainIndexUse(
  connection: Connection,
  collection: string,
  filter: Record<string, unknown>,
): Promise<{ indexed: boolean; nodes: string[] }> {
  const explain = await connection.db!.command({
    explain: { find: collection, filter },
    verbosity: 'queryPlanner',
  });
  const nodes = planNodes(explain);
  const indexed =
    nodes.some((n) => /IXSCAN|IDHACK|Index Scan|Index Only Scan|Bitmap Index Scan/.test(n)) &&
    !nodes.some((n) => /COLLSCAN|Seq Scan/.test(n));
  return { indexed, nodes };
}

/**
 * Checks each distinct query shape recorded on `connection` against `models` (by collection name): a
 * declared index leads with one of its equality fields, and the server answers it through an index.
 * Returns one line per shape that fails either check (empty when all pass).
 */
export async function unindexedQueries(
  connection: Connection,
  recorded: readonly RecordedQuery[],
  models: ReadonlyArray<Model<never>>,
): Promise<string[]> {
  const byCollection = new Map(
    models.map((m) => [m.collection.collectionName, m as unknown as Model<unknown>]),
  );
  const seen = new Map<string, RecordedQuery>();
  for (const q of recorded) seen.set(`${q.collection} ${q.method} ${filterShape(q.filter)}`, q);
  const problems: string[] = [];
  for (const [shape, q] of seen) {
    const model = byCollection.get(q.collection);
    if (!model) {
      problems.push(`${shape}: no model given for collection ${q.collection}`);
      continue;
    }
    if (!declaredIndexFor(model, q.filter))
      problems.push(`${shape}: no declared index leads with an equality field`);
    const { indexed, nodes } = await explainIndexUse(connection, q.collection, q.filter);
    if (!indexed) problems.push(`${shape}: the server plans ${nodes.join(' > ') || 'nothing'}`);
  }
  return problems;
}
