"""Languages besides German: translated stories (`<name>.<code>.md` beside the German original) and
the theme's interface texts from message catalogues (theme/translations/<code>/LC_MESSAGES/messages.po)."""
