"""What the site's plugins share: the state of one build (state.py), work forked beside it (beside.py) and every use of Pelican's internals (pelican_internals.py).

Not a Pelican plugin: the plugins import it. It imports none of them, so that the plugins' imports form a
tree with it at the root (tests/test_structure.py).
"""
