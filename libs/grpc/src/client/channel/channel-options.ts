import type { ChannelCredentials, ChannelOptions, Interceptor } from '@grpc/grpc-js';

/** Options of {@link createClient}. */
export interface CreateClientOptions {
  /** Client interceptors, application side first (the client chain). Defaults to none. */
  interceptors?: Interceptor[];
  /** Channel credentials. Defaults to plaintext (`credentials.createInsecure()`). */
  credentials?: ChannelCredentials;
  /**
   * Interval between HTTP/2 keepalive pings, in milliseconds: finds dead connections (a
   * silently dropped NAT entry, a killed pod) before a call does. Servers must permit it
   * (grpc-go's default enforcement minimum is 5 minutes). Defaults to 30 000 ms.
   */
  keepaliveTimeMs?: number;
  /** Time to wait for a keepalive ping's answer before closing, in ms. Defaults to 10 000 ms. */
  keepaliveTimeoutMs?: number;
  /** Whether keepalive pings are sent while no call is open. Defaults to true. */
  keepalivePermitWithoutCalls?: boolean;
  /**
   * Delay before the first reconnection attempt after a connection failure, in milliseconds.
   * grpc-js has no connect timeout of its own: a call waits for a connection until its
   * deadline (which the client deadline interceptor always sets). Defaults to 1 000 ms.
   */
  initialReconnectBackoffMs?: number;
  /** Largest delay between reconnection attempts, in milliseconds. Defaults to 10 000 ms. */
  maxReconnectBackoffMs?: number;
  /** Largest response message accepted, in bytes. Defaults to 4 MiB. */
  maxReceiveMessageBytes?: number;
  /** Largest request message sent, in bytes. Defaults to 4 MiB. */
  maxSendMessageBytes?: number;
  /**
   * Further grpc-js channel options; they win over the options above. A `grpc.service_config`
   * with a retryPolicy hands those methods' retries to grpc-js (the retry interceptor then
   * leaves them alone). Defaults to none.
   */
  channelOptions?: ChannelOptions;
}

const mebibyte = 1024 * 1024;

/** The grpc-js channel options for a client, platform defaults first. */
export function resolveChannelOptions(options: CreateClientOptions): ChannelOptions {
  return {
    'grpc.keepalive_time_ms': options.keepaliveTimeMs ?? 30_000,
    'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs ?? 10_000,
    'grpc.keepalive_permit_without_calls': (options.keepalivePermitWithoutCalls ?? true) ? 1 : 0,
    'grpc.initial_reconnect_backoff_ms': options.initialReconnectBackoffMs ?? 1_000,
    'grpc.max_reconnect_backoff_ms': options.maxReconnectBackoffMs ?? 10_000,
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 4 * mebibyte,
    'grpc.max_send_message_length': options.maxSendMessageBytes ?? 4 * mebibyte,
    // Retries come from the contracts (the retry interceptor), not from a service config a
    // DNS TXT record could add behind the platform's back.
    'grpc.service_config_disable_resolution': 1,
    ...options.channelOptions,
  };
}
