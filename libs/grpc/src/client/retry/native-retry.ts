import type { ChannelOptions } from '@grpc/grpc-js';
import type { MethodInfo } from '../../call/method-info.js';

interface ServiceConfigName {
  service?: string;
  method?: string;
}

interface ServiceConfigJson {
  methodConfig?: { name?: ServiceConfigName[]; retryPolicy?: unknown; hedgingPolicy?: unknown }[];
}

const parsedConfigs = new Map<string, ServiceConfigJson | undefined>();

function parse(serviceConfig: string): ServiceConfigJson | undefined {
  if (!parsedConfigs.has(serviceConfig)) {
    let parsed: ServiceConfigJson | undefined;
    try {
      parsed = JSON.parse(serviceConfig) as ServiceConfigJson;
    } catch {
      parsed = undefined;
    }
    parsedConfigs.set(serviceConfig, parsed);
  }
  return parsedConfigs.get(serviceConfig);
}

// A service config name matches per gRFC A6: an empty service is the default for every
// method, a service without method covers all of that service's methods.
function matches(name: ServiceConfigName, method: MethodInfo): boolean {
  if (!name.service) return true;
  return name.service === method.service && (!name.method || name.method === method.method);
}

/**
 * Whether grpc-js itself retries this method on this channel: its `grpc.service_config` gives
 * the method a retryPolicy or hedgingPolicy and `grpc.enable_retries` is not 0. Such methods
 * are left to grpc-js so that no call is retried by two layers (attempts multiplying).
 */
export function grpcJsRetries(channelOptions: Readonly<ChannelOptions>, method: MethodInfo): boolean {
  if (channelOptions['grpc.enable_retries'] === 0) return false;
  const raw = channelOptions['grpc.service_config'];
  if (typeof raw !== 'string') return false;
  return (parse(raw)?.methodConfig ?? []).some(
    (config) =>
      (config.retryPolicy !== undefined || config.hedgingPolicy !== undefined) &&
      (config.name ?? []).some((name) => matches(name, method)),
  );
}
