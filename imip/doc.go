// Package imip delivers iTIP scheduling messages by e-mail and reads them
// back (iMIP, RFC 6047), for recipients a CalDAV server does not host.
//
// # Outgoing
//
// Sending is two steps, so that a durable queue can sit between them:
//
//   - Composer.Compose is pure: an itip.Message and a recipient become the
//     RFC 5322 bytes of one e-mail (Outgoing). The mail is
//     multipart/alternative with a readable text/plain and text/html
//     summary (what, when in the recipient's time zone, where, who, and
//     what changed) and the text/calendar part with charset=utf-8 and a
//     method parameter equal to METHOD (7bit when ASCII, else base64).
//     The Message-ID is derived from an idempotency key, so a retried
//     delivery carries the same Message-ID and the same bytes. Subjects
//     read "Invitation: …", "Updated: …", "Canceled: …", "Accepted: …",
//     "Declined: …", "Tentative: …". From is the service address with the
//     originator's name and Reply-To is the originator (or, with
//     FromOriginator, From is the originator). The templates are
//     replaceable (Templates); the HTML one is an html/template, so
//     SUMMARY, LOCATION and names are always escaped, and every header
//     value taken from calendar data is stripped of control characters,
//     so no header can be injected.
//   - Sender.Send hands an Outgoing to an SMTP server with go-smtp:
//     STARTTLS, implicit TLS or a plain relay, optional SASL
//     authentication, connections reused across messages. Failures are
//     *SendError values: Temporary for network errors and 4xx replies,
//     permanent for 5xx replies.
//
// Deliverer plugs both into the scheduling middleware as a
// schedule.Deliverer, after local delivery:
//
//	composer, _ := imip.NewComposer(imip.ComposerOptions{From: "calendar@example.org"})
//	sender, _ := imip.NewSender(imip.SenderOptions{Addr: "smtp.example.org:587", Auth: …})
//	h := schedule.New(next, store, &schedule.Options{Deliverers: []schedule.Deliverer{
//		&imip.Deliverer{Composer: composer, Transport: sender},
//	}})
//
// It takes mailto: recipients only (others get schedule.ErrNotResponsible)
// and answers StatusSent (1.1) when the server accepted the mail,
// StatusNoRoute (5.2) for a permanent refusal, and an error (recorded as
// 5.1 by the middleware) for a temporary one. No mail is sent under a
// context from WithoutMail (the request said "Scheduling: none" or
// "internal-only") or when the Suppress hook says so. Recipients with
// SCHEDULE-AGENT=CLIENT or NONE never reach a deliverer: itip.Plan sends
// them nothing.
//
// Deliverer sends while the client waits, and a mail lost to a crash is
// lost. For durable delivery, give the middleware a store with an outbox
// (schedule.Options.Queue) and run a queue.Worker with a QueueSender:
// the messages are stored with the object, SCHEDULE-STATUS is 1.0 until
// the worker has sent them, then 1.1, or the failure status of
// SendError.ScheduleStatus after a permanent refusal; temporary failures
// are retried with backoff, and every attempt of a message carries the
// same Message-ID.
//
//	w, _ := queue.New(queue.Config{Outbox: store, Store: store,
//		Sender: &imip.QueueSender{Composer: composer, Transport: sender, Directory: store}})
//	h := schedule.New(next, store, &schedule.Options{Queue: &schedule.QueueOptions{
//		Domain: "example.org", Notify: w.Notify}})
//	go w.Run(ctx)
//
// # Incoming
//
// Receiver.Parse takes a received e-mail and returns the iTIP messages in
// it: text/calendar parts anywhere in the MIME tree (or, failing those,
// application/ics and .ics attachments), quoted-printable and base64
// decoded, legacy charsets converted. Each message must come from the
// mail's sender: the From header (and MAIL FROM, see EnvelopeCheck) must
// be the ORGANIZER of a REQUEST, CANCEL or ADD, or the ATTENDEE of a
// REPLY, or a SENT-BY of theirs that Receiver.SentBy trusts (by default a
// delegate in the same domain: RFC 6047 §3 leaves proxies to the
// receiver). The mail must have one From field with a plain address
// (none that only becomes the originator's once a "?" or "%40" is
// decoded). The receiving MTA's
// Authentication-Results (DKIM, SPF, DMARC) go to a Verdict hook that can
// refuse (the default refuses dmarc=fail). The size of the mail and of
// its MIME tree is bounded. Everything refused is a *RefusedError
// wrapping a sentinel (ErrSpoofed, ErrNotAuthenticated, ErrTooLarge …)
// and is logged. Receiver.Process then hands each verified message to a
// Processor: the scheduling middleware, schedule.Handler.ProcessIncoming,
// applies it to the hosted recipients' copies and inboxes as it does for
// local messages (an external attendee's REPLY updates the organizer's
// copy and refreshes the other attendees; a REQUEST or CANCEL not from
// the stored ORGANIZER, or a REPLY from a non-attendee, is refused with
// 3.8). Receiver.SMTPBackend wraps both in a go-smtp Backend, so that the
// MTA can pass calendar mail over LMTP or SMTP and get a meaningful reply
// (250; 550 5.7.1 for spoofed senders and refused messages; 550 5.1.1 for
// recipients not hosted; 451 when processing failed temporarily), per
// recipient over LMTP.
package imip
