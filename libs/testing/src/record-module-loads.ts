import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

/** What {@link recordModuleLoads} returns. */
export interface ModuleLoadRecorder {
  /** Every module URL Node resolved since recording began, in order (repeats kept). */
  urls(): Promise<string[]>;
  /** The URLs of those that belong to the npm package `name` (in any node_modules). */
  urlsOfPackage(name: string): Promise<string[]>;
}

// Runs on Node's loader-hooks thread, so it is plain JavaScript (a data: URL needs no build):
// it reports each resolved URL, and answers a flush once the reports before it are sent.
const hooks = `
let port;
export function initialize(data) {
  port = data.port;
  port.on('message', (message) => port.postMessage({ flushed: message.flush }));
  port.unref();
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage({ url: result.url });
  return result;
}`;

/**
 * Records the modules this process loads from now on (natively: node_modules and built code,
 * including dynamic imports inside dependencies), through a `module.register` resolve hook.
 * A hook cannot be removed: it stays for the rest of the process, costing a message per import.
 */
export function recordModuleLoads(): ModuleLoadRecorder {
  const { port1, port2 } = new MessageChannel();
  const urls: string[] = [];
  const flushes = new Map<number, () => void>();
  let nextFlush = 0;
  port1.on('message', (message: { url?: string; flushed?: number }) => {
    if (message.url !== undefined) urls.push(message.url);
    if (message.flushed !== undefined) flushes.get(message.flushed)?.();
  });
  port1.unref();
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
    data: { port: port2 },
    transferList: [port2],
  });
  const flushed = () =>
    new Promise<string[]>((resolve) => {
      const id = nextFlush++;
      flushes.set(id, () => {
        flushes.delete(id);
        resolve([...urls]);
      });
      port1.postMessage({ flush: id });
    });
  return {
    urls: flushed,
    urlsOfPackage: async (name) => (await flushed()).filter((url) => url.includes(`/node_modules/${name}/`)),
  };
}
