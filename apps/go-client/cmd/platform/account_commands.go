package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	userv1 "example.com/platform/go-client/gen/platform/user/v1"
)

// newFlags is a flag set for one command that reports errors on the terminal.
func newFlags(name string, t terminal) *flag.FlagSet {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(t.err)
	flags.Usage = func() { fmt.Fprintf(t.err, "usage: platform %s\n", commands[name].usage); flags.PrintDefaults() }
	return flags
}

func usageError(t terminal, name, problem string) error {
	fmt.Fprintf(t.err, "platform %s: %s\nusage: platform %s\n", name, problem, commands[name].usage)
	return errUsage
}

func runSignup(ctx context.Context, s *session, args []string, t terminal) error {
	flags := newFlags("signup", t)
	email := flags.String("email", "", "login email")
	password := flags.String("password", "", "password (12 characters or more)")
	name := flags.String("name", "", "display name")
	if err := flags.Parse(args); err != nil {
		return err
	}
	users, err := s.users()
	if err != nil {
		return err
	}
	response, err := users.CreateUser(ctx, &userv1.CreateUserRequest{Email: *email, Password: *password, DisplayName: *name})
	if err != nil {
		return fmt.Errorf("signing up: %w", err)
	}
	printUser(t.out, response.GetUser())
	return nil
}

func runLogin(ctx context.Context, s *session, args []string, t terminal) error {
	flags := newFlags("login", t)
	email := flags.String("email", "", "account email")
	password := flags.String("password", "", "account password")
	clientID := flags.String("client-id", "", "service client id (instead of email and password)")
	clientSecret := flags.String("client-secret", "", "service client secret")
	if err := flags.Parse(args); err != nil {
		return err
	}
	request := &userv1.AuthenticateRequest{}
	switch {
	case *clientID != "":
		request.Credentials = &userv1.AuthenticateRequest_Client{
			Client: &userv1.ClientCredentials{ClientId: *clientID, ClientSecret: *clientSecret}}
	case *email != "":
		request.Credentials = &userv1.AuthenticateRequest_Password{
			Password: &userv1.PasswordCredentials{Email: *email, Password: *password}}
	default:
		return usageError(t, "login", "give -email and -password, or -client-id and -client-secret")
	}
	users, err := s.users()
	if err != nil {
		return err
	}
	response, err := users.Authenticate(ctx, request)
	if err != nil {
		return fmt.Errorf("signing in: %w", err)
	}
	if err := s.saveToken(response.GetAccessToken()); err != nil {
		return err
	}
	roles := make([]string, 0, len(response.GetRoles()))
	for _, role := range response.GetRoles() {
		roles = append(roles, strings.TrimPrefix(role.String(), "ROLE_"))
	}
	fmt.Fprintf(t.out, "signed in as %s (%s) until %s; token saved to %s\n", response.GetSubject(),
		strings.Join(roles, ", "), formatTime(response.GetExpireTime()), s.config.tokenFile)
	return nil
}

// signedIn reads the claims of the token the command will send; without one it is a usage error.
func signedIn(s *session, t terminal, name string) (tokenClaims, error) {
	token, err := s.token()
	if err != nil {
		return tokenClaims{}, err
	}
	if token == "" {
		return tokenClaims{}, usageError(t, name, "not signed in: run platform login first")
	}
	return readTokenClaims(token)
}

// runWhoami shows the token's principal: a user as the user service knows them, or a service
// principal as the token names it (a client id is no user id, so there is no user to read).
func runWhoami(ctx context.Context, s *session, args []string, t terminal) error {
	claims, err := signedIn(s, t, "whoami")
	if err != nil {
		return err
	}
	if claims.isService() {
		fmt.Fprintf(t.out, "service principal %s\n  roles:   %s\n  expires: %s\n",
			claims.Subject, strings.Join(claims.Roles, ", "), claims.expiryText())
		return nil
	}
	users, err := s.users()
	if err != nil {
		return err
	}
	response, err := users.GetUser(ctx, &userv1.GetUserRequest{UserId: claims.Subject})
	if err != nil {
		return fmt.Errorf("reading user %s: %w", claims.Subject, err)
	}
	printUser(t.out, response.GetUser())
	fmt.Fprintf(t.out, "  expires: %s (the token)\n", claims.expiryText())
	return nil
}

func runStats(ctx context.Context, s *session, args []string, t terminal) error {
	flags := newFlags("stats", t)
	userID := flags.String("user", "", "whose figures (admins only); default: yours")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *userID == "" {
		claims, err := signedIn(s, t, "stats")
		if err != nil {
			return err
		}
		if claims.isService() {
			return usageError(t, "stats", "a service principal has no orders of its own: give -user")
		}
		*userID = claims.Subject
	}
	users, err := s.users()
	if err != nil {
		return err
	}
	response, err := users.GetUserOrderStats(ctx, &userv1.GetUserOrderStatsRequest{UserId: *userID})
	if err != nil {
		return fmt.Errorf("reading the order figures of user %s: %w", *userID, err)
	}
	printOrderStats(t.out, response.GetStats())
	return nil
}
