package interop

import (
	"testing"

	userv1 "example.com/platform/go-client/gen/platform/user/v1"
)

// Every UserService RPC from Go.
func TestUserServiceRPCs(t *testing.T) {
	buyer := signUp(t) // CreateUser + Authenticate (password)
	boss := admin(t)

	t.Run("Authenticate with client credentials", func(t *testing.T) {
		service := servicePrincipal(t)
		if service.id != stack.clientID || service.token == "" {
			t.Fatalf("service principal %q", service.id)
		}
	})
	t.Run("GetUser as the user", func(t *testing.T) {
		response, err := stack.users.GetUser(buyer.as(t), &userv1.GetUserRequest{UserId: buyer.id})
		if err != nil {
			t.Fatal(err)
		}
		user := response.GetUser()
		if user.GetId() != buyer.id || user.GetEmail() != buyer.email || user.GetDisplayName() != "Go Buyer" ||
			user.GetRole() != userv1.Role_ROLE_USER || user.GetStatus() != userv1.UserStatus_USER_STATUS_ACTIVE {
			t.Fatalf("unexpected user %v", user)
		}
	})
	t.Run("ListUsers as admin, page by page", func(t *testing.T) {
		signUp(t)
		seen := map[string]bool{}
		request := &userv1.ListUsersRequest{PageSize: 1}
		for pages := 0; ; pages++ {
			response, err := stack.users.ListUsers(boss.as(t), request)
			if err != nil {
				t.Fatal(err)
			}
			if len(response.GetUsers()) > 1 {
				t.Fatalf("page of %d users, asked for 1", len(response.GetUsers()))
			}
			for _, user := range response.GetUsers() {
				seen[user.GetId()] = true
			}
			if request.PageToken = response.GetNextPageToken(); request.PageToken == "" || pages > 1000 {
				break
			}
		}
		if !seen[buyer.id] || !seen[boss.id] || len(seen) < 3 {
			t.Fatalf("listed %d users, missing the buyer or the admin", len(seen))
		}
	})
	t.Run("UpdateUser", func(t *testing.T) {
		name := "Ada Go"
		response, err := stack.users.UpdateUser(buyer.as(t), &userv1.UpdateUserRequest{UserId: buyer.id, DisplayName: &name})
		if err != nil {
			t.Fatal(err)
		}
		if response.GetUser().GetDisplayName() != name || response.GetUser().GetRole() != userv1.Role_ROLE_USER {
			t.Fatalf("after the user's update: %v", response.GetUser())
		}
		role := userv1.Role_ROLE_ADMIN
		other := signUp(t)
		response, err = stack.users.UpdateUser(boss.as(t), &userv1.UpdateUserRequest{UserId: other.id, Role: &role})
		if err != nil {
			t.Fatal(err)
		}
		if response.GetUser().GetRole() != userv1.Role_ROLE_ADMIN || response.GetUser().GetDisplayName() != "Go Buyer" {
			t.Fatalf("after the admin's update: %v", response.GetUser())
		}
	})
	t.Run("DeactivateUser", func(t *testing.T) {
		leaving := signUp(t)
		response, err := stack.users.DeactivateUser(boss.as(t), &userv1.DeactivateUserRequest{UserId: leaving.id, Reason: "gone"})
		if err != nil {
			t.Fatal(err)
		}
		user := response.GetUser()
		if user.GetStatus() != userv1.UserStatus_USER_STATUS_DEACTIVATED || user.GetDeactivateTime() == nil {
			t.Fatalf("after DeactivateUser: %v", user)
		}
		// Idempotent: the first time stays.
		again, err := stack.users.DeactivateUser(boss.as(t), &userv1.DeactivateUserRequest{UserId: leaving.id, Reason: "again"})
		if err != nil {
			t.Fatal(err)
		}
		if !again.GetUser().GetDeactivateTime().AsTime().Equal(user.GetDeactivateTime().AsTime()) {
			t.Fatalf("deactivate time moved: %v -> %v", user.GetDeactivateTime(), again.GetUser().GetDeactivateTime())
		}
	})
	t.Run("GetUserOrderStats", func(t *testing.T) {
		response, err := stack.users.GetUserOrderStats(buyer.as(t), &userv1.GetUserOrderStatsRequest{UserId: buyer.id})
		if err != nil {
			t.Fatal(err)
		}
		stats := response.GetStats()
		// Zeros: the order-events consumer that fills them needs Kafka, which these services run without.
		if stats.GetUserId() != buyer.id || stats.GetOrderCount() != 0 || len(stats.GetLifetimeTotalMinorByCurrency()) != 0 {
			t.Fatalf("stats %v", stats)
		}
	})
}
