"""The learned crisis layer: hashed n-gram features and a linear model shipped as weights."""
