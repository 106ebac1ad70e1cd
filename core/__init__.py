"""The workbench's library: pure, typed, testable; it never imports Streamlit.

One package per concept, lower layers first (a package imports only from its own layer or
below; ``scripts/import_graph.py`` checks it): ``exceptions`` and ``formatting`` ->
``config`` -> ``store`` -> ``ingest`` -> ``decide`` -> ``report`` -> ``model`` ->
``scoring`` -> ``explain``, ``drift``, ``monitor`` -> ``jobs`` -> ``synth`` -> ``cli``.
"""
