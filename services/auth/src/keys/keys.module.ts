import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { JwksController } from './jwks.controller';
import { SigningKeyRecord, SigningKeySchema } from './schemas/signing-key.schema';
import { SigningKeysService } from './signing-keys.service';
import { TokenIssuer } from './token-issuer.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: SigningKeyRecord.name, schema: SigningKeySchema }])],
  controllers: [JwksController],
  providers: [SigningKeysService, TokenIssuer],
  exports: [SigningKeysService, TokenIssuer],
})
export class KeysModule {}
