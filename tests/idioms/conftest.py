# The scripts are Keras code, run by test_idioms.py in their own processes; pytest
# must not import them (--doctest-modules would, running Keras).
collect_ignore_glob = ["scripts/*.py"]
