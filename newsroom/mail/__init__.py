"""Mail over SMTP: the connection the press release and the desk's alerts share."""
