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
// (SIGINT or SIGTERM in main), then shuts down: it stops accepting HTTP
// connections and mail, waits for the requests and mail transactions
// under way (http.Server.Shutdown, mailListener.Shutdown), then for
// background deliveries (schedule.Handler.Close) and the mails being sent
// (queue.Worker.Stop; unsent ones stay queued for the next start), and
// closes the store last, so that every answered write and every
// acknowledged mail is in the database.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))
	defer applyGCPercent(cfg.gcPercent, cfg.gcPercentGiven, os.Getenv("GOGC"))()
	defer applyProcs(cfg.procs, cfg.procsGiven, os.Getenv("GOMAXPROCS"))()

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

	opts := &schedule.Options{
		Logger:        log,
		AsyncDelivery: cfg.asyncDelivery,
	}
	var mailOut *outgoingMail
	if cfg.mail.outgoing() {
		if mailOut, err = newOutgoingMail(&cfg.mail, store, store, log); err != nil {
			return err
		}
		opts.Queue = mailOut.queueOptions()
	}
	sched := schedule.New(&caldav.Handler{Backend: store.CalDAV()}, store, opts)
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

	// Listeners: each is opened before anything is served or sent, so
	// that a busy port fails the start with nothing to undo but closing
	// the ones opened before.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		mailOut.closeUnstarted()
		return err
	}
	var mailIn *mailListener
	if cfg.mail.listen != "" {
		if mailIn, err = startMailListener(&cfg.mail, tlsConfig, store, sched, log); err != nil {
			ln.Close()
			mailOut.closeUnstarted()
			return err
		}
	}
	if cfg.pprofAddr != "" {
		stopProfiling, err := serveProfiling(cfg.pprofAddr, log)
		if err != nil {
			ln.Close()
			if mailIn != nil {
				mailIn.Shutdown(context.Background())
			}
			mailOut.closeUnstarted()
			return err
		}
		defer stopProfiling()
	}

	serveErr := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			serveErr <- srv.ServeTLS(ln, "", "")
		} else {
			serveErr <- srv.Serve(ln)
		}
	}()
	if mailOut != nil {
		mailOut.start()
	}
	pruneCtx, stopPruning := context.WithCancel(context.Background())
	defer stopPruning()
	if cfg.inboxMaxAge > 0 {
		go backend.RunInboxPruner(pruneCtx, store, cfg.inboxMaxAge, 0, log)
	}

	base := baseURL(ln.Addr(), tlsConfig != nil)
	printWelcome(stdout, base, users, cfg.demo)
	if mailIn != nil {
		fmt.Fprintf(stdout, "Calendar mail (%s) accepted on %s\n", mailIn.protocol(), mailIn.Addr())
		log.Info("taking calendar mail", "protocol", mailIn.protocol(), "addr", mailIn.Addr().String())
	}
	if mailOut != nil {
		log.Info("sending calendar mail", "relay", cfg.mail.relay, "security", cfg.mail.security.String(), "from", cfg.mail.from)
	}
	log.Info("serving", "url", base, "store", store.Dialect())

	var serveFailed error
	select {
	case serveFailed = <-serveErr:
		serveFailed = fmt.Errorf("serving: %w", serveFailed)
		log.Error("shutting down", "err", serveFailed)
	case <-mailIn.Stopped():
		log.Error("shutting down: the mail listener stopped")
	case <-ctx.Done():
		log.Info("shutting down")
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	var errs []error
	// HTTP and mail stop being accepted at once; each drains what it
	// has under way (requests, mail transactions) before the deliveries
	// and the queue are stopped, and the store is closed last.
	mailInDone := make(chan error, 1)
	go func() {
		if mailIn != nil {
			mailInDone <- mailIn.Shutdown(shutdownCtx)
		} else {
			mailInDone <- nil
		}
	}()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("shutting down HTTP: %w", err))
		srv.Close()
	}
	if err := <-mailInDone; err != nil {
		errs = append(errs, err)
	}
	if err := sched.Close(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("waiting for deliveries: %w", err))
	}
	if mailOut != nil {
		if err := mailOut.stop(shutdownCtx); err != nil {
			errs = append(errs, err)
		}
	}
	stopPruning()
	if err := closeStore(); err != nil {
		errs = append(errs, fmt.Errorf("closing the store: %w", err))
	}
	if serveFailed == nil {
		serveFailed = <-serveErr
	}
	if serveFailed != nil && !errors.Is(serveFailed, http.ErrServerClosed) {
		errs = append(errs, serveFailed)
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
	auth.removed = newRemovedUsers(store, log)
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
