"""Built-in procedural indoor data: rooms, camera paths, an analytic ray caster and a writer for
the Replica / Semantic-NeRF layout (see docs/synthetic-data.md)."""

from gpnerf.synthetic.raycast import RenderedViews, render_views
from gpnerf.synthetic.room import Room, make_room
from gpnerf.synthetic.trajectory import make_trajectory
from gpnerf.synthetic.writer import generate_dataset

__all__ = ["RenderedViews", "Room", "generate_dataset", "make_room", "make_trajectory", "render_views"]
