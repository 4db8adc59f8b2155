import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { RepricingModule } from '../repricing/repricing.module';
import { PricingConsumer } from './pricing.consumer';
import { SignalsConsumer } from './signals.consumer';

@Module({ imports: [CatalogModule, RepricingModule], providers: [PricingConsumer, SignalsConsumer] })
export class MessagingModule {}
