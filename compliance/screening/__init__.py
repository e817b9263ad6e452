"""Sanctions screening on the real list: import (`sdn`), matching (`normalise`, `matcher`), the loaded
index (`index`), writes and the public calls (`services`: `screen_party`, `screen_wallet`), the parties a
re-screening covers (`parties`). Models are in `models` (part of the compliance app)."""
