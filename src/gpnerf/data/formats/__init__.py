"""Readers from on-disk layouts to :class:`gpnerf.data.scene.Scene`, converted to gpnerf conventions."""
