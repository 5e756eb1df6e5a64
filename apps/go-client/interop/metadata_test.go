package interop

import (
	"context"
	"strings"
	"testing"
	"time"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	"example.com/platform/go-client/internal/client"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// serverCallLine is the order service's log line of a finished call with x-request-id.
func serverCallLine(requestID, method string) func(map[string]any) bool {
	return func(line map[string]any) bool {
		logged, _ := line["grpc.request.metadata"].(map[string]any)
		return line["grpc.component"] == "server" && line["grpc.method"] == method && logged["x-request-id"] == requestID
	}
}

func TestMetadataRequestReachesServer(t *testing.T) {
	buyer := signUp(t)
	requestID := "go-" + randomText(9)
	ctx := metadata.AppendToOutgoingContext(buyer.as(t), "x-request-id", requestID)
	response, err := stack.orders.CreateOrder(ctx, newOrder())
	if err != nil {
		t.Fatal(err)
	}
	// The authorization metadata reached the handler: it created the order for the token's user.
	if response.GetOrder().GetUserId() != buyer.id {
		t.Fatalf("order of %s, want %s", response.GetOrder().GetUserId(), buyer.id)
	}
	// x-request-id and the user agent reached the call's context (the server logs them).
	var lines []map[string]any
	eventually(t, 5*time.Second, "the order service logs the call", func() bool {
		lines = stack.orderService.logLines(serverCallLine(requestID, "CreateOrder"))
		return len(lines) == 1
	})
	logged := lines[0]["grpc.request.metadata"].(map[string]any)
	if agent, _ := logged["user-agent"].(string); !strings.HasPrefix(agent, "platform-go-client grpc-go/") {
		t.Fatalf("user-agent %q", agent)
	}
	if lines[0]["grpc.code"] != "OK" {
		t.Fatalf("logged %v", lines[0])
	}
}

func TestMetadataResponseHeadersAndTrailers(t *testing.T) {
	buyer := signUp(t)
	t.Run("unary OK", func(t *testing.T) {
		var header, trailer metadata.MD
		if _, err := stack.orders.ListOrders(buyer.as(t), &orderv1.ListOrdersRequest{},
			grpc.Header(&header), grpc.Trailer(&trailer)); err != nil {
			t.Fatal(err)
		}
		if got := header.Get("content-type"); len(got) != 1 || got[0] != "application/grpc+proto" {
			t.Fatalf("response headers %v", header)
		}
		if len(trailer.Get("grpc-status-details-bin")) != 0 {
			t.Fatalf("trailers of an OK call carry details: %v", trailer)
		}
	})
	t.Run("unary error: the details trailer is the status Go decodes", func(t *testing.T) {
		var trailer metadata.MD
		_, err := stack.orders.GetOrder(buyer.as(t), &orderv1.GetOrderRequest{OrderId: unknownOrderID}, grpc.Trailer(&trailer))
		raw := trailer.Get("grpc-status-details-bin")
		if len(raw) != 1 {
			t.Fatalf("trailers %v", trailer)
		}
		decoded := &spb.Status{}
		if err := proto.Unmarshal([]byte(raw[0]), decoded); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(decoded, status.Convert(err).Proto()) || len(decoded.GetDetails()) != 2 {
			t.Fatalf("trailer %v, status %v", decoded, status.Convert(err).Proto())
		}
	})
	t.Run("server stream", func(t *testing.T) {
		order := placeOrder(t, buyer)
		stream, err := stack.orders.WatchOrder(buyer.as(t), &orderv1.WatchOrderRequest{OrderId: order.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		header, err := stream.Header()
		if err != nil || len(header.Get("content-type")) != 1 {
			t.Fatalf("stream headers %v: %v", header, err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatal(err)
		}
		if _, err := stack.orders.CancelOrder(buyer.as(t), &orderv1.CancelOrderRequest{OrderId: order.GetId()}); err != nil {
			t.Fatal(err)
		}
		for err == nil {
			_, err = stream.Recv()
		}
		if trailer := stream.Trailer(); trailer == nil || len(trailer.Get("grpc-status-details-bin")) != 0 {
			t.Fatalf("stream trailers %v after %v", trailer, err)
		}
	})
}

// A context without a deadline still gets one: the server sees a grpc-timeout.
func TestMetadataDefaultDeadlineIsSent(t *testing.T) {
	buyer := signUp(t)
	before := serverMetric(t, stack.orderService, "grpc_server_calls_without_deadline_total", nil)
	ctx := client.WithToken(context.Background(), buyer.token)
	if _, err := stack.orders.ListOrders(ctx, &orderv1.ListOrdersRequest{}); err != nil {
		t.Fatal(err)
	}
	if after := serverMetric(t, stack.orderService, "grpc_server_calls_without_deadline_total", nil); after != before {
		t.Fatalf("a call arrived without a deadline (%v -> %v)", before, after)
	}
}
