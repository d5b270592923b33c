"""Customer satisfaction: survey results imported or answered, per customer and period."""
