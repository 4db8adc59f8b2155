export * from './app-logger';
export * from './logger';
export * from './trace-context';
export * from './trace.middleware';
