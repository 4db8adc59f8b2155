export * from './mongo-health.service';
export * from './mongo.options';
export * from './mongo-errors';
export * from './pool-check-interval';
