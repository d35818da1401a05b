"""One small script per (tool, task); each writes its answer as JSON."""
