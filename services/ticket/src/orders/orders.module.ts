import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { InventoryModule } from '../inventory/inventory.module';
import { ReservationsModule } from '../reservations/reservations.module';
import { TicketsModule } from '../tickets/tickets.module';
import { CheckoutService } from './checkout.service';
import { OrdersResolver } from './orders.resolver';
import { OrdersService } from './orders.service';
import { PAYMENT_PROVIDER } from './payment/payment-provider';
import { TestPaymentProvider } from './payment/test-payment.provider';

@Module({
  imports: [CatalogModule, InventoryModule, ReservationsModule, TicketsModule],
  providers: [
    OrdersService,
    CheckoutService,
    OrdersResolver,
    TestPaymentProvider,
    { provide: PAYMENT_PROVIDER, useExisting: TestPaymentProvider },
  ],
  exports: [OrdersService, CheckoutService, TestPaymentProvider],
})
export class OrdersModule {}
