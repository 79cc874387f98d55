"""The shopper's pages: catalog, cart, checkout and orders. Each view parses the request, calls one
selector or service and renders; domain errors become 4xx pages through core's middleware."""
