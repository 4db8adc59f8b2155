import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@ticketing/platform';
import { TicketKeysService, type PublicTicketKey } from './ticket-keys.service';

/** Scanners fetch the QR verification keys here (no session needed: they are public keys). */
@Controller('.well-known')
export class TicketKeysController {
  constructor(private readonly keys: TicketKeysService) {}

  @Public()
  @Get('ticket-keys.json')
  @Header('Cache-Control', 'public, max-age=300')
  keySet(): { keys: PublicTicketKey[] } {
    return { keys: this.keys.publicKeys() };
  }
}
