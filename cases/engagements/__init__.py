"""Engagements (委托代理): a case handed to a law firm, on agreed terms and fee arrangement."""
