"""Access rules per route, CSRF, security headers, sessions, sign-in rate limits."""
