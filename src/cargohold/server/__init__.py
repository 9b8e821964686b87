"""Assembly of the HTTP server: faces, middleware, start-up and shutdown."""
