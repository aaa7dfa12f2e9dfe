"""Qt-free measurements of activation functions: curves, properties, deep-signal statistics."""
