package client

import (
	"encoding/json"
	"fmt"
	"slices"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	userv1 "example.com/platform/go-client/gen/platform/user/v1"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// The retry policy of every retryable method: only UNAVAILABLE (the call did not reach a
// handler, or the service says it is down) is retried, up to 3 more times with exponential
// backoff and jitter (grpc-go's), honouring grpc-retry-pushback-ms, within the call's deadline.
var retryPolicy = map[string]any{
	"maxAttempts":          4,
	"initialBackoff":       "0.1s",
	"maxBackoff":           "2s",
	"backoffMultiplier":    2,
	"retryableStatusCodes": []string{"UNAVAILABLE"},
}

// Services are the contracts the client calls; their methods' idempotency levels decide what
// is retried.
func Services() []protoreflect.ServiceDescriptor {
	return []protoreflect.ServiceDescriptor{
		userv1.File_platform_user_v1_user_service_proto.Services().ByName("UserService"),
		orderv1.File_platform_order_v1_order_service_proto.Services().ByName("OrderService"),
	}
}

// IsRetryable reports whether a method may be retried blindly: its contract declares
// `option idempotency_level` NO_SIDE_EFFECTS or IDEMPOTENT. IDEMPOTENCY_UNKNOWN (or no option)
// is not retried.
func IsRetryable(method protoreflect.MethodDescriptor) bool {
	options, ok := method.Options().(*descriptorpb.MethodOptions)
	if !ok || options == nil {
		return false
	}
	switch options.GetIdempotencyLevel() {
	case descriptorpb.MethodOptions_NO_SIDE_EFFECTS, descriptorpb.MethodOptions_IDEMPOTENT:
		return true
	default:
		return false
	}
}

// RetryableMethods lists the full names ("platform.order.v1.OrderService/GetOrder") of the
// methods IsRetryable accepts, sorted.
func RetryableMethods() []string {
	var names []string
	for _, service := range Services() {
		methods := service.Methods()
		for i := range methods.Len() {
			if method := methods.Get(i); IsRetryable(method) {
				names = append(names, fmt.Sprintf("%s/%s", service.FullName(), method.Name()))
			}
		}
	}
	slices.Sort(names)
	return names
}

// RetryServiceConfig is the gRPC service config (JSON) Dial installs as the default: one
// method config naming every retryable method with the retry policy, and retry throttling so
// that an outage does not multiply the load by the attempts.
func RetryServiceConfig() (string, error) {
	var names []map[string]string
	for _, service := range Services() {
		if service == nil {
			return "", fmt.Errorf("a service descriptor is missing from the generated code")
		}
		methods := service.Methods()
		for i := range methods.Len() {
			if method := methods.Get(i); IsRetryable(method) {
				names = append(names, map[string]string{
					"service": string(service.FullName()),
					"method":  string(method.Name()),
				})
			}
		}
	}
	config := map[string]any{
		"methodConfig":    []map[string]any{{"name": names, "retryPolicy": retryPolicy}},
		"retryThrottling": map[string]any{"maxTokens": 10, "tokenRatio": 0.1},
	}
	encoded, err := json.Marshal(config)
	if err != nil {
		return "", fmt.Errorf("encoding the service config: %w", err)
	}
	return string(encoded), nil
}
