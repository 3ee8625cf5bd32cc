"""Logs, Prometheus metrics and health probes."""
