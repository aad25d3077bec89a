"""Tutorial 6's exercise, solved (inside the tutorial's variables)."""


def numpy_into_keras():
    trained = study_model(seed=1)
    trained.fit(x_train, y_train, epochs=1, verbose=0)
    fresh = build_model(seed=2)
    numpy_to_keras(trained, fresh)
    return trained, fresh
