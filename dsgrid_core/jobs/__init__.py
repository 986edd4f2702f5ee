"""Long work as jobs: state in the registry database, progress, cancel, time limit."""
