import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SpentRefreshToken, SpentRefreshTokenSchema } from './schemas/spent-refresh-token.schema';
import { TokenFamily, TokenFamilySchema } from './schemas/token-family.schema';
import { SessionCookies } from './session-cookies';
import { SessionRevoker } from './session-revoker';
import { SessionsService } from './sessions.service';
import { SessionsSweeper } from './sessions.sweeper';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: TokenFamily.name, schema: TokenFamilySchema },
      { name: SpentRefreshToken.name, schema: SpentRefreshTokenSchema },
    ]),
  ],
  providers: [SessionsService, SessionCookies, SessionsSweeper, SessionRevoker],
  exports: [SessionsService, SessionCookies, SessionRevoker],
})
export class SessionsModule {}
