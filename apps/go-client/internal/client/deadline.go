package client

import (
	"context"
	"time"

	"google.golang.org/grpc"
)

// unaryDeadline gives every unary call whose context has no deadline one of timeout.
func unaryDeadline(timeout time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
		invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

// streamDeadline gives every stream whose context has no deadline one: callTimeout for client
// streams (one answer, like a unary call), streamTimeout for server and bidirectional streams.
// The deadline's timer is released when the stream ends.
func streamDeadline(callTimeout, streamTimeout time.Duration) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string,
		streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		if _, ok := ctx.Deadline(); ok {
			return streamer(ctx, desc, cc, method, opts...)
		}
		timeout := streamTimeout
		if !desc.ServerStreams {
			timeout = callTimeout
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		stream, err := streamer(ctx, desc, cc, method, append(opts, grpc.OnFinish(func(error) { cancel() }))...)
		if err != nil {
			cancel()
			return nil, err
		}
		return stream, nil
	}
}
