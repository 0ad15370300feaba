"""Discord extensions, one per feature: read the interaction, call the core, render, reply."""
