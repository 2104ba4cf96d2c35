package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRemovedUser removes carol from the users file between two runs:
// she can no longer log in, the server logs who tried, and her calendar
// data is kept, so that putting her back restores everything.
func TestRemovedUser(t *testing.T) {
	dir := t.TempDir()
	users := writeUsersFile(t, dir)
	data := dir + "/data"
	s := startServer(t, "-data", data, "-users", users)
	event := icsText("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//autoschedule//e2e test//EN",
		"BEGIN:VEVENT", "UID:CAROL-OWN-1", "DTSTAMP:20300501T185254Z", "DTSTART:20300603T090000Z",
		"DURATION:PT1H", "SUMMARY:Dentist", "END:VEVENT", "END:VCALENDAR")
	const path = "/carol/calendars/default/own.ics"
	s.do(carol, http.MethodPut, path, event, "If-None-Match", "*").must(t, "carol's PUT", http.StatusCreated)
	s.stop()

	all, err := loadUsers(users)
	if err != nil {
		t.Fatal(err)
	}
	var without []User
	for _, u := range all {
		if u.Username != carol.name {
			without = append(without, u)
		}
	}
	raw, err := json.Marshal(without)
	if err != nil {
		t.Fatal(err)
	}
	fewer := filepath.Join(dir, "users-without-carol.json")
	if err := os.WriteFile(fewer, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	s = startServer(t, "-data", data, "-users", fewer)
	s.do(carol, "PROPFIND", "/carol/", "", "Depth", "0").must(t, "removed user's login", http.StatusUnauthorized)
	s.logged(`login refused: the user is no longer in the users file; their calendars are kept" user=carol`)
	s.do(testUser{name: "nobody", password: "x"}, "PROPFIND", "/", "", "Depth", "0").must(t, "unknown user", http.StatusUnauthorized)
	s.stop()
	if strings.Contains(s.stderr.String(), "user=nobody") {
		t.Error("a name that never was a user was logged as removed")
	}

	s = startServer(t, "-data", data, "-users", users)
	got := s.do(carol, http.MethodGet, path, "").must(t, "carol's event after she is back", http.StatusOK)
	if !strings.Contains(got.body, "UID:CAROL-OWN-1") {
		t.Errorf("carol's event:\n%s", got.body)
	}
	s.stop()
}
