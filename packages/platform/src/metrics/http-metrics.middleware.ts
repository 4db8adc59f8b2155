import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service';

/** Paths served by middleware rather than routes that still deserve their own label. */
const KNOWN_PATHS = new Set(['/graphql', '/metrics']);

export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Route label without letting clients create new label values: the matched route pattern, one of
 * the known middleware paths, or 'other'.
 */
export function routeLabel(req: Request): string {
  const routePath = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof routePath === 'string') return `${req.baseUrl ?? ''}${routePath}`;
  const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
  return KNOWN_PATHS.has(path) ? path : 'other';
}

/** Records `http_request_duration_seconds{method,route,status}` for every request Express handles. */
export function httpMetricsMiddleware(metrics: MetricsService) {
  const histogram = metrics.histogram(
    'http_request_duration_seconds',
    'HTTP request duration in seconds',
    ['method', 'route', 'status'],
    { buckets: HTTP_DURATION_BUCKETS },
  );
  return function httpMetrics(req: Request, res: Response, next: NextFunction): void {
    const stop = histogram.startTimer();
    res.once('finish', () => {
      stop({ method: req.method, route: routeLabel(req), status: String(res.statusCode) });
    });
    next();
  };
}

/** Express handler for GET /metrics. */
export function metricsHandler(metrics: MetricsService) {
  return function serveMetrics(req: Request, res: Response, next: NextFunction): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    metrics
      .render()
      .then(({ contentType, body }) => {
        res.setHeader('Content-Type', contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.status(200).send(body);
      })
      .catch(next);
  };
}
