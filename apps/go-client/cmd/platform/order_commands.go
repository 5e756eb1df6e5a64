package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
)

// parseItem reads SKU:QUANTITY:UNIT_PRICE_MINOR, for example book-42:2:1250.
func parseItem(text string) (*orderv1.LineItem, error) {
	parts := strings.Split(text, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("item %q: expected SKU:QUANTITY:UNIT_PRICE_MINOR", text)
	}
	quantity, err := strconv.ParseInt(parts[1], 10, 32)
	if err != nil {
		return nil, fmt.Errorf("item %q: quantity: %w", text, err)
	}
	price, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("item %q: unit price: %w", text, err)
	}
	return &orderv1.LineItem{Sku: parts[0], Quantity: int32(quantity), UnitPriceMinor: price}, nil
}

func newRequestID() string {
	random := make([]byte, 8)
	_, _ = rand.Read(random)
	return "cli-" + hex.EncodeToString(random)
}

func runCreate(ctx context.Context, s *session, args []string, t terminal) error {
	flags := newFlags("create", t)
	requestID := flags.String("request-id", "", "idempotency key; reuse it to retry safely (default: a new one)")
	currency := flags.String("currency", "EUR", "ISO-4217 currency of the prices")
	userID := flags.String("user", "", "owner (admins only); default: you")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() == 0 {
		return usageError(t, "create", "give at least one item")
	}
	request := &orderv1.CreateOrderRequest{RequestId: *requestID, CurrencyCode: *currency, UserId: *userID}
	if request.RequestId == "" {
		request.RequestId = newRequestID()
	}
	for _, text := range flags.Args() {
		item, err := parseItem(text)
		if err != nil {
			return usageError(t, "create", err.Error())
		}
		request.Items = append(request.Items, item)
	}
	orders, err := s.orders()
	if err != nil {
		return err
	}
	response, err := orders.CreateOrder(ctx, request)
	if err != nil {
		return fmt.Errorf("creating the order (request id %s): %w", request.RequestId, err)
	}
	printOrder(t.out, response.GetOrder())
	return nil
}

func oneID(t terminal, name string, args []string) (string, error) {
	if len(args) != 1 {
		return "", usageError(t, name, "give one order id")
	}
	return args[0], nil
}

func runGet(ctx context.Context, s *session, args []string, t terminal) error {
	orderID, err := oneID(t, "get", args)
	if err != nil {
		return err
	}
	orders, err := s.orders()
	if err != nil {
		return err
	}
	response, err := orders.GetOrder(ctx, &orderv1.GetOrderRequest{OrderId: orderID})
	if err != nil {
		return fmt.Errorf("reading order %s: %w", orderID, err)
	}
	printOrder(t.out, response.GetOrder())
	return nil
}

func parseStatus(text string) (orderv1.OrderStatus, error) {
	if text == "" {
		return orderv1.OrderStatus_ORDER_STATUS_UNSPECIFIED, nil
	}
	value, ok := orderv1.OrderStatus_value["ORDER_STATUS_"+strings.ToUpper(text)]
	if !ok {
		return 0, fmt.Errorf("unknown status %q (pending, confirmed or cancelled)", text)
	}
	return orderv1.OrderStatus(value), nil
}

func runList(ctx context.Context, s *session, args []string, t terminal) error {
	flags := newFlags("list", t)
	statusText := flags.String("status", "", "only orders in this status: pending, confirmed, cancelled")
	pageSize := flags.Int("page-size", 20, "orders per page (at most 500)")
	pageToken := flags.String("page-token", "", "continue from a previous page")
	userID := flags.String("user", "", "whose orders (admins only); default: yours")
	all := flags.Bool("all", false, "follow next page tokens to the end")
	if err := flags.Parse(args); err != nil {
		return err
	}
	status, err := parseStatus(*statusText)
	if err != nil {
		return usageError(t, "list", err.Error())
	}
	orders, err := s.orders()
	if err != nil {
		return err
	}
	request := &orderv1.ListOrdersRequest{
		PageSize: int32(*pageSize), PageToken: *pageToken, Status: status, UserId: *userID}
	listed := 0
	for {
		response, err := orders.ListOrders(ctx, request)
		if err != nil {
			return fmt.Errorf("listing orders: %w", err)
		}
		for _, order := range response.GetOrders() {
			printOrderLine(t.out, order)
		}
		listed += len(response.GetOrders())
		request.PageToken = response.GetNextPageToken()
		if request.PageToken == "" {
			if listed == 0 {
				fmt.Fprintln(t.out, noOrdersLine(*statusText, *pageToken != ""))
			}
			return nil
		}
		if !*all {
			fmt.Fprintf(t.out, "next page: -page-token %s\n", request.PageToken)
			return nil
		}
	}
}

// noOrdersLine says that a listing found nothing, so an empty answer is not mistaken for a hang
// or a failure.
func noOrdersLine(status string, continued bool) string {
	line := "no orders"
	if continued {
		line = "no more orders"
	}
	if status != "" {
		line += " with status " + strings.ToLower(status)
	}
	return line
}

func runCancel(ctx context.Context, s *session, args []string, t terminal) error {
	flags := newFlags("cancel", t)
	reason := flags.String("reason", "", "why (shown to the owner)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	orderID, err := oneID(t, "cancel", flags.Args())
	if err != nil {
		return err
	}
	orders, err := s.orders()
	if err != nil {
		return err
	}
	response, err := orders.CancelOrder(ctx, &orderv1.CancelOrderRequest{OrderId: orderID, Reason: *reason})
	if err != nil {
		return fmt.Errorf("cancelling order %s: %w", orderID, err)
	}
	printOrder(t.out, response.GetOrder())
	return nil
}
