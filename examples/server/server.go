package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/emersion/go-webdav/caldav"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/backend/sqlstore"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// sqliteFile is the database file's name inside the -data directory.
const sqliteFile = "autoschedule.db"

// run starts the server described by args and serves until ctx ends
// (SIGINT or SIGTERM in main), then shuts down: it stops accepting
// connections and waits for the requests under way (http.Server.Shutdown),
// then for background deliveries (schedule.Handler.Close), and closes the
// store last, so that every answered write is in the database.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))

	users, err := cfg.loadUsers()
	if err != nil {
		return err
	}
	var tlsConfig *tls.Config
	if cfg.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}

	store, err := cfg.openStore(ctx, log)
	if err != nil {
		return err
	}
	closeStore := sync.OnceValue(store.Close)
	defer closeStore()
	for i := range users {
		if err := store.Provision(ctx, users[i].principal()); err != nil {
			return fmt.Errorf("provisioning %s: %w", users[i].Username, err)
		}
	}

	sched := schedule.New(&caldav.Handler{Backend: store.CalDAV()}, store, &schedule.Options{
		Logger:        log,
		AsyncDelivery: cfg.asyncDelivery,
	})
	srv := &http.Server{
		Handler:           newHandler(store, sched, users, cfg.maxBody, log),
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	serveErr := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			serveErr <- srv.ServeTLS(ln, "", "")
		} else {
			serveErr <- srv.Serve(ln)
		}
	}()

	pruneCtx, stopPruning := context.WithCancel(context.Background())
	defer stopPruning()
	if cfg.inboxMaxAge > 0 {
		go backend.RunInboxPruner(pruneCtx, store, cfg.inboxMaxAge, 0, log)
	}

	if cfg.pprofAddr != "" {
		stopProfiling, err := serveProfiling(cfg.pprofAddr, log)
		if err != nil {
			srv.Close()
			return err
		}
		defer stopProfiling()
	}

	base := baseURL(ln.Addr(), tlsConfig != nil)
	printWelcome(stdout, base, users, cfg.demo)
	log.Info("serving", "url", base, "store", store.Dialect())

	select {
	case err := <-serveErr:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("shutting down HTTP: %w", err))
		srv.Close()
	}
	if err := sched.Close(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("waiting for deliveries: %w", err))
	}
	stopPruning()
	if err := closeStore(); err != nil {
		errs = append(errs, fmt.Errorf("closing the store: %w", err))
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		log.Info("stopped")
	}
	return errors.Join(errs...)
}

// newHandler assembles the server: request log, body limits,
// authentication, /.well-known/caldav, MKCALENDAR, then the scheduling
// middleware in front of go-webdav's CalDAV handler.
func newHandler(store backend.Store, sched http.Handler, users []User, maxBody int64, log *slog.Logger) http.Handler {
	auth := newAuthenticator(users)
	creator := &calendarCreator{store: store, log: log, next: sched}
	return logRequests(log, limitBodies(maxBody, auth.wrap(wellKnown(creator))))
}

// loadUsers reads the users file, or makes the demo users.
func (c *config) loadUsers() ([]User, error) {
	if c.demo {
		return demoUsers()
	}
	return loadUsers(c.usersFile)
}

// openStore opens PostgreSQL (-db) or the SQLite file in -data, creating
// the directory.
func (c *config) openStore(ctx context.Context, log *slog.Logger) (*sqlstore.Store, error) {
	opts := &sqlstore.Options{Logger: log}
	if c.dbURL != "" {
		s, err := sqlstore.OpenPostgres(ctx, c.dbURL, opts)
		if err != nil {
			return nil, fmt.Errorf("opening PostgreSQL: %w", err)
		}
		return s, nil
	}
	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	s, err := sqlstore.OpenSQLite(ctx, filepath.Join(c.dataDir, sqliteFile), opts)
	if err != nil {
		return nil, fmt.Errorf("opening SQLite: %w", err)
	}
	return s, nil
}

// baseURL is the server's root URL for addr; an unspecified address
// (0.0.0.0, ::) is shown as localhost.
func baseURL(addr net.Addr, https bool) string {
	scheme := "http"
	if https {
		scheme = "https"
	}
	host := addr.String()
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		host = net.JoinHostPort("localhost", fmt.Sprint(tcp.Port))
	}
	return scheme + "://" + host + "/"
}

// printWelcome tells the operator which URL to give clients (the first
// line, which tests wait for) and, for demo users, their passwords.
func printWelcome(w io.Writer, base string, users []User, demo bool) {
	fmt.Fprintf(w, "CalDAV server listening on %s\n", base)
	fmt.Fprintf(w, "Give clients this URL; principal URLs are %s<username>/\n", base)
	for _, u := range users {
		line := fmt.Sprintf("  %-12s %s%s/", u.Username, base, u.Username)
		if demo {
			line += "  password: " + u.Password
		}
		fmt.Fprintln(w, line)
	}
}
