"""Code shared by the Function Compute handlers: credentials, retries, rate limiting, logging, decoding,
the injectable invocation runtime.

Nothing here imports a cloud SDK at module level, so the pure parts (event decoding,
retry policy, rate limiter) stay importable and testable without network libraries.
"""
