"""Measures on results: outbursts, waiting times, summaries."""

from qantar.analysis.outbursts import Outburst, find_outbursts, outburst_threshold, summarize, waiting_times

__all__ = ["Outburst", "find_outbursts", "outburst_threshold", "summarize", "waiting_times"]
