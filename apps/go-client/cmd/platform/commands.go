package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// errUsage ends the program with exit code 2; the command has already said what is wrong.
var errUsage = errors.New("bad usage")

// terminal is where a command reads and writes.
type terminal struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

type command struct {
	usage   string
	summary string
	run     func(ctx context.Context, s *session, args []string, t terminal) error
}

// commands is filled by init: the commands' usage texts refer back to it.
var commands map[string]command

func init() {
	commands = map[string]command{
		"signup": {"signup -email E -password P -name N", "create an account", runSignup},
		"login": {"login -email E -password P | login -client-id ID -client-secret S",
			"sign in and store the access token in the token file", runLogin},
		"whoami": {"whoami", "show the signed-in user, or the service principal of a service token", runWhoami},
		"stats":  {"stats [-user ID]", "show a user's order figures (counts and totals per currency)", runStats},
		"create": {"create [-request-id ID] [-currency EUR] [-user ID] SKU:QTY:PRICE_MINOR...",
			"create an order (idempotent by request id)", runCreate},
		"get":    {"get ORDER_ID", "show an order", runGet},
		"list":   {"list [-status pending|confirmed|cancelled] [-page-size N] [-page-token T] [-all]", "list orders", runList},
		"cancel": {"cancel [-reason R] ORDER_ID", "cancel an order", runCancel},
		"watch":  {"watch ORDER_ID", "stream an order's changes until it is final (server stream)", runWatch},
		"import": {"import FILE|-", "create orders from JSON lines, one CreateOrderRequest each (client stream)", runImport},
		"track": {"track [ORDER_ID...]",
			"follow orders; type `+ID` / `-ID` (or subscribe/unsubscribe ID) to change, `quit` to end (bidi stream)", runTrack},
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: platform [global flags] <command> [flags] [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-8s %s\n           platform %s\n", name, commands[name].summary, commands[name].usage)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, strings.TrimSpace(`
global flags (before the command):
  -user-address   user service   ($PLATFORM_USER_ADDRESS, default 127.0.0.1:50051)
  -order-address  order service  ($PLATFORM_ORDER_ADDRESS, default 127.0.0.1:50052)
  -token-file     token file     ($PLATFORM_TOKEN_FILE, default <user config dir>/platform/token)
  -token          access token   ($PLATFORM_TOKEN, overrides the file)
  -timeout        deadline of each call (default 10s)
  -stream-timeout deadline of watch and track (default 1h)
tracing: set OTEL_EXPORTER_OTLP_ENDPOINT to export the client's spans over OTLP/HTTP.`))
}
