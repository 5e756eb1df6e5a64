package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	userv1 "example.com/platform/go-client/gen/platform/user/v1"
	"example.com/platform/go-client/internal/client"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func formatTime(t *timestamppb.Timestamp) string {
	if t == nil {
		return "-"
	}
	return t.AsTime().Local().Format(time.RFC3339)
}

func statusName(status orderv1.OrderStatus) string {
	return strings.TrimPrefix(status.String(), "ORDER_STATUS_")
}

// formatMinor shows an amount in minor units as digits with the currency, exactly (no float).
func formatMinor(minor int64, currency string) string {
	return fmt.Sprintf("%d %s (minor units)", minor, currency)
}

func printUser(w io.Writer, user *userv1.User) {
	fmt.Fprintf(w, "user %s\n  email:   %s\n  name:    %s\n  role:    %s\n  status:  %s\n  created: %s\n",
		user.GetId(), user.GetEmail(), user.GetDisplayName(), strings.TrimPrefix(user.GetRole().String(), "ROLE_"),
		strings.TrimPrefix(user.GetStatus().String(), "USER_STATUS_"), formatTime(user.GetCreateTime()))
}

func printOrderStats(w io.Writer, stats *userv1.UserOrderStats) {
	fmt.Fprintf(w, "order figures of user %s\n  orders:     %d (%d confirmed, %d cancelled)\n",
		stats.GetUserId(), stats.GetOrderCount(), stats.GetConfirmedCount(), stats.GetCancelledCount())
	totals := stats.GetLifetimeTotalMinorByCurrency()
	currencies := make([]string, 0, len(totals))
	for currency := range totals {
		currencies = append(currencies, currency)
	}
	sort.Strings(currencies)
	amounts := make([]string, 0, len(currencies))
	for _, currency := range currencies {
		amounts = append(amounts, fmt.Sprintf("%d %s", totals[currency], currency))
	}
	totalsText := "none"
	if len(amounts) > 0 {
		totalsText = strings.Join(amounts, ", ") + " (minor units, cancelled orders not counted)"
	}
	fmt.Fprintf(w, "  totals:     %s\n  last order: %s\n", totalsText, formatTime(stats.GetLastOrderTime()))
}

func printOrder(w io.Writer, order *orderv1.Order) {
	fmt.Fprintf(w, "order %s (version %d)\n  status:  %s\n  owner:   %s\n  request: %s\n",
		order.GetId(), order.GetVersion(), statusName(order.GetStatus()), order.GetUserId(), order.GetRequestId())
	for _, item := range order.GetItems() {
		fmt.Fprintf(w, "  item:    %s x %d at %d\n", item.GetSku(), item.GetQuantity(), item.GetUnitPriceMinor())
	}
	fmt.Fprintf(w, "  total:   %s\n  created: %s\n  updated: %s\n",
		formatMinor(order.GetTotalMinor(), order.GetCurrencyCode()),
		formatTime(order.GetCreateTime()), formatTime(order.GetUpdateTime()))
	if order.GetCancelReason() != "" {
		fmt.Fprintf(w, "  reason:  %s\n", order.GetCancelReason())
	}
}

func printOrderLine(w io.Writer, order *orderv1.Order) {
	fmt.Fprintf(w, "%s  v%d  %-9s  %d %s  %s\n", order.GetId(), order.GetVersion(), statusName(order.GetStatus()),
		order.GetTotalMinor(), order.GetCurrencyCode(), formatTime(order.GetUpdateTime()))
}

func describeItemError(itemError *orderv1.ItemError) string {
	st := status.New(client.CodeOf(itemError), itemError.GetMessage())
	if withDetails, err := st.WithDetails(client.ItemErrorDetails(itemError)...); err == nil {
		st = withDetails
	}
	return client.DescribeError(st.Err())
}

func printImportSummary(w io.Writer, summary *orderv1.ImportOrdersResponse) {
	fmt.Fprintf(w, "imported: %d created, %d duplicates, %d failed\n",
		summary.GetCreatedCount(), summary.GetDuplicateCount(), summary.GetFailedCount())
	for _, result := range summary.GetResults() {
		outcome := strings.TrimPrefix(result.GetOutcome().String(), "IMPORT_OUTCOME_")
		fmt.Fprintf(w, "  #%d %s %s %s\n", result.GetIndex(), result.GetRequestId(), outcome, result.GetOrderId())
		if result.GetError() != nil {
			fmt.Fprintf(w, "    %s\n", strings.ReplaceAll(describeItemError(result.GetError()), "\n", "\n    "))
		}
	}
}

func printTrackEvent(w io.Writer, response *orderv1.TrackOrdersResponse) {
	if itemError := response.GetError(); itemError != nil {
		fmt.Fprintf(w, "%s refused: %s\n", response.GetOrderId(),
			strings.ReplaceAll(describeItemError(itemError), "\n", "\n  "))
		return
	}
	printOrderLine(w, response.GetOrder())
}
