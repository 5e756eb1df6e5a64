/** What the order service needs to know of a user before taking an order for them. */
export interface UserStanding {
  readonly userId: string;
  readonly active: boolean;
}

/**
 * The port to the user service (the app implements it with a UserService client, as a service
 * principal, deadline propagated, retried per the method's idempotency level).
 * `undefined`: no such user. Any other failure (UNAVAILABLE, DEADLINE_EXCEEDED) is thrown.
 */
export interface UserDirectory {
  findUser(userId: string): Promise<UserStanding | undefined>;
}
