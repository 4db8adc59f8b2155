import { Module } from '@nestjs/common';
import { LiveChannelsModule } from '@ticketing/platform';
import { PriceFeed } from '../prices/price-feed.service';
import { SignalsService } from '../signals/signals.service';
import { Repricer } from './repricer.service';

@Module({
  imports: [LiveChannelsModule],
  providers: [Repricer, SignalsService, PriceFeed],
  exports: [Repricer, SignalsService, PriceFeed],
})
export class RepricingModule {}
