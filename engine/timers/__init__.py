"""Waiting timer events: their projection and firing them when due."""
