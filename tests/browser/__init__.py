"""Helpers for the browser tests (headless Chromium driven by Playwright) and view test tables."""
