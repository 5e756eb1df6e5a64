package client

import (
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// Options configure a connection made by Dial. The zero value is usable: every field has a
// default.
type Options struct {
	// CallTimeout is the deadline given to unary and client-streaming calls whose context has
	// none. Defaults to 10 s.
	CallTimeout time.Duration
	// StreamTimeout is the deadline given to server-streaming and bidirectional calls (which
	// may stay open a long time) whose context has none. Defaults to 1 h.
	StreamTimeout time.Duration
	// KeepaliveTime is the interval of HTTP/2 keepalive pings, sent also while no call is open,
	// as the TypeScript clients do. Defaults to 30 s.
	KeepaliveTime time.Duration
	// KeepaliveTimeout is how long a ping may go unanswered before the connection is closed.
	// Defaults to 10 s.
	KeepaliveTimeout time.Duration
	// Token is the access token sent as `authorization: Bearer <token>` on calls whose context
	// carries none (see WithToken). Empty: no authorization unless the context has one.
	Token string
	// UserAgent is prepended to grpc-go's own user agent. Defaults to "platform-go-client".
	UserAgent string
	// TracerProvider and Propagators used by the OpenTelemetry stats handler. Default to the
	// global ones (otel.GetTracerProvider, otel.GetTextMapPropagator).
	TracerProvider trace.TracerProvider
	Propagators    propagation.TextMapPropagator
	// DialOptions are appended to the ones Dial builds (they may override them).
	DialOptions []grpc.DialOption
}

const (
	defaultCallTimeout      = 10 * time.Second
	defaultStreamTimeout    = time.Hour
	defaultKeepaliveTime    = 30 * time.Second
	defaultKeepaliveTimeout = 10 * time.Second
	defaultUserAgent        = "platform-go-client"
)

func (o Options) withDefaults() Options {
	if o.CallTimeout <= 0 {
		o.CallTimeout = defaultCallTimeout
	}
	if o.StreamTimeout <= 0 {
		o.StreamTimeout = defaultStreamTimeout
	}
	if o.KeepaliveTime <= 0 {
		o.KeepaliveTime = defaultKeepaliveTime
	}
	if o.KeepaliveTimeout <= 0 {
		o.KeepaliveTimeout = defaultKeepaliveTimeout
	}
	if o.UserAgent == "" {
		o.UserAgent = defaultUserAgent
	}
	return o
}
