"""Notifications: channels, what each kind says and how each channel wants it said."""
