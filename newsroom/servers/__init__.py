"""Local servers: the preview, and the browser admin's guard and decap-server."""
