export * from './live-channel';
export * from './live-channels.module';
export * from './redis.constants';
export * from './redis.service';
export * from './event-fence';
