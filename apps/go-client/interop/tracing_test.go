package interop

import (
	"context"
	"testing"
	"time"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	"go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// goClientSpan is the otelgrpc client span of the method in the trace, once it has ended.
func goClientSpan(traceID oteltrace.TraceID, method string) trace.ReadOnlySpan {
	for _, span := range stack.goSpans.Ended() {
		if span.SpanContext().TraceID() == traceID && span.Name() == method && span.SpanKind() == oteltrace.SpanKindClient {
			return span
		}
	}
	return nil
}

// serverSpan is the span a service exported for the method in the trace.
func serverSpan(traceID, service, method string) *receivedSpan {
	for _, span := range stack.otlp.spansOfTrace(traceID) {
		if span.service == service && span.span.GetName() == method && span.span.GetKind() == tracepb.Span_SPAN_KIND_SERVER {
			return &span
		}
	}
	return nil
}

func TestTraceContinuesInTypeScript(t *testing.T) {
	buyer := signUp(t)
	ctx, root := stack.tracer.Tracer("interop").Start(buyer.as(t), "go-checkout")
	response, err := stack.orders.CreateOrder(ctx, newOrder())
	root.End()
	if err != nil {
		t.Fatal(err)
	}
	traceID := root.SpanContext().TraceID()
	const createOrder = "platform.order.v1.OrderService/CreateOrder"
	var client trace.ReadOnlySpan
	eventually(t, 5*time.Second, "the Go client span ends", func() bool {
		client = goClientSpan(traceID, createOrder)
		return client != nil
	})
	if client.Parent().SpanID() != root.SpanContext().SpanID() {
		t.Fatalf("the client span's parent is %s, want the Go root span", client.Parent().SpanID())
	}

	// The services export in batches (every 5 s): wait for the spans.
	var order, user *receivedSpan
	eventually(t, 20*time.Second, "the services export the trace's server spans", func() bool {
		order = serverSpan(traceID.String(), "order-service", createOrder)
		user = serverSpan(traceID.String(), "user-service", "platform.user.v1.UserService/GetUser")
		return order != nil && user != nil
	})
	// The order service's server span is the child of the Go client span ...
	if order.parentSpanID() != client.SpanContext().SpanID().String() {
		t.Fatalf("order-service span's parent %s, want the Go client span %s", order.parentSpanID(), client.SpanContext().SpanID())
	}
	if order.attribute("rpc.grpc.status_code") != int64(0) {
		t.Fatalf("order-service span status code %v", order.attribute("rpc.grpc.status_code"))
	}
	// ... and the trace goes on to the user service (CreateOrder checks the owner with GetUser).
	if user.parentSpanID() == "" {
		t.Fatal("the user-service span has no parent")
	}
	// The order service's log line of the call carries the same trace id.
	lines := stack.orderService.logLines(func(line map[string]any) bool {
		return line["grpc.component"] == "server" && line["grpc.method"] == "CreateOrder" && line["trace_id"] == traceID.String()
	})
	if len(lines) != 1 {
		t.Fatalf("%d order-service log lines with trace id %s (order %s)", len(lines), traceID, response.GetOrder().GetId())
	}
}

// The server's span of a cancelled stream records CANCELLED: the TypeScript side observed it.
func TestTraceOfCancelledStream(t *testing.T) {
	buyer := signUp(t)
	order := placeOrder(t, buyer)
	ctx, root := stack.tracer.Tracer("interop").Start(buyer.as(t), "go-watch")
	ctx, cancel := context.WithCancel(ctx)
	stream, err := stack.orders.WatchOrder(ctx, &orderv1.WatchOrderRequest{OrderId: order.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	root.End()
	var watch *receivedSpan
	eventually(t, 20*time.Second, "the order service exports the WatchOrder span", func() bool {
		watch = serverSpan(root.SpanContext().TraceID().String(), "order-service", watchOrder)
		return watch != nil
	})
	if code := watch.attribute("rpc.grpc.status_code"); code != int64(1) {
		t.Fatalf("WatchOrder span status code %v, want 1 (CANCELLED)", code)
	}
}
