export * from './create-service-app';
export * from './trust-proxy';
export * from './body-errors';
