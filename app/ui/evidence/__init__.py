"""The bench's video widgets: recording indicator, camera banner, live preview, and their controller."""
