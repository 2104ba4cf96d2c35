package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/emersion/go-sasl"

	"github.com/go-autoschedule/autoschedule/backend"
	"github.com/go-autoschedule/autoschedule/imip"
	"github.com/go-autoschedule/autoschedule/queue"
	"github.com/go-autoschedule/autoschedule/schedule"
)

// outgoingMail sends invitations, replies and cancellations for
// recipients the server does not host as iMIP e-mail: the scheduling
// middleware queues them in the transaction of the write
// (schedule.Options.Queue) and a queue.Worker hands them to the relay,
// writing SCHEDULE-STATUS 1.1 or a failure back into the organizer's (or
// attendee's) object.
type outgoingMail struct {
	domain string
	sender *imip.Sender
	worker *queue.Worker
	done   chan error // Run's result
	log    *slog.Logger
}

// newOutgoingMail builds the composer, the pooled SMTP sender and the
// queue worker for cfg, on store's outbox. It sends nothing until start.
func newOutgoingMail(cfg *mailConfig, store backend.Store, outbox backend.Outbox, log *slog.Logger) (*outgoingMail, error) {
	composer, err := imip.NewComposer(imip.ComposerOptions{From: cfg.from, FromOriginator: cfg.fromOriginator})
	if err != nil {
		return nil, fmt.Errorf("-mail-from: %w", err)
	}
	opts := imip.SenderOptions{
		Addr:      cfg.relay,
		Security:  cfg.security,
		LocalName: cfg.hostname,
		Logger:    log,
	}
	if cfg.user != "" {
		user, password := cfg.user, cfg.password
		opts.Auth = func() sasl.Client { return sasl.NewPlainClient("", user, password) }
		// mailConfig.check permits a password in plain text only to a
		// relay on a loopback address.
		opts.AllowInsecureAuth = cfg.security == imip.PlainText
	}
	sender, err := imip.NewSender(opts)
	if err != nil {
		return nil, fmt.Errorf("-smtp-relay: %w", err)
	}
	worker, err := queue.New(queue.Config{
		Outbox: outbox,
		Store:  store,
		Sender: &imip.QueueSender{
			Composer:  composer,
			Transport: sender,
			Directory: store,
			Logger:    log,
		},
		Backoff:     queue.Backoff{Min: cfg.retryMin, Max: cfg.retryMax},
		MaxAttempts: cfg.maxAttempts,
		Lease:       cfg.lease,
		Logger:      log,
	})
	if err != nil {
		sender.Close()
		return nil, fmt.Errorf("mail queue: %w", err)
	}
	return &outgoingMail{
		domain: cfg.from[strings.LastIndexByte(cfg.from, '@')+1:],
		sender: sender,
		worker: worker,
		done:   make(chan error, 1),
		log:    log,
	}, nil
}

// queueOptions tells the scheduling middleware to queue messages for
// mailto: recipients it does not host, and to wake the worker after each
// write.
func (o *outgoingMail) queueOptions() *schedule.QueueOptions {
	return &schedule.QueueOptions{Domain: o.domain, Notify: o.worker.Notify}
}

// start runs the worker in the background: it sends what earlier runs
// left in the queue, then whatever is queued next.
func (o *outgoingMail) start() {
	go func() { o.done <- o.worker.Run(context.Background()) }()
}

// closeUnstarted releases what newOutgoingMail made when the server does
// not start after all; o may be nil.
func (o *outgoingMail) closeUnstarted() {
	if o != nil {
		o.sender.Close()
	}
}

// stop lets the sends in flight finish (until ctx ends), leaves the rest
// queued for the next start, and closes the relay connections.
func (o *outgoingMail) stop(ctx context.Context) error {
	var errs []error
	if err := o.worker.Stop(ctx); err != nil {
		errs = append(errs, fmt.Errorf("stopping the mail queue: %w", err))
	}
	if err := <-o.done; err != nil && !errors.Is(err, context.Canceled) {
		errs = append(errs, fmt.Errorf("mail queue: %w", err))
	}
	if err := o.sender.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing relay connections: %w", err))
	}
	return errors.Join(errs...)
}
