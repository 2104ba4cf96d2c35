package main

import "fmt"

// A users file: each user becomes a principal with a calendar home, a
// default calendar and a scheduling inbox and outbox.
func Example_usersFile() {
	users, err := parseUsers([]byte(`[
	  {"username": "alice", "password": "secret", "name": "Alice Example",
	   "addresses": ["mailto:alice@example.org"], "type": "INDIVIDUAL"},
	  {"username": "room-1", "password": "$2a$10$7EqJtq98hPqEX7fNZaFWoOa8.5f6Uq9i7XkC6B2o2P3e2gWjQe4ZK",
	   "name": "Room 1", "addresses": ["mailto:room-1@example.org"], "type": "ROOM"}
	]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range users {
		p := u.principal()
		fmt.Println(p.Path, p.Type, p.HomePath, p.InboxPath, isBcryptHash(u.Password))
	}
	// Output:
	// /alice/ INDIVIDUAL /alice/calendars/ /alice/calendars/inbox/ false
	// /room-1/ ROOM /room-1/calendars/ /room-1/calendars/inbox/ true
}
