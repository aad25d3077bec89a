"""Tutorial 7's exercise, solved (inside the tutorial's variables)."""


def train_with_early_stopping():
    model = network(seed=0)
    stopper = EarlyStopping(
        monitor="val_accuracy", patience=5, restore_best_weights=True
    )
    history = model.fit(
        x_train,
        y_train,
        epochs=50,
        verbose=0,
        validation_data=(x_val, y_val),
        callbacks=[stopper],
    )
    return model, history
