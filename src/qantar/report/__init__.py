"""Figures and reports people can read."""
