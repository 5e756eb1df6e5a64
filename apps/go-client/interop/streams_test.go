package interop

import (
	"errors"
	"io"
	"testing"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	"example.com/platform/go-client/internal/client"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
)

// The three streaming kinds from Go.

func TestWatchOrderServerStream(t *testing.T) {
	buyer := signUp(t)
	order := placeOrder(t, buyer)
	stream, err := stack.orders.WatchOrder(buyer.as(t), &orderv1.WatchOrderRequest{OrderId: order.GetId()})
	if err != nil {
		t.Fatal(err)
	}
	first, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(first.GetOrder(), order) {
		t.Fatalf("first message %v, want the current state %v", first.GetOrder(), order)
	}
	if _, err := stack.orders.CancelOrder(buyer.as(t), &orderv1.CancelOrderRequest{OrderId: order.GetId(), Reason: "watch me"}); err != nil {
		t.Fatal(err)
	}
	change, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if change.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_CANCELLED || change.GetOrder().GetVersion() != 2 {
		t.Fatalf("change %v", change.GetOrder())
	}
	// A final state ends the stream OK.
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the final state: want EOF, got %v", err)
	}
}

func TestImportOrdersClientStream(t *testing.T) {
	buyer := signUp(t)
	stream, err := stack.orders.ImportOrders(buyer.as(t))
	if err != nil {
		t.Fatal(err)
	}
	good, bad := newOrder(), newOrder()
	bad.Items[1].Quantity = 0
	for _, request := range []*orderv1.CreateOrderRequest{good, good, bad} {
		if err := stream.Send(&orderv1.ImportOrdersRequest{Order: request}); err != nil {
			t.Fatal(err)
		}
	}
	summary, err := stream.CloseAndRecv()
	if err != nil {
		t.Fatal(err)
	}
	// One result per item, in order.
	if summary.GetCreatedCount() != 1 || summary.GetDuplicateCount() != 1 || summary.GetFailedCount() != 1 ||
		len(summary.GetResults()) != 3 {
		t.Fatalf("summary %v", summary)
	}
	created, duplicate, failed := summary.GetResults()[0], summary.GetResults()[1], summary.GetResults()[2]
	if created.GetOutcome() != orderv1.ImportOutcome_IMPORT_OUTCOME_CREATED || created.GetIndex() != 0 ||
		created.GetOrderId() == "" || created.GetOrderId() != duplicate.GetOrderId() {
		t.Fatalf("created %v, duplicate %v", created, duplicate)
	}
	if duplicate.GetOutcome() != orderv1.ImportOutcome_IMPORT_OUTCOME_DUPLICATE || duplicate.GetIndex() != 1 ||
		duplicate.GetRequestId() != good.GetRequestId() || failed.GetIndex() != 2 || failed.GetRequestId() != bad.GetRequestId() {
		t.Fatalf("results %v", summary.GetResults())
	}
	imported, err := stack.orders.GetOrder(buyer.as(t), &orderv1.GetOrderRequest{OrderId: duplicate.GetOrderId()})
	if err != nil || imported.GetOrder().GetRequestId() != good.GetRequestId() {
		t.Fatalf("the imported order %v: %v", imported.GetOrder(), err)
	}
	// The per-item error is what CreateOrder answers for the same order: code, message, details.
	if failed.GetOutcome() != orderv1.ImportOutcome_IMPORT_OUTCOME_FAILED {
		t.Fatalf("failed item %v", failed)
	}
	_, err = stack.orders.CreateOrder(buyer.as(t), bad)
	answered := status.Convert(err)
	if client.CodeOf(failed.GetError()) != answered.Code() || failed.GetError().GetMessage() != answered.Message() ||
		answered.Code() != codes.InvalidArgument {
		t.Fatalf("failed item %v, CreateOrder answered %v", failed.GetError(), answered)
	}
	var details []proto.Message
	for _, detail := range client.ItemErrorDetails(failed.GetError()) {
		details = append(details, protoadapt.MessageV2Of(detail))
	}
	requireStatus(t, err, codes.InvalidArgument, failed.GetError().GetMessage(), details...)
}

func TestTrackOrdersBidiStream(t *testing.T) {
	buyer := signUp(t)
	first, second := placeOrder(t, buyer), placeOrder(t, buyer)
	stream, err := stack.orders.TrackOrders(buyer.as(t))
	if err != nil {
		t.Fatal(err)
	}
	send := func(request *orderv1.TrackOrdersRequest) {
		t.Helper()
		if err := stream.Send(request); err != nil {
			t.Fatal(err)
		}
	}
	recv := func() *orderv1.TrackOrdersResponse {
		t.Helper()
		response, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		return response
	}
	send(&orderv1.TrackOrdersRequest{Action: &orderv1.TrackOrdersRequest_SubscribeOrderId{SubscribeOrderId: first.GetId()}})
	if got := recv(); got.GetOrderId() != first.GetId() || !proto.Equal(got.GetOrder(), first) {
		t.Fatalf("first subscription answered %v", got)
	}
	// An unknown order gets a per-item error; the stream stays open.
	send(&orderv1.TrackOrdersRequest{Action: &orderv1.TrackOrdersRequest_SubscribeOrderId{SubscribeOrderId: unknownOrderID}})
	refused := recv()
	if refused.GetOrderId() != unknownOrderID || refused.GetError().GetCode() != code.Code_NOT_FOUND ||
		refused.GetError().GetErrorInfo().GetReason() != "ORDER_NOT_FOUND" ||
		refused.GetError().GetResourceInfo().GetResourceName() != unknownOrderID {
		t.Fatalf("unknown order answered %v", refused)
	}
	send(&orderv1.TrackOrdersRequest{Action: &orderv1.TrackOrdersRequest_SubscribeOrderId{SubscribeOrderId: second.GetId()}})
	if got := recv(); got.GetOrderId() != second.GetId() {
		t.Fatalf("second subscription answered %v", got)
	}
	// A change of a subscribed order arrives; after unsubscribing, changes do not.
	send(&orderv1.TrackOrdersRequest{Action: &orderv1.TrackOrdersRequest_UnsubscribeOrderId{UnsubscribeOrderId: first.GetId()}})
	if _, err := stack.orders.CancelOrder(buyer.as(t), &orderv1.CancelOrderRequest{OrderId: second.GetId()}); err != nil {
		t.Fatal(err)
	}
	if got := recv(); got.GetOrderId() != second.GetId() || got.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_CANCELLED {
		t.Fatalf("change answered %v", got)
	}
	if _, err := stack.orders.CancelOrder(buyer.as(t), &orderv1.CancelOrderRequest{OrderId: first.GetId()}); err != nil {
		t.Fatal(err)
	}
	// Half-close ends the stream OK, without the unsubscribed order's change.
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	for {
		response, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if response.GetOrderId() == first.GetId() {
			t.Fatalf("a change of an unsubscribed order arrived: %v", response)
		}
	}
}
