"""The service layer: every function takes (session, actor, ...) and checks access itself."""
