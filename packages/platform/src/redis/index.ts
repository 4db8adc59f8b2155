export * from './redis.constants';
export * from './redis.service';
