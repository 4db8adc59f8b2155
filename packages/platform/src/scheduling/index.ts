export * from './periodic-task';
export * from './hour-buckets';
