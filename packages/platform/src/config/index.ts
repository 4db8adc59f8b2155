export * from './base-config.schema';
export * from './config-error';
export * from './config.constants';
export * from './env-fields';
export * from './load-config';
