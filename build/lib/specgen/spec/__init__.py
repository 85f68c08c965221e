"""The spec front end: load YAML safely, validate it against the language, build the model."""
