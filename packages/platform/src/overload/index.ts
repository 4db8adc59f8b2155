export * from './load-shedder';
export * from './overload.config';
export * from './overload.middleware';
export * from './lane-guard.plugin';
