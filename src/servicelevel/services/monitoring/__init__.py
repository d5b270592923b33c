"""Monitoring (SLM4): the stored tickets measured by every target's clock, warnings and breaches
ahead and behind, outages and availability, explanations, the queue and each team's month."""
