export * from './demand';
export * from './money';
export * from './policy';
export * from './price';
export * from './tiers';
