// Package main is a complete CalDAV server with RFC 6638 auto-scheduling:
// go-webdav's CalDAV handler behind the schedule middleware, on SQLite or
// PostgreSQL. With -smtp-relay and -mail-from it invites, updates and
// answers people it does not host by e-mail (iMIP, RFC 6047) through a
// durable queue; with -smtp-listen it takes their e-mailed replies and
// invitations over SMTP or LMTP. README.md has the flags and how to
// connect clients.
package main
