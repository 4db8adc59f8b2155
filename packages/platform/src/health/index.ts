export * from './health-registry';
export * from './terminus';
export * from './terminus-binding.service';
