/** Options of {@link addReflection}. */
export interface ReflectionOptions {
  /**
   * Services to describe, by fully qualified name; the others stay hidden from reflection
   * (they are still served). Each must be in the platform's descriptors (`protos/`), or
   * addReflection throws. Defaults to every service of the definition.
   */
  services?: readonly string[];
  /**
   * Also describe grpc.health.v1.Health, so `grpcurl` can call health checks without its
   * .proto file. Defaults to true: every platform server serves health (see HealthService).
   */
  includeHealth?: boolean;
}
