import { currentCall, requirePrincipal } from '@platform/grpc';
import { GrpcService, type NestController } from '@platform/nest';
import {
  CreateUserResponse,
  DeactivateUserResponse,
  GetUserOrderStatsResponse,
  GetUserResponse,
  UpdateUserResponse,
  UserServiceService,
  type AuthenticateRequest,
  type AuthenticateResponse,
  type CreateUserRequest,
  type DeactivateUserRequest,
  type GetUserOrderStatsRequest,
  type GetUserRequest,
  type ListUsersRequest,
  type ListUsersResponse,
  type UpdateUserRequest,
} from '@platform/proto';
import { Authenticator, UserAccounts } from '@platform/user-domain';
import { Inject } from '@nestjs/common';

/**
 * platform.user.v1.UserService: each method hands the request and the caller to the domain.
 * Requests arrive validated (the validation interceptor) and authenticated (the auth
 * interceptor; CreateUser and Authenticate are public).
 */
@GrpcService(UserServiceService)
export class UserController implements NestController<typeof UserServiceService> {
  constructor(
    @Inject(UserAccounts) private readonly accounts: UserAccounts,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
  ) {}

  async createUser(request: CreateUserRequest): Promise<CreateUserResponse> {
    return CreateUserResponse.create({ user: await this.accounts.createUser(request) });
  }

  authenticate(request: AuthenticateRequest): Promise<AuthenticateResponse> {
    return this.authenticator.authenticate(request, currentCall()?.peer ?? 'unknown');
  }

  async getUser(request: GetUserRequest): Promise<GetUserResponse> {
    return GetUserResponse.create({ user: await this.accounts.getUser(requirePrincipal(), request.userId) });
  }

  listUsers(request: ListUsersRequest): Promise<ListUsersResponse> {
    return this.accounts.listUsers(requirePrincipal(), request.pageSize, request.pageToken);
  }

  async updateUser(request: UpdateUserRequest): Promise<UpdateUserResponse> {
    return UpdateUserResponse.create({ user: await this.accounts.updateUser(requirePrincipal(), request) });
  }

  async deactivateUser(request: DeactivateUserRequest): Promise<DeactivateUserResponse> {
    return DeactivateUserResponse.create({
      user: await this.accounts.deactivateUser(requirePrincipal(), request),
    });
  }

  async getUserOrderStats(request: GetUserOrderStatsRequest): Promise<GetUserOrderStatsResponse> {
    return GetUserOrderStatsResponse.create({
      stats: await this.accounts.orderStats(requirePrincipal(), request.userId),
    });
  }
}
