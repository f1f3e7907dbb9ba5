"""One small scenario file for the tests that need one on disk: a single region A and one
hardship shock (event "shock"), source "s"; each test sets what it needs and appends its
own tables (targets, more events) as ``extra``."""


def one_region_toml(*, name: str = "small", days: int = 2, steps_per_day: int = 24, scale: float = 200.0,
                    model: str = "", population: int = 10000, police_per_100k: int = 400,
                    shock_at: str = "2022-01-01T06:00:00", add: float = 0.2, extra: str = "") -> str:
    """The scenario's TOML text (``model``: lines of the [model] table; unset, no table)."""
    return f"""
name = "{name}"
start = 2022-01-01T00:00:00
days = {days}
steps_per_day = {steps_per_day}
scale = {scale}
{"[model]" + chr(10) + model if model else ""}
[[regions]]
name = "A"
population = {population}
police_per_100k = {police_per_100k}
[[events]]
name = "shock"
type = "hardship"
at = {shock_at}
add = {add}
source = "s"
[sources.s]
title = "a source"
{extra}"""


#: A national peak target of 200-400 participants (source "s"), for ``extra``.
PEAK_TARGET = """
[[targets]]
name = "peak"
metric = "peak_participants"
low = 200
high = 400
source = "s"
"""
