import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformGrpcModule } from '@platform/nest';
import { Authenticator, UserAccounts } from '@platform/user-domain';
import { UserController } from './user.controller.js';

/** The Nest application: the controller and the domain objects built by `startUserService`. */
@Module({})
export class UserServiceModule {
  static forRoot(domain: { accounts: UserAccounts; authenticator: Authenticator }): DynamicModule {
    return {
      module: UserServiceModule,
      imports: [PlatformGrpcModule.forRoot()],
      controllers: [UserController],
      providers: [
        { provide: UserAccounts, useValue: domain.accounts },
        { provide: Authenticator, useValue: domain.authenticator },
      ],
    };
  }
}
