/** Who is calling, as established by the auth step of the server chain (or a service's sign-in). */
export interface Principal {
  /** Token subject: a user id, or a service's client id. */
  readonly subject: string;
  readonly kind: 'user' | 'service';
  /** Roles granted by the token, for example `['user']`, `['admin']`, `['service']`. */
  readonly roles: readonly string[];
  /** The raw bearer token, so calls made on the user's behalf can forward it. */
  readonly token?: string;
  /** Token expiry, epoch milliseconds. */
  readonly expiresAt?: number;
}
