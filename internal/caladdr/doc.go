// Package caladdr normalises and compares calendar user addresses
// (RFC 5545 CAL-ADDRESS values). It is the one place where the library decides
// whether two addresses name the same calendar user.
//
// The scheme is always compared case-insensitively. For mailto: addresses the
// whole e-mail address is compared case-insensitively: RFC 5321 allows a
// case-sensitive local part, but no calendar server or client relies on it,
// and clients do write "MAILTO:Alice@Example.org" for "mailto:alice@example.org".
// urn:uuid: values are compared case-insensitively; http(s) URLs compare the
// scheme and host case-insensitively and ignore a trailing slash.
package caladdr
