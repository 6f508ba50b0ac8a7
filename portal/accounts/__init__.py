"""Users, roles, login, password reset, coach invitations."""
