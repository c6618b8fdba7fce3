"""The crisis mode (Krisenmodus): one message on every page and every channel (content/krise.yml)."""
