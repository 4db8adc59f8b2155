import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@ticketing/platform';
import type { JWK } from 'jose';
import { SigningKeysService } from './signing-keys.service';

/** The public keys that verify access tokens; no authentication, cacheable for a few minutes. */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  @Public()
  @Get('jwks.json')
  @Header('Content-Type', 'application/jwk-set+json; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300, stale-while-revalidate=60')
  jwks(): { keys: JWK[] } {
    return this.keys.jwks();
  }
}
