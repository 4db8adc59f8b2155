import { Inject } from '@nestjs/common';

/** DI token for the loaded, frozen config object passed to `PlatformModule.forRoot`. */
export const PLATFORM_CONFIG = Symbol.for('ticketing.platform.config');

/** Injects the config object: `constructor(@InjectConfig() config: TicketConfig)`. */
export const InjectConfig = (): ReturnType<typeof Inject> => Inject(PLATFORM_CONFIG);
