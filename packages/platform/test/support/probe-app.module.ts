import { Controller, Get, Module, Post, Body, type DynamicModule } from '@nestjs/common';
import { getLogger } from '../../src/logging/logger';
import { currentTraceId } from '../../src/logging/trace-context';
import { PlatformModule } from '../../src/platform.module';
import type { BaseConfig } from '../../src/config/base-config.schema';

/** A tiny HTTP surface for the platform e2e tests. */
@Controller('probe')
class ProbeController {
  private readonly log = getLogger('probe');

  @Get('hello/:name')
  hello(): { traceId: string | undefined } {
    this.log.info('hello handled');
    return { traceId: currentTraceId() };
  }

  @Post('echo')
  echo(@Body() body: unknown): { size: number } {
    return { size: JSON.stringify(body).length };
  }
}

@Module({})
export class ProbeAppModule {
  static with(config: BaseConfig, features: { mongo?: boolean; redis?: boolean }): DynamicModule {
    return {
      module: ProbeAppModule,
      imports: [PlatformModule.forRoot({ serviceName: 'probe', config, ...features })],
      controllers: [ProbeController],
    };
  }
}
