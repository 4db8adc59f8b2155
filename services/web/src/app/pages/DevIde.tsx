import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { refreshingFetch } from '../api/client';

// A small self-hosted GraphQL console for development builds only (the route and this module are left out
// of production bundles). It posts to the same /graphql as the app, with the session cookies.

const SAMPLE = `query Upcoming {
  events(first: 5) {
    edges { node { id title startsAt venue { name city } } }
  }
}`;

const INTROSPECTION = `query IdeSchema {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { name kind description fields { name description args { name } type { ...T } } }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name } } }`;

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface SchemaType {
  name: string;
  kind: string;
  description: string | null;
  fields: { name: string; description: string | null; args: { name: string }[]; type: TypeRef }[] | null;
}

/** `[Event!]!`-style name; deeper wrappers than the introspection query fetched show as `…`. */
function typeName(t: TypeRef | null | undefined): string {
  if (!t) return '…';
  if (t.kind === 'NON_NULL') return `${typeName(t.ofType)}!`;
  if (t.kind === 'LIST') return `[${typeName(t.ofType)}]`;
  return t.name ?? '?';
}

async function post(query: string, variables: unknown) {
  const res = await refreshingFetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return res.json() as Promise<unknown>;
}

export default function DevIdePage() {
  const [query, setQuery] = useState(() => localStorage.getItem('ide:query') ?? SAMPLE);
  const [variables, setVariables] = useState(() => localStorage.getItem('ide:variables') ?? '{}');
  const [output, setOutput] = useState('');
  const [running, setRunning] = useState(false);
  const [types, setTypes] = useState<SchemaType[]>([]);
  const [filter, setFilter] = useState('');

  useEffect(() => {
    void post(INTROSPECTION, {}).then((r) => {
      const schema = (r as { data?: { __schema?: { types: SchemaType[] } } }).data?.__schema;
      if (schema) setTypes(schema.types.filter((t) => !t.name.startsWith('__') && t.fields?.length));
    });
  }, []);

  const shown = useMemo(
    () => types.filter((t) => t.name.toLowerCase().includes(filter.toLowerCase())).slice(0, 40),
    [types, filter],
  );

  async function run(e: FormEvent) {
    e.preventDefault();
    localStorage.setItem('ide:query', query);
    localStorage.setItem('ide:variables', variables);
    let vars: unknown;
    try {
      vars = JSON.parse(variables || '{}');
    } catch {
      setOutput('Variables are not valid JSON.');
      return;
    }
    setRunning(true);
    try {
      setOutput(JSON.stringify(await post(query, vars), null, 2));
    } catch (err) {
      setOutput(String(err));
    } finally {
      setRunning(false);
    }
  }

  return (
    <section>
      <h1>GraphQL IDE (development)</h1>
      <div className="ide">
        <form className="stack" onSubmit={run}>
          <div className="field">
            <label htmlFor="ide-query">Operation</label>
            <textarea
              id="ide-query"
              className="code"
              rows={14}
              spellCheck={false}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="ide-variables">Variables (JSON)</label>
            <textarea
              id="ide-variables"
              className="code"
              rows={4}
              spellCheck={false}
              value={variables}
              onChange={(e) => setVariables(e.target.value)}
            />
          </div>
          <button type="submit" className="button" disabled={running}>
            {running ? 'Running…' : 'Run'}
          </button>
          <div className="field">
            <label htmlFor="ide-output">Result</label>
            <output id="ide-output" className="code output" tabIndex={0}>
              {output || 'Run an operation to see its result.'}
            </output>
          </div>
        </form>
        <aside aria-labelledby="ide-schema" className="stack">
          <h2 id="ide-schema">Schema</h2>
          <div className="field">
            <label htmlFor="ide-filter">Find a type</label>
            <input id="ide-filter" value={filter} onChange={(e) => setFilter(e.target.value)} />
          </div>
          {shown.map((t) => (
            <details key={t.name}>
              <summary>
                {t.name} <span className="muted">{t.kind.toLowerCase()}</span>
              </summary>
              {t.description ? <p className="muted">{t.description}</p> : null}
              <ul className="plain code-list">
                {t.fields!.map((f) => (
                  <li key={f.name}>
                    <code>
                      {f.name}
                      {f.args.length ? `(${f.args.map((a) => a.name).join(', ')})` : ''}: {typeName(f.type)}
                    </code>
                    {f.description ? <span className="muted"> — {f.description}</span> : null}
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </aside>
      </div>
    </section>
  );
}
