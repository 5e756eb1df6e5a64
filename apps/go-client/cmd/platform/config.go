package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// config is what the global flags (or their environment variables) set.
type config struct {
	userAddress   string
	orderAddress  string
	tokenFile     string
	token         string
	callTimeout   time.Duration
	streamTimeout time.Duration
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func defaultTokenFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ".platform-token"
	}
	return filepath.Join(dir, "platform", "token")
}

func parseGlobalFlags(args []string, stderr io.Writer) (config, []string, error) {
	var c config
	flags := flag.NewFlagSet("platform", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&c.userAddress, "user-address", envOr("PLATFORM_USER_ADDRESS", "127.0.0.1:50051"),
		"user service address ($PLATFORM_USER_ADDRESS)")
	flags.StringVar(&c.orderAddress, "order-address", envOr("PLATFORM_ORDER_ADDRESS", "127.0.0.1:50052"),
		"order service address ($PLATFORM_ORDER_ADDRESS)")
	flags.StringVar(&c.tokenFile, "token-file", envOr("PLATFORM_TOKEN_FILE", defaultTokenFile()),
		"where login stores the access token and other commands read it ($PLATFORM_TOKEN_FILE)")
	flags.StringVar(&c.token, "token", os.Getenv("PLATFORM_TOKEN"),
		"access token to use instead of the token file ($PLATFORM_TOKEN)")
	flags.DurationVar(&c.callTimeout, "timeout", 10*time.Second, "deadline of each call")
	flags.DurationVar(&c.streamTimeout, "stream-timeout", time.Hour, "deadline of watch and track streams")
	flags.Usage = func() { printUsage(stderr) }
	if err := flags.Parse(args); err != nil {
		return c, nil, err
	}
	if c.callTimeout <= 0 || c.streamTimeout <= 0 {
		fmt.Fprintln(stderr, "platform: -timeout and -stream-timeout must be positive")
		return c, nil, errUsage
	}
	return c, flags.Args(), nil
}
