// Command platform calls the platform's services from the command line: sign up and sign in,
// create, read, list and cancel orders, watch an order's changes (server stream), import orders
// from a file (client stream) and track several orders interactively (bidirectional stream).
//
//	platform [global flags] <command> [flags] [arguments]
//
// Run `platform help` for the commands and flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"example.com/platform/go-client/internal/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program, minus the process: it returns the exit code (0 done, 1 the call
// failed, 2 bad usage).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	config, rest, err := parseGlobalFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(rest) == 0 || rest[0] == "help" {
		printUsage(stdout)
		return 0
	}
	command, ok := commands[rest[0]]
	if !ok {
		fmt.Fprintf(stderr, "platform: unknown command %q\n\n", rest[0])
		printUsage(stderr)
		return 2
	}
	shutdownTracing, err := client.SetupTracing(ctx, "platform-go-client")
	if err != nil {
		fmt.Fprintf(stderr, "platform: %v\n", err)
		return 1
	}
	session := newSession(config)
	err = command.run(ctx, session, rest[1:], terminal{in: stdin, out: stdout, err: stderr})
	session.close()
	_ = shutdownTracing(context.WithoutCancel(ctx))
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		return 2
	default:
		fmt.Fprintf(stderr, "platform %s failed: %s\n", rest[0], client.DescribeError(err))
		return 1
	}
}
