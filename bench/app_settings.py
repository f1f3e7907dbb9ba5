"""Mesa's app settings for its Epstein example, in Mesa's names and in qantar's.

One place for the numbers both sides of the benchmark and of the equivalence check use.
``bench/mesa_peer.py`` (the Mesa side, which must never import qantar) reads
``MESA_APP_SETTINGS``. qantar's side (``bench/compare_mesa.py``,
``validation/mesa_equivalence.py``) reads ``QANTAR_APP_PARAMS``. This module imports
nothing, so either Python can load it.

Mesa's app (``app.py``) sets these; the example's own model defaults differ (cop density
0.074, legitimacy 0.8, max jail term 1000) and give an almost quiet 40x40 world.
"""

#: The parameters of Mesa's app, in Mesa's names.
MESA_APP_SETTINGS: dict[str, object] = {
    "citizen_density": 0.7,
    "cop_density": 0.04,
    "citizen_vision": 7,
    "cop_vision": 7,
    "legitimacy": 0.82,
    "max_jail_term": 30,
    "active_threshold": 0.1,
    "arrest_prob_constant": 2.3,
    "movement": True,
    "activation_order": "Random",
    "grid_type": "Von Neumann",
}

#: qantar's parameter name -> Mesa's, for the settings both models have.
QANTAR_TO_MESA: dict[str, str] = {
    "citizen_density": "citizen_density",
    "cop_density": "cop_density",
    "citizen_vision": "citizen_vision",
    "cop_vision": "cop_vision",
    "legitimacy": "legitimacy",
    "max_jail_term": "max_jail_term",
    "arrest_constant": "arrest_prob_constant",
    "threshold": "active_threshold",
    "movement": "movement",
}

#: The same settings in qantar's names (``qantar.Params`` fields).
QANTAR_APP_PARAMS: dict[str, object] = {q: MESA_APP_SETTINGS[m] for q, m in QANTAR_TO_MESA.items()}
