"""Pushing an image or archive to a registry."""
