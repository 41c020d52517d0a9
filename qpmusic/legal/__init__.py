"""Public notices: how personal data is used."""
