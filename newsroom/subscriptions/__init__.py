"""The subscription service: the Pressedienst and citizen alerts by e-mail, with consent.

The one dynamic part of the newsroom (docs/subscriptions.md): a Starlette application on
uvicorn over SQLAlchemy (SQLite by default, PostgreSQL in production). It sends only the
mails a person asked for; publications go out from the publish run, which reads the
subscribers through the service's API and never its database.
"""
