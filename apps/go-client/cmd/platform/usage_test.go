package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// Bad usage is answered before any call: exit code 2 and what is wrong, or the usage when asked.
// (The commands against the services are tested on the built CLI in interop/cli_test.go.)
func TestUsage(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	cases := []struct {
		name   string
		args   []string
		code   int
		output string
	}{
		{"no command prints the usage", nil, 0, "usage: platform [global flags] <command>"},
		{"help prints the usage", []string{"help"}, 0, "track    follow orders"},
		{"an unknown command", []string{"fly"}, 2, `platform: unknown command "fly"`},
		{"create without items", []string{"create"}, 2, "give at least one item"},
		{"an item without its price", []string{"create", "book-42:2"}, 2, "expected SKU:QUANTITY:UNIT_PRICE_MINOR"},
		{"a quantity that is not a number", []string{"create", "book-42:two:1250"}, 2, `item "book-42:two:1250": quantity`},
		{"a price that is not a number", []string{"create", "book-42:2:ten"}, 2, `item "book-42:2:ten": unit price`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			code := run(context.Background(), append([]string{"-token", "unused"}, c.args...), strings.NewReader(""), &out, &out)
			if code != c.code || !strings.Contains(out.String(), c.output) {
				t.Fatalf("exit %d, want %d; output:\n%s\nwant it to contain %q", code, c.code, out.String(), c.output)
			}
		})
	}
}
