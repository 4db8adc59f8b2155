// Writes the JSON schemas kubeconform validates against, with no network:
//   node json-schemas.mjs kubernetes <swagger.json> <out-dir>   one schema per kind of the Kubernetes OpenAPI (v2) document
//   node json-schemas.mjs crds <out-dir> <crd.yaml>...          one schema per served version of each CRD
// Files are named the way kubeconform looks them up with `-schema-location '<dir>/{{.ResourceKind}}{{.KindSuffix}}.json'`:
// `<kind>-<first label of the group>-<version>.json` (`deployment-apps-v1.json`, `service-v1.json`,
// `kafka-kafka-v1.json`). Schemas are "strict": an object that lists its properties accepts no others, so a
// misspelt or misplaced field fails instead of being ignored by the API server.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** `<kind>-<group's first label>-<version>.json`, lower case; the core group has no group part. */
function fileName(group, version, kind) {
  const head = group ? `-${group.split('.')[0]}` : '';
  return `${kind.toLowerCase()}${head}-${version.toLowerCase()}.json`;
}

const INT_OR_STRING = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
const QUANTITY = { oneOf: [{ type: 'string' }, { type: 'number' }] };

/**
 * Rewrites one schema node (recursively) into plain JSON-schema: int-or-string becomes a oneOf, `nullable`
 * adds the null type, OpenAPI-only keywords go, and objects with known properties become closed.
 */
function normalise(node, refBase) {
  if (Array.isArray(node)) return node.map((n) => normalise(n, refBase));
  if (node === null || typeof node !== 'object') return node;
  if (node['x-kubernetes-int-or-string'] === true || node.format === 'int-or-string') {
    return { ...INT_OR_STRING, ...(node.description ? { description: node.description } : {}) };
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'nullable' || key === 'format' || key === 'example') continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/definitions/', `${refBase}/`);
      continue;
    }
    if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, refBase)]));
      continue;
    }
    out[key] = normalise(value, refBase);
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const open = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.properties && out.additionalProperties === undefined && !open) out.additionalProperties = false;
  return out;
}

/** The definitions reachable from `name` (a schema may only carry what it uses). */
function reachable(definitions, name, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) {
        reachable(definitions, value.slice('#/definitions/'.length), seen);
      } else walk(value);
    }
  };
  walk(definitions[name]);
  return seen;
}

function kubernetes(swaggerPath, outDir) {
  const { definitions } = JSON.parse(readFileSync(swaggerPath, 'utf8'));
  // Quantity is a string in the document, but manifests write `cpu: 1`; the API server accepts both.
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = QUANTITY;
  mkdirSync(outDir, { recursive: true });
  let count = 0;
  for (const [name, definition] of Object.entries(definitions)) {
    const gvks = definition['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks)) continue;
    const used = [...reachable(definitions, name)].filter((n) => n !== name);
    const defs = Object.fromEntries(used.map((n) => [n, normalise(definitions[n], '#/definitions')]));
    for (const { group, version, kind } of gvks) {
      const schema = normalise(definition, '#/definitions');
      const apiVersion = group ? `${group}/${version}` : version;
      schema.properties = {
        ...schema.properties,
        apiVersion: { type: 'string', enum: [apiVersion] },
        kind: { type: 'string', enum: [kind] },
      };
      schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind'])];
      const doc = { $schema: 'http://json-schema.org/draft-07/schema#', ...schema, definitions: defs };
      writeFileSync(join(outDir, fileName(group, version, kind)), JSON.stringify(doc));
      count += 1;
    }
  }
  return count;
}

function crds(outDir, files) {
  const YAML = require('yaml');
  mkdirSync(outDir, { recursive: true });
  let count = 0;
  for (const file of files) {
    for (const crd of YAML.parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS())) {
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const { group, names, versions } = crd.spec;
      for (const v of versions) {
        if (!v.served || !v.schema?.openAPIV3Schema) continue;
        const schema = normalise(v.schema.openAPIV3Schema, '#/definitions');
        // The API server checks metadata itself; the CRD schema leaves it open.
        schema.properties = {
          ...schema.properties,
          apiVersion: { type: 'string', enum: [`${group}/${v.name}`] },
          kind: { type: 'string', enum: [names.kind] },
          metadata: { type: 'object' },
        };
        schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])];
        const doc = { $schema: 'http://json-schema.org/draft-07/schema#', ...schema };
        writeFileSync(join(outDir, fileName(group, v.name, names.kind)), JSON.stringify(doc));
        count += 1;
      }
    }
  }
  return count;
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'kubernetes' && args.length === 2) {
  console.log(`${kubernetes(args[0], args[1])} Kubernetes schemas written to ${args[1]}`);
} else if (mode === 'crds' && args.length >= 2) {
  console.log(`${crds(args[0], args.slice(1))} CRD schemas written to ${args[0]}`);
} else {
  console.error('usage: json-schemas.mjs kubernetes <swagger.json> <out-dir> | crds <out-dir> <crd.yaml>...');
  process.exit(2);
}
