package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	orderv1 "example.com/platform/go-client/gen/platform/order/v1"
	userv1 "example.com/platform/go-client/gen/platform/user/v1"
	"example.com/platform/go-client/internal/client"
	"google.golang.org/grpc"
)

// session holds the program's connections: one per service, made on first use and reused by
// every call of the command.
type session struct {
	config    config
	userConn  *grpc.ClientConn
	orderConn *grpc.ClientConn
}

func newSession(c config) *session { return &session{config: c} }

func (s *session) options() (client.Options, error) {
	token, err := s.token()
	if err != nil {
		return client.Options{}, err
	}
	return client.Options{
		CallTimeout:   s.config.callTimeout,
		StreamTimeout: s.config.streamTimeout,
		Token:         token,
	}, nil
}

// token is -token / $PLATFORM_TOKEN, else the token file's content, else none.
func (s *session) token() (string, error) {
	if s.config.token != "" {
		return s.config.token, nil
	}
	content, err := os.ReadFile(s.config.tokenFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the token file: %w", err)
	}
	return strings.TrimSpace(string(content)), nil
}

func (s *session) users() (userv1.UserServiceClient, error) {
	if s.userConn == nil {
		options, err := s.options()
		if err != nil {
			return nil, err
		}
		if s.userConn, err = client.Dial(s.config.userAddress, options); err != nil {
			return nil, err
		}
	}
	return userv1.NewUserServiceClient(s.userConn), nil
}

func (s *session) orders() (orderv1.OrderServiceClient, error) {
	if s.orderConn == nil {
		options, err := s.options()
		if err != nil {
			return nil, err
		}
		if s.orderConn, err = client.Dial(s.config.orderAddress, options); err != nil {
			return nil, err
		}
	}
	return orderv1.NewOrderServiceClient(s.orderConn), nil
}

// saveToken writes the token file, readable by its owner only.
func (s *session) saveToken(token string) error {
	if err := os.MkdirAll(filepath.Dir(s.config.tokenFile), 0o700); err != nil {
		return fmt.Errorf("creating the token file's folder: %w", err)
	}
	if err := os.WriteFile(s.config.tokenFile, []byte(token+"\n"), 0o600); err != nil {
		return fmt.Errorf("writing the token file: %w", err)
	}
	return nil
}

func (s *session) close() {
	for _, conn := range []*grpc.ClientConn{s.userConn, s.orderConn} {
		if conn != nil {
			_ = conn.Close()
		}
	}
}
