package backend

import "context"

type principalKey struct{}

// WithPrincipal returns a context that carries the Path of the
// authenticated principal. Servers set it in their authentication
// middleware; stores and the scheduler read it with PrincipalFromContext.
func WithPrincipal(ctx context.Context, principalPath string) context.Context {
	return context.WithValue(ctx, principalKey{}, principalPath)
}

// PrincipalFromContext returns the Path of the authenticated principal, and
// false when the request is not authenticated.
func PrincipalFromContext(ctx context.Context) (string, bool) {
	p, ok := ctx.Value(principalKey{}).(string)
	return p, ok && p != ""
}
