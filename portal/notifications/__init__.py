"""Notifications: e-mail and calendar invites sent to clients and coaches."""
