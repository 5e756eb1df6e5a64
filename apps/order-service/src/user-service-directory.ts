import { status as GrpcStatus } from '@grpc/grpc-js';
import { ClientError, unaryCall } from '@platform/grpc';
import type { UserDirectory, UserStanding } from '@platform/order-domain';
import { GetUserRequest, UserStatus, type UserServiceClient } from '@platform/proto';
import type { ServiceSignIn } from '@platform/service';

/**
 * The order domain's {@link UserDirectory} over UserService.GetUser. The client carries the
 * service principal's token, the propagated deadline and retries (GetUser is NO_SIDE_EFFECTS),
 * so a user service that is down ends the call UNAVAILABLE within its deadline; a token it
 * refuses is fetched again once.
 */
export class UserServiceDirectory implements UserDirectory {
  constructor(
    private readonly users: UserServiceClient,
    private readonly signIn: ServiceSignIn,
  ) {}

  async findUser(userId: string): Promise<UserStanding | undefined> {
    try {
      const { user } = await this.signIn.retryRefused(() =>
        unaryCall(this.users.getUser.bind(this.users), GetUserRequest.create({ userId })),
      );
      return user ? { userId: user.id, active: user.status === UserStatus.USER_STATUS_ACTIVE } : undefined;
    } catch (error) {
      if (error instanceof ClientError && error.code === GrpcStatus.NOT_FOUND) return undefined;
      throw error;
    }
  }
}
