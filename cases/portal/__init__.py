"""Firm portal: progress steps and case messages."""
