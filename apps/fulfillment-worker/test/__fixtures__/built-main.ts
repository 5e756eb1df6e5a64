import { fileURLToPath } from 'node:url';

/** The build of an app of this repository (`apps/<app>/dist/main.js`). */
export function builtMain(app: 'user-service' | 'order-service' | 'fulfillment-worker'): string {
  return fileURLToPath(new URL(`../../../${app}/dist/main.js`, import.meta.url));
}
