/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML documents */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import YAML from 'yaml';

/** Paths shared by the k8s specs (the same ones k8s/tools/env.sh gives the shell scripts). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const K8S_DIR = join(REPO_ROOT, 'k8s');
export const CHARTS_DIR = join(REPO_ROOT, 'charts');
export const VALUES_DIR = join(K8S_DIR, 'test', 'values');
export const FIXTURES_DIR = join(K8S_DIR, 'test', 'fixtures');
/**
 * The operators' CRDs: the project's shared/ folder beside the clone or beside one of its parent folders
 * (the lookup k8s/tools/env.sh does too), unless TICKETING_CRD_DIR says where.
 */
export const CRD_DIR = process.env.TICKETING_CRD_DIR ?? findSharedCrds();

function findSharedCrds(): string {
  for (let dir = dirname(REPO_ROOT); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'crds');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return resolve(REPO_ROOT, '..', 'shared', 'crds');
  }
}

/** The longest a first run may take to build the Go tools (helm is the slow one on 2 cores). */
export const TOOL_BUILD_TIMEOUT_MS = 25 * 60_000;

export interface Tools {
  helm: string;
  kubeconform: string;
  actionlint: string;
  /** Directory of the Kubernetes JSON schemas (one file per kind). */
  kubernetesSchemas: string;
}

function envPaths(): Record<string, string> {
  const script = `source ${JSON.stringify(join(K8S_DIR, 'tools', 'env.sh'))}; printf '%s\\n' "$HELM" "$KUBECONFORM" "$ACTIONLINT" "$K8S_SCHEMAS"`;
  const [helm, kubeconform, actionlint, kubernetesSchemas] = execFileSync('bash', ['-c', script], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  return { helm, kubeconform, actionlint, kubernetesSchemas };
}

/** Builds the tools into the per-user cache when missing (k8s/tools/install.sh), then returns their paths. */
export function ensureTools(): Tools {
  const result = spawnSync('bash', [join(K8S_DIR, 'tools', 'install.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: TOOL_BUILD_TIMEOUT_MS,
  });
  if (result.status !== 0)
    throw new Error(`k8s/tools/install.sh failed (exit ${result.status ?? result.signal})`);
  return envPaths() as unknown as Tools;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], options: { cwd?: string; input?: string } = {}): RunResult {
  const result = spawnSync(cmd, args, {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Like `run`, but throws with the tool's output when it fails. */
export function runOk(cmd: string, args: string[], options: { cwd?: string; input?: string } = {}): string {
  const result = run(cmd, args, options);
  if (result.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** Service charts: every chart folder of type application except the umbrella. */
export function serviceCharts(): string[] {
  return readdirSync(CHARTS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'ticketing' && d.name !== 'service-lib')
    .filter((d) => existsSync(join(CHARTS_DIR, d.name, 'Chart.yaml')))
    .map((d) => d.name)
    .sort();
}

/**
 * A private copy of charts/ with every file:// dependency packaged (helm dependency build), so specs never
 * write into the work tree and can run side by side. Symlinks (the shared values schema) are copied as files.
 */
export function prepareCharts(helm: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ticketing-charts-'));
  cpSync(CHARTS_DIR, dir, { recursive: true, dereference: true, filter: (src) => !src.endsWith('.tgz') });
  for (const chart of serviceCharts()) {
    runOk(helm, ['dependency', 'build', '--skip-refresh', join(dir, chart)]);
  }
  runOk(helm, ['dependency', 'build', '--skip-refresh', join(dir, 'ticketing')]);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: any;
  [key: string]: any;
};

export function parseManifests(text: string): Manifest[] {
  return YAML.parseAllDocuments(text)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null && typeof doc === 'object');
}

/** `helm template` of a chart with value files (paths) and `--set` pairs; returns the rendered text. */
export function helmTemplate(
  helm: string,
  chartDir: string,
  options: {
    values?: string[];
    set?: string[];
    release?: string;
    namespace?: string;
    includeTests?: boolean;
  } = {},
): RunResult {
  const args = [
    'template',
    options.release ?? 'ticketing',
    chartDir,
    '--namespace',
    options.namespace ?? 'ticketing',
  ];
  for (const file of options.values ?? []) args.push('--values', file);
  for (const pair of options.set ?? []) args.push('--set', pair);
  if (options.includeTests === false) args.push('--skip-tests');
  return run(helm, args);
}

/**
 * kubeconform in strict mode against the generated Kubernetes schemas and the operators' CRD schemas. Kinds
 * without a schema fail (no -ignore-missing-schemas): every rendered object must be known.
 */
export function kubeconform(tools: Tools, crdSchemas: string, files: string[], input?: string): RunResult {
  const location = (dir: string) => `${dir}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
  const args = [
    '-strict',
    '-summary',
    '-output',
    'text',
    '-schema-location',
    location(tools.kubernetesSchemas),
    '-schema-location',
    location(crdSchemas),
    ...(input === undefined ? files : ['-']),
  ];
  return run(tools.kubeconform, args, { input });
}

/** JSON schemas of the operators' CRDs (../shared/crds), written to a fresh temporary directory. */
export function crdSchemas(): string {
  if (!existsSync(CRD_DIR)) {
    throw new Error(
      `CRD folder ${CRD_DIR} is missing: the project's shared/ must sit beside the clone or one of its parent folders (or set TICKETING_CRD_DIR; k8s/tools/fetch-crds.sh writes one where there is network)`,
    );
  }
  const out = mkdtempSync(join(tmpdir(), 'ticketing-crd-schemas-'));
  const files = readdirSync(CRD_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(CRD_DIR, f));
  runOk('node', [join(K8S_DIR, 'tools', 'json-schemas.mjs'), 'crds', out, ...files]);
  return out;
}

export function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ticketing-k8s-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
