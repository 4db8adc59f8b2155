export * from './create-service-app';
export * from './trust-proxy';
