"""Feeds as data and as files: which feeds exist (catalog), what an entry holds (items), and
RSS 2.0, Atom and JSON Feed written from them (formats). The feeds plugin draws them; the
media portal offers its own source through the same types."""
