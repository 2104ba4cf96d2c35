package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"
)

// config is what the command line asks for.
type config struct {
	addr            string
	dataDir         string
	dbURL           string
	usersFile       string
	demo            bool
	tlsCert         string
	tlsKey          string
	maxBody         int64
	asyncDelivery   bool
	inboxMaxAge     time.Duration
	shutdownTimeout time.Duration
	logLevel        slog.Level
	pprofAddr       string
	gcPercent       int  // -gc-percent
	gcPercentGiven  bool // -gc-percent was on the command line
	procs           int  // -procs
	procsGiven      bool // -procs was on the command line

	mail mailConfig
}

// errUsage is returned for a bad command line (exit status 2).
var errUsage = errors.New("usage")

// parseFlags reads the command line; help and errors go to stderr.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free port)")
	fs.StringVar(&c.dataDir, "data", "./autoschedule-data", "`directory` of the SQLite database (unless -db is given)")
	fs.StringVar(&c.dbURL, "db", "", "PostgreSQL `URL` (postgres://user@host/db?sslmode=disable) instead of SQLite")
	fs.StringVar(&c.usersFile, "users", "", "users `file`: a JSON array of {username, password, name, addresses, type}")
	fs.BoolVar(&c.demo, "demo", false, "without -users: create alice, bob and carol with random passwords (printed)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate `file` (PEM); serve HTTPS with -tls-key")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS private key `file` (PEM)")
	fs.Int64Var(&c.maxBody, "max-body", defaultMaxBody, "largest request body in `bytes` (larger ones get 413)")
	fs.BoolVar(&c.asyncDelivery, "async-delivery", false, "answer writes before invitations are delivered (delivered in the background)")
	fs.DurationVar(&c.inboxMaxAge, "inbox-max-age", 0, "delete scheduling inbox items older than this `duration` (0: keep them)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long to wait for requests under way on SIGINT/SIGTERM")
	fs.StringVar(&c.pprofAddr, "pprof", "", "serve net/http/pprof on this loopback `host:port` (for profiling; off by default)")
	fs.IntVar(&c.gcPercent, "gc-percent", defaultGCPercent, "garbage-collection target as in GOGC (`percent` of heap growth between collections); a GOGC environment variable is used unless this flag is given")
	fs.IntVar(&c.procs, "procs", 0, "Go processors (GOMAXPROCS) to run; default: a GOMAXPROCS environment variable, else twice the CPUs")
	level := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
	c.mail.addFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: server [flags]\n\nA CalDAV server with RFC 6638 auto-scheduling.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, errUsage
	}
	fs.Visit(func(f *flag.Flag) {
		c.gcPercentGiven = c.gcPercentGiven || f.Name == "gc-percent"
		c.procsGiven = c.procsGiven || f.Name == "procs"
	})
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return nil, errUsage
	}
	if err := c.logLevel.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "bad -log-level %q\n", *level)
		return nil, errUsage
	}
	switch {
	case c.usersFile == "" && !c.demo:
		fmt.Fprintln(stderr, "no users: give -users users.json (see README.md) or -demo for three demo users")
		return nil, errUsage
	case c.usersFile != "" && c.demo:
		fmt.Fprintln(stderr, "-demo and -users exclude each other")
		return nil, errUsage
	case (c.tlsCert == "") != (c.tlsKey == ""):
		fmt.Fprintln(stderr, "-tls-cert and -tls-key go together")
		return nil, errUsage
	case c.procsGiven && c.procs <= 0:
		fmt.Fprintln(stderr, "-procs must be positive")
		return nil, errUsage
	case c.gcPercent <= 0:
		fmt.Fprintln(stderr, "-gc-percent must be positive")
		return nil, errUsage
	case c.maxBody <= 0:
		fmt.Fprintln(stderr, "-max-body must be positive")
		return nil, errUsage
	case c.dbURL != "" && !strings.HasPrefix(c.dbURL, "postgres://") && !strings.HasPrefix(c.dbURL, "postgresql://"):
		fmt.Fprintln(stderr, "-db takes a postgres:// URL")
		return nil, errUsage
	}
	if err := c.mail.check(fs, os.Getenv(smtpPasswordEnv)); err != nil {
		fmt.Fprintln(stderr, err)
		return nil, errUsage
	}
	return c, nil
}
