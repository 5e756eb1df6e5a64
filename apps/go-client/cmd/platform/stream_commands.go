package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

func runWatch(ctx context.Context, s *session, args []string, t terminal) error {
	orderID, err := oneID(t, "watch", args)
	if err != nil {
		return err
	}
	orders, err := s.orders()
	if err != nil {
		return err
	}
	stream, err := orders.WatchOrder(ctx, &orderv1.WatchOrderRequest{OrderId: orderID})
	if err != nil {
		return fmt.Errorf("watching order %s: %w", orderID, err)
	}
	for {
		response, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(t.out, "the order is final; the stream ended")
			return nil
		}
		if err != nil {
			return fmt.Errorf("watching order %s: %w", orderID, err)
		}
		printOrderLine(t.out, response.GetOrder())
	}
}

// readImportFile reads one protojson CreateOrderRequest per line; blank lines and lines
// starting with # are skipped.
func readImportFile(r io.Reader) ([]*orderv1.CreateOrderRequest, error) {
	var requests []*orderv1.CreateOrderRequest
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for line := 1; scanner.Scan(); line++ {
		text := strings.TrimSpace(scanner.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		request := &orderv1.CreateOrderRequest{}
		if err := protojson.Unmarshal([]byte(text), request); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		requests = append(requests, request)
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("reading the import file: %w", err)
	}
	return requests, nil
}

func runImport(ctx context.Context, s *session, args []string, t terminal) error {
	if len(args) != 1 {
		return usageError(t, "import", "give a file of JSON lines, or - for standard input")
	}
	input := t.in
	if args[0] != "-" {
		file, err := os.Open(args[0])
		if err != nil {
			return fmt.Errorf("opening the import file: %w", err)
		}
		defer file.Close()
		input = file
	}
	requests, err := readImportFile(input)
	if err != nil {
		return err
	}
	orders, err := s.orders()
	if err != nil {
		return err
	}
	stream, err := orders.ImportOrders(ctx)
	if err != nil {
		return fmt.Errorf("starting the import: %w", err)
	}
	for _, request := range requests {
		// A failed Send means the call ended; CloseAndRecv below returns why.
		if err := stream.Send(&orderv1.ImportOrdersRequest{Order: request}); err != nil {
			break
		}
	}
	summary, err := stream.CloseAndRecv()
	if err != nil {
		return fmt.Errorf("importing: %w", err)
	}
	printImportSummary(t.out, summary)
	if failed := summary.GetFailedCount(); failed > 0 {
		// Scripts must see that some orders were not created: exit 1, after the summary.
		return fmt.Errorf("%d of %d orders failed (see above)", failed, len(requests))
	}
	return nil
}

// trackCommand reads one subscription change: `+ID`, `subscribe ID`, `-ID`, `unsubscribe ID`.
func trackCommand(line string) (*orderv1.TrackOrdersRequest, bool) {
	fields := strings.Fields(line)
	switch {
	case len(fields) == 1 && strings.HasPrefix(fields[0], "+") && len(fields[0]) > 1:
		return subscribe(fields[0][1:]), true
	case len(fields) == 1 && strings.HasPrefix(fields[0], "-") && len(fields[0]) > 1:
		return unsubscribe(fields[0][1:]), true
	case len(fields) == 2 && (fields[0] == "subscribe" || fields[0] == "sub"):
		return subscribe(fields[1]), true
	case len(fields) == 2 && (fields[0] == "unsubscribe" || fields[0] == "unsub"):
		return unsubscribe(fields[1]), true
	default:
		return nil, false
	}
}

func subscribe(id string) *orderv1.TrackOrdersRequest {
	return &orderv1.TrackOrdersRequest{Action: &orderv1.TrackOrdersRequest_SubscribeOrderId{SubscribeOrderId: id}}
}

func unsubscribe(id string) *orderv1.TrackOrdersRequest {
	return &orderv1.TrackOrdersRequest{Action: &orderv1.TrackOrdersRequest_UnsubscribeOrderId{UnsubscribeOrderId: id}}
}

func runTrack(ctx context.Context, s *session, args []string, t terminal) error {
	orders, err := s.orders()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := orders.TrackOrders(ctx)
	if err != nil {
		return fmt.Errorf("starting to track: %w", err)
	}
	for _, id := range args {
		if err := stream.Send(subscribe(id)); err != nil {
			break
		}
	}
	// The prompt: each line changes the subscriptions; quit or end of input half-closes,
	// and the server ends the stream after its pending answers.
	go func() {
		fmt.Fprintln(t.out, "track: type +ID to follow an order, -ID to stop, quit to end")
		scanner := bufio.NewScanner(t.in)
		for scanner.Scan() {
			line := strings.TrimSpace(scanner.Text())
			if line == "quit" || line == "exit" {
				break
			}
			if line == "" {
				continue
			}
			request, ok := trackCommand(line)
			if !ok {
				fmt.Fprintf(t.err, "track: %q? type +ID, -ID, subscribe ID, unsubscribe ID or quit\n", line)
				continue
			}
			if err := stream.Send(request); err != nil {
				return
			}
		}
		_ = stream.CloseSend()
	}()
	for {
		response, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tracking: %w", err)
		}
		printTrackEvent(t.out, response)
	}
}
