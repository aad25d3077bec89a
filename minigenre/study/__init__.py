"""The 2018 study around the network: its data, preprocessing, metrics, Kaggle files,
figures, the network recipe, and the run directories of the command line.

This wing imports the core (``minigenre``) and never the other way round::

    from minigenre.study.synthetic import make_synthetic
    from minigenre.study.workflow import split_and_scale
    from minigenre.study.network import study_model
"""
