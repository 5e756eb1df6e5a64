package client

import (
	"fmt"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
)

// Dial makes the one connection a program keeps to the service at target (for example
// "127.0.0.1:50052" or "dns:///order-service:50052"): plaintext (the services listen on
// loopback or behind a mesh), keepalive, the retry policy derived from the contracts, a default
// deadline on every call, the bearer token, and OpenTelemetry tracing. The connection is lazy:
// it connects on the first call and reconnects by itself; close it when the program ends.
func Dial(target string, options Options) (*grpc.ClientConn, error) {
	options = options.withDefaults()
	serviceConfig, err := RetryServiceConfig()
	if err != nil {
		return nil, fmt.Errorf("building the retry service config: %w", err)
	}
	otelOptions := []otelgrpc.Option{}
	if options.TracerProvider != nil {
		otelOptions = append(otelOptions, otelgrpc.WithTracerProvider(options.TracerProvider))
	}
	if options.Propagators != nil {
		otelOptions = append(otelOptions, otelgrpc.WithPropagators(options.Propagators))
	}
	dialOptions := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithKeepaliveParams(keepaliveParams(options)),
		grpc.WithDefaultServiceConfig(serviceConfig),
		grpc.WithPerRPCCredentials(bearerCredentials{fallback: options.Token}),
		grpc.WithUserAgent(options.UserAgent),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler(otelOptions...)),
		grpc.WithChainUnaryInterceptor(unaryDeadline(options.CallTimeout)),
		grpc.WithChainStreamInterceptor(streamDeadline(options.CallTimeout, options.StreamTimeout)),
	}
	conn, err := grpc.NewClient(target, append(dialOptions, options.DialOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", target, err)
	}
	return conn, nil
}

func keepaliveParams(options Options) keepalive.ClientParameters {
	return keepalive.ClientParameters{
		Time:                options.KeepaliveTime,
		Timeout:             options.KeepaliveTimeout,
		PermitWithoutStream: true,
	}
}
