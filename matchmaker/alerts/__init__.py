"""Saved searches and followed categories: tell users when a new item matches them."""
