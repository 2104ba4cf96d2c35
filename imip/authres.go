package imip

import (
	"context"
	"fmt"
	"strings"
)

// AuthResult is one method's result in an Authentication-Results header
// field (RFC 8601), e.g. dmarc=fail header.from=example.com.
type AuthResult struct {
	// Method is the authentication method, lower-case: "dkim", "spf",
	// "dmarc", "arc" …
	Method string
	// Result is its result, lower-case: "pass", "fail", "softfail",
	// "none", "temperror", "permerror", "neutral", "policy".
	Result string
	// Props are the properties, keyed by "ptype.property" (e.g.
	// "header.from", "smtp.mailfrom", "header.d").
	Props map[string]string
}

// AuthResults is one Authentication-Results header field.
type AuthResults struct {
	// AuthServID names the host that did the checks.
	AuthServID string
	// Results are its method results (none for "; none").
	Results []AuthResult
}

// ParseAuthenticationResults parses the value of an
// Authentication-Results header field. Comments are dropped; unknown
// syntax in one result skips that result. The error wraps ErrMalformed
// when there is no authserv-id.
func ParseAuthenticationResults(v string) (AuthResults, error) {
	v = stripComments(v)
	fields := strings.Split(v, ";")
	id := strings.Fields(fields[0])
	if len(id) == 0 {
		return AuthResults{}, fmt.Errorf("%w: Authentication-Results without authserv-id", ErrMalformed)
	}
	out := AuthResults{AuthServID: strings.ToLower(id[0])}
	for _, f := range fields[1:] {
		words := strings.Fields(f)
		if len(words) == 0 || strings.EqualFold(words[0], "none") {
			continue
		}
		method, result, ok := strings.Cut(words[0], "=")
		if !ok || method == "" || result == "" {
			continue
		}
		method, _, _ = strings.Cut(method, "/") // method version
		r := AuthResult{Method: strings.ToLower(method), Result: strings.ToLower(result), Props: map[string]string{}}
		for _, w := range words[1:] {
			k, val, ok := strings.Cut(w, "=")
			if !ok || !strings.Contains(k, ".") {
				continue // reason=… is a property without ptype: keep only ptype.property
			}
			r.Props[strings.ToLower(k)] = strings.Trim(val, `"`)
		}
		out.Results = append(out.Results, r)
	}
	return out, nil
}

// stripComments removes RFC 5322 comments (nested parentheses, with
// quoted pairs) from v.
func stripComments(v string) string {
	if !strings.ContainsRune(v, '(') {
		return v
	}
	var b strings.Builder
	depth := 0
	inQuote := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && (depth > 0 || inQuote) && i+1 < len(v):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(v[i+1])
			}
			i++
		case c == '"' && depth == 0:
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '(' && !inQuote:
			depth++
		case c == ')' && depth > 0 && !inQuote:
			depth--
			if depth == 0 {
				b.WriteByte(' ')
			}
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Verdict is what the authentication hook decides on.
type Verdict struct {
	// From is the e-mail address in the From header.
	From string
	// EnvelopeFrom is the SMTP MAIL FROM address ("" when not given).
	EnvelopeFrom string
	// Originator is the calendar user address the iTIP message claims
	// to come from.
	Originator string
	// Method is the iTIP method.
	Method string
	// Results are the Authentication-Results of trusted hosts (see
	// Receiver.TrustedAuthServIDs).
	Results []AuthResult
}

// Result returns the result of the first trusted result for method
// ("dkim", "spf", "dmarc" …), or "" when there is none.
func (v *Verdict) Result(method string) string {
	for _, r := range v.Results {
		if r.Method == method {
			return r.Result
		}
	}
	return ""
}

// VerdictFunc decides whether an incoming iMIP message is authentic
// enough to be processed; a non-nil error refuses it.
type VerdictFunc func(ctx context.Context, v *Verdict) error

// RefuseDMARCFail refuses mail whose trusted Authentication-Results
// record dmarc=fail. Mail without a DMARC result passes. It is the
// default verdict.
func RefuseDMARCFail(_ context.Context, v *Verdict) error {
	for _, r := range v.Results {
		if r.Method == "dmarc" && r.Result == "fail" {
			return fmt.Errorf("dmarc=fail for %s", v.From)
		}
	}
	return nil
}

// RequireDMARCPass accepts only mail whose trusted Authentication-Results
// record dmarc=pass.
func RequireDMARCPass(_ context.Context, v *Verdict) error {
	for _, r := range v.Results {
		if r.Method == "dmarc" {
			if r.Result == "pass" {
				return nil
			}
			return fmt.Errorf("dmarc=%s for %s", r.Result, v.From)
		}
	}
	return fmt.Errorf("no DMARC result for %s", v.From)
}
