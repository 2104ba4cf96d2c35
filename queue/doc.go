// Package queue delivers the messages of a durable outbox
// (backend.Outbox) to recipients outside the server, typically as iMIP
// e-mail, and writes each outcome back into the calendar object as the
// recipient's SCHEDULE-STATUS (RFC 6638 §3.2.9).
//
// The scheduler queues a message in the same transaction as the object
// write that causes it (Outbox.PutObjectEnqueue), with SCHEDULE-STATUS 1.0
// (pending) in the object. A Worker then claims due messages in batches,
// hands each to a Sender, and records the result:
//
//   - sent: the message is removed and the status becomes 1.1 (sent);
//   - a *PermanentError (or an error with a method Permanent() bool that
//     returns true): removed, status 5.2 or the error's own (3.7, 5.3);
//   - any other error: retried after a Backoff delay (exponential, capped,
//     with jitter), and after Config.MaxAttempts given up with 5.1.
//
// A REQUEST or ADD whose event was deleted meanwhile without a CANCEL
// (its organizer asked for "Scheduling: none") is dropped unsent.
//
// The status write-back keeps the object's Schedule-Tag, uses
// compare-and-swap against concurrent writes, and is skipped while a newer
// message for the same object, UID and recipient waits (that one will set
// it; see ObjectQueue).
//
//	w, err := queue.New(queue.Config{Outbox: store, Store: store, Sender: mailer})
//	go w.Run(ctx)
//	...
//	w.Notify()      // after an enqueue: send now rather than at the next poll
//	w.Stop(stopCtx) // finish sends in flight, give the rest back
//
// # Guarantees
//
// A message queued with a successful write is sent even if the process dies
// right after the write: it stays in the outbox until a worker completes
// it. Several workers, in one process or several sharing one database,
// never hold the same message at once (leases; row locks on PostgreSQL).
// Messages for one UID and recipient go out in the order they were
// queued, and a queued REQUEST that a newer one makes obsolete is dropped
// unsent (OutboundMessage.Supersedes, set by Messages), also when it was
// in flight as the newer one was queued and its send then failed for now. The newer one then
// inherits the dropped one's OutboundMessage.Previous (what the recipient
// saw last, made by PreviousView), so its mail lists every change since.
//
// Delivery is at least once, not exactly once: a worker that dies after a
// send but before recording it leaves the message to be claimed again when
// its lease expires. Every attempt carries the same OutboundMessage.ID,
// which a Sender must use as the e-mail Message-ID, so the receiving side
// can drop the copy. A message that was recorded as sent is never sent
// again.
package queue
