"""Supervision through the year (跟踪督办): tracked projects, milestones, progress,
inspections, and the public progress page."""
