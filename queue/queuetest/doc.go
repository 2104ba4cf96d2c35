// Package queuetest holds test helpers for code around package queue: an
// in-process SMTP server that records what it receives by Message-ID
// (Sink), and a minimal queue.Sender that hands each message to an SMTP
// server in one plain transaction (SMTPSender). Tests of senders, stores
// and workers use them to check that every message arrives exactly once.
//
//	sink := queuetest.NewSink(t)
//	sender := queuetest.NewSMTPSender(sink.Addr(), 4)
//	defer sender.Close()
//	// ... run a queue.Worker with sender ...
//	if ids, copies := sink.Unique(); copies > 1 { t.Error("duplicate") }
//
// The SMTPSender is not an iMIP implementation (no MIME structure, no
// TLS, no authentication); it exists to exercise the queue end to end.
package queuetest
