import { preparePglite, type DatabaseTarget } from '@platform/db/testing';
import type { PromiseClient } from '@platform/grpc';
import { AuthenticateRequest, CreateUserRequest, type UserServiceClient } from '@platform/proto';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrderServiceUnderTest, userServiceClient, type OrderServiceUnderTest } from './order-stack.js';
import { startUserServiceProcess, type UserServiceProcess } from './user-service-process.js';

/** A signed-up user and their token. */
export interface Caller {
  readonly userId: string;
  readonly token: string;
}

/** The real user service (a process) and the order service under test, on one database target. */
export interface OrderStack extends OrderServiceUnderTest {
  readonly userService: UserServiceProcess;
  readonly users: PromiseClient<UserServiceClient>;
  signUp(): Promise<Caller>;
  admin(): Promise<Caller>;
  /** The order service's own service principal (the role ConfirmOrder needs). */
  servicePrincipal(): Promise<Caller>;
  dispose(): Promise<void>;
}

export async function startOrderStack(
  target: DatabaseTarget,
  env: Record<string, string> = {},
): Promise<OrderStack> {
  const cleanup: (() => Promise<unknown>)[] = [];
  const disposeAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'order-stack-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const jwksFile = join(dir, 'auth', 'jwks.json');
    const userDatabase = target.name === 'postgres' ? await target.open() : undefined;
    if (userDatabase) cleanup.push(() => userDatabase.dispose());
    const userService = await startUserServiceProcess({
      dataDir: join(dir, 'user-service'),
      jwksFile,
      ...(userDatabase?.url && { databaseUrl: userDatabase.url }),
    });
    cleanup.push(() => userService.stop());

    const orderDatabase = target.name === 'postgres' ? await target.open() : undefined;
    if (orderDatabase) cleanup.push(() => orderDatabase.dispose());
    const orderService = await startOrderServiceUnderTest({
      database: orderDatabase?.url
        ? { url: orderDatabase.url }
        : { inMemory: true, pglite: { loadDataDir: await preparePglite() } },
      userServiceAddress: userService.address,
      jwksFile,
      clientSecret: userService.secrets.clientSecret,
      env,
    });
    cleanup.push(() => orderService.stop());
    const { users, close } = userServiceClient(userService.address);
    cleanup.push(async () => close());

    const signIn = async (email: string, password: string): Promise<Caller> => {
      const response = await users.authenticate(
        AuthenticateRequest.create({
          password: { email, password },
        }),
      );
      return { userId: response.subject, token: response.accessToken };
    };
    return {
      ...orderService,
      userService,
      users,
      async signUp() {
        const email = `buyer-${randomBytes(6).toString('hex')}@example.com`;
        const password = `Tr4in-${randomBytes(12).toString('base64url')}-station`;
        await users.createUser(CreateUserRequest.create({ email, password, displayName: 'Buyer' }));
        return signIn(email, password);
      },
      admin: () => signIn(userService.secrets.adminEmail, userService.secrets.adminPassword),
      async servicePrincipal() {
        const { clientId, clientSecret } = userService.secrets;
        const response = await users.authenticate(
          AuthenticateRequest.create({
            client: { clientId, clientSecret },
          }),
        );
        return { userId: response.subject, token: response.accessToken };
      },
      dispose: disposeAll,
    };
  } catch (error) {
    await disposeAll();
    throw error;
  }
}
