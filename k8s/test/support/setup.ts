import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { crdSchemas, ensureTools, prepareCharts, TOOL_BUILD_TIMEOUT_MS, type Tools } from './tools';

export interface K8sContext {
  tools: Tools;
  /** A private, dependency-built copy of charts/ (when asked for). */
  chartsDir: string;
  /** JSON schemas of the operators' CRDs (when asked for). */
  crds: string;
}

/**
 * Registers the hooks every k8s spec needs: the tools (built on first use, hence the long timeout), and on
 * request a packaged copy of the charts and the CRD schemas, all removed again after the file.
 */
export function useK8s(options: { charts?: boolean; crds?: boolean } = {}): K8sContext {
  const ctx = {} as K8sContext;
  const cleanups: (() => void)[] = [];
  beforeAll(() => {
    ctx.tools = ensureTools();
    if (options.charts) {
      const charts = prepareCharts(ctx.tools.helm);
      ctx.chartsDir = charts.dir;
      cleanups.push(charts.cleanup);
    }
    if (options.crds) {
      ctx.crds = crdSchemas();
      cleanups.push(() => rmSync(ctx.crds, { recursive: true, force: true }));
    }
  }, TOOL_BUILD_TIMEOUT_MS);
  afterAll(() => cleanups.forEach((cleanup) => cleanup()));
  return ctx;
}
