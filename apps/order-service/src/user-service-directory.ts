import { status as GrpcStatus } from '@grpc/grpc-js';
import { ClientError, unaryCall } from '@platform/grpc';
import type { UserDirectory, UserStanding } from '@platform/order-domain';
import { GetUserRequest, UserStatus, type UserServiceClient } from '@platform/proto';

/**
 * The order domain's {@link UserDirectory} over UserService.GetUser. The client carries the
 * service principal's token, the propagated deadline and retries (GetUser is NO_SIDE_EFFECTS),
 * so a user service that is down ends the call UNAVAILABLE within its deadline.
 */
export class UserServiceDirectory implements UserDirectory {
  constructor(private readonly users: UserServiceClient) {}

  async findUser(userId: string): Promise<UserStanding | undefined> {
    try {
      const { user } = await unaryCall(
        this.users.getUser.bind(this.users),
        GetUserRequest.create({ userId }),
      );
      return user ? { userId: user.id, active: user.status === UserStatus.USER_STATUS_ACTIVE } : undefined;
    } catch (error) {
      if (error instanceof ClientError && error.code === GrpcStatus.NOT_FOUND) return undefined;
      throw error;
    }
  }
}
