"""Observed practice with feedback: a person asks a colleague to watch them; the colleague answers
by a single-use link without signing in, and the answer becomes evidence on the activity."""
