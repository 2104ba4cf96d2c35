// Package main is a complete CalDAV server with RFC 6638 auto-scheduling.
package main
