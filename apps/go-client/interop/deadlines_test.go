package interop

import (
	"context"
	"testing"
	"time"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	"example.com/platform/go-client/internal/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const (
	watchOrder   = "platform.order.v1.OrderService/WatchOrder"
	importOrders = "platform.order.v1.OrderService/ImportOrders"
	trackOrders  = "platform.order.v1.OrderService/TrackOrders"
)

// handled is the order service's grpc_server_handled_total of a method and code.
func handled(t *testing.T, method, code string) float64 {
	return serverMetric(t, stack.orderService, "grpc_server_handled_total", methodLabels(method, "grpc_code", code))
}

// openCalls is how many calls of the method the order service has started and not ended.
func openCalls(t *testing.T, method string) float64 {
	return serverMetric(t, stack.orderService, "grpc_server_started_total", methodLabels(method)) -
		serverMetric(t, stack.orderService, "grpc_server_handled_total", methodLabels(method))
}

// requireServerEnded waits until the order service has ended the method's call with code and
// holds no call of it open.
func requireServerEnded(t *testing.T, method, code string, before float64) {
	t.Helper()
	ok := false
	defer func() {
		if !ok {
			t.Logf("%s: handled %s %v (before %v), open %v; metrics:\n%s", method, code, handled(t, method, code), before,
				openCalls(t, method), metricLines(t, stack.orderService, method))
		}
	}()
	eventually(t, 5*time.Second, "the order service ends "+method+" with "+code, func() bool {
		return handled(t, method, code) == before+1 && openCalls(t, method) == 0
	})
	ok = true
}

func TestDeadlineUnaryCall(t *testing.T) {
	buyer := signUp(t)
	ctx, cancel := context.WithTimeout(client.WithToken(t.Context(), buyer.token), time.Microsecond)
	defer cancel()
	_, err := stack.orders.ListOrders(ctx, &orderv1.ListOrdersRequest{})
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("want DEADLINE_EXCEEDED, got %v", err)
	}
}

func TestDeadlineServerStream(t *testing.T) {
	buyer := signUp(t)
	order := placeOrder(t, buyer)
	before := handled(t, watchOrder, "DEADLINE_EXCEEDED")
	ctx, cancel := context.WithTimeout(client.WithToken(t.Context(), buyer.token), 500*time.Millisecond)
	defer cancel()
	stream, err := stack.orders.WatchOrder(ctx, &orderv1.WatchOrderRequest{OrderId: order.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("want DEADLINE_EXCEEDED, got %v", err)
	}
	requireServerEnded(t, watchOrder, "DEADLINE_EXCEEDED", before)
}

func TestDeadlineClientStream(t *testing.T) {
	buyer := signUp(t)
	before := handled(t, importOrders, "DEADLINE_EXCEEDED")
	ctx, cancel := context.WithTimeout(client.WithToken(t.Context(), buyer.token), 500*time.Millisecond)
	defer cancel()
	stream, err := stack.orders.ImportOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&orderv1.ImportOrdersRequest{Order: newOrder()}); err != nil {
		t.Fatal(err)
	}
	// Never half-closed: only the deadline ends the call.
	if err := stream.RecvMsg(&orderv1.ImportOrdersResponse{}); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("want DEADLINE_EXCEEDED, got %v", err)
	}
	requireServerEnded(t, importOrders, "DEADLINE_EXCEEDED", before)
}

func TestCancelServerStreamMidway(t *testing.T) {
	buyer := signUp(t)
	order := placeOrder(t, buyer)
	before := handled(t, watchOrder, "CANCELLED")
	ctx, cancel := context.WithCancel(client.WithToken(t.Context(), buyer.token))
	stream, err := stack.orders.WatchOrder(ctx, &orderv1.WatchOrderRequest{OrderId: order.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "the stream is open on the server", func() bool { return openCalls(t, watchOrder) == 1 })
	cancel()
	if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
		t.Fatalf("want CANCELLED, got %v", err)
	}
	requireServerEnded(t, watchOrder, "CANCELLED", before)
}

func TestCancelBidiStreamMidway(t *testing.T) {
	buyer := signUp(t)
	order := placeOrder(t, buyer)
	before := handled(t, trackOrders, "CANCELLED")
	ctx, cancel := context.WithCancel(client.WithToken(t.Context(), buyer.token))
	stream, err := stack.orders.TrackOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&orderv1.TrackOrdersRequest{
		Action: &orderv1.TrackOrdersRequest_SubscribeOrderId{SubscribeOrderId: order.GetId()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
		t.Fatalf("want CANCELLED, got %v", err)
	}
	requireServerEnded(t, trackOrders, "CANCELLED", before)
}

func TestCancelClientStreamMidway(t *testing.T) {
	buyer := signUp(t)
	before := handled(t, importOrders, "CANCELLED")
	ctx, cancel := context.WithCancel(client.WithToken(t.Context(), buyer.token))
	stream, err := stack.orders.ImportOrders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&orderv1.ImportOrdersRequest{Order: newOrder()}); err != nil {
		t.Fatal(err)
	}
	// Never half-closed: the server is in the call once the item's order exists.
	eventually(t, 5*time.Second, "the order service imports the item", func() bool {
		listed, err := stack.orders.ListOrders(buyer.as(t), &orderv1.ListOrdersRequest{})
		return err == nil && len(listed.GetOrders()) == 1
	})
	cancel()
	if err := stream.RecvMsg(&orderv1.ImportOrdersResponse{}); status.Code(err) != codes.Canceled {
		t.Fatalf("want CANCELLED, got %v", err)
	}
	requireServerEnded(t, importOrders, "CANCELLED", before)
}
