"""The shopper's pages: catalog, cart, checkout, orders and paying for them. Each view parses the request,
calls one selector or service and renders; domain errors become 4xx pages through core's middleware."""
