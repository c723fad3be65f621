"""The hub: guidance sections around the patient, the course catalogue and the resource library."""
