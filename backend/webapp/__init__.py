"""The supplier's installable web app (the static files of `app/`), served at `/app/`."""
