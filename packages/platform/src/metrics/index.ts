export * from './http-metrics.middleware';
export * from './metrics.service';
