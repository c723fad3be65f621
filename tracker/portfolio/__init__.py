"""My year, logging and reflecting on activities, evidence, and the printable portfolio."""
