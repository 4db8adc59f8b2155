export * from './display-code';
export * from './ticket-token';
