package main

import "testing"

// Each spelling of a subscription change in `platform track`, and lines that are none.
func TestTrackCommand(t *testing.T) {
	cases := []struct {
		line        string
		subscribe   string
		unsubscribe string
	}{
		{"+order-1", "order-1", ""},
		{"subscribe order-1", "order-1", ""},
		{"sub order-1", "order-1", ""},
		{"-order-1", "", "order-1"},
		{"unsubscribe order-1", "", "order-1"},
		{"  unsub   order-1 ", "", "order-1"},
	}
	for _, c := range cases {
		request, ok := trackCommand(c.line)
		if !ok || request.GetSubscribeOrderId() != c.subscribe || request.GetUnsubscribeOrderId() != c.unsubscribe {
			t.Fatalf("%q: got %v (ok %v), want subscribe %q unsubscribe %q", c.line, request, ok, c.subscribe, c.unsubscribe)
		}
	}
	for _, line := range []string{"", "+", "-", "order-1", "subscribe", "sub a b", "cancel order-1"} {
		if request, ok := trackCommand(line); ok {
			t.Fatalf("%q is not a subscription change, got %v", line, request)
		}
	}
}
