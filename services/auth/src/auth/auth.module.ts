import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { PasswordsModule } from '../passwords/passwords.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { UsersResolver } from '../users/users.resolver';
import { UsersModule } from '../users/users.module';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';

@Module({
  imports: [UsersModule, SessionsModule, KeysModule, PasswordsModule, ThrottleModule],
  providers: [AuthService, AuthResolver, UsersResolver],
})
export class AuthModule {}
