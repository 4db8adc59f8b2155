/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML documents */
import Ajv from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { REPO_ROOT } from './tools';

/** Dockerfile policy: pinned multi-stage build from the repo root, production runtime as `node`. */
export function dockerfileViolations(text: string, service: string, workspaces: string[]): string[] {
  const out: string[] = [];
  const lines = text.split('\n').map((l) => l.trim());
  const args = new Map<string, string>();
  for (const l of lines) {
    const m = /^ARG\s+([A-Z_]+)=(\S+)/.exec(l);
    if (m) args.set(m[1], m[2]);
  }
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  if (froms.length < 2) out.push('not a multi-stage build');
  for (const from of froms) {
    const ref = from
      .split(/\s+/)[1]
      .replace(/^\$\{?([A-Z_]+)\}?$/, (_, name: string) => args.get(name) ?? `$${name}`);
    const stage = froms.map((f) => f.split(/\s+/)[3]).filter(Boolean);
    if (stage.includes(ref)) continue; // FROM an earlier stage
    if (/:latest(@|$)/.test(ref) || !ref.includes(':')) out.push(`base image ${ref} is not pinned`);
    else if (!/^node:24\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[a-f0-9]{64})?$/.test(ref)) {
      out.push(`base image ${ref} is not a pinned node 24 Debian slim image`);
    }
  }
  const runtime = text.slice(text.lastIndexOf('\nFROM '));
  if (!/^USER node$/m.test(runtime)) out.push('final stage does not run as USER node');
  if (!/^ENV NODE_ENV=production/m.test(runtime)) out.push('final stage does not set NODE_ENV=production');
  if (!runtime.includes(`CMD ["node", "services/${service}/dist/main.js"]`))
    out.push('final stage CMD is not node services/<svc>/dist/main.js');
  if (/npm (ci|install)(?![^\n]*--omit=dev)/.test(runtime)) out.push('final stage installs packages');
  if (!/npm ci [^\n]*--omit=dev[^\n]*-w @ticketing\//.test(text.replace(/\\\n\s*/g, ' ')))
    out.push('no production-only npm ci of the workspace');
  for (const ws of workspaces) {
    if (!text.includes(`npm run build -w ${ws}`)) out.push(`does not build ${ws}`);
  }
  if (/^\s*(ADD\s+https?:|RUN\s+.*\b(curl|wget)\b)/m.test(text))
    out.push('downloads at build time outside npm');
  return out;
}

/** The @ticketing workspaces a service needs, dependencies first (contracts -> platform -> service). */
export function workspaceChain(service: string): string[] {
  const names = new Map<string, string>();
  const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  for (const ws of root.workspaces as string[]) {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, ws, 'package.json'), 'utf8'));
    names.set(pkg.name, ws);
  }
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, names.get(name)!, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) if (names.has(dep)) visit(dep);
    order.push(name);
  };
  visit(`@ticketing/${service}`);
  return order;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validateSkaffold = ajv.compile<any>(
  JSON.parse(readFileSync(join(__dirname, 'skaffold-config.schema.json'), 'utf8')),
);

/** Structure (schema above) plus what skaffold would only find out at run time: files, images, patches. */
export function skaffoldViolations(text: string, services: string[]): string[] {
  const out: string[] = [];
  const config = YAML.parse(text);
  if (!validateSkaffold(config)) {
    for (const e of validateSkaffold.errors ?? []) out.push(`schema: ${e.instancePath || '/'} ${e.message}`);
    return out;
  }
  const artifacts: any[] = config.build.artifacts;
  for (const a of artifacts) {
    const dockerfile = join(REPO_ROOT, a.context, a.docker.dockerfile);
    if (!existsSync(dockerfile)) out.push(`artifact ${a.image}: ${a.docker.dockerfile} does not exist`);
    if (a.context !== '.') out.push(`artifact ${a.image}: context must be the repository root`);
  }
  const images = artifacts.map((a) => a.image).sort();
  if (JSON.stringify(images) !== JSON.stringify([...services].sort())) {
    out.push(
      `artifacts [${images.join(', ')}] differ from the services [${[...services].sort().join(', ')}]`,
    );
  }
  for (const r of config.deploy.helm.releases) {
    if (!existsSync(join(REPO_ROOT, r.chartPath, 'Chart.yaml')))
      out.push(`release ${r.name}: no chart at ${r.chartPath}`);
    for (const f of r.valuesFiles ?? [])
      if (!existsSync(join(REPO_ROOT, f))) out.push(`release ${r.name}: no values file ${f}`);
    const templates = r.setValueTemplates ?? {};
    for (const image of images) {
      if (templates[`${image}.image.repository`] !== `{{.IMAGE_REPO_${image}}}`)
        out.push(`release ${r.name}: ${image}.image.repository is not the built image`);
      if (templates[`${image}.image.tag`] !== `{{.IMAGE_TAG_${image}}}`)
        out.push(`release ${r.name}: ${image}.image.tag is not the built tag`);
    }
  }
  const profiles = (config.profiles ?? []).map((p: any) => p.name);
  for (const required of ['dev', 'ci']) if (!profiles.includes(required)) out.push(`no ${required} profile`);
  for (const p of config.profiles ?? []) {
    for (const patch of p.patches ?? []) {
      const parent = patch.path.split('/').slice(1, patch.op === 'add' ? -1 : undefined);
      let node: any = config;
      for (const key of parent) node = node?.[/^\d+$/.test(key) ? Number(key) : key];
      if (node === undefined) out.push(`profile ${p.name}: patch path ${patch.path} does not exist`);
    }
  }
  return out;
}
