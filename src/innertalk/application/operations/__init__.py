"""Use cases for operators: admin tools, alerts, health and retention."""
