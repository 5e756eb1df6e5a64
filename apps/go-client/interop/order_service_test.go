package interop

import (
	"slices"
	"testing"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	"google.golang.org/protobuf/proto"
)

// Every unary OrderService RPC from Go.
func TestOrderServiceUnaryRPCs(t *testing.T) {
	buyer := signUp(t)
	request := newOrder()
	created, err := stack.orders.CreateOrder(buyer.as(t), request)
	if err != nil {
		t.Fatal(err)
	}
	order := created.GetOrder()

	t.Run("CreateOrder", func(t *testing.T) {
		if order.GetUserId() != buyer.id || order.GetRequestId() != request.GetRequestId() ||
			order.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PENDING || order.GetVersion() != 1 ||
			order.GetTotalMinor() != 3*125+250 || order.GetCurrencyCode() != "EUR" {
			t.Fatalf("created %v", order)
		}
		// The same request id and payload answers the first order.
		again, err := stack.orders.CreateOrder(buyer.as(t), request)
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(again.GetOrder(), order) {
			t.Fatalf("replay answered %v, want %v", again.GetOrder(), order)
		}
	})
	t.Run("GetOrder", func(t *testing.T) {
		response, err := stack.orders.GetOrder(buyer.as(t), &orderv1.GetOrderRequest{OrderId: order.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(response.GetOrder(), order) {
			t.Fatalf("GetOrder %v, want %v", response.GetOrder(), order)
		}
	})
	t.Run("ListOrders with status filter and pages", func(t *testing.T) {
		second := placeOrder(t, buyer)
		third := placeOrder(t, buyer)
		if _, err := stack.orders.CancelOrder(buyer.as(t), &orderv1.CancelOrderRequest{OrderId: third.GetId()}); err != nil {
			t.Fatal(err)
		}
		var ids []string
		request := &orderv1.ListOrdersRequest{PageSize: 1, Status: orderv1.OrderStatus_ORDER_STATUS_PENDING}
		for {
			response, err := stack.orders.ListOrders(buyer.as(t), request)
			if err != nil {
				t.Fatal(err)
			}
			for _, listed := range response.GetOrders() {
				ids = append(ids, listed.GetId())
			}
			if request.PageToken = response.GetNextPageToken(); request.PageToken == "" {
				break
			}
		}
		// The cancelled one is filtered out; newest first, as the contract says.
		if want := []string{second.GetId(), order.GetId()}; !slices.Equal(ids, want) {
			t.Fatalf("pending orders %v, want %v", ids, want)
		}
	})
	t.Run("CancelOrder", func(t *testing.T) {
		pending := placeOrder(t, buyer)
		response, err := stack.orders.CancelOrder(buyer.as(t), &orderv1.CancelOrderRequest{OrderId: pending.GetId(), Reason: "changed my mind"})
		if err != nil {
			t.Fatal(err)
		}
		cancelled := response.GetOrder()
		if cancelled.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_CANCELLED || cancelled.GetVersion() != 2 ||
			cancelled.GetCancelReason() != "changed my mind" {
			t.Fatalf("after CancelOrder: %v", cancelled)
		}
		// Cancelling a cancelled order succeeds and changes nothing.
		again, err := stack.orders.CancelOrder(buyer.as(t), &orderv1.CancelOrderRequest{OrderId: pending.GetId()})
		if err != nil || !proto.Equal(again.GetOrder(), cancelled) {
			t.Fatalf("second cancel: %v %v", again.GetOrder(), err)
		}
	})
	t.Run("ConfirmOrder as a service", func(t *testing.T) {
		pending := placeOrder(t, buyer)
		response, err := stack.orders.ConfirmOrder(servicePrincipal(t).as(t), &orderv1.ConfirmOrderRequest{OrderId: pending.GetId()})
		if err != nil {
			t.Fatal(err)
		}
		if response.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_CONFIRMED || response.GetOrder().GetVersion() != 2 {
			t.Fatalf("after ConfirmOrder: %v", response.GetOrder())
		}
	})
}
