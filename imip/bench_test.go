package imip

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// BenchmarkCompose builds the invitation to one of three attendees.
func BenchmarkCompose(b *testing.B) {
	c := mustComposer(b, ComposerOptions{})
	msg := mustMessage(b, invitationICS)
	msg.Bytes()
	in := &ComposeInput{Message: msg, Recipient: "mailto:bob@remote.example", Key: "bench"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Compose(in); err != nil {
			b.Fatal(err)
		}
	}
}

// benchmarkSend sends b.N messages to the in-process sink.
func benchmarkSend(b *testing.B, mode string, conns int, parallel bool) {
	sk := startSink(b, mode, nil)
	opts := SenderOptions{Addr: sk.addr, Security: PlainText, MaxConns: conns}
	if mode != "plain" {
		opts.Security, opts.TLSConfig = StartTLS, sk.clientTLS()
	}
	s := mustSender(b, opts)
	m := outgoing(b)
	ctx := context.Background()
	if err := s.Send(ctx, m); err != nil { // connect outside the timing
		b.Fatal(err)
	}
	b.SetBytes(int64(len(m.Data)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if parallel {
		b.SetParallelism(conns)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := s.Send(ctx, m); err != nil {
					b.Error(err)
					return
				}
			}
		})
	} else {
		for i := 0; i < b.N; i++ {
			if err := s.Send(ctx, m); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkSend: one reused plain-text connection, one message at a time.
func BenchmarkSend(b *testing.B) { benchmarkSend(b, "plain", 1, false) }

// BenchmarkSendStartTLS: one reused STARTTLS connection.
func BenchmarkSendStartTLS(b *testing.B) { benchmarkSend(b, "starttls", 1, false) }

// BenchmarkSendParallel4: four connections used concurrently.
func BenchmarkSendParallel4(b *testing.B) { benchmarkSend(b, "plain", 4, true) }

// BenchmarkSendNoReuse: a new connection per message (MaxPerConn 1), for
// comparison with BenchmarkSend.
func BenchmarkSendNoReuse(b *testing.B) {
	sk := startSink(b, "plain", nil)
	s := mustSender(b, SenderOptions{Addr: sk.addr, Security: PlainText, MaxConns: 1, MaxPerConn: 1})
	m := outgoing(b)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if err := s.Send(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkParseMail parses and verifies the Google Calendar fixture.
func BenchmarkParseMail(b *testing.B) {
	mail := fixture(b, "google-request.eml")
	r := &Receiver{Logger: quiet}
	b.SetBytes(int64(len(mail)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := r.Parse(context.Background(), bytes.NewReader(mail), Envelope{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComposeAndSend is what a queue worker does per delivery:
// compose, then send over one reused connection.
func BenchmarkComposeAndSend(b *testing.B) {
	sk := startSink(b, "plain", nil)
	s := mustSender(b, SenderOptions{Addr: sk.addr, Security: PlainText, MaxConns: 1})
	c := mustComposer(b, ComposerOptions{})
	msg := mustMessage(b, invitationICS)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		out, err := c.Compose(&ComposeInput{Message: msg, Recipient: "mailto:bob@remote.example", Key: "job"})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Send(ctx, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
